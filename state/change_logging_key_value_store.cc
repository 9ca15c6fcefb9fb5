#include "state/change_logging_key_value_store.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/internal/forwarding_store.h"
namespace rill::state {
namespace {

class ChangeLoggingKeyValueStore final : public internal::ForwardingStore<KeyValueStore> {
 public:
  ChangeLoggingKeyValueStore(std::unique_ptr<KeyValueStore> inner, ChangelogWriter* writer)
      : ForwardingStore(std::move(inner)), writer_(writer) {}


  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) override {
    return inner_->Get(key);
  }

  absl::Status Put(std::string_view key, std::optional<std::string_view> value) override {
    absl::Status s = inner_->Put(key, value);
    if (s.ok()) writer_->Send(key, value);
    return s;
  }

  absl::StatusOr<std::optional<std::string>> PutIfAbsent(std::string_view key,
                                                         std::string_view value) override {
    absl::StatusOr<std::optional<std::string>> existing = inner_->PutIfAbsent(key, value);
    if (existing.ok() && !existing->has_value()) writer_->Send(key, value);
    return existing;
  }

  absl::Status PutAll(const KeyValueEntries& entries) override {
    absl::Status s = inner_->PutAll(entries);
    if (!s.ok()) return s;
    for (const auto& [key, value] : entries) {
      writer_->Send(key, value ? std::optional<std::string_view>(*value) : std::nullopt);
    }
    return s;
  }

  absl::StatusOr<std::optional<std::string>> Delete(std::string_view key) override {
    absl::StatusOr<std::optional<std::string>> old = inner_->Delete(key);
    if (old.ok()) writer_->Send(key, std::nullopt);
    return old;
  }

  std::unique_ptr<KeyValueIterator> Range(std::optional<std::string_view> from,
                                          std::optional<std::string_view> to,
                                          bool reverse) override {
    return inner_->Range(from, to, reverse);
  }
  std::unique_ptr<KeyValueIterator> PrefixScan(std::string_view prefix) override {
    return inner_->PrefixScan(prefix);
  }


 private:
  ChangelogWriter* writer_;
};

}  // namespace

std::unique_ptr<KeyValueStore> NewChangeLoggingKeyValueStore(std::unique_ptr<KeyValueStore> inner,
                                                             ChangelogWriter* writer) {
  return std::make_unique<ChangeLoggingKeyValueStore>(std::move(inner), writer);
}

}  // namespace rill::state
