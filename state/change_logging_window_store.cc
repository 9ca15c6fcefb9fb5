#include "state/change_logging_window_store.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/window_key_schema.h"

namespace rill::state {
namespace {

class ChangeLoggingWindowStore final : public WindowStore {
 public:
  ChangeLoggingWindowStore(std::unique_ptr<WindowStore> inner, ChangelogWriter* writer)
      : inner_(std::move(inner)), writer_(writer) {}

  const std::string& name() const override { return inner_->name(); }
  bool persistent() const override { return inner_->persistent(); }
  int64_t retention_ms() const override { return inner_->retention_ms(); }
  bool retain_duplicates() const override { return inner_->retain_duplicates(); }

  absl::StatusOr<WindowPutResult> Put(std::string_view key, int64_t window_start_ms,
                                      std::optional<std::string_view> value) override {
    absl::StatusOr<WindowPutResult> result = inner_->Put(key, window_start_ms, value);
    if (result.ok() && result->applied) {
      writer_->Send(EncodeWindowStoreKey(key, window_start_ms, result->seqnum), value);
    }
    return result;
  }

  absl::StatusOr<std::optional<std::string>> Fetch(std::string_view key,
                                                   int64_t window_start_ms) override {
    return inner_->Fetch(key, window_start_ms);
  }
  std::unique_ptr<WindowStoreIterator> Fetch(std::string_view key, int64_t time_from,
                                             int64_t time_to, bool backward) override {
    return inner_->Fetch(key, time_from, time_to, backward);
  }
  std::unique_ptr<WindowStoreIterator> FetchRange(std::optional<std::string_view> key_from,
                                                  std::optional<std::string_view> key_to,
                                                  int64_t time_from, int64_t time_to,
                                                  bool backward) override {
    return inner_->FetchRange(key_from, key_to, time_from, time_to, backward);
  }

  absl::Status Flush() override { return inner_->Flush(); }
  bool WantsCommit() override { return inner_->WantsCommit(); }
  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    return inner_->Commit(changelog_offset);
  }
  std::optional<int64_t> CommittedOffset() override { return inner_->CommittedOffset(); }
  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    return inner_->Restore(records, last_offset);
  }
  absl::Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<WindowStore> inner_;
  ChangelogWriter* writer_;
};

}  // namespace

std::unique_ptr<WindowStore> NewChangeLoggingWindowStore(std::unique_ptr<WindowStore> inner,
                                                         ChangelogWriter* writer) {
  return std::make_unique<ChangeLoggingWindowStore>(std::move(inner), writer);
}

}  // namespace rill::state
