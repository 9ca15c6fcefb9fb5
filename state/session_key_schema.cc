#include "state/session_key_schema.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rill::state {
namespace {

void AppendBigEndian64(int64_t v, std::string* out) {
  const auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((u >> shift) & 0xff));
}

int64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t u = 0;
  for (size_t i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<int64_t>(u);
}

}  // namespace

std::string EncodeSessionKey(std::string_view key, int64_t start_ms, int64_t end_ms) {
  std::string out;
  out.reserve(key.size() + kSessionKeySuffixBytes);
  out.append(key);
  AppendBigEndian64(end_ms, &out);
  AppendBigEndian64(start_ms, &out);
  return out;
}

absl::StatusOr<SessionKey> DecodeSessionKey(std::string_view bytes) {
  if (bytes.size() < kSessionKeySuffixBytes) {
    return absl::InvalidArgumentError(absl::StrCat("session key of ", bytes.size(),
                                                   " bytes is shorter than its ",
                                                   kSessionKeySuffixBytes, "-byte suffix"));
  }
  const size_t key_size = bytes.size() - kSessionKeySuffixBytes;
  SessionKey out;
  out.key = bytes.substr(0, key_size);
  out.end_ms = ReadBigEndian64(bytes.substr(key_size));
  out.start_ms = ReadBigEndian64(bytes.substr(key_size + 8));
  return out;
}

absl::StatusOr<std::vector<SessionKey>> DecodeSessionRestoreKeys(
    const std::vector<ChangelogRecord>& records, std::string_view store) {
  std::vector<SessionKey> keys;
  keys.reserve(records.size());
  for (const ChangelogRecord& record : records) {
    absl::StatusOr<SessionKey> decoded = DecodeSessionKey(record.key);
    if (!decoded.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(store), ": restore: ", decoded.status().message()));
    }
    keys.push_back(*decoded);
  }
  return keys;
}

int CompareSessionKeys(std::string_view a, std::string_view b) {
  if (a.size() < kSessionKeySuffixBytes || b.size() < kSessionKeySuffixBytes) return a.compare(b);
  const size_t a_key = a.size() - kSessionKeySuffixBytes;
  const size_t b_key = b.size() - kSessionKeySuffixBytes;
  // std::string_view::compare is unsigned bytewise (char_traits<char>), like RocksDB's
  // bytewise comparator.
  if (int c = a.substr(0, a_key).compare(b.substr(0, b_key)); c != 0) return c;
  const int64_t a_end = ReadBigEndian64(a.substr(a_key));
  const int64_t b_end = ReadBigEndian64(b.substr(b_key));
  if (a_end != b_end) return a_end < b_end ? -1 : 1;
  const int64_t a_start = ReadBigEndian64(a.substr(a_key + 8));
  const int64_t b_start = ReadBigEndian64(b.substr(b_key + 8));
  if (a_start != b_start) return a_start < b_start ? -1 : 1;
  return 0;
}

std::string SessionKeyUpperBound(std::string_view key, int64_t end_ms, int64_t start_ms) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (start_ms < kMax) return EncodeSessionKey(key, start_ms + 1, end_ms);
  if (end_ms < kMax) return EncodeSessionKey(key, kMin, end_ms + 1);
  // Nothing later for this key: the next key part, key + '\0', at the earliest end.
  std::string next_key(key);
  next_key.push_back('\0');
  return EncodeSessionKey(next_key, kMin, kMin);
}

}  // namespace rill::state
