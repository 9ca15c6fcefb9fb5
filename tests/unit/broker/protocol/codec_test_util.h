// Helpers shared by the codec tests: byte strings written out by hand, encode/decode
// shorthands, golden-vector checks, and the every-version round trip each message's test
// runs (round trip, no stray fields, every truncation refused, unsupported versions
// refused).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "broker/protocol/wire.h"
#include "gtest/gtest.h"

namespace rill::broker::protocol::testing {

// Bytes written out as numbers, for golden vectors with a comment per field.
inline std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// A byte string from a literal that may hold NULs (the literal's own terminator excluded).
template <size_t N>
std::string Raw(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

template <typename T>
std::string Encode(const T& m, int16_t version) {
  Writer w;
  m.Encode(w, version);
  return w.buffer();
}

template <typename T>
T DecodeOrDie(const std::string& bytes, int16_t version) {
  Reader r(bytes);
  T m;
  EXPECT_TRUE(m.Decode(r, version)) << r.error();
  EXPECT_TRUE(r.at_end()) << r.remaining() << " bytes left over";
  return m;
}

// `m` encodes to exactly `bytes` at `version`, and `bytes` decode back to `m`.
template <typename T>
void ExpectGolden(const T& m, int16_t version, const std::string& bytes) {
  EXPECT_EQ(Encode(m, version), bytes);
  EXPECT_EQ(DecodeOrDie<T>(bytes, version), m);
}

// `full()` builds a value with every field of the newest version set away from its default;
// `strip(m, v)` puts back the defaults for the fields version v does not carry.
template <typename T, typename Full, typename Strip>
void RoundTripEveryVersion(Full full, Strip strip) {
  for (int16_t v = T::kMinVersion; v <= T::kMaxVersion; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    T expected = full();
    strip(expected, v);
    const std::string bytes = Encode(expected, v);

    // Decoding over a fully populated value proves that Decode overwrites every field,
    // including the ones this version lacks.
    T decoded = full();
    Reader r(bytes);
    ASSERT_TRUE(decoded.Decode(r, v)) << r.error();
    EXPECT_TRUE(r.at_end()) << r.remaining() << " bytes left over";
    EXPECT_EQ(decoded, expected);
    EXPECT_EQ(Encode(decoded, v), bytes);

    // Fields the version lacks are not written.
    EXPECT_EQ(Encode(full(), v), bytes);

    for (size_t n = 0; n < bytes.size(); ++n) {
      Reader truncated(std::string_view(bytes).substr(0, n));
      T t;
      EXPECT_FALSE(t.Decode(truncated, v)) << "decoded from the first " << n << " bytes";
    }
  }
  const std::string newest = Encode(full(), T::kMaxVersion);
  for (int16_t v :
       {static_cast<int16_t>(T::kMinVersion - 1), static_cast<int16_t>(T::kMaxVersion + 1)}) {
    Reader r(newest);
    T t;
    EXPECT_FALSE(t.Decode(r, v)) << "unsupported version " << v << " decoded";
  }
}

}  // namespace rill::broker::protocol::testing
