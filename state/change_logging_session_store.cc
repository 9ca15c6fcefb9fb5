#include "state/change_logging_session_store.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/internal/forwarding_store.h"
#include "state/session_key_schema.h"

namespace rill::state {
namespace {

class ChangeLoggingSessionStore final : public internal::ForwardingStore<SessionStore> {
 public:
  ChangeLoggingSessionStore(std::unique_ptr<SessionStore> inner, ChangelogWriter* writer)
      : ForwardingStore(std::move(inner)), writer_(writer) {}

  int64_t retention_ms() const override { return inner_->retention_ms(); }

  absl::StatusOr<bool> Put(std::string_view key, int64_t start_ms, int64_t end_ms,
                           std::optional<std::string_view> value) override {
    absl::StatusOr<bool> applied = inner_->Put(key, start_ms, end_ms, value);
    if (applied.ok() && *applied) writer_->Send(EncodeSessionKey(key, start_ms, end_ms), value);
    return applied;
  }

  absl::StatusOr<std::optional<std::string>> FetchSession(std::string_view key, int64_t start_ms,
                                                          int64_t end_ms) override {
    return inner_->FetchSession(key, start_ms, end_ms);
  }
  std::unique_ptr<SessionStoreIterator> Find(const SessionRange& range, bool backward) override {
    return inner_->Find(range, backward);
  }


 private:
  ChangelogWriter* writer_;
};

}  // namespace

std::unique_ptr<SessionStore> NewChangeLoggingSessionStore(std::unique_ptr<SessionStore> inner,
                                                           ChangelogWriter* writer) {
  return std::make_unique<ChangeLoggingSessionStore>(std::move(inner), writer);
}

}  // namespace rill::state
