#include "state/in_memory_key_value_store.h"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "state/internal/key_range.h"
#include "state/internal/vector_key_value_iterator.h"

namespace rill::state {
namespace {

using internal::KeyRange;

class InMemoryKeyValueStore final : public KeyValueStore {
 public:
  explicit InMemoryKeyValueStore(std::string name) : name_(std::move(name)) {}

  const std::string& name() const override { return name_; }
  bool persistent() const override { return false; }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    return GetLocked(key);
  }

  absl::Status Put(std::string_view key, std::optional<std::string_view> value) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    PutLocked(key, value);
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> PutIfAbsent(std::string_view key,
                                                         std::string_view value) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    auto [it, inserted] = entries_.try_emplace(std::string(key), value);
    if (inserted) return std::nullopt;
    return it->second;
  }

  absl::Status PutAll(const KeyValueEntries& entries) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    for (const auto& [key, value] : entries) {
      PutLocked(key, value ? std::optional<std::string_view>(*value) : std::nullopt);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> Delete(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    std::optional<std::string> old = std::move(it->second);
    entries_.erase(it);
    return old;
  }

  std::unique_ptr<KeyValueIterator> Range(std::optional<std::string_view> from,
                                          std::optional<std::string_view> to,
                                          bool reverse) override {
    return Iterate(KeyRange::Inclusive(from, to), reverse);
  }

  std::unique_ptr<KeyValueIterator> PrefixScan(std::string_view prefix) override {
    return Iterate(KeyRange::Prefix(prefix), /*reverse=*/false);
  }

  uint64_t ApproximateNumEntries() override {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ ? 0 : entries_.size();
  }

  absl::Status Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ ? ClosedError() : absl::OkStatus();
  }

  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    if (changelog_offset) committed_offset_ = changelog_offset;
    return absl::OkStatus();
  }

  std::optional<int64_t> CommittedOffset() override {
    std::lock_guard<std::mutex> lock(mu_);
    return committed_offset_;
  }

  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    for (const ChangelogRecord& record : records) {
      PutLocked(record.key,
                record.value ? std::optional<std::string_view>(*record.value) : std::nullopt);
    }
    committed_offset_ = last_offset;
    return absl::OkStatus();
  }

  absl::Status Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    entries_.clear();
    committed_offset_.reset();
    return absl::OkStatus();
  }

 private:
  absl::Status ClosedError() const {
    return absl::FailedPreconditionError(absl::StrCat("in-memory store ", name_, " is closed"));
  }

  std::optional<std::string> GetLocked(std::string_view key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  void PutLocked(std::string_view key, std::optional<std::string_view> value) {
    if (!value) {
      auto it = entries_.find(key);
      if (it != entries_.end()) entries_.erase(it);
      return;
    }
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      it->second.assign(value->data(), value->size());
    } else {
      entries_.emplace(std::string(key), std::string(*value));
    }
  }

  std::unique_ptr<KeyValueIterator> Iterate(const KeyRange& range, bool reverse) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return internal::NewEmptyIterator(ClosedError());
    std::vector<std::pair<std::string, std::string>> copy;
    if (!range.empty) {
      auto begin = range.lower ? entries_.lower_bound(*range.lower) : entries_.begin();
      auto end =
          range.upper_exclusive ? entries_.lower_bound(*range.upper_exclusive) : entries_.end();
      // lower > upper cannot happen for ranges KeyRange builds, but guard the iterator pair.
      if (range.upper_exclusive && range.lower && *range.lower >= *range.upper_exclusive) {
        end = begin;
      }
      copy.assign(begin, end);
    }
    if (reverse) std::reverse(copy.begin(), copy.end());
    return std::make_unique<internal::VectorKeyValueIterator>(std::move(copy));
  }

  const std::string name_;
  std::mutex mu_;
  // std::less<> so lookups take string_view keys without a copy.
  std::map<std::string, std::string, std::less<>> entries_;
  std::optional<int64_t> committed_offset_;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<KeyValueStore> NewInMemoryKeyValueStore(std::string name) {
  return std::make_unique<InMemoryKeyValueStore>(std::move(name));
}

}  // namespace rill::state
