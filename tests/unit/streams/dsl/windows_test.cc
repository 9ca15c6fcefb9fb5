// Window definitions (TimeWindows, SlidingWindows, SessionWindows, JoinWindows) and the
// windowed-key serdes: window assignment at the boundaries, parameter validation, and the
// byte layouts Kafka Streams' WindowedSerdes use.
#include <chrono>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "streams/dsl/windows.h"
#include "streams/serde/windowed_serde.h"

namespace rill::streams {
namespace {

using namespace std::chrono_literals;

std::vector<Window> W(std::initializer_list<std::pair<int64_t, int64_t>> bounds) {
  std::vector<Window> out;
  for (const auto& [start, end] : bounds) out.push_back({start, end});
  return out;
}

std::string Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

TEST(TimeWindowsTest, TumblingWindowStartIsInclusiveAndEndExclusive) {
  auto w = TimeWindows::ofSizeWithNoGrace(10ms);
  EXPECT_EQ(w.size_ms(), 10);
  EXPECT_EQ(w.advance_ms(), 10);
  EXPECT_EQ(w.grace_ms(), 0);
  EXPECT_EQ(w.windowsFor(0), W({{0, 10}}));
  EXPECT_EQ(w.windowsFor(9), W({{0, 10}}));
  EXPECT_EQ(w.windowsFor(10), W({{10, 20}}));
  EXPECT_EQ(w.windowsFor(1234), W({{1230, 1240}}));
}

TEST(TimeWindowsTest, HoppingWindowsOverlapAndNeverStartBeforeZero) {
  auto w = TimeWindows::ofSizeAndGrace(10ms, 3ms).advanceBy(5ms);
  EXPECT_EQ(w.grace_ms(), 3);
  EXPECT_EQ(w.windowsFor(4), W({{0, 10}}));
  EXPECT_EQ(w.windowsFor(5), W({{0, 10}, {5, 15}}));
  EXPECT_EQ(w.windowsFor(12), W({{5, 15}, {10, 20}}));
  EXPECT_EQ(w.windowsFor(14), W({{5, 15}, {10, 20}}));
  EXPECT_EQ(w.windowsFor(15), W({{10, 20}, {15, 25}}));
  // Five-minute windows advancing by one minute: every record is in five of them.
  auto five = TimeWindows::ofSizeWithNoGrace(5min).advanceBy(1min);
  EXPECT_EQ(five.windowsFor(600'000).size(), 5u);
  EXPECT_EQ(five.windowsFor(600'000).front(), (Window{360'000, 660'000}));
  EXPECT_EQ(five.windowsFor(600'000).back(), (Window{600'000, 900'000}));
}

TEST(TimeWindowsTest, InvalidParametersAreRefused) {
  EXPECT_THROW(TimeWindows::ofSizeWithNoGrace(0ms), StreamsException);
  EXPECT_THROW(TimeWindows::ofSizeWithNoGrace(-1ms), StreamsException);
  EXPECT_THROW(TimeWindows::ofSizeAndGrace(10ms, -1ms), StreamsException);
  EXPECT_THROW(TimeWindows::ofSizeWithNoGrace(10ms).advanceBy(0ms), StreamsException);
  EXPECT_THROW(TimeWindows::ofSizeWithNoGrace(10ms).advanceBy(11ms), StreamsException);
  EXPECT_NO_THROW(TimeWindows::ofSizeWithNoGrace(10ms).advanceBy(10ms));
}

TEST(SessionAndSlidingWindowsTest, ParametersAndValidation) {
  auto s = SessionWindows::ofInactivityGapAndGrace(5min, 10s);
  EXPECT_EQ(s.inactivity_gap_ms(), 300'000);
  EXPECT_EQ(s.grace_ms(), 10'000);
  EXPECT_THROW(SessionWindows::ofInactivityGapWithNoGrace(0ms), StreamsException);
  EXPECT_THROW(SessionWindows::ofInactivityGapAndGrace(1s, -1ms), StreamsException);

  auto sl = SlidingWindows::ofTimeDifferenceAndGrace(10s, 1s);
  EXPECT_EQ(sl.time_difference_ms(), 10'000);
  EXPECT_EQ(sl.grace_ms(), 1'000);
  EXPECT_THROW(SlidingWindows::ofTimeDifferenceWithNoGrace(-1ms), StreamsException);
}

TEST(JoinWindowsTest, BeforeAndAfterBoundTheOtherSide) {
  auto j = JoinWindows::ofTimeDifferenceAndGrace(10s, 2s);
  EXPECT_EQ(j.before_ms(), 10'000);
  EXPECT_EQ(j.after_ms(), 10'000);
  EXPECT_EQ(j.grace_ms(), 2'000);
  EXPECT_EQ(j.size_ms(), 20'000);
  auto asymmetric = j.before(0ms).after(5s);
  EXPECT_EQ(asymmetric.before_ms(), 0);
  EXPECT_EQ(asymmetric.after_ms(), 5'000);
  EXPECT_EQ(asymmetric.grace_ms(), 2'000);
  // A negative bound is allowed while the interval is not empty.
  EXPECT_EQ(j.before(-5s).before_ms(), -5'000);
  EXPECT_THROW(j.before(-11s), StreamsException);
  EXPECT_THROW(JoinWindows::ofTimeDifferenceWithNoGrace(-1ms), StreamsException);
}

TEST(WindowedSerdesTest, TimeWindowedLayoutIsKeyThenBigEndianStart) {
  auto serde = WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 100);
  std::string bytes;
  ASSERT_TRUE(serde.serialize({"a", {0x0102030405060708, 0x0102030405060708 + 100}}, bytes));
  EXPECT_EQ(Hex(bytes), "610102030405060708");

  auto back = serde.deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->key, "a");
  EXPECT_EQ(back->window, (Window{0x0102030405060708, 0x0102030405060708 + 100}));
}

TEST(WindowedSerdesTest, TimeWindowedEndSaturatesAndShortInputIsAnError) {
  auto serde = WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 100);
  std::string bytes = "k";
  serde_internal::AppendBigEndian64(std::numeric_limits<int64_t>::max() - 10, bytes);
  auto back = serde.deserialize(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->window.end, std::numeric_limits<int64_t>::max());

  EXPECT_FALSE(serde.deserialize(std::string("1234567")).ok());  // shorter than the suffix
  EXPECT_FALSE(serde.deserialize(std::nullopt).ok());
  EXPECT_THROW(WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 0), StreamsException);
}

TEST(WindowedSerdesTest, SessionWindowedLayoutIsKeyThenEndThenStart) {
  auto serde = WindowedSerdes::SessionWindowed<int32_t>(Serdes::Int32());
  std::string bytes;
  ASSERT_TRUE(serde.serialize({7, {1, 2}}, bytes));
  EXPECT_EQ(Hex(bytes), "00000007" "0000000000000002" "0000000000000001");
  auto back = serde.deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->key, 7);
  EXPECT_EQ(back->window, (Window{1, 2}));
  EXPECT_FALSE(serde.deserialize(bytes.substr(0, 15)).ok());
}

}  // namespace
}  // namespace rill::streams
