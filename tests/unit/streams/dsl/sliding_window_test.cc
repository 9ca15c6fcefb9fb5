// Sliding-window aggregations through TopologyTestDriver: Kafka Streams'
// KStreamSlidingWindowAggregateTest cases (same inputs, same expected outputs, for both
// emit strategies and both store types), and a brute-force oracle that computes every
// window Kafka Streams' sliding windows define from random input and checks the store and
// the last result forwarded per window against it.
#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/serde/windowed_serde.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using WKey = Windowed<std::string>;

// One forwarded result: key, window start, value, timestamp (the window ends at start +
// the time difference).
struct Out {
  std::string key;
  int64_t start = 0;
  std::string value;
  int64_t timestamp = 0;
  bool operator==(const Out&) const = default;
};

void PrintTo(const Out& o, std::ostream* os) {
  *os << o.key << "@[" << o.start << "] " << o.value << " ts=" << o.timestamp;
}

// Every result on `out`, checking each window's end is start + difference.
std::vector<Out> ReadAll(TestOutputTopic<WKey, std::string>& out, int64_t difference) {
  std::vector<Out> all;
  while (!out.isEmpty()) {
    Record<WKey, std::string> r = out.readRecord();
    EXPECT_EQ(r.key.window.end, r.key.window.start + difference);
    all.push_back({r.key.key, r.key.window.start, r.value, r.timestamp});
  }
  return all;
}

// Kafka's KStreamSlidingWindowAggregateTest.gatherOutput: window start -> the set of
// (value, timestamp) forwarded for it.
using Gathered = std::map<int64_t, std::set<std::pair<std::string, int64_t>>>;
Gathered Gather(const std::vector<Out>& all) {
  Gathered g;
  for (const Out& o : all) g[o.start].insert({o.value, o.timestamp});
  return g;
}

// Kafka's comparator in the large-input tests: by key, then window start, keeping the
// processing order within a window.
std::vector<Out> SortedByKeyAndStart(std::vector<Out> all) {
  std::stable_sort(all.begin(), all.end(), [](const Out& a, const Out& b) {
    return std::tie(a.key, a.start) < std::tie(b.key, b.start);
  });
  return all;
}

// MockInitializer.STRING_INIT / MockAggregator.TOSTRING_ADDER / MockReducer.STRING_ADDER.
std::string Init() { return "0"; }
std::string Adder(const std::string&, const std::string& value, const std::string& agg) {
  return agg + "+" + value;
}
std::string Concat(const std::string& agg, const std::string& value) { return agg + "+" + value; }

struct Param {
  StoreType store_type;
  bool emit_final;
};

std::string Describe(const Param& p) {
  return std::string(p.store_type == StoreType::kRocksDb ? "RocksDb" : "InMemory") +
         (p.emit_final ? "_OnWindowClose" : "_OnWindowUpdate");
}
void PrintTo(const Param& p, std::ostream* os) { *os << Describe(p); }
std::string ParamName(const ::testing::TestParamInfo<Param>& info) { return Describe(info.param); }

class SlidingWindowKafkaTest : public ::testing::TestWithParam<Param> {
 protected:
  bool emit_final() const { return GetParam().emit_final; }

  EmitStrategy Emit() const {
    // Emit interval 0: look for closed windows after every record, as Kafka's test sets
    // __emit.interval.ms.kstreams.windowed.aggregation__ to 0.
    return emit_final() ? EmitStrategy::onWindowClose().withEmitInterval(0ms)
                        : EmitStrategy::onWindowUpdate();
  }

  // Kafka's tests give the update strategy a store supplier with 50 s of retention and the
  // onWindowClose strategy the default (2 * difference + grace).
  Materialized<std::string, std::string> Store(bool default_retention = false) const {
    auto m = Materialized<std::string, std::string>::as("store").withStoreType(
        GetParam().store_type);
    if (!emit_final() && !default_retention) m = m.withRetention(50'000ms);
    return m;
  }

  // topic -> groupByKey -> windowedBy(windows) -> aggregate(STRING_INIT, TOSTRING_ADDER)
  // -> out.
  Topology AggregateTopology(const SlidingWindows& windows, bool default_retention = false) {
    StreamsBuilder builder;
    builder.stream<std::string, std::string>("topic")
        .groupByKey()
        .windowedBy(windows)
        .emitStrategy(Emit())
        .aggregate(Init, Adder, Store(default_retention))
        .toStream()
        .to("out");
    return builder.build();
  }

  // Runs `records` (key, value, timestamp) through `topology` and returns every result.
  std::vector<Out> Run(Topology topology, int64_t difference,
                       const std::vector<std::tuple<std::string, std::string, int64_t>>& records) {
    TopologyTestDriver driver(std::move(topology));
    auto in = driver.createInputTopic<std::string, std::string>("topic");
    auto out = driver.createOutputTopic<WKey, std::string>(
        "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), difference));
    for (const auto& [k, v, ts] : records) in.pipeInput(k, v, ts);
    dropped_ = driver.droppedRecords().count("window-expired")
                   ? driver.droppedRecords().at("window-expired")
                   : 0;
    return ReadAll(out, difference);
  }

  int64_t dropped_ = 0;
};

TEST_P(SlidingWindowKafkaTest, AggregateSmallInput) {
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceAndGrace(10ms, 5ms)), 10,
                 {{"A", "1", 10}, {"A", "2", 10}, {"A", "3", 14}, {"A", "4", 15},
                  {"A", "5", 20}, {"A", "6", 22}, {"A", "7", 30}});
  Gathered expected;
  if (emit_final()) {
    expected = {{0, {{"0+1+2", 10}}},     {4, {{"0+1+2+3", 14}}},   {5, {{"0+1+2+3+4", 15}}},
                {10, {{"0+1+2+3+4+5", 20}}}, {11, {{"0+3+4+5", 20}}}, {12, {{"0+3+4+5+6", 22}}}};
  } else {
    expected = {{0, {{"0+1", 10}, {"0+1+2", 10}}},
                {4, {{"0+1+2+3", 14}}},
                {5, {{"0+1+2+3+4", 15}}},
                {10, {{"0+1+2+3+4+5", 20}}},
                {11, {{"0+3", 14}, {"0+3+4", 15}, {"0+3+4+5", 20}}},
                {12, {{"0+3+4+5+6", 22}}},
                {15, {{"0+4", 15}, {"0+4+5", 20}, {"0+4+5+6", 22}}},
                {16, {{"0+5", 20}, {"0+5+6", 22}}},
                {20, {{"0+5+6+7", 30}}},
                {21, {{"0+6", 22}, {"0+6+7", 30}}},
                {23, {{"0+7", 30}}}};
  }
  EXPECT_EQ(Gather(all), expected);
}

TEST_P(SlidingWindowKafkaTest, ReduceSmallInput) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("topic")
      .groupByKey()
      .windowedBy(SlidingWindows::ofTimeDifferenceAndGrace(10ms, 5ms))
      .emitStrategy(Emit())
      .reduce(Concat, Store())
      .toStream()
      .to("out");
  auto all = Run(builder.build(), 10,
                 {{"A", "1", 10}, {"A", "2", 14}, {"A", "3", 15}, {"A", "4", 22}, {"A", "5", 26},
                  {"A", "6", 30}});
  Gathered expected;
  if (emit_final()) {
    expected = {{0, {{"1", 10}}},   {4, {{"1+2", 14}}},    {5, {{"1+2+3", 15}}},
                {11, {{"2+3", 15}}}, {12, {{"2+3+4", 22}}}};
  } else {
    expected = {{0, {{"1", 10}}},
                {4, {{"1+2", 14}}},
                {5, {{"1+2+3", 15}}},
                {11, {{"2", 14}, {"2+3", 15}}},
                {12, {{"2+3+4", 22}}},
                {15, {{"3", 15}, {"3+4", 22}}},
                {16, {{"4", 22}, {"4+5", 26}}},
                {20, {{"4+5+6", 30}}},
                {23, {{"5", 26}, {"5+6", 30}}},
                {27, {{"6", 30}}}};
  }
  EXPECT_EQ(Gather(all), expected);
}

TEST_P(SlidingWindowKafkaTest, AggregateLargeInput) {
  const auto grace = emit_final() ? 10ms : 50ms;
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceAndGrace(10ms, grace)), 10,
                 {{"A", "1", 10}, {"A", "2", 20}, {"A", "3", 22}, {"A", "4", 15},
                  {"B", "1", 12}, {"B", "2", 13}, {"B", "3", 18}, {"B", "4", 19},
                  {"B", "5", 25}, {"B", "6", 14},  // onWindowClose: dropped for [4,14]
                  {"C", "1", 11},                  // onWindowClose: dropped for [1,11]
                  {"C", "2", 15}, {"C", "3", 16}, {"C", "4", 21}, {"C", "5", 23},
                  {"D", "4", 11},   // onWindowClose: dropped for [1,11]
                  {"D", "2", 12},   // onWindowClose: dropped for [2,12]
                  {"D", "3", 29},
                  {"D", "5", 16}});  // onWindowClose: dropped for [6,16]
  if (emit_final()) {
    EXPECT_THAT(SortedByKeyAndStart(all),
                ElementsAre(Out{"A", 0, "0+1", 10}, Out{"A", 5, "0+1+4", 15},
                            Out{"B", 2, "0+1", 12}, Out{"B", 3, "0+1+2", 13},
                            Out{"B", 8, "0+1+2+3+6", 18}, Out{"C", 5, "0+2", 15},
                            Out{"C", 6, "0+2+3", 16}));
  } else {
    EXPECT_EQ(
        SortedByKeyAndStart(all),
        (std::vector<Out>{
            {"A", 0, "0+1", 10},           {"A", 5, "0+1+4", 15},
            {"A", 10, "0+1+2", 20},        {"A", 10, "0+1+2+4", 20},
            {"A", 11, "0+2", 20},          {"A", 11, "0+2+4", 20},
            {"A", 12, "0+2+3", 22},        {"A", 12, "0+2+3+4", 22},
            {"A", 16, "0+2+3", 22},        {"A", 21, "0+3", 22},
            {"B", 2, "0+1", 12},           {"B", 3, "0+1+2", 13},
            {"B", 4, "0+1+2+6", 14},       {"B", 8, "0+1+2+3", 18},
            {"B", 8, "0+1+2+3+6", 18},     {"B", 9, "0+1+2+3+4", 19},
            {"B", 9, "0+1+2+3+4+6", 19},   {"B", 13, "0+2", 13},
            {"B", 13, "0+2+3", 18},        {"B", 13, "0+2+3+4", 19},
            {"B", 13, "0+2+3+4+6", 19},    {"B", 14, "0+3", 18},
            {"B", 14, "0+3+4", 19},        {"B", 14, "0+3+4+6", 19},
            {"B", 15, "0+3+4+5", 25},      {"B", 19, "0+4", 19},
            {"B", 19, "0+4+5", 25},        {"B", 20, "0+5", 25},
            {"C", 1, "0+1", 11},           {"C", 5, "0+1+2", 15},
            {"C", 6, "0+1+2+3", 16},       {"C", 11, "0+1+2+3+4", 21},
            {"C", 12, "0+2", 15},          {"C", 12, "0+2+3", 16},
            {"C", 12, "0+2+3+4", 21},      {"C", 13, "0+2+3+4+5", 23},
            {"C", 16, "0+3", 16},          {"C", 16, "0+3+4", 21},
            {"C", 16, "0+3+4+5", 23},      {"C", 17, "0+4", 21},
            {"C", 17, "0+4+5", 23},        {"C", 22, "0+5", 23},
            {"D", 1, "0+4", 11},           {"D", 2, "0+4+2", 12},
            {"D", 6, "0+4+2+5", 16},       {"D", 12, "0+2", 12},
            {"D", 12, "0+2+5", 16},        {"D", 13, "0+5", 16},
            {"D", 19, "0+3", 29}}));
  }
}

TEST_P(SlidingWindowKafkaTest, EarlyRecordsSmallInput) {
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceAndGrace(50ms, 0ms),
                                   /*default_retention=*/true),
                 50,
                 {{"A", "1", 0}, {"A", "2", 5}, {"A", "3", 6}, {"A", "4", 3}, {"A", "5", 13},
                  {"A", "6", 10}, {"A", "7", 70}});
  Gathered expected;
  if (emit_final()) {
    expected = {{0, {{"0+1+2+3+4+5+6", 13}}}, {1, {{"0+2+3+4+5+6", 13}}},
                {4, {{"0+2+3+5+6", 13}}},     {6, {{"0+3+5+6", 13}}},
                {7, {{"0+5+6", 13}}},         {11, {{"0+5", 13}}}};
  } else {
    expected = {{0,
                 {{"0+1", 0},
                  {"0+1+2", 5},
                  {"0+1+2+3", 6},
                  {"0+1+2+3+4", 6},
                  {"0+1+2+3+4+5", 13},
                  {"0+1+2+3+4+5+6", 13}}},
                {1,
                 {{"0+2", 5},
                  {"0+2+3", 6},
                  {"0+2+3+4", 6},
                  {"0+2+3+4+5", 13},
                  {"0+2+3+4+5+6", 13}}},
                {4, {{"0+2+3", 6}, {"0+2+3+5", 13}, {"0+2+3+5+6", 13}}},
                {6, {{"0+3", 6}, {"0+3+5", 13}, {"0+3+5+6", 13}}},
                {7, {{"0+5", 13}, {"0+5+6", 13}}},
                {11, {{"0+5", 13}}},
                {20, {{"0+7", 70}}}};
  }
  EXPECT_EQ(Gather(all), expected);
}

TEST_P(SlidingWindowKafkaTest, EarlyRecordsRepeatedInput) {
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceAndGrace(5ms, 0ms),
                                   /*default_retention=*/true),
                 5,
                 {{"A", "1", 0}, {"A", "2", 2}, {"A", "3", 4}, {"A", "4", 0}, {"A", "5", 2},
                  {"A", "6", 2}, {"A", "7", 0}, {"A", "8", 7}});
  Gathered expected;
  if (emit_final()) {
    expected = {{0, {{"0+1+2+3+4+5+6+7", 4}}}, {1, {{"0+2+3+5+6", 4}}}};
  } else {
    expected = {{0,
                 {{"0+1", 0},
                  {"0+1+2", 2},
                  {"0+1+2+3+4+5", 4},
                  {"0+1+2+3+4+5+6", 4},
                  {"0+1+2+3", 4},
                  {"0+1+2+3+4", 4},
                  {"0+1+2+3+4+5+6+7", 4}}},
                {1, {{"0+2+3+5+6", 4}, {"0+2", 2}, {"0+2+3", 4}, {"0+2+3+5", 4}}},
                {2, {{"0+2+3+5+6+8", 7}}},
                {3, {{"0+3", 4}, {"0+3+8", 7}}},
                {5, {{"0+8", 7}}}};
  }
  EXPECT_EQ(Gather(all), expected);
}

// Kafka's testEarlyRecordsLargeInput and testEarlyNoGracePeriodLargeInput feed the same
// records; with onWindowClose the first uses a grace of 1 ms and the second none.
const std::vector<std::tuple<std::string, std::string, int64_t>> kEarlyLargeInput = {
    {"E", "1", 0}, {"E", "3", 5},  {"E", "4", 6}, {"E", "2", 3},  {"E", "6", 13},
    {"E", "5", 10}, {"E", "7", 4}, {"E", "8", 2}, {"E", "9", 15}};

TEST_P(SlidingWindowKafkaTest, EarlyRecordsLargeInput) {
  const auto grace = emit_final() ? 1ms : 50ms;
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceAndGrace(10ms, grace)), 10,
                 kEarlyLargeInput);
  if (emit_final()) {
    EXPECT_THAT(SortedByKeyAndStart(all),
                ElementsAre(Out{"E", 0, "0+1+3+4+2", 6}, Out{"E", 1, "0+3+4+2", 6},
                            Out{"E", 3, "0+3+4+2+6+5+7", 13}));
  } else {
    EXPECT_EQ(SortedByKeyAndStart(all),
              (std::vector<Out>{{"E", 0, "0+1", 0},
                                {"E", 0, "0+1+3", 5},
                                {"E", 0, "0+1+3+4", 6},
                                {"E", 0, "0+1+3+4+2", 6},
                                {"E", 0, "0+1+3+4+2+5", 10},
                                {"E", 0, "0+1+3+4+2+5+7", 10},
                                {"E", 0, "0+1+3+4+2+5+7+8", 10},
                                {"E", 1, "0+3", 5},
                                {"E", 1, "0+3+4", 6},
                                {"E", 1, "0+3+4+2", 6},
                                {"E", 1, "0+3+4+2+5", 10},
                                {"E", 1, "0+3+4+2+5+7", 10},
                                {"E", 1, "0+3+4+2+5+7+8", 10},
                                {"E", 3, "0+3+4+2+6", 13},
                                {"E", 3, "0+3+4+2+6+5", 13},
                                {"E", 3, "0+3+4+2+6+5+7", 13},
                                {"E", 4, "0+3+4", 6},
                                {"E", 4, "0+3+4+6", 13},
                                {"E", 4, "0+3+4+6+5", 13},
                                {"E", 4, "0+3+4+6+5+7", 13},
                                {"E", 5, "0+3+4+6+5", 13},
                                {"E", 5, "0+3+4+6+5+9", 15},
                                {"E", 6, "0+4", 6},
                                {"E", 6, "0+4+6", 13},
                                {"E", 6, "0+4+6+5", 13},
                                {"E", 6, "0+4+6+5+9", 15},
                                {"E", 7, "0+6", 13},
                                {"E", 7, "0+6+5", 13},
                                {"E", 7, "0+6+5+9", 15},
                                {"E", 11, "0+6", 13},
                                {"E", 11, "0+6+9", 15},
                                {"E", 14, "0+9", 15}}));
  }
}

TEST_P(SlidingWindowKafkaTest, EarlyNoGracePeriodSmallInput) {
  // Every record but the last is earlier than the time difference.
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceWithNoGrace(50ms),
                                   /*default_retention=*/true),
                 50,
                 {{"A", "1", 0}, {"A", "2", 5}, {"A", "3", 6}, {"A", "4", 3}, {"A", "5", 13},
                  {"A", "6", 10}, {"A", "6", 70}});
  Gathered expected;
  if (emit_final()) {
    expected = {{0, {{"0+1+2+3+4+5+6", 13}}}, {1, {{"0+2+3+4+5+6", 13}}},
                {4, {{"0+2+3+5+6", 13}}},     {6, {{"0+3+5+6", 13}}},
                {7, {{"0+5+6", 13}}},         {11, {{"0+5", 13}}}};
  } else {
    expected = {{0,
                 {{"0+1", 0},
                  {"0+1+2", 5},
                  {"0+1+2+3", 6},
                  {"0+1+2+3+4", 6},
                  {"0+1+2+3+4+5", 13},
                  {"0+1+2+3+4+5+6", 13}}},
                {1,
                 {{"0+2", 5},
                  {"0+2+3", 6},
                  {"0+2+3+4", 6},
                  {"0+2+3+4+5", 13},
                  {"0+2+3+4+5+6", 13}}},
                {4, {{"0+2+3", 6}, {"0+2+3+5", 13}, {"0+2+3+5+6", 13}}},
                {6, {{"0+3", 6}, {"0+3+5", 13}, {"0+3+5+6", 13}}},
                {7, {{"0+5", 13}, {"0+5+6", 13}}},
                {11, {{"0+5", 13}}},
                {20, {{"0+6", 70}}}};
  }
  EXPECT_EQ(Gather(all), expected);
}

TEST_P(SlidingWindowKafkaTest, NoGracePeriodSmallInput) {
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceWithNoGrace(50ms),
                                   /*default_retention=*/true),
                 50,
                 {{"A", "1", 100}, {"A", "2", 105}, {"A", "3", 106}, {"A", "4", 103},
                  {"A", "5", 113}, {"A", "6", 110}});
  Gathered expected;
  if (emit_final()) {
    expected = {{50, {{"0+1", 100}}}, {55, {{"0+1+2", 105}}}, {56, {{"0+1+2+3+4", 106}}}};
  } else {
    expected = {{50, {{"0+1", 100}}},
                {55, {{"0+1+2", 105}}},
                {56, {{"0+1+2+3", 106}, {"0+1+2+3+4", 106}}},
                {63, {{"0+1+2+3+4+5", 113}, {"0+1+2+3+4+5+6", 113}}},
                {101,
                 {{"0+2", 105},
                  {"0+2+3", 106},
                  {"0+2+3+4", 106},
                  {"0+2+3+4+5", 113},
                  {"0+2+3+4+5+6", 113}}},
                {104, {{"0+2+3", 106}, {"0+2+3+5", 113}, {"0+2+3+5+6", 113}}},
                {106, {{"0+3", 106}, {"0+3+5", 113}, {"0+3+5+6", 113}}},
                {107, {{"0+5", 113}, {"0+5+6", 113}}},
                {111, {{"0+5", 113}}}};
  }
  EXPECT_EQ(Gather(all), expected);
}

TEST_P(SlidingWindowKafkaTest, EarlyNoGracePeriodLargeInput) {
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceWithNoGrace(10ms)), 10,
                 kEarlyLargeInput);
  if (emit_final()) {
    EXPECT_THAT(SortedByKeyAndStart(all),
                ElementsAre(Out{"E", 0, "0+1+3+4+2", 6}, Out{"E", 1, "0+3+4+2", 6},
                            Out{"E", 3, "0+3+4+2+6+5+7", 13}, Out{"E", 4, "0+3+4+6+5+7", 13}));
  } else {
    // Without grace, 2 (E@2) comes too late for every window, and 7 (E@4) for [0,10] and
    // [1,11].
    EXPECT_EQ(SortedByKeyAndStart(all),
              (std::vector<Out>{{"E", 0, "0+1", 0},
                                {"E", 0, "0+1+3", 5},
                                {"E", 0, "0+1+3+4", 6},
                                {"E", 0, "0+1+3+4+2", 6},
                                {"E", 1, "0+3", 5},
                                {"E", 1, "0+3+4", 6},
                                {"E", 1, "0+3+4+2", 6},
                                {"E", 3, "0+3+4+2+6", 13},
                                {"E", 3, "0+3+4+2+6+5", 13},
                                {"E", 3, "0+3+4+2+6+5+7", 13},
                                {"E", 4, "0+3+4", 6},
                                {"E", 4, "0+3+4+6", 13},
                                {"E", 4, "0+3+4+6+5", 13},
                                {"E", 4, "0+3+4+6+5+7", 13},
                                {"E", 5, "0+3+4+6+5", 13},
                                {"E", 5, "0+3+4+6+5+9", 15},
                                {"E", 6, "0+4", 6},
                                {"E", 6, "0+4+6", 13},
                                {"E", 6, "0+4+6+5", 13},
                                {"E", 6, "0+4+6+5+9", 15},
                                {"E", 7, "0+6", 13},
                                {"E", 7, "0+6+5", 13},
                                {"E", 7, "0+6+5+9", 15},
                                {"E", 11, "0+6", 13},
                                {"E", 11, "0+6+9", 15},
                                {"E", 14, "0+9", 15}}));
  }
}

TEST_P(SlidingWindowKafkaTest, NoGracePeriodLargeInput) {
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceWithNoGrace(10ms)), 10,
                 {{"E", "1", 100}, {"E", "3", 105}, {"E", "4", 106}, {"E", "2", 103},
                  {"E", "6", 113}, {"E", "5", 110}, {"E", "7", 104}, {"E", "8", 102},
                  {"E", "9", 115}});
  if (emit_final()) {
    EXPECT_THAT(SortedByKeyAndStart(all),
                ElementsAre(Out{"E", 90, "0+1", 100}, Out{"E", 95, "0+1+3", 105},
                            Out{"E", 96, "0+1+3+4+2", 106}, Out{"E", 101, "0+3+4+2", 106},
                            Out{"E", 103, "0+3+4+2+6+5+7", 113},
                            Out{"E", 104, "0+3+4+6+5+7", 113}));
  } else {
    EXPECT_EQ(SortedByKeyAndStart(all),
              (std::vector<Out>{{"E", 90, "0+1", 100},
                                {"E", 95, "0+1+3", 105},
                                {"E", 96, "0+1+3+4", 106},
                                {"E", 96, "0+1+3+4+2", 106},
                                {"E", 101, "0+3", 105},
                                {"E", 101, "0+3+4", 106},
                                {"E", 101, "0+3+4+2", 106},
                                {"E", 103, "0+3+4+2+6", 113},
                                {"E", 103, "0+3+4+2+6+5", 113},
                                {"E", 103, "0+3+4+2+6+5+7", 113},
                                {"E", 104, "0+3+4", 106},
                                {"E", 104, "0+3+4+6", 113},
                                {"E", 104, "0+3+4+6+5", 113},
                                {"E", 104, "0+3+4+6+5+7", 113},
                                {"E", 105, "0+3+4+6+5", 113},
                                {"E", 105, "0+3+4+6+5+9", 115},
                                {"E", 106, "0+4", 106},
                                {"E", 106, "0+4+6", 113},
                                {"E", 106, "0+4+6+5", 113},
                                {"E", 106, "0+4+6+5+9", 115},
                                {"E", 107, "0+6", 113},
                                {"E", 107, "0+6+5", 113},
                                {"E", 107, "0+6+5+9", 115},
                                {"E", 111, "0+6", 113},
                                {"E", 111, "0+6+9", 115},
                                {"E", 114, "0+9", 115}}));
  }
}

TEST_P(SlidingWindowKafkaTest, SkipsAndCountsRecordsForExpiredWindows) {
  // Kafka's shouldLogAndMeterWhenSkippingExpiredWindowByGrace: with stream time 200 and a
  // grace of 90 the close time is 110, so the left windows [90,100] .. [95,105] are closed
  // (one drop each) and a record at 15 cannot create any window (dropped outright).
  auto all = Run(AggregateTopology(SlidingWindows::ofTimeDifferenceAndGrace(10ms, 90ms)), 10,
                 {{"k", "100", 200}, {"k", "0", 100}, {"k", "1", 101}, {"k", "2", 102},
                  {"k", "3", 103}, {"k", "4", 104}, {"k", "5", 105}, {"k", "6", 15},
                  {"k", "101", 300}, {"k", "102", 400}});
  EXPECT_EQ(dropped_, 7);
  if (emit_final()) {
    EXPECT_THAT(all, ElementsAre(Out{"k", 190, "0+100", 200}, Out{"k", 290, "0+101", 300}));
  } else {
    EXPECT_THAT(all, ElementsAre(Out{"k", 190, "0+100", 200}, Out{"k", 290, "0+101", 300},
                                 Out{"k", 390, "0+102", 400}));
  }
}

TEST_P(SlidingWindowKafkaTest, AggregateRandomInput) {
  // Kafka's testAggregateRandomInput: the records in any order give the same final windows
  // (the aggregate sorts its characters, so the order within a window does not matter).
  // Kafka draws a new seed per run; here a fixed set of seeds.
  std::vector<std::pair<std::string, int64_t>> input = {
      {"A", 10}, {"B", 15}, {"C", 16}, {"D", 18}, {"E", 30}, {"F", 40}, {"G", 55},
      {"H", 56}, {"I", 58}, {"J", 58}, {"K", 62}, {"L", 63}, {"M", 63}, {"N", 63},
      {"O", 76}, {"P", 77}, {"Q", 80}, {"R", 2},  {"S", 3},  {"T", 5},  {"U", 8}};
  std::map<int64_t, std::pair<std::string, int64_t>> expected = {
      {0, {"ARSTU", 10}},     {3, {"ASTU", 10}},     {4, {"ATU", 10}},     {5, {"ABTU", 15}},
      {6, {"ABCU", 16}},      {8, {"ABCDU", 18}},    {9, {"ABCD", 18}},    {11, {"BCD", 18}},
      {16, {"CD", 18}},       {17, {"D", 18}},       {20, {"E", 30}},      {30, {"EF", 40}},
      {31, {"F", 40}},        {45, {"G", 55}},       {46, {"GH", 56}},     {48, {"GHIJ", 58}},
      {52, {"GHIJK", 62}},    {53, {"GHIJKLMN", 63}}, {56, {"HIJKLMN", 63}},
      {57, {"IJKLMN", 63}},   {59, {"KLMN", 63}},    {63, {"LMN", 63}},    {66, {"O", 76}},
      {67, {"OP", 77}},       {70, {"OPQ", 80}}};
  if (!emit_final()) {
    expected[77] = {"PQ", 80};
    expected[78] = {"Q", 80};
    expected[171] = {"V", 181};
  }
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    std::shuffle(input.begin(), input.end(), rng);
    StreamsBuilder builder;
    builder.stream<std::string, std::string>("topic")
        .groupByKey()
        .windowedBy(SlidingWindows::ofTimeDifferenceAndGrace(10ms, 100ms))
        .emitStrategy(Emit())
        .aggregate([] { return std::string(); },
                   [](const std::string&, const std::string& v, const std::string& agg) {
                     std::string out = agg + v;
                     std::sort(out.begin(), out.end());
                     return out;
                   },
                   Store())
        .toStream()
        .to("out");
    std::vector<std::tuple<std::string, std::string, int64_t>> records;
    for (const auto& [v, ts] : input) records.emplace_back("A", v, ts);
    records.emplace_back("A", "V", 181);
    std::map<int64_t, std::pair<std::string, int64_t>> last;
    for (const Out& o : Run(builder.build(), 10, records)) {
      last[o.start] = {o.value, o.timestamp};
    }
    EXPECT_EQ(last, expected);
  }
}

INSTANTIATE_TEST_SUITE_P(StoresAndEmitStrategies, SlidingWindowKafkaTest,
                         ::testing::Values(Param{StoreType::kRocksDb, false},
                                           Param{StoreType::kInMemory, false},
                                           Param{StoreType::kRocksDb, true},
                                           Param{StoreType::kInMemory, true}),
                         ParamName);

// --- brute-force oracle ---------------------------------------------------------------

// A window's records as a sorted list of record ids, and its largest record timestamp.
using Expected = std::map<std::pair<std::string, int64_t>, std::pair<std::string, int64_t>>;

std::string Normalize(const std::string& ids) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos < ids.size()) {
    size_t end = ids.find(';', pos);
    parts.push_back(ids.substr(pos, end - pos));
    pos = end + 1;
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += p + ";";
  return out;
}

// The windows Kafka Streams' sliding windows define for these records, computed directly
// from the definition: for each record at t its left window [t - d, t] ([0, d] when
// t < d), and its right window [t + 1, t + 1 + d] when a record falls into it; each window
// holds the records in [start, start + d].
Expected BruteForce(const std::vector<std::tuple<std::string, std::string, int64_t>>& records,
                    int64_t d) {
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> by_key;
  for (const auto& [k, id, ts] : records) by_key[k].push_back({ts, id});
  Expected out;
  for (const auto& [key, recs] : by_key) {
    std::set<int64_t> starts;
    for (const auto& [t, id] : recs) {
      starts.insert(t < d ? 0 : t - d);
      for (const auto& [q, other] : recs) {
        if (q > t && q <= t + 1 + d) starts.insert(t + 1);
      }
    }
    for (int64_t start : starts) {
      std::string ids;
      int64_t max_ts = -1;
      for (const auto& [t, id] : recs) {
        if (t >= start && t <= start + d) {
          ids += id + ";";
          max_ts = std::max(max_ts, t);
        }
      }
      out[{key, start}] = {Normalize(ids), max_ts};
    }
  }
  return out;
}

class SlidingWindowOracleTest : public ::testing::TestWithParam<StoreType> {};

TEST_P(SlidingWindowOracleTest, StoreAndLastResultsMatchBruteForceOnRandomInput) {
  constexpr int64_t kDifference = 10;
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    // Timestamps in a narrow range: many records share a timestamp, many are earlier than
    // the time difference, and most arrive out of order. The grace covers them all.
    std::uniform_int_distribution<int64_t> ts(0, 60);
    std::uniform_int_distribution<int> key(0, 2);
    std::vector<std::tuple<std::string, std::string, int64_t>> records;
    for (int i = 0; i < 60; ++i) {
      records.emplace_back(std::string(1, static_cast<char>('a' + key(rng))),
                           "r" + std::to_string(i), ts(rng));
    }
    StreamsBuilder builder;
    builder.stream<std::string, std::string>("topic")
        .groupByKey()
        .windowedBy(SlidingWindows::ofTimeDifferenceAndGrace(std::chrono::milliseconds(kDifference),
                                                             1000ms))
        .aggregate([] { return std::string(); },
                   [](const std::string&, const std::string& v, const std::string& agg) {
                     return agg + v + ";";
                   },
                   Materialized<std::string, std::string>::as("store").withStoreType(GetParam()))
        .toStream()
        .to("out");
    TopologyTestDriver driver(builder.build());
    auto in = driver.createInputTopic<std::string, std::string>("topic");
    auto out = driver.createOutputTopic<WKey, std::string>(
        "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), kDifference));
    for (const auto& [k, v, t] : records) in.pipeInput(k, v, t);

    const Expected expected = BruteForce(records, kDifference);
    Expected last;
    for (const Out& o : ReadAll(out, kDifference)) {
      last[{o.key, o.start}] = {Normalize(o.value), o.timestamp};
    }
    EXPECT_EQ(last, expected);

    // The store holds exactly those windows (its view shows values, not timestamps).
    std::map<std::pair<std::string, int64_t>, std::string> stored;
    std::map<std::pair<std::string, int64_t>, std::string> expected_values;
    for (const auto& [window, value] : expected) expected_values[window] = value.first;
    auto store = driver.getWindowStore<std::string, std::string>("store");
    for (auto& [wkey, value] : store.all()) {
      EXPECT_EQ(wkey.window.end, wkey.window.start + kDifference);
      stored[{wkey.key, wkey.window.start}] = Normalize(value);
    }
    EXPECT_EQ(stored, expected_values);
    EXPECT_FALSE(driver.droppedRecords().count("window-expired"));
  }
}

TEST_P(SlidingWindowOracleTest, OnWindowCloseEmitsEveryWindowOnceWithItsFinalAggregate) {
  constexpr int64_t kDifference = 7;
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int64_t> ts(0, 50);
    std::uniform_int_distribution<int> key(0, 2);
    std::vector<std::tuple<std::string, std::string, int64_t>> records;
    for (int i = 0; i < 40; ++i) {
      records.emplace_back(std::string(1, static_cast<char>('a' + key(rng))),
                           "r" + std::to_string(i), ts(rng));
    }
    StreamsBuilder builder;
    builder.stream<std::string, std::string>("topic")
        .groupByKey()
        .windowedBy(SlidingWindows::ofTimeDifferenceAndGrace(std::chrono::milliseconds(kDifference),
                                                             100ms))
        .emitStrategy(EmitStrategy::onWindowClose().withEmitInterval(0ms))
        .aggregate([] { return std::string(); },
                   [](const std::string&, const std::string& v, const std::string& agg) {
                     return agg + v + ";";
                   },
                   Materialized<std::string, std::string>::as("store").withStoreType(GetParam()))
        .toStream()
        .to("out");
    TopologyTestDriver driver(builder.build());
    auto in = driver.createInputTopic<std::string, std::string>("topic");
    auto out = driver.createOutputTopic<WKey, std::string>(
        "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), kDifference));
    for (const auto& [k, v, t] : records) in.pipeInput(k, v, t);
    EXPECT_TRUE(out.isEmpty());  // nothing closes before stream time 50 + 100 + 7
    in.pipeInput("z", "flush", 1000);  // closes every window of a, b and c

    const Expected expected = BruteForce(records, kDifference);
    Expected emitted;
    for (const Out& o : ReadAll(out, kDifference)) {
      EXPECT_TRUE(emitted.emplace(std::make_pair(o.key, o.start),
                                  std::make_pair(Normalize(o.value), o.timestamp))
                      .second)
          << "window " << o.key << "@" << o.start << " emitted twice";
    }
    EXPECT_EQ(emitted, expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, SlidingWindowOracleTest,
                         ::testing::Values(StoreType::kRocksDb, StoreType::kInMemory),
                         [](const ::testing::TestParamInfo<StoreType>& info) {
                           return info.param == StoreType::kRocksDb ? "RocksDb" : "InMemory";
                         });

// --- Rill's API around it -------------------------------------------------------------

TEST(SlidingWindowTest, CountStoresPlainValuesAndWindowEndsAreInclusive) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(SlidingWindows::ofTimeDifferenceWithNoGrace(10ms))
      .count(Materialized<std::string, int64_t>::as("counts"))
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, int64_t>(
      "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 10));
  in.pipeInput("a", "x", 20);
  in.pipeInput("a", "x", 30);  // exactly the time difference later: [20,30] holds both
  EXPECT_THAT(out.readKeyValuesToList(),
              ElementsAre(KeyValue<WKey, int64_t>{{"a", {10, 20}}, 1},
                          KeyValue<WKey, int64_t>{{"a", {21, 31}}, 1},
                          KeyValue<WKey, int64_t>{{"a", {20, 30}}, 2}));
  auto store = driver.getWindowStore<std::string, int64_t>("counts");
  EXPECT_EQ(store.fetch("a", 20), 2);
  EXPECT_THAT(store.fetch("a", 0, 100),
              ElementsAre(KeyValue<int64_t, int64_t>{10, 1}, KeyValue<int64_t, int64_t>{20, 2},
                          KeyValue<int64_t, int64_t>{21, 1}));
}

TEST(SlidingWindowTest, ChangelogHoldsTheWindowKeyLayoutAndPlainValuesAtTheirTimestamps) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(SlidingWindows::ofTimeDifferenceWithNoGrace(10ms))
      .count(Materialized<std::string, int64_t>::as("counts"));
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  in.pipeInput("a", "x", 0x123);
  auto changelog = driver.createOutputTopic<Bytes, Bytes>("test-app-counts-changelog");
  auto record = changelog.readRecord();
  EXPECT_TRUE(changelog.isEmpty());
  // Window start 0x123 - 10 = 0x119, sequence number 0.
  EXPECT_EQ(record.key, (Bytes{'a', 0, 0, 0, 0, 0, 0, 0x01, 0x19, 0, 0, 0, 0}));
  // As Kafka Streams' timestamped window store logs it: the plain count, with the window's
  // largest record timestamp as the record's timestamp.
  EXPECT_EQ(record.value, (Bytes{0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(record.timestamp, 0x123);
}

TEST(SlidingWindowTest, RetentionShorterThanTwiceTheDifferencePlusGraceIsRefused) {
  StreamsBuilder builder;
  auto windowed = builder.stream<std::string, std::string>("in")
                      .groupByKey()
                      .windowedBy(SlidingWindows::ofTimeDifferenceAndGrace(10ms, 5ms));
  EXPECT_THROW(windowed.count(Materialized<std::string, int64_t>::as("c").withRetention(24ms)),
               StreamsException);
  EXPECT_NO_THROW(windowed.count(Materialized<std::string, int64_t>::as("d").withRetention(25ms)));
}

TEST(SlidingWindowTest, DefaultRetentionKeepsTwiceTheDifferencePlusGrace) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(SlidingWindows::ofTimeDifferenceAndGrace(10ms, 5ms))
      .count(Materialized<std::string, int64_t>::as("counts"));
  Topology topology = builder.build();
  auto it = topology.stores().find("counts");
  ASSERT_NE(it, topology.stores().end());
  EXPECT_EQ(it->second.retention_ms, 25);
  EXPECT_EQ(it->second.window_size_ms, 10);
}

}  // namespace
}  // namespace rill::streams
