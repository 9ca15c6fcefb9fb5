// The byte layout of session keys, exactly as Kafka Streams writes them (its
// state/internals/SessionKeySchema, toBinary / extractKeyBytes / extractEnd / extractStart),
// so session changelog topics interoperate with Kafka Streams applications and tools:
//
//   session key (session store changelog; also Windowed<K> of session windows in output and
//   repartition topics, WindowedSerdes::SessionWindowed in streams/serde/windowed_serde.h):
//     [serialized key][8-byte big-endian session END ms][8-byte big-endian session START ms]
//
// End before start, as Kafka Streams has it. A session [start, end] holds the timestamps of
// its first and last record, both inclusive (a single record gives [t, t]).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "state/state_store.h"

namespace rill::state {

inline constexpr size_t kSessionKeySuffixBytes = 16;

// A decoded session key. `key` points into the bytes it was decoded from.
struct SessionKey {
  std::string_view key;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

std::string EncodeSessionKey(std::string_view key, int64_t start_ms, int64_t end_ms);
// InvalidArgument when `bytes` is shorter than the 16-byte suffix.
absl::StatusOr<SessionKey> DecodeSessionKey(std::string_view bytes);

// Decodes the keys of a restore batch, all or nothing (a session store applies nothing of
// a batch with a malformed key). `store` names the store in the error.
absl::StatusOr<std::vector<SessionKey>> DecodeSessionRestoreKeys(
    const std::vector<ChangelogRecord>& records, std::string_view store);

// The order every session store iterates in: serialized key bytewise (unsigned), then
// session end (signed), then session start (signed) — per key the order of Kafka Streams'
// session stores. Both arguments must be session keys (at least 16 bytes); shorter ones
// compare bytewise. Returns <0, 0 or >0 like memcmp.
int CompareSessionKeys(std::string_view a, std::string_view b);

// The smallest session key greater than every (key, end_ms, start <= start_ms), in
// CompareSessionKeys order: an exclusive upper bound for scans.
std::string SessionKeyUpperBound(std::string_view key, int64_t end_ms, int64_t start_ms);

}  // namespace rill::state
