#include "broker/protocol/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace rill::broker::protocol {
namespace {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c("a"), 0xC1D04330u);
  // RFC 3720 (iSCSI) B.4 test patterns.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) descending[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string data = "The quick brown fox jumps over the lazy dog, repeatedly and at length.";
  for (size_t split = 0; split <= data.size(); ++split) {
    std::string_view v(data);
    EXPECT_EQ(Crc32cExtend(Crc32c(v.substr(0, split)), v.substr(split)), Crc32c(data));
  }
}

// The hardware path (with its 3-way interleaving and merge) must agree with the table for
// every length and alignment, including lengths around the interleaved block size.
TEST(Crc32cTest, HardwareMatchesTable) {
  if (!internal::Crc32cHasSse42()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937 rng(42);
  std::string buf(20000, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  for (size_t len :
       {0u, 1u, 7u, 8u, 9u, 63u, 1000u, 3071u, 3072u, 3073u, 3080u, 6144u, 9999u, 19990u}) {
    for (size_t align = 0; align < 8; ++align) {
      uint32_t hw = internal::Crc32cSse42(0xFFFFFFFFu, buf.data() + align, len);
      uint32_t sw = internal::Crc32cTable(0xFFFFFFFFu, buf.data() + align, len);
      ASSERT_EQ(hw, sw) << "len " << len << " align " << align;
    }
  }
}

}  // namespace
}  // namespace rill::broker::protocol
