// Kafka wire primitives: byte layouts of the classic and compact forms, varint edge values,
// null forms, and the Reader's sticky failure on short or hostile input.
#include "broker/protocol/wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>
#include "tests/unit/broker/protocol/codec_test_util.h"

namespace rill::broker::protocol {
namespace {

using namespace ::rill::broker::protocol::testing;

TEST(WireTest, FixedWidthIntegersAreBigEndian) {
  Writer w;
  w.Int8(-2);
  w.Int16(0x0102);
  w.Int32(-1);
  w.Int64(0x0102030405060708);
  w.Uint32(0xdeadbeef);
  w.Bool(true);
  EXPECT_EQ(w.buffer(), Bytes({0xfe, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03,
                               0x04, 0x05, 0x06, 0x07, 0x08, 0xde, 0xad, 0xbe, 0xef, 0x01}));
  Reader r(w.buffer());
  EXPECT_EQ(r.Int8(), -2);
  EXPECT_EQ(r.Int16(), 0x0102);
  EXPECT_EQ(r.Int32(), -1);
  EXPECT_EQ(r.Int64(), 0x0102030405060708);
  EXPECT_EQ(r.Uint32(), 0xdeadbeefu);
  EXPECT_TRUE(r.Bool());
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(WireTest, Float64RoundTrips) {
  Writer w;
  w.Float64(-1.5);
  EXPECT_EQ(w.buffer(), Bytes({0xbf, 0xf8, 0, 0, 0, 0, 0, 0}));
  Reader r(w.buffer());
  EXPECT_EQ(r.Float64(), -1.5);
}

TEST(WireTest, UnsignedVarintEdgeValues) {
  struct Case {
    uint32_t value;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {0, Bytes({0x00})},
      {1, Bytes({0x01})},
      {127, Bytes({0x7f})},
      {128, Bytes({0x80, 0x01})},
      {300, Bytes({0xac, 0x02})},
      {16383, Bytes({0xff, 0x7f})},
      {16384, Bytes({0x80, 0x80, 0x01})},
      {(1u << 21) - 1, Bytes({0xff, 0xff, 0x7f})},
      {(1u << 28) - 1, Bytes({0xff, 0xff, 0xff, 0x7f})},
      {1u << 28, Bytes({0x80, 0x80, 0x80, 0x80, 0x01})},
      {0xffffffffu, Bytes({0xff, 0xff, 0xff, 0xff, 0x0f})},
  };
  for (const Case& c : cases) {
    Writer w;
    w.UnsignedVarint(c.value);
    EXPECT_EQ(w.buffer(), c.bytes) << c.value;
    EXPECT_EQ(UnsignedVarintSize(c.value), static_cast<int>(c.bytes.size())) << c.value;
    Reader r(c.bytes);
    EXPECT_EQ(r.UnsignedVarint(), c.value);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
  }
}

TEST(WireTest, VarintIsZigZag) {
  struct Case {
    int32_t value;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {0, Bytes({0x00})},
      {-1, Bytes({0x01})},
      {1, Bytes({0x02})},
      {-2, Bytes({0x03})},
      {63, Bytes({0x7e})},
      {-64, Bytes({0x7f})},
      {64, Bytes({0x80, 0x01})},
      {std::numeric_limits<int32_t>::max(), Bytes({0xfe, 0xff, 0xff, 0xff, 0x0f})},
      {std::numeric_limits<int32_t>::min(), Bytes({0xff, 0xff, 0xff, 0xff, 0x0f})},
  };
  for (const Case& c : cases) {
    Writer w;
    w.Varint(c.value);
    EXPECT_EQ(w.buffer(), c.bytes) << c.value;
    EXPECT_EQ(VarintSize(c.value), static_cast<int>(c.bytes.size())) << c.value;
    Reader r(c.bytes);
    EXPECT_EQ(r.Varint(), c.value);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
  }
}

TEST(WireTest, VarlongEdgeValues) {
  const std::vector<int64_t> values = {0,
                                       -1,
                                       1,
                                       63,
                                       -64,
                                       64,
                                       std::numeric_limits<int32_t>::max(),
                                       std::numeric_limits<int32_t>::min(),
                                       int64_t{1} << 35,
                                       std::numeric_limits<int64_t>::max(),
                                       std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) {
    Writer w;
    w.Varlong(v);
    EXPECT_EQ(VarlongSize(v), static_cast<int>(w.size())) << v;
    Reader r(w.buffer());
    EXPECT_EQ(r.Varlong(), v);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
  }
  Writer w;
  w.Varlong(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(w.buffer(), Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  Writer w2;
  w2.Varlong(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(w2.buffer(), Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(WireTest, OverlongVarintsFail) {
  const std::string r_in = Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  Reader r(r_in);  // six bytes
  r.UnsignedVarint();
  EXPECT_FALSE(r.ok());
  const std::string r2_in = std::string(10, '\x80') + Bytes({0x01});
  Reader r2(r2_in);  // eleven bytes
  r2.Varlong();
  EXPECT_FALSE(r2.ok());
}

TEST(WireTest, TruncatedVarintFails) {
  const std::string r_in = Bytes({0x80, 0x80});
  Reader r(r_in);
  EXPECT_EQ(r.UnsignedVarint(), 0u);
  EXPECT_FALSE(r.ok());
}

TEST(WireTest, ClassicAndCompactStrings) {
  Writer w;
  w.String("abc");
  w.CompactString("abc");
  w.String("");
  w.CompactString("");
  EXPECT_EQ(w.buffer(), Bytes({0x00, 0x03, 'a', 'b', 'c',  // INT16 length
                               0x04, 'a', 'b', 'c',        // UNSIGNED_VARINT length + 1
                               0x00, 0x00,                 // empty classic
                               0x01}));                    // empty compact
  Reader r(w.buffer());
  EXPECT_EQ(r.String(), "abc");
  EXPECT_EQ(r.CompactString(), "abc");
  EXPECT_EQ(r.String(false), "");
  EXPECT_EQ(r.String(true), "");
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(WireTest, NullStrings) {
  Writer w;
  w.NullableString(std::nullopt);
  w.CompactNullableString(std::nullopt);
  w.NullableString(std::optional<std::string>("x"));
  EXPECT_EQ(w.buffer(), Bytes({0xff, 0xff, 0x00, 0x00, 0x01, 'x'}));
  Reader r(w.buffer());
  EXPECT_EQ(r.NullableString(), std::nullopt);
  EXPECT_EQ(r.CompactNullableString(), std::nullopt);
  EXPECT_EQ(r.NullableString(), "x");
  EXPECT_TRUE(r.ok());

  const std::string non_nullable_in = Bytes({0xff, 0xff});

  Reader non_nullable(non_nullable_in);
  non_nullable.String();
  EXPECT_FALSE(non_nullable.ok());
  const std::string non_nullable_compact_in = Bytes({0x00});
  Reader non_nullable_compact(non_nullable_compact_in);
  non_nullable_compact.CompactString();
  EXPECT_FALSE(non_nullable_compact.ok());
}

TEST(WireTest, NegativeLengthsBelowMinusOneFail) {
  const std::string s_in = Bytes({0xff, 0xfe});
  Reader s(s_in);  // -2
  s.NullableString();
  EXPECT_FALSE(s.ok());
  const std::string b_in = Bytes({0xff, 0xff, 0xff, 0xfe});
  Reader b(b_in);
  b.NullableBytes();
  EXPECT_FALSE(b.ok());
  const std::string a_in = Bytes({0xff, 0xff, 0xff, 0xfe});
  Reader a(a_in);
  a.ArrayLength(false);
  EXPECT_FALSE(a.ok());
}

TEST(WireTest, BytesClassicCompactAndNull) {
  Writer w;
  w.Bytes("hi");
  w.CompactBytes("hi");
  w.NullableBytes(std::nullopt);
  w.CompactNullableBytes(std::nullopt);
  EXPECT_EQ(w.buffer(),
            Bytes({0, 0, 0, 2, 'h', 'i', 0x03, 'h', 'i', 0xff, 0xff, 0xff, 0xff, 0x00}));
  Reader r(w.buffer());
  std::string_view first = r.Bytes();
  EXPECT_EQ(first, "hi");
  // Zero copy: the view aliases the input.
  EXPECT_EQ(first.data(), w.buffer().data() + 4);
  EXPECT_EQ(r.CompactBytes(), "hi");
  EXPECT_EQ(r.NullableBytes(), std::nullopt);
  EXPECT_EQ(r.CompactNullableBytes(), std::nullopt);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(WireTest, ArrayLengths) {
  Writer w;
  w.ArrayLength(2, false);
  w.ArrayLength(2, true);
  w.ArrayLength(-1, false);
  w.ArrayLength(-1, true);
  w.ArrayLength(0, true);
  EXPECT_EQ(w.buffer(), Bytes({0, 0, 0, 2, 0x03, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01}));
  std::string input = w.buffer() + std::string(8, '\0');  // room for two 4-byte elements
  Reader r(input);
  EXPECT_EQ(r.ArrayLength(false, 4), 2);
  EXPECT_EQ(r.ArrayLength(true, 4), 2);
  EXPECT_EQ(r.ArrayLength(false), -1);
  EXPECT_EQ(r.ArrayLength(true), -1);
  EXPECT_EQ(r.ArrayLength(true), 0);
  EXPECT_TRUE(r.ok());
}

TEST(WireTest, HugeArrayLengthFailsBeforeAllocating) {
  const std::string classic_in = Bytes({0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0});
  Reader classic(classic_in);
  EXPECT_EQ(classic.ArrayLength(false, 1), -1);
  EXPECT_FALSE(classic.ok());
  const std::string compact_in = Bytes({0xff, 0xff, 0xff, 0xff, 0x0f});
  Reader compact(compact_in);
  compact.ArrayLength(true, 1);
  EXPECT_FALSE(compact.ok());
  // Fits at one byte per element, but not at the element's real minimum size.
  const std::string sized_in = Bytes({0, 0, 0, 4, 1, 2, 3, 4});
  Reader sized(sized_in);
  sized.ArrayLength(false, 2);
  EXPECT_FALSE(sized.ok());
}

TEST(WireTest, TaggedFieldsAreSkipped) {
  // Two tagged fields: tag 0 with 2 bytes, tag 5 with 1 byte, then a trailing INT8.
  const std::string r_in = Bytes({0x02, 0x00, 0x02, 0xaa, 0xbb, 0x05, 0x01, 0xcc, 0x7f});
  Reader r(r_in);
  r.SkipTaggedFields();
  EXPECT_EQ(r.Int8(), 0x7f);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());

  const std::string truncated_in = Bytes({0x01, 0x00, 0x05, 0xaa});

  Reader truncated(truncated_in);
  truncated.SkipTaggedFields();
  EXPECT_FALSE(truncated.ok());

  Writer w;
  w.EmptyTaggedFields();
  EXPECT_EQ(w.buffer(), Bytes({0x00}));
}

TEST(WireTest, TruncationIsStickyAndReturnsZeroes) {
  const std::string r_in = Bytes({0x00, 0x01, 0x02});
  Reader r(r_in);
  EXPECT_EQ(r.Int16(), 1);
  EXPECT_EQ(r.Int32(), 0);  // only one byte left
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.error().empty());
  // Every later read fails too, even one that would have fit.
  EXPECT_EQ(r.Int8(), 0);
  EXPECT_EQ(r.String(), "");
  EXPECT_FALSE(r.ok());
}

TEST(WireTest, TruncatedStringAndBytesFail) {
  const std::string s_in = Bytes({0x00, 0x05, 'a', 'b'});
  Reader s(s_in);
  s.String();
  EXPECT_FALSE(s.ok());
  const std::string cs_in = Bytes({0x06, 'a', 'b'});
  Reader cs(cs_in);
  cs.CompactString();
  EXPECT_FALSE(cs.ok());
  const std::string b_in = Bytes({0, 0, 0, 9, 'a'});
  Reader b(b_in);
  b.Bytes();
  EXPECT_FALSE(b.ok());
  const std::string cb_in = Bytes({0x0a, 'a'});
  Reader cb(cb_in);
  cb.CompactBytes();
  EXPECT_FALSE(cb.ok());
}

TEST(WireTest, UuidIsSixteenRawBytes) {
  std::string id = Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  Writer w;
  w.Uuid(id);
  EXPECT_EQ(w.buffer(), id);
  Reader r(w.buffer());
  EXPECT_EQ(r.Uuid(), id);
  EXPECT_TRUE(r.ok());
}

TEST(WireTest, ReservedInt32IsPatchedInPlace) {
  Writer w;
  size_t at = w.ReserveInt32();
  w.Int8(7);
  w.PatchInt32(at, static_cast<int32_t>(w.size() - 4));
  EXPECT_EQ(w.buffer(), Bytes({0, 0, 0, 1, 7}));
}

TEST(WireTest, WriterCopiesAndMovesKeepTheirOwnBuffer) {
  Writer a;
  a.Int8(1);
  Writer b = a;  // copy: must not alias a's buffer
  b.Int8(2);
  EXPECT_EQ(a.buffer(), Bytes({1}));
  EXPECT_EQ(b.buffer(), Bytes({1, 2}));
  Writer c = std::move(b);
  c.Int8(3);
  EXPECT_EQ(c.buffer(), Bytes({1, 2, 3}));

  std::string external;
  Writer d(&external);
  Writer e = d;  // a Writer over an external buffer keeps writing there
  e.Int8(9);
  EXPECT_EQ(external, Bytes({9}));
}

}  // namespace
}  // namespace rill::broker::protocol
