// Windowed aggregations over TimeWindows through TopologyTestDriver: tumbling and hopping
// windows, the inclusive start / exclusive end, grace and the drop of records for closed
// windows, reduce and aggregate, the window store and its changelog layout.
#include <string>
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
using WL = KeyValue<WKey, int64_t>;
using SL = KeyValue<int64_t, int64_t>;

WKey At(const std::string& key, int64_t start, int64_t size) { return {key, {start, start + size}}; }

// in -> groupByKey -> windowedBy(windows) -> count("counts") -> out (windowed keys). The
// store keeps windows for a minute, so the tests can read windows that closed (with the
// default retention, size + grace, a closed window is gone from the store, as in Kafka
// Streams).
Topology CountTopology(const TimeWindows& windows, StoreType type = StoreType::kRocksDb) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(windows)
      .count(Materialized<std::string, int64_t>::as("counts").withStoreType(type).withRetention(1min))
      .toStream()
      .to("out");
  return builder.build();
}

class WindowedCountTest : public ::testing::TestWithParam<StoreType> {};

TEST_P(WindowedCountTest, TumblingWindowsIncludeTheStartAndExcludeTheEnd) {
  TopologyTestDriver driver(CountTopology(TimeWindows::ofSizeWithNoGrace(10ms), GetParam()));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, int64_t>(
      "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 10));
  in.pipeInput("a", "x", 0);
  in.pipeInput("a", "x", 9);
  in.pipeInput("b", "x", 5);
  in.pipeInput("a", "x", 10);  // the end of [0, 10) is exclusive: a new window
  EXPECT_THAT(out.readKeyValuesToList(),
              ElementsAre(WL{At("a", 0, 10), 1}, WL{At("a", 0, 10), 2}, WL{At("b", 0, 10), 1},
                          WL{At("a", 10, 10), 1}));

  auto store = driver.getWindowStore<std::string, int64_t>("counts");
  EXPECT_EQ(store.fetch("a", 0), 2);
  EXPECT_EQ(store.fetch("a", 10), 1);
  EXPECT_EQ(store.fetch("b", 10), std::nullopt);
  EXPECT_THAT(store.fetch("a", 0, 100), ElementsAre(SL{0, 2}, SL{10, 1}));
  EXPECT_THAT(store.backwardFetch("a", 0, 100), ElementsAre(SL{10, 1}, SL{0, 2}));
  EXPECT_THAT(store.fetch("a", 1, 10), ElementsAre(SL{10, 1}));  // by window start
}

TEST_P(WindowedCountTest, HoppingWindowsCountARecordInEveryWindowItFallsInto) {
  TopologyTestDriver driver(
      CountTopology(TimeWindows::ofSizeWithNoGrace(10ms).advanceBy(5ms), GetParam()));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, int64_t>(
      "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 10));
  in.pipeInput("a", "x", 7);   // [0,10) and [5,15)
  in.pipeInput("a", "x", 12);  // [5,15) and [10,20)
  EXPECT_THAT(out.readKeyValuesToList(),
              ElementsAre(WL{At("a", 0, 10), 1}, WL{At("a", 5, 10), 1}, WL{At("a", 5, 10), 2},
                          WL{At("a", 10, 10), 1}));
  auto store = driver.getWindowStore<std::string, int64_t>("counts");
  EXPECT_THAT(store.fetch("a", 0, 20), ElementsAre(SL{0, 1}, SL{5, 2}, SL{10, 1}));
}

TEST_P(WindowedCountTest, OutOfOrderWithinGraceUpdatesLaterThanGraceIsDropped) {
  TopologyTestDriver driver(CountTopology(TimeWindows::ofSizeAndGrace(10ms, 5ms), GetParam()));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, int64_t>(
      "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 10));
  in.pipeInput("a", "x", 3);
  in.pipeInput("a", "x", 14);  // stream time 14: [0,10) closes at 10 + 5 = 15
  in.pipeInput("a", "x", 8);   // out of order, within grace: counted in [0,10)
  in.pipeInput("a", "x", 15);  // stream time 15: [0,10) is closed now
  in.pipeInput("a", "x", 9);   // too late: dropped
  EXPECT_THAT(out.readKeyValuesToList(),
              ElementsAre(WL{At("a", 0, 10), 1}, WL{At("a", 10, 10), 1}, WL{At("a", 0, 10), 2},
                          WL{At("a", 10, 10), 2}));
  EXPECT_EQ(driver.droppedRecords().at("window-expired"), 1);
  auto store = driver.getWindowStore<std::string, int64_t>("counts");
  EXPECT_EQ(store.fetch("a", 0), 2);
}

INSTANTIATE_TEST_SUITE_P(Stores, WindowedCountTest,
                         ::testing::Values(StoreType::kRocksDb, StoreType::kInMemory),
                         [](const auto& info) {
                           return info.param == StoreType::kRocksDb ? "RocksDb" : "InMemory";
                         });

TEST(WindowedAggregationTest, ReduceAndAggregatePerWindow) {
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, std::string>("in").groupByKey();
  grouped.windowedBy(TimeWindows::ofSizeWithNoGrace(10ms))
      .reduce([](const std::string& agg, const std::string& v) { return agg + v; },
              Materialized<std::string, std::string>::as("concat").withRetention(1min));
  grouped.windowedBy(TimeWindows::ofSizeWithNoGrace(20ms))
      .aggregate([] { return int64_t{100}; },
                 [](const std::string&, const std::string& v, const int64_t& agg) {
                   return agg + static_cast<int64_t>(v.size());
                 },
                 Materialized<std::string, int64_t>::as("lengths").withRetention(1min));
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  in.pipeInput("k", "ab", 1);
  in.pipeInput("k", "c", 2);
  in.pipeInput("k", "def", 12);
  auto concat = driver.getWindowStore<std::string, std::string>("concat");
  EXPECT_EQ(concat.fetch("k", 0), "abc");  // the first value starts the window
  EXPECT_EQ(concat.fetch("k", 10), "def");
  auto lengths = driver.getWindowStore<std::string, int64_t>("lengths");
  EXPECT_EQ(lengths.fetch("k", 0), 106);
  auto all = lengths.all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].key, At("k", 0, 20));
}

TEST(WindowedAggregationTest, ChangelogKeysUseKafkaStreamsWindowKeyLayout) {
  TopologyTestDriver driver(CountTopology(TimeWindows::ofSizeWithNoGrace(10ms)));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  in.pipeInput("a", "x", 0x123);
  auto changelog = driver.createOutputTopic<Bytes, int64_t>(
      "test-app-counts-changelog");
  auto records = changelog.readKeyValuesToList();
  ASSERT_EQ(records.size(), 1u);
  // key "a", window start 0x122 (0x123 rounded down to 10 ms) as 8 bytes big-endian,
  // sequence number 0 as 4 bytes.
  EXPECT_EQ(records[0].key, (Bytes{'a', 0, 0, 0, 0, 0, 0, 0x01, 0x22, 0, 0, 0, 0}));
  EXPECT_EQ(records[0].value, 1);
}

TEST(WindowedAggregationTest, DefaultRetentionDropsClosedWindowsFromTheStore) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(TimeWindows::ofSizeWithNoGrace(10ms))
      .count(Materialized<std::string, int64_t>::as("counts"));
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  in.pipeInput("a", "x", 5);
  auto store = driver.getWindowStore<std::string, int64_t>("counts");
  EXPECT_EQ(store.fetch("a", 0), 1);
  in.pipeInput("a", "x", 10);  // stream time 10: [0, 10) is past its 10 ms retention
  EXPECT_EQ(store.fetch("a", 0), std::nullopt);
  EXPECT_EQ(store.fetch("a", 10), 1);
}

TEST(WindowedAggregationTest, OnWindowCloseEmitsOneFinalResultPerWindow) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(TimeWindows::ofSizeAndGrace(10ms, 2ms))
      .emitStrategy(EmitStrategy::onWindowClose().withEmitInterval(0ms))
      .count(Materialized<std::string, int64_t>::as("counts"))
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, int64_t>(
      "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 10));
  in.pipeInput("a", "x", 1);
  in.pipeInput("a", "x", 5);
  in.pipeInput("b", "x", 3);
  in.pipeInput("a", "x", 11);  // stream time 11: [0,10) closes at 10 + 2 = 12, not yet
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("a", "x", 9);   // within grace: still counted in [0,10)
  in.pipeInput("b", "x", 12);  // stream time 12: [0,10) is closed
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(WL{At("a", 0, 10), 3}, WL{At("b", 0, 10), 1}));
  in.pipeInput("a", "x", 8);   // late: dropped, and [0,10) is not emitted again
  in.pipeInput("a", "x", 21);  // stream time 21: nothing closed yet ([10,20) closes at 22)
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("c", "x", 40);  // [10,20) and [20,30) close: emitted by key, then start
  EXPECT_THAT(out.readKeyValuesToList(),
              ElementsAre(WL{At("a", 10, 10), 1}, WL{At("a", 20, 10), 1}, WL{At("b", 10, 10), 1}));
  EXPECT_EQ(driver.droppedRecords().at("window-expired"), 1);
}

TEST(WindowedAggregationTest, OnWindowCloseScansAtMostOncePerEmitInterval) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(TimeWindows::ofSizeWithNoGrace(10ms))
      .emitStrategy(EmitStrategy::onWindowClose())  // 1 s of wall-clock time
      .count(Materialized<std::string, int64_t>::as("counts").withRetention(1min))
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, int64_t>(
      "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 10));
  in.pipeInput("a", "x", 1);   // first check: nothing closed
  in.pipeInput("a", "x", 15);  // [0,10) closed, but the last scan was less than 1 s ago
  EXPECT_TRUE(out.isEmpty());
  driver.advanceWallClockTime(1s);
  in.pipeInput("a", "x", 16);
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(WL{At("a", 0, 10), 1}));
}

TEST(WindowedAggregationTest, RetentionShorterThanSizePlusGraceIsRefused) {
  StreamsBuilder builder;
  auto windowed = builder.stream<std::string, std::string>("in")
                      .groupByKey()
                      .windowedBy(TimeWindows::ofSizeAndGrace(10ms, 5ms));
  EXPECT_THROW(windowed.count(Materialized<std::string, int64_t>::as("c").withRetention(14ms)),
               StreamsException);
  EXPECT_NO_THROW(windowed.count(Materialized<std::string, int64_t>::as("d").withRetention(15ms)));
}

TEST(WindowedAggregationTest, WindowStoreChangelogIsCompactedAndDeleted) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(TimeWindows::ofSizeAndGrace(1min, 10s))
      .count(Materialized<std::string, int64_t>::as("counts"));
  Topology topology = builder.build();
  const internal::InternalTopic* changelog = nullptr;
  for (const auto& t : topology.internal_topics()) {
    if (t.name == "counts-changelog") changelog = &t;
  }
  ASSERT_NE(changelog, nullptr);
  for (const auto& [k, v] : changelog->configs) RecordProperty(k, v);
  ASSERT_TRUE(changelog->configs.count("cleanup.policy"));
  ASSERT_TRUE(changelog->configs.count("retention.ms"));
  EXPECT_EQ(changelog->configs.at("cleanup.policy"), "compact,delete");
  EXPECT_EQ(changelog->configs.at("retention.ms"), std::to_string(70'000 + 86'400'000));
}

}  // namespace
}  // namespace rill::streams
