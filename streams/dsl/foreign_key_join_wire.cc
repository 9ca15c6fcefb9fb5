// Byte-level parts of the foreign-key join's wire format (see
// internal/foreign_key_join_wire.h).
#include "streams/dsl/internal/foreign_key_join_wire.h"

#include <algorithm>

namespace rill::streams::internal {

namespace {

constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;

uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t Fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

uint64_t LittleEndian64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint64_t MixK1(uint64_t k1) { return Rotl(k1 * kC1, 31) * kC2; }
uint64_t MixK2(uint64_t k2) { return Rotl(k2 * kC2, 33) * kC1; }

}  // namespace

ValueHash Murmur3Hash128(std::string_view bytes, uint64_t seed) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t len = bytes.size();
  uint64_t h1 = seed;
  uint64_t h2 = seed;
  const size_t blocks = len / 16;
  for (size_t i = 0; i < blocks; ++i) {
    h1 ^= MixK1(LittleEndian64(data + 16 * i));
    h1 = Rotl(h1, 27) + h2;
    h1 = h1 * 5 + 0x52dce729;
    h2 ^= MixK2(LittleEndian64(data + 16 * i + 8));
    h2 = Rotl(h2, 31) + h1;
    h2 = h2 * 5 + 0x38495ab5;
  }
  const unsigned char* tail = data + 16 * blocks;
  const size_t rest = len & 15;
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  for (size_t i = rest; i > 8; --i) k2 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 9));
  if (rest > 8) h2 ^= MixK2(k2);
  for (size_t i = std::min<size_t>(rest, 8); i > 0; --i) {
    k1 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 1));
  }
  if (rest > 0) h1 ^= MixK1(k1);
  h1 ^= len;
  h2 ^= len;
  h1 += h2;
  h2 += h1;
  h1 = Fmix(h1);
  h2 = Fmix(h2);
  h1 += h2;
  h2 += h1;
  return {h1, h2};
}

namespace fk_wire {

void PutHash(std::string& out, const ValueHash& hash) {
  for (uint64_t word : hash) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(word >> (8 * i)));
  }
}

absl::StatusOr<ValueHash> TakeHash(std::string_view& bytes) {
  if (bytes.size() < 16) {
    return absl::InvalidArgumentError("foreign-key join wrapper truncated inside its hash");
  }
  ValueHash hash{};
  for (int w = 0; w < 2; ++w) {
    for (int i = 0; i < 8; ++i) {
      hash[w] = (hash[w] << 8) | static_cast<uint8_t>(bytes[8 * w + i]);
    }
  }
  bytes.remove_prefix(16);
  return hash;
}

void PutInt32(std::string& out, int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(u >> (8 * i)));
}

int32_t ReadInt32(std::string_view bytes) {
  uint32_t u = 0;
  for (int i = 0; i < 4; ++i) u = (u << 8) | static_cast<uint8_t>(bytes[i]);
  return static_cast<int32_t>(u);
}

std::string CombinedKeyPrefix(std::string_view foreign_key) {
  std::string out;
  out.reserve(4 + foreign_key.size());
  PutInt32(out, static_cast<int32_t>(foreign_key.size()));
  out.append(foreign_key);
  return out;
}

std::string CombinedKey(std::string_view foreign_key, std::string_view primary_key) {
  std::string out = CombinedKeyPrefix(foreign_key);
  out.append(primary_key);
  return out;
}

absl::StatusOr<std::string_view> PrimaryKeyOf(std::string_view combined_key) {
  if (combined_key.size() < 4) return absl::InvalidArgumentError("combined key too short");
  const auto fk_len = static_cast<uint32_t>(ReadInt32(combined_key));
  if (combined_key.size() - 4 < fk_len) {
    return absl::InvalidArgumentError("combined key shorter than its foreign key");
  }
  return combined_key.substr(4 + fk_len);
}

}  // namespace fk_wire
}  // namespace rill::streams::internal
