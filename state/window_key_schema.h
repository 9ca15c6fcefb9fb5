// The byte layouts of windowed keys, exactly as Kafka Streams writes them, so that Rill's
// changelog, repartition and output topics interoperate with Kafka Streams applications and
// tools:
//
//   window store key (changelog topics; Kafka Streams' state/internals/WindowKeySchema,
//   toStoreKeyBinary / extractStoreKeyBytes / extractStoreTimestamp / extractStoreSequence):
//     [serialized key][8-byte big-endian window start ms][4-byte big-endian sequence number]
//
//   time-windowed key (Windowed<K> in repartition and output topics; Kafka Streams'
//   kstream/TimeWindowedSerializer and TimeWindowedDeserializer, which call
//   WindowKeySchema.toBinary / from):
//     [serialized key][8-byte big-endian window start ms]
//
// The sequence number is 0 unless the store retains duplicates (the KStream-KStream join
// stores), where each put takes the next number, (n + 1) & 0x7fffffff, so that two records
// of one key and window get distinct store keys. The window end is not in either layout:
// readers know the window size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "state/state_store.h"

namespace rill::state {

inline constexpr size_t kWindowTimestampBytes = 8;
inline constexpr size_t kWindowSeqnumBytes = 4;
inline constexpr size_t kWindowStoreKeySuffixBytes = kWindowTimestampBytes + kWindowSeqnumBytes;

// A decoded window store key. `key` points into the bytes it was decoded from.
struct WindowStoreKey {
  std::string_view key;
  int64_t window_start_ms = 0;
  int32_t seqnum = 0;
};

// A decoded time-windowed key. `key` points into the bytes it was decoded from.
struct TimeWindowedKey {
  std::string_view key;
  int64_t window_start_ms = 0;
};

std::string EncodeWindowStoreKey(std::string_view key, int64_t window_start_ms, int32_t seqnum);
// InvalidArgument when `bytes` is shorter than the 12-byte suffix.
absl::StatusOr<WindowStoreKey> DecodeWindowStoreKey(std::string_view bytes);

// Decodes the keys of a restore batch, all or nothing (a window store applies nothing of a
// batch with a malformed key). `store` names the store in the error ("rocksdb window store
// x").
absl::StatusOr<std::vector<WindowStoreKey>> DecodeRestoreKeys(
    const std::vector<ChangelogRecord>& records, std::string_view store);

std::string EncodeTimeWindowedKey(std::string_view key, int64_t window_start_ms);
// InvalidArgument when `bytes` is shorter than the 8-byte timestamp.
absl::StatusOr<TimeWindowedKey> DecodeTimeWindowedKey(std::string_view bytes);

// The order every window store iterates in: serialized key bytewise (unsigned), then window
// start (signed), then sequence number. Plain bytewise order of the layout is not this
// order once keys differ in length ("a" + start can sort after "ab" + start), which is why
// Kafka Streams filters its RocksDB scans; Rill's stores sort by this comparison instead.
// Both arguments must be window store keys (at least 12 bytes); shorter ones compare
// bytewise. Returns <0, 0 or >0 like memcmp.
int CompareWindowStoreKeys(std::string_view a, std::string_view b);

// The smallest window store key greater than every key (key, window_start_ms, any seqnum),
// in CompareWindowStoreKeys order: an exclusive upper bound for scans.
std::string WindowStoreKeyUpperBound(std::string_view key, int64_t window_start_ms);

}  // namespace rill::state
