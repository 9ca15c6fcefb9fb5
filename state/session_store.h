// SessionStore: the byte-level session store under session-windowed aggregations (Kafka
// Streams' SessionStore<Bytes, byte[]>). Each entry is a serialized key, a session window
// [start, end] (both inclusive, record timestamps) and a value. Implementations: RocksDB
// (segmented) and in-memory, and the change-logging layer that wraps them.
//
// Retention, as Kafka Streams' session stores do it: the store tracks the largest session
// END any Put() has seen ("observed stream time"). A session whose end is <= observed
// stream time - retention_ms() is expired: a Put() for it is dropped silently, and reads
// never return it. Storage is reclaimed a whole segment (a range of session ends) at a
// time, once every session in the segment is expired.
//
// Order: every iterator returns sessions by (key bytewise unsigned, end, start), or exactly
// the reverse when `backward` — per key the order of Kafka Streams' session stores (by end
// time). Both implementations agree. FindSessionsByEnd() is the exception: it returns
// sessions by (end, start, key), the order of Kafka Streams' time-ordered session store
// that emit-on-window-close reads.
//
// Thread safety: every method may be called from any thread. One stream thread writes a
// store; interactive queries read it concurrently from the HTTP server's threads.
//
// Commit protocol, exactly as every StateStore (state_store.h): writes become durable only
// in Commit(), together with the changelog offset they reach; reads always see every write
// made so far; after a crash a persistent store is exactly at its last Commit() (its
// observed stream time included), and restoration replays the changelog after
// CommittedOffset().
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "state/state_store.h"

namespace rill::state {

// Iterates sessions in the order above. An iterator sees the store as it was when it was
// created; writes made afterwards may or may not show.
class SessionStoreIterator {
 public:
  virtual ~SessionStoreIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  // Only while Valid(). The views stay valid until Next() or destruction.
  virtual std::string_view key() const = 0;
  virtual int64_t start() const = 0;
  virtual int64_t end() const = 0;
  virtual std::string_view value() const = 0;
  // Non-OK when iteration stopped because of an error (then Valid() is false).
  virtual absl::Status status() const = 0;
};

// Which sessions a scan returns: keys in [key_from, key_to] (inclusive; nullopt is open),
// end in [earliest_end, latest_end] and start <= latest_start. Kafka Streams'
// findSessions(key, earliestSessionEndTime, latestSessionStartTime) is
// {key, key, earliestSessionEndTime, max, latestSessionStartTime}.
struct SessionRange {
  std::optional<std::string_view> key_from;
  std::optional<std::string_view> key_to;
  int64_t earliest_end = std::numeric_limits<int64_t>::min();
  int64_t latest_end = std::numeric_limits<int64_t>::max();
  int64_t latest_start = std::numeric_limits<int64_t>::max();
};

// The lifecycle methods (name through Close) are StateStore's.
class SessionStore : public StateStore {
 public:
  ~SessionStore() override = default;

  // Counts the live sessions, O(n), for metrics at commit (Kafka Streams has no estimate
  // for session stores either).
  uint64_t ApproximateNumEntries() override {
    uint64_t n = 0;
    for (auto it = All(); it->Valid(); it->Next()) ++n;
    return n;
  }

  virtual int64_t retention_ms() const = 0;

  // Writes `value` for (key, [start_ms, end_ms]); value nullopt removes it (Kafka Streams'
  // put(sessionKey, null) / remove(sessionKey)). Every Put() first advances the observed
  // stream time to end_ms; an expired session is then dropped: OK with false (nothing
  // applied), true otherwise. InvalidArgument when start_ms > end_ms; FailedPrecondition
  // once closed, or the storage error.
  virtual absl::StatusOr<bool> Put(std::string_view key, int64_t start_ms, int64_t end_ms,
                                   std::optional<std::string_view> value) = 0;
  absl::StatusOr<bool> Remove(std::string_view key, int64_t start_ms, int64_t end_ms) {
    return Put(key, start_ms, end_ms, std::nullopt);
  }

  // The value of exactly (key, [start_ms, end_ms]), or nullopt when absent or expired
  // (Kafka Streams' fetchSession).
  virtual absl::StatusOr<std::optional<std::string>> FetchSession(std::string_view key,
                                                                  int64_t start_ms,
                                                                  int64_t end_ms) = 0;

  // The sessions in `range`, in the order above (reversed when `backward`).
  virtual std::unique_ptr<SessionStoreIterator> Find(const SessionRange& range,
                                                     bool backward = false) = 0;

  // Kafka Streams' findSessions / backwardFindSessions: `key`'s sessions that end at or
  // after earliest_session_end and start at or before latest_session_start, i.e. that
  // overlap [earliest_session_end, latest_session_start] (bounds inclusive).
  std::unique_ptr<SessionStoreIterator> FindSessions(std::string_view key,
                                                     int64_t earliest_session_end,
                                                     int64_t latest_session_start,
                                                     bool backward = false) {
    return FindSessions(key, key, earliest_session_end, latest_session_start, backward);
  }
  // The same for the keys in [key_from, key_to] (nullopt: open). key_from > key_to yields
  // nothing, as in Kafka Streams.
  std::unique_ptr<SessionStoreIterator> FindSessions(std::optional<std::string_view> key_from,
                                                     std::optional<std::string_view> key_to,
                                                     int64_t earliest_session_end,
                                                     int64_t latest_session_start,
                                                     bool backward = false) {
    SessionRange range;
    range.key_from = key_from;
    range.key_to = key_to;
    range.earliest_end = earliest_session_end;
    range.latest_start = latest_session_start;
    return Find(range, backward);
  }
  // Every session of `key` (Kafka Streams' fetch(key) / backwardFetch(key)).
  std::unique_ptr<SessionStoreIterator> Fetch(std::string_view key, bool backward = false) {
    SessionRange range;
    range.key_from = key;
    range.key_to = key;
    return Find(range, backward);
  }
  // Every live session.
  std::unique_ptr<SessionStoreIterator> All(bool backward = false) {
    return Find(SessionRange{}, backward);
  }
  // Every key's sessions whose end is in [earliest_end, latest_end], by (end, start, key):
  // Kafka Streams' findSessions(earliestSessionEndTime, latestSessionEndTime), which
  // emit-on-window-close reads.
  std::unique_ptr<SessionStoreIterator> FindSessionsByEnd(int64_t earliest_end,
                                                          int64_t latest_end);

  // Pushes writes buffered by upper layers down to the inner store and into the changelog.
  absl::Status Flush() override = 0;
  // Makes every write so far durable, atomically with `changelog_offset` and the observed
  // stream time. Segments that hold only expired sessions are removed afterwards.
  absl::Status Commit(std::optional<int64_t> changelog_offset) override = 0;
  std::optional<int64_t> CommittedOffset() override = 0;
  // Applies changelog records (keys in the session key layout of session_key_schema.h,
  // value nullopt a tombstone) straight to the inner store, and records `last_offset` as
  // committed, atomically. The observed stream time first advances to the latest session
  // end in `records`; expired records are skipped. A record whose key is too short to be
  // a session key fails the whole call (InvalidArgument) and applies nothing.
  absl::Status Restore(const std::vector<ChangelogRecord>& records,
                       int64_t last_offset) override = 0;
  absl::Status Close() override = 0;
};

}  // namespace rill::state
