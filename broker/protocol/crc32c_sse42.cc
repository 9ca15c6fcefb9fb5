// The SSE4.2 CRC-32C path. This file alone is compiled with -msse4.2 (see
// broker/CMakeLists.txt); crc32c.cc only calls into it after checking the CPU.
#include <cstring>

#include "broker/protocol/crc32c.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace rill::broker::protocol::internal {

#if defined(__x86_64__)

namespace {

// The crc32 instruction has a 3-cycle latency but a throughput of one per cycle, so three
// independent streams over consecutive blocks run ~3x faster than one; the partial CRCs
// are then merged by "shifting" the earlier ones over the later blocks' length (a
// multiplication by x^(8*len) mod P, done here with precomputed tables).
constexpr size_t kBlock = 1024;  // bytes per stream in one round (multiple of 8)

// Multiplies two polynomials modulo the (reflected) CRC-32C polynomial.
constexpr uint32_t MulMod(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (int i = 0; i < 32; ++i) {
    if (a & 0x80000000u) product ^= b;
    a <<= 1;
    b = (b & 1) ? (b >> 1) ^ 0x82F63B78u : b >> 1;
  }
  return product;
}

// x^(2^k) mod P in reflected form, k = 0..63; x^1 reflected is 0x40000000.
struct PowTable {
  uint32_t pow[64];
};
constexpr PowTable MakePowTable() {
  PowTable t{};
  uint32_t p = 0x40000000u;  // x^1
  for (int k = 0; k < 64; ++k) {
    t.pow[k] = p;
    p = MulMod(p, p);
  }
  return t;
}
constexpr PowTable kPow = MakePowTable();

// x^(8*n) mod P: the operator that appends n zero bytes to a CRC register.
constexpr uint32_t ZerosOperator(uint64_t n) {
  uint32_t result = 0x80000000u;  // x^0
  uint64_t bits = n * 8;
  for (int k = 0; bits != 0; ++k, bits >>= 1) {
    if (bits & 1) result = MulMod(result, kPow.pow[k]);
  }
  return result;
}

// Applying a zeros-operator through four 256-entry tables (one per byte of the register)
// is much cheaper than a 32-step MulMod per merge.
struct ShiftTable {
  uint32_t t[4][256];
};
constexpr ShiftTable MakeShiftTable(uint32_t op) {
  ShiftTable s{};
  for (int byte = 0; byte < 4; ++byte) {
    for (uint32_t v = 0; v < 256; ++v) s.t[byte][v] = MulMod(v << (8 * byte), op);
  }
  return s;
}
constexpr ShiftTable kShiftBlock = MakeShiftTable(ZerosOperator(kBlock));

inline uint32_t Shift(const ShiftTable& s, uint32_t crc) {
  return s.t[0][crc & 0xff] ^ s.t[1][(crc >> 8) & 0xff] ^ s.t[2][(crc >> 16) & 0xff] ^
         s.t[3][crc >> 24];
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

uint32_t Crc32cSse42(uint32_t crc, const char* data, size_t n) {
  const char* p = data;
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc = _mm_crc32_u8(crc, static_cast<uint8_t>(*p++));
    --n;
  }
  uint64_t c0 = crc;
  while (n >= 3 * kBlock) {
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    const char* p1 = p + kBlock;
    const char* p2 = p + 2 * kBlock;
    for (size_t i = 0; i < kBlock; i += 8) {
      c0 = _mm_crc32_u64(c0, Load64(p + i));
      c1 = _mm_crc32_u64(c1, Load64(p1 + i));
      c2 = _mm_crc32_u64(c2, Load64(p2 + i));
    }
    // crc(A||B) = shift(crc(A), |B|) ^ crc0(B), where crc0 starts from a zero register.
    uint32_t merged = Shift(kShiftBlock, static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
    merged = Shift(kShiftBlock, merged) ^ static_cast<uint32_t>(c2);
    c0 = merged;
    p += 3 * kBlock;
    n -= 3 * kBlock;
  }
  while (n >= 8) {
    c0 = _mm_crc32_u64(c0, Load64(p));
    p += 8;
    n -= 8;
  }
  crc = static_cast<uint32_t>(c0);
  while (n-- > 0) crc = _mm_crc32_u8(crc, static_cast<uint8_t>(*p++));
  return crc;
}

#else

uint32_t Crc32cSse42(uint32_t crc, const char* data, size_t n) { return Crc32cTable(crc, data, n); }

#endif

}  // namespace rill::broker::protocol::internal
