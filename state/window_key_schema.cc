#include "state/window_key_schema.h"

#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rill::state {
namespace {

void AppendBigEndian(uint64_t v, size_t bytes, std::string* out) {
  for (size_t i = bytes; i > 0; --i) {
    out->push_back(static_cast<char>((v >> (8 * (i - 1))) & 0xff));
  }
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

int64_t ReadTimestamp(std::string_view bytes) {
  return static_cast<int64_t>(ReadBigEndian(bytes.substr(0, kWindowTimestampBytes)));
}

}  // namespace

std::string EncodeWindowStoreKey(std::string_view key, int64_t window_start_ms, int32_t seqnum) {
  std::string out;
  out.reserve(key.size() + kWindowStoreKeySuffixBytes);
  out.append(key);
  AppendBigEndian(static_cast<uint64_t>(window_start_ms), kWindowTimestampBytes, &out);
  AppendBigEndian(static_cast<uint32_t>(seqnum), kWindowSeqnumBytes, &out);
  return out;
}

absl::StatusOr<WindowStoreKey> DecodeWindowStoreKey(std::string_view bytes) {
  if (bytes.size() < kWindowStoreKeySuffixBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("window store key of ", bytes.size(), " bytes: needs at least ",
                     kWindowStoreKeySuffixBytes, " (8-byte window start + 4-byte seqnum)"));
  }
  const size_t key_size = bytes.size() - kWindowStoreKeySuffixBytes;
  WindowStoreKey out;
  out.key = bytes.substr(0, key_size);
  out.window_start_ms = ReadTimestamp(bytes.substr(key_size));
  out.seqnum = static_cast<int32_t>(
      static_cast<uint32_t>(ReadBigEndian(bytes.substr(key_size + kWindowTimestampBytes))));
  return out;
}

std::string EncodeTimeWindowedKey(std::string_view key, int64_t window_start_ms) {
  std::string out;
  out.reserve(key.size() + kWindowTimestampBytes);
  out.append(key);
  AppendBigEndian(static_cast<uint64_t>(window_start_ms), kWindowTimestampBytes, &out);
  return out;
}

absl::StatusOr<TimeWindowedKey> DecodeTimeWindowedKey(std::string_view bytes) {
  if (bytes.size() < kWindowTimestampBytes) {
    return absl::InvalidArgumentError(absl::StrCat("time-windowed key of ", bytes.size(),
                                                   " bytes: needs at least ", kWindowTimestampBytes,
                                                   " (window start)"));
  }
  const size_t key_size = bytes.size() - kWindowTimestampBytes;
  TimeWindowedKey out;
  out.key = bytes.substr(0, key_size);
  out.window_start_ms = ReadTimestamp(bytes.substr(key_size));
  return out;
}

int CompareWindowStoreKeys(std::string_view a, std::string_view b) {
  if (a.size() < kWindowStoreKeySuffixBytes || b.size() < kWindowStoreKeySuffixBytes) {
    return a.compare(b);
  }
  const size_t a_key = a.size() - kWindowStoreKeySuffixBytes;
  const size_t b_key = b.size() - kWindowStoreKeySuffixBytes;
  // std::string_view compares chars as unsigned bytes (char_traits<char>), like RocksDB's
  // bytewise comparator.
  if (int c = a.substr(0, a_key).compare(b.substr(0, b_key)); c != 0) return c;
  const int64_t a_start = ReadTimestamp(a.substr(a_key));
  const int64_t b_start = ReadTimestamp(b.substr(b_key));
  if (a_start != b_start) return a_start < b_start ? -1 : 1;
  return std::memcmp(a.data() + a_key + kWindowTimestampBytes,
                     b.data() + b_key + kWindowTimestampBytes, kWindowSeqnumBytes);
}

std::string WindowStoreKeyUpperBound(std::string_view key, int64_t window_start_ms) {
  if (window_start_ms < std::numeric_limits<int64_t>::max()) {
    return EncodeWindowStoreKey(key, window_start_ms + 1, 0);
  }
  // No later start exists: the next key part, key + '\0', at the earliest start is the
  // first key after every (key, *, *).
  std::string next_key(key);
  next_key.push_back('\0');
  return EncodeWindowStoreKey(next_key, std::numeric_limits<int64_t>::min(), 0);
}

absl::StatusOr<std::vector<WindowStoreKey>> DecodeRestoreKeys(
    const std::vector<ChangelogRecord>& records, std::string_view store) {
  std::vector<WindowStoreKey> keys;
  keys.reserve(records.size());
  for (const ChangelogRecord& record : records) {
    absl::StatusOr<WindowStoreKey> decoded = DecodeWindowStoreKey(record.key);
    if (!decoded.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(store), ": restore: ", decoded.status().message()));
    }
    keys.push_back(*decoded);
  }
  return keys;
}

}  // namespace rill::state
