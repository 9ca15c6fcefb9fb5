// SegmentedSessionStore<Engine>: the session layer over a segmented engine (RocksDB or
// in-memory: rocksdb_segmented_store.h, in_memory_segmented_store.h, which expose the same
// calls): session keys (session_key_schema.h), segments and retention by session END, and
// the scans of session_store.h. The RocksDB and in-memory session stores are this template
// with their engine, so they cannot drift apart.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "state/internal/session_iterators.h"
#include "state/session_key_schema.h"
#include "state/session_store.h"

namespace rill::state::internal {

template <class Engine>
class SegmentedSessionStore final : public SessionStore {
 public:
  SegmentedSessionStore(std::unique_ptr<Engine> engine, bool persistent, std::string kind)
      : engine_(std::move(engine)), persistent_(persistent), kind_(std::move(kind)) {}

  const std::string& name() const override { return engine_->name(); }
  bool persistent() const override { return persistent_; }
  int64_t retention_ms() const override { return engine_->retention_ms(); }

  absl::StatusOr<bool> Put(std::string_view key, int64_t start_ms, int64_t end_ms,
                           std::optional<std::string_view> value) override {
    if (start_ms > end_ms) {
      return absl::InvalidArgumentError(absl::StrCat(kind_, " ", name(), ": session start ",
                                                     start_ms, " is after its end ", end_ms));
    }
    absl::StatusOr<bool> live = engine_->Observe(end_ms);
    if (!live.ok() || !*live) return live;
    absl::Status s = engine_->Write(EncodeSessionKey(key, start_ms, end_ms), end_ms, value);
    if (!s.ok()) return s;
    return true;
  }

  absl::StatusOr<std::optional<std::string>> FetchSession(std::string_view key, int64_t start_ms,
                                                          int64_t end_ms) override {
    return engine_->Get(EncodeSessionKey(key, start_ms, end_ms), end_ms);
  }

  std::unique_ptr<SessionStoreIterator> Find(const SessionRange& range, bool backward) override {
    SessionScan scan;
    std::unique_ptr<KeyValueIterator> entries = engine_->Scan(
        [&](int64_t min_live_time) -> std::optional<SegmentedScan> {
          scan = SessionScan::Make(range, min_live_time);
          if (scan.empty) return std::nullopt;
          return scan.segments;
        },
        backward);
    if (!entries->status().ok()) return NewVectorSessionStoreIterator({}, entries->status());
    return NewSessionStoreIterator(std::move(entries), std::move(scan));
  }

  absl::Status Flush() override { return engine_->Flush(); }
  bool WantsCommit() override { return engine_->WantsCommit(); }
  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    return engine_->Commit(changelog_offset);
  }
  std::optional<int64_t> CommittedOffset() override { return engine_->CommittedOffset(); }

  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    // Decode everything first so a malformed record applies nothing.
    absl::StatusOr<std::vector<SessionKey>> decoded =
        DecodeSessionRestoreKeys(records, absl::StrCat(kind_, " ", name()));
    if (!decoded.ok()) return decoded.status();
    std::vector<int64_t> ends;
    ends.reserve(decoded->size());
    for (const SessionKey& key : *decoded) ends.push_back(key.end_ms);
    return engine_->Restore(records, ends, last_offset);
  }

  absl::Status Close() override { return engine_->Close(); }

 private:
  std::unique_ptr<Engine> engine_;
  const bool persistent_;
  const std::string kind_;
};

}  // namespace rill::state::internal
