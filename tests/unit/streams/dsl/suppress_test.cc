// KTable::suppress through TopologyTestDriver: final results of windowed counts
// (untilWindowCloses), untilTimeLimit's buffer time and replaced values, the buffer's
// bounds (emit early, shut down), deletions, the buffer's changelog, the suppressed table's
// value getter in a join, and the errors of a wrong topology.
#include <cstdio>
#include <map>
#include <optional>
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
using ::testing::HasSubstr;
using WKey = Windowed<std::string>;
using WL = KeyValue<WKey, int64_t>;
using SL = KeyValue<std::string, std::string>;
using OL = KeyValue<std::string, std::optional<std::string>>;

WKey At(const std::string& key, int64_t start, int64_t size) { return {key, {start, start + size}}; }

Serde<WKey> WSerde(int64_t size) { return WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), size); }

// Kafka Streams' canonical example: a windowed count whose final result per window goes to
// "out" once the window closes (10 ms windows, 5 ms grace).
Topology FinalCountTopology(const WindowCloseSuppressed& suppressed) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(TimeWindows::ofSizeAndGrace(10ms, 5ms))
      .count(Materialized<std::string, int64_t>::as("counts").withRetention(1min))
      .suppress(suppressed)
      .toStream()
      .to("out", Produced<WKey, int64_t>::with(WSerde(10), Serdes::Int64()));
  return builder.build();
}

TEST(SuppressTest, UntilWindowClosesEmitsOneFinalCountPerWindow) {
  TopologyTestDriver driver(FinalCountTopology(Suppressed::untilWindowCloses(BufferConfig::unbounded())));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, int64_t>("out", WSerde(10));
  in.pipeInput("a", "x", 0);
  in.pipeInput("a", "x", 3);
  in.pipeInput("b", "x", 5);
  in.pipeInput("a", "x", 9);
  in.pipeInput("a", "x", 12);
  in.pipeInput("a", "x", 14);  // stream time 14 < end 10 + grace 5: [0, 10) still open
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("b", "x", 15);  // closes [0, 10): its final counts, by key
  std::vector<Record<WKey, int64_t>> finals;
  while (!out.isEmpty()) finals.push_back(out.readRecord());
  ASSERT_EQ(finals.size(), 2u);
  EXPECT_EQ(finals[0].key, At("a", 0, 10));
  EXPECT_EQ(finals[0].value, 3);
  EXPECT_EQ(finals[0].timestamp, 9);  // the window's last update
  EXPECT_EQ(finals[1].key, At("b", 0, 10));
  EXPECT_EQ(finals[1].value, 1);
  EXPECT_EQ(finals[1].timestamp, 5);
  // Too late for [0, 10): dropped by the aggregation, so no second final result.
  in.pipeInput("a", "x", 4);
  EXPECT_TRUE(out.isEmpty());
  EXPECT_EQ(driver.droppedRecords().at("window-expired"), 1);
  in.pipeInput("c", "x", 24);  // stream time 24 < 20 + 5
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("c", "x", 25);
  EXPECT_THAT(out.readKeyValuesToList(),
              ElementsAre(WL{At("a", 10, 10), 2}, WL{At("b", 10, 10), 1}));
}

TEST(SuppressTest, NamesFollowKafkaStreams) {
  Topology named = FinalCountTopology(
      Suppressed::untilWindowCloses(BufferConfig::unbounded()).withName("final"));
  EXPECT_THAT(named.describe(), HasSubstr("Processor: final (stores: [final-store])"));
  // Generated: the node, then its store, from the one counter.
  Topology generated = FinalCountTopology(Suppressed::untilWindowCloses(BufferConfig::unbounded()));
  const std::string text = generated.describe();
  const size_t at = text.find("Processor: KTABLE-SUPPRESS-00000000");
  ASSERT_NE(at, std::string::npos) << text;
  const int node = std::stoi(text.substr(at + 27, 10));
  char expected[96];
  std::snprintf(expected, sizeof(expected),
                "Processor: KTABLE-SUPPRESS-%010d (stores: [KTABLE-SUPPRESS-STATE-STORE-%010d])",
                node, node + 1);
  EXPECT_THAT(text, HasSubstr(expected));
}

TEST(SuppressTest, UntilWindowClosesTakesTheGraceThroughTableOperatorsAndDropsDeletions) {
  // count < 2 keeps a window's first count only: its second record deletes it downstream
  // (a tombstone), so a window counted twice has no final result.
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(TimeWindows::ofSizeAndGrace(10ms, 20ms))
      .count(Materialized<std::string, int64_t>::as("counts").withRetention(1min))
      .filter([](const WKey&, const int64_t& n) { return n < 2; })
      .suppress(Suppressed::untilWindowCloses(BufferConfig::unbounded()))
      .toChangelogStream()  // deletions would show as tombstones
      .to("out", Produced<WKey, std::optional<int64_t>>::with(
                     WSerde(10), Serdes::Nullable(Serdes::Int64())));
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, std::optional<int64_t>>(
      "out", WSerde(10), Serdes::Nullable(Serdes::Int64()));
  in.pipeInput("a", "x", 1);
  in.pipeInput("b", "x", 2);
  in.pipeInput("a", "x", 3);
  in.pipeInput("c", "x", 29);  // 29 < 10 + 20: the grace (20 ms) came through the filter
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("c", "x", 30);
  using OWL = KeyValue<WKey, std::optional<int64_t>>;
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(OWL{At("b", 0, 10), 1}));
}

// table "in" -> suppress(untilTimeLimit) -> "out" with deletions as tombstones.
Topology TimeLimitTopology(const Suppressed& suppressed) {
  StreamsBuilder builder;
  builder
      .table<std::string, std::string>(
          "in", {}, Materialized<std::string, std::string>::as("in-store").withCachingDisabled())
      .suppress(suppressed)
      .toChangelogStream()
      .to("out", Produced<std::string, std::optional<std::string>>::with(
                     Serdes::String(), Serdes::Nullable(Serdes::String())));
  return builder.build();
}

TEST(SuppressTest, UntilTimeLimitKeepsTheFirstBufferTimeAndForwardsTheLatestValue) {
  TopologyTestDriver driver(
      TimeLimitTopology(Suppressed::untilTimeLimit(10ms, BufferConfig::unbounded())));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<std::string, std::optional<std::string>>(
      "out", Serdes::String(), Serdes::Nullable(Serdes::String()));
  in.pipeInput("a", "1", 0);
  in.pipeInput("a", "2", 5);  // replaces the value; "a" still leaves at 0 + 10
  in.pipeInput("b", "1", 7);
  in.pipeInput("x", "1", 9);
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("c", "1", 10);
  Record<std::string, std::optional<std::string>> a = out.readRecord();
  EXPECT_EQ(a.key, "a");
  EXPECT_EQ(a.value, "2");
  EXPECT_EQ(a.timestamp, 5);  // the context of the latest update
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("b", "2", 16);  // "b" keeps its buffer time 7: leaves at 17, not 26
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("y", "1", 17);
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(OL{"b", "2"}));
  // An out-of-order update does not move stream time back: its time has already passed.
  in.pipeInput("z", "1", 3);
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(OL{"z", "1"}));
}

TEST(SuppressTest, UntilTimeLimitForwardsDeletions) {
  TopologyTestDriver driver(
      TimeLimitTopology(Suppressed::untilTimeLimit(10ms, BufferConfig::unbounded())));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<std::string, std::optional<std::string>>(
      "out", Serdes::String(), Serdes::Nullable(Serdes::String()));
  in.pipeInput("a", "1", 0);
  in.pipeInput("x", "1", 10);
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(OL{"a", "1"}));
  in.pipeRawBytes("a", std::nullopt, 12);  // delete "a"
  in.pipeInput("k", "1", 13);
  in.pipeRawBytes("k", std::nullopt, 14);  // "k" added and deleted within the limit
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("x", "2", 24);
  // Expiry 24 - 10 = 14: "x" (buffered at 10, now "2"), then the deletions of "a" (12)
  // and "k" (13). Kafka Streams forwards both (only final results drop deletions), "k"'s
  // too although downstream never saw a value of "k".
  EXPECT_THAT(out.readKeyValuesToList(),
              ElementsAre(OL{"x", "2"}, OL{"a", std::nullopt}, OL{"k", std::nullopt}));
}

TEST(SuppressTest, MaxRecordsEmitEarlyWhenFullEmitsTheOldest) {
  TopologyTestDriver driver(TimeLimitTopology(
      Suppressed::untilTimeLimit(1h, BufferConfig::maxRecords(2).emitEarlyWhenFull())));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<std::string, std::optional<std::string>>(
      "out", Serdes::String(), Serdes::Nullable(Serdes::String()));
  in.pipeInput("a", "1", 0);
  in.pipeInput("b", "1", 1);
  in.pipeInput("a", "2", 2);  // an update: still two records
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("c", "1", 3);  // three: the oldest ("a", buffered at 0) leaves early
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(OL{"a", "2"}));
  in.pipeInput("d", "1", 4);
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(OL{"b", "1"}));
}

TEST(SuppressTest, MaxBytesCountsRecordsAsKafkaStreamsEstimatesThem) {
  // A new key "k" with a 1-byte value from topic "in", no headers: 8 (buffer time) + 1
  // (key) + 1 (new value; no old or prior value) + 8 + 8 + 4 (timestamp, offset,
  // partition) + 2 (topic) = 32 bytes. Two fit in 64, not in 63.
  for (int64_t limit : {64, 63}) {
    TopologyTestDriver driver(TimeLimitTopology(
        Suppressed::untilTimeLimit(1h, BufferConfig::maxBytes(limit).emitEarlyWhenFull())));
    auto in = driver.createInputTopic<std::string, std::string>("in");
    auto out = driver.createOutputTopic<std::string, std::optional<std::string>>(
        "out", Serdes::String(), Serdes::Nullable(Serdes::String()));
    in.pipeInput("a", "1", 0);
    in.pipeInput("b", "1", 1);
    if (limit == 64) {
      EXPECT_TRUE(out.isEmpty()) << limit;
    } else {
      EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(OL{"a", "1"})) << limit;
    }
  }
}

TEST(SuppressTest, ShutDownWhenFullFailsNamingTheNodeAndTheLimits) {
  TopologyTestDriver driver(TimeLimitTopology(
      Suppressed::untilTimeLimit(1h, BufferConfig::maxRecords(1).shutDownWhenFull())
          .withName("hold")));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  in.pipeInput("a", "1", 0);
  in.pipeInput("a", "2", 1);  // an update of the one record: fits
  try {
    in.pipeInput("b", "1", 2);
    FAIL() << "a second record must overflow the buffer";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("hold buffer exceeded its max capacity. Currently [2/1] "
                                    "records and ["));
  }
}

TEST(SuppressTest, TheBufferIsLoggedToItsChangelog) {
  TopologyTestDriver driver(TimeLimitTopology(
      Suppressed::untilTimeLimit(10ms, BufferConfig::unbounded()).withName("hold")));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto changelog = driver.createOutputTopic<std::string, std::optional<std::string>>(
      "test-app-hold-store-changelog", Serdes::String(), Serdes::Nullable(Serdes::String()));
  in.pipeInput("a", "1", 0);
  Record<std::string, std::optional<std::string>> buffered = changelog.readRecord();
  EXPECT_EQ(buffered.key, "a");
  EXPECT_TRUE(buffered.value.has_value());
  in.pipeInput("b", "1", 10);  // "a" leaves: its entry is deleted
  std::map<std::string, std::optional<std::string>> rest;
  while (!changelog.isEmpty()) {
    Record<std::string, std::optional<std::string>> r = changelog.readRecord();
    EXPECT_FALSE(rest.count(r.key)) << "one write per key and commit: " << r.key;
    rest[r.key] = r.value;
  }
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_FALSE(rest.at("a").has_value());  // deleted
  EXPECT_TRUE(rest.at("b").has_value());   // buffered
}

TEST(SuppressTest, AJoinReadsABufferedKeyAsTheValueDownstreamLastSaw) {
  StreamsBuilder builder;
  auto left = builder
                  .table<std::string, std::string>(
                      "left", {},
                      Materialized<std::string, std::string>::as("left-store").withCachingDisabled())
                  .suppress(Suppressed::untilTimeLimit(10ms, BufferConfig::unbounded()));
  auto right = builder.table<std::string, std::string>(
      "right", {}, Materialized<std::string, std::string>::as("right-store").withCachingDisabled());
  left.join(right, [](const std::string& l, const std::string& r) { return l + r; })
      .toStream()
      .to("joined", Produced<std::string, std::string>::with(Serdes::String(), Serdes::String()));
  TopologyTestDriver driver(builder.build());
  auto l = driver.createInputTopic<std::string, std::string>("left");
  auto r = driver.createInputTopic<std::string, std::string>("right");
  auto joined = driver.createOutputTopic<std::string, std::string>("joined");
  l.pipeInput("a", "1", 0);  // buffered: downstream has seen no value of "a"
  r.pipeInput("a", "x", 1);
  EXPECT_TRUE(joined.isEmpty());
  l.pipeInput("z", "1", 10);  // "a" = 1 leaves the buffer and joins "x"
  EXPECT_THAT(joined.readKeyValuesToList(), ElementsAre(SL{"a", "1x"}));
  l.pipeInput("a", "2", 11);  // buffered again; downstream still has 1
  r.pipeInput("a", "y", 12);
  EXPECT_THAT(joined.readKeyValuesToList(), ElementsAre(SL{"a", "1y"}));
  r.pipeInput("b", "y", 13);
  l.pipeInput("b", "3", 13);
  EXPECT_TRUE(joined.isEmpty());
  l.pipeInput("z", "2", 23);  // "z" (no partner), "a" and "b" leave the buffer
  EXPECT_THAT(joined.readKeyValuesToList(), ElementsAre(SL{"a", "2y"}, SL{"b", "3y"}));
  r.pipeInput("b", "w", 24);  // "b" is no longer buffered: read through the parent table
  EXPECT_THAT(joined.readKeyValuesToList(), ElementsAre(SL{"b", "3w"}));
}

TEST(SuppressTest, UntilWindowClosesNeedsAWindowedAggregationUpstream) {
  StreamsBuilder builder;
  auto windowed = builder.table<WKey, int64_t>("t", Consumed<WKey, int64_t>::with(WSerde(10), Serdes::Int64()));
  try {
    windowed.suppress(Suppressed::untilWindowCloses(BufferConfig::unbounded()));
    FAIL() << "a table read from a topic has no window close time";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("Window close time is only defined for windowed "
                                    "computations. Got [KSTREAM-SOURCE-0000000001->KTABLE-SOURCE-0000000002]."));
  }
  // A plain table cannot take it either (a compile-time error unless the type is lost).
  auto plain = builder.table<std::string, std::string>("p");
  const Suppressed sliced = Suppressed::untilWindowCloses(BufferConfig::unbounded());
  EXPECT_THROW(plain.suppress(sliced), StreamsException);
  EXPECT_THROW(Suppressed::untilTimeLimit(-1ms, BufferConfig::unbounded()), StreamsException);
  EXPECT_THROW(BufferConfig::maxRecords(-1), StreamsException);
}

TEST(SuppressTest, UntilWindowClosesWorksOverSlidingWindows) {
  // Each sliding window is emitted once, with its last count, once stream time reaches its
  // end (+ grace, here 0) — never before.
  StreamsBuilder builder;
  auto counts = builder.stream<std::string, std::string>("in")
                    .groupByKey()
                    .windowedBy(SlidingWindows::ofTimeDifferenceWithNoGrace(10ms))
                    .count(Materialized<std::string, int64_t>::as("sliding").withCachingDisabled());
  auto serde = WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 10);
  counts.toStream().to("all", Produced<WKey, int64_t>::with(serde, Serdes::Int64()));
  counts.suppress(Suppressed::untilWindowCloses(BufferConfig::unbounded()))
      .toStream()
      .to("final", Produced<WKey, int64_t>::with(serde, Serdes::Int64()));
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto all = driver.createOutputTopic<WKey, int64_t>("all", serde, Serdes::Int64());
  auto final_results = driver.createOutputTopic<WKey, int64_t>("final", serde, Serdes::Int64());
  std::map<std::pair<std::string, int64_t>, int64_t> last_update, emitted;
  std::map<std::pair<std::string, int64_t>, int64_t> end_of;
  for (int64_t t : {20, 25, 28, 29, 60, 100}) {
    in.pipeInput(t < 60 ? "a" : "b", "x", t);
    for (const auto& kv : all.readKeyValuesToList()) {
      last_update[{kv.key.key, kv.key.window.start}] = kv.value;
      end_of[{kv.key.key, kv.key.window.start}] = kv.key.window.end;
    }
    for (const auto& kv : final_results.readKeyValuesToList()) {
      EXPECT_LE(kv.key.window.end, t) << "emitted before stream time reached its end";
      EXPECT_TRUE(emitted.emplace(std::pair{kv.key.key, kv.key.window.start}, kv.value).second)
          << "window " << kv.key.key << "@" << kv.key.window.start << " emitted twice";
    }
  }
  std::map<std::pair<std::string, int64_t>, int64_t> closed;
  for (const auto& [window, count] : last_update) {
    if (end_of[window] <= 100) closed[window] = count;
  }
  EXPECT_GE(closed.size(), 4u);
  EXPECT_EQ(emitted, closed);
}


// Sessions close gap + grace after their end (Kafka Streams): a session [0, 5] with a
// 10 ms gap is final once stream time reaches 15. The merged-away session [0, 0] is a
// deletion, which untilWindowCloses never forwards.
TEST(SuppressTest, UntilWindowClosesWaitsGapPlusGraceForSessions) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(SessionWindows::ofInactivityGapWithNoGrace(10ms))
      .count(Materialized<std::string, int64_t>::as("sessions").withCachingDisabled())
      .suppress(Suppressed::untilWindowCloses(BufferConfig::unbounded()))
      .toStream()
      .to("out", Produced<WKey, int64_t>::with(WindowedSerdes::SessionWindowed(Serdes::String()),
                                               Serdes::Int64()));
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = driver.createOutputTopic<WKey, int64_t>(
      "out", WindowedSerdes::SessionWindowed(Serdes::String()), Serdes::Int64());
  in.pipeInput("a", "x", 0);
  in.pipeInput("a", "x", 5);
  in.pipeInput("b", "x", 14);  // 14 < 5 + 10: a's session still open
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("b", "x", 15);
  WKey a_session{"a", Window{0, 5}};
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(WL{a_session, 2}));
}

}  // namespace
}  // namespace rill::streams
