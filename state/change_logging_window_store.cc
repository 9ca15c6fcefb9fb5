#include "state/change_logging_window_store.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/internal/forwarding_store.h"
#include "state/window_key_schema.h"

namespace rill::state {
namespace {

class ChangeLoggingWindowStore final : public internal::ForwardingStore<WindowStore> {
 public:
  ChangeLoggingWindowStore(std::unique_ptr<WindowStore> inner, ChangelogWriter* writer)
      : ForwardingStore(std::move(inner)), writer_(writer) {}

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


 private:
  ChangelogWriter* writer_;
};

}  // namespace

std::unique_ptr<WindowStore> NewChangeLoggingWindowStore(std::unique_ptr<WindowStore> inner,
                                                         ChangelogWriter* writer) {
  return std::make_unique<ChangeLoggingWindowStore>(std::move(inner), writer);
}

}  // namespace rill::state
