#include "broker/protocol/compression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "broker/protocol/wire.h"

namespace rill::broker::protocol {
namespace {

const Compression kCodecs[] = {Compression::kNone, Compression::kGzip, Compression::kSnappy,
                               Compression::kLz4, Compression::kZstd};

std::string Sample(size_t n) {
  std::mt19937 rng(7);
  std::string s(n, '\0');
  // Half random, half repetitive: exercises both literal and match paths.
  for (size_t i = 0; i < n; ++i) s[i] = i % 2 ? static_cast<char>(rng()) : 'k';
  return s;
}

class CompressionRoundTrip : public ::testing::TestWithParam<Compression> {};

TEST_P(CompressionRoundTrip, VariousSizes) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{32 * 1024}, size_t{32 * 1024 + 1},
                   size_t{300000}}) {
    std::string input = Sample(n);
    absl::StatusOr<std::string> c = Compress(GetParam(), input);
    ASSERT_TRUE(c.ok()) << c.status();
    absl::StatusOr<std::string> d = Decompress(GetParam(), *c);
    ASSERT_TRUE(d.ok()) << CompressionName(GetParam()) << " n=" << n << ": " << d.status();
    EXPECT_EQ(*d, input);
  }
}

TEST_P(CompressionRoundTrip, LimitStopsZipBomb) {
  std::string zeros(1 << 20, '\0');
  absl::StatusOr<std::string> c = Compress(GetParam(), zeros);
  ASSERT_TRUE(c.ok());
  absl::StatusOr<std::string> d = Decompress(GetParam(), *c, 1000);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kResourceExhausted)
      << CompressionName(GetParam()) << ": " << d.status();
  // Exactly at the limit is fine.
  d = Decompress(GetParam(), *c, zeros.size());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->size(), zeros.size());
}

TEST_P(CompressionRoundTrip, TruncatedInputFails) {
  if (GetParam() == Compression::kNone) GTEST_SKIP();
  std::string input = Sample(100000);
  absl::StatusOr<std::string> c = Compress(GetParam(), input);
  ASSERT_TRUE(c.ok());
  for (size_t cut : {c->size() / 2, c->size() - 1}) {
    absl::StatusOr<std::string> d = Decompress(GetParam(), std::string_view(*c).substr(0, cut));
    EXPECT_FALSE(d.ok()) << CompressionName(GetParam()) << " cut at " << cut;
  }
}

TEST_P(CompressionRoundTrip, GarbageFails) {
  if (GetParam() == Compression::kNone) GTEST_SKIP();
  absl::StatusOr<std::string> d = Decompress(GetParam(), "this is not compressed data at all");
  EXPECT_FALSE(d.ok()) << CompressionName(GetParam());
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CompressionRoundTrip, ::testing::ValuesIn(kCodecs),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(CompressionTest, SnappyWritesXerialFraming) {
  std::string input = Sample(70000);  // three 32 KiB chunks
  absl::StatusOr<std::string> c = Compress(Compression::kSnappy, input);
  ASSERT_TRUE(c.ok());
  ASSERT_GT(c->size(), 16u);
  EXPECT_EQ(c->substr(0, 8), std::string("\x82SNAPPY\0", 8));
  EXPECT_EQ(LoadBigEndian32(c->data() + 8), 1u);
  EXPECT_EQ(LoadBigEndian32(c->data() + 12), 1u);
  size_t pos = 16;
  int chunks = 0;
  while (pos < c->size()) {
    pos += 4 + LoadBigEndian32(c->data() + pos);
    ++chunks;
  }
  EXPECT_EQ(pos, c->size());
  EXPECT_EQ(chunks, 3);
  // Empty input still carries one chunk so that librdkafka recognises the framing.
  absl::StatusOr<std::string> empty = Compress(Compression::kSnappy, "");
  ASSERT_TRUE(empty.ok());
  EXPECT_GT(empty->size(), 20u);
}

TEST(CompressionTest, SnappyReadsRawBlocks) {
  // Raw snappy (what librdkafka writes): a literal-only block for "hello".
  std::string raw = std::string("\x05\x10hello", 7);
  absl::StatusOr<std::string> d = Decompress(Compression::kSnappy, raw);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, "hello");
  // The same block in xerial framing.
  std::string framed("\x82SNAPPY\0\0\0\0\1\0\0\0\1\0\0\0\x07", 20);
  framed += raw;
  d = Decompress(Compression::kSnappy, framed);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, "hello");
}

TEST(CompressionTest, GzipAcceptsConcatenatedMembersAndZlib) {
  absl::StatusOr<std::string> a = Compress(Compression::kGzip, "first,");
  absl::StatusOr<std::string> b = Compress(Compression::kGzip, "second");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->substr(0, 2), "\x1f\x8b");
  absl::StatusOr<std::string> d = Decompress(Compression::kGzip, *a + *b);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, "first,second");
  // zlib-wrapped "hello" (python: zlib.compress(b"hello")).
  std::string zlib("\x78\x9c\xcb\x48\xcd\xc9\xc9\x07\x00\x06\x2c\x02\x15", 13);
  d = Decompress(Compression::kGzip, zlib);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, "hello");
}

TEST(CompressionTest, Lz4WritesIndependent64KBlocks) {
  absl::StatusOr<std::string> c = Compress(Compression::kLz4, Sample(1000));
  ASSERT_TRUE(c.ok());
  ASSERT_GE(c->size(), 7u);
  EXPECT_EQ(c->substr(0, 4), "\x04\x22\x4d\x18");  // LZ4F magic 0x184D2204, little-endian
  uint8_t flg = static_cast<uint8_t>((*c)[4]);
  uint8_t bd = static_cast<uint8_t>((*c)[5]);
  EXPECT_EQ(flg >> 6, 1);         // version 01
  EXPECT_TRUE(flg & 0x20);        // block independence
  EXPECT_FALSE(flg & 0x10);       // no block checksum
  EXPECT_FALSE(flg & 0x08);       // no content size
  EXPECT_FALSE(flg & 0x04);       // no content checksum
  EXPECT_EQ((bd >> 4) & 0x7, 4);  // 64 KiB max block
}

TEST(CompressionTest, UnknownCodec) {
  EXPECT_EQ(Decompress(static_cast<Compression>(5), "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(static_cast<Compression>(6), "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CompressionName(static_cast<Compression>(7)), "unknown");
}

}  // namespace
}  // namespace rill::broker::protocol
