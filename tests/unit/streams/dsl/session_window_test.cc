// Session-windowed aggregations through TopologyTestDriver, against Kafka Streams'
// KStreamSessionWindowAggregate: the developer guide's session-window example (sessions
// merging when a record bridges them, with the tombstones of the merged-away sessions),
// inclusive gap bounds, grace and the drop of late records, reduce / aggregate with the
// merger, onWindowClose, the session store and its changelog layout.
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "state/session_key_schema.h"
#include "streams/dsl/streams_builder.h"
#include "streams/serde/windowed_serde.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using WKey = Windowed<std::string>;
using Count = std::optional<int64_t>;

constexpr int64_t kMinute = 60'000;

WKey S(const std::string& key, int64_t start, int64_t end) { return {key, {start, end}}; }

// One output record: windowed key, value (nullopt: tombstone) and timestamp.
struct Out {
  WKey key;
  Count value;
  int64_t timestamp = 0;
  bool operator==(const Out&) const = default;
};

void PrintTo(const Out& o, std::ostream* os) {
  *os << "{" << o.key.key << "@[" << o.key.window.start << "," << o.key.window.end << "] = "
      << (o.value ? std::to_string(*o.value) : "null") << " ts=" << o.timestamp << "}";
}

std::vector<Out> ReadAll(TestOutputTopic<WKey, Count>& topic) {
  std::vector<Out> out;
  while (!topic.isEmpty()) {
    Record<WKey, Count> r = topic.readRecord();
    out.push_back(Out{r.key, r.value, r.timestamp});
  }
  return out;
}

// in -> groupByKey -> windowedBy(windows) -> count("sessions") -> changelog stream -> out.
Topology CountTopology(const SessionWindows& windows, StoreType type,
                       std::optional<std::chrono::milliseconds> retention = std::nullopt,
                       EmitStrategy emit = EmitStrategy::onWindowUpdate()) {
  StreamsBuilder builder;
  auto m = Materialized<std::string, int64_t>::as("sessions").withStoreType(type);
  if (retention) m = m.withRetention(*retention);
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(windows)
      .emitStrategy(emit)
      .count(m)
      .toChangelogStream()
      .to("out");
  return builder.build();
}

class SessionCountTest : public ::testing::TestWithParam<StoreType> {
 protected:
  TestOutputTopic<WKey, Count> Output(TopologyTestDriver& driver) {
    return driver.createOutputTopic<WKey, Count>(
        "out", WindowedSerdes::SessionWindowed<std::string>(Serdes::String()));
  }
};

// The developer guide's example ("Session Windows", inactivity gap of 5 minutes): green
// (alice) records at minutes 0 and 6 and a blue (bob) one at 2 give three sessions; then
// alice at 4 bridges her two sessions into [0, 6] with 3 records, bob at 5 extends his to
// [2, 5], and bob at 11 starts a new session. Each merge forwards the tombstones of the
// sessions it replaced, at their own end times.
TEST_P(SessionCountTest, DeveloperGuideExampleMergesSessions) {
  TopologyTestDriver driver(
      CountTopology(SessionWindows::ofInactivityGapWithNoGrace(5min), GetParam(), 1h));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = Output(driver);
  in.pipeInput("alice", "x", 0 * kMinute);
  in.pipeInput("alice", "x", 6 * kMinute);
  in.pipeInput("bob", "x", 2 * kMinute);
  EXPECT_THAT(ReadAll(out),
              ElementsAre(Out{S("alice", 0, 0), 1, 0},
                          Out{S("alice", 6 * kMinute, 6 * kMinute), 1, 6 * kMinute},
                          Out{S("bob", 2 * kMinute, 2 * kMinute), 1, 2 * kMinute}));

  in.pipeInput("alice", "x", 4 * kMinute);  // out of order, bridges [0,0] and [6,6]
  in.pipeInput("bob", "x", 5 * kMinute);    // out of order, extends [2,2]
  in.pipeInput("bob", "x", 11 * kMinute);   // 6 minutes after bob's last: a new session
  EXPECT_THAT(ReadAll(out),
              ElementsAre(Out{S("alice", 0, 0), std::nullopt, 0},
                          Out{S("alice", 6 * kMinute, 6 * kMinute), std::nullopt, 6 * kMinute},
                          Out{S("alice", 0, 6 * kMinute), 3, 6 * kMinute},
                          Out{S("bob", 2 * kMinute, 2 * kMinute), std::nullopt, 2 * kMinute},
                          Out{S("bob", 2 * kMinute, 5 * kMinute), 2, 5 * kMinute},
                          Out{S("bob", 11 * kMinute, 11 * kMinute), 1, 11 * kMinute}));

  auto store = driver.getSessionStore<std::string, int64_t>("sessions");
  using KV = KeyValue<WKey, int64_t>;
  EXPECT_THAT(store.fetch("alice"), ElementsAre(KV{S("alice", 0, 6 * kMinute), 3}));
  EXPECT_THAT(store.fetch("bob"), ElementsAre(KV{S("bob", 2 * kMinute, 5 * kMinute), 2},
                                              KV{S("bob", 11 * kMinute, 11 * kMinute), 1}));
  EXPECT_THAT(store.backwardFetch("bob"),
              ElementsAre(KV{S("bob", 11 * kMinute, 11 * kMinute), 1},
                          KV{S("bob", 2 * kMinute, 5 * kMinute), 2}));
  EXPECT_THAT(store.findSessions("bob", 6 * kMinute, 10 * kMinute), ElementsAre());
  EXPECT_THAT(store.findSessions("bob", 5 * kMinute, 11 * kMinute),
              ElementsAre(KV{S("bob", 2 * kMinute, 5 * kMinute), 2},
                          KV{S("bob", 11 * kMinute, 11 * kMinute), 1}));
  EXPECT_EQ(store.fetchSession("alice", 0, 6 * kMinute), 3);
  EXPECT_EQ(store.fetchSession("alice", 0, 0), std::nullopt);
}

// The gap is inclusive both ways: a record exactly `gap` after a session's end (or before
// its start) joins it; one more millisecond starts a new session.
TEST_P(SessionCountTest, GapBoundsAreInclusive) {
  TopologyTestDriver driver(
      CountTopology(SessionWindows::ofInactivityGapAndGrace(10ms, 100ms), GetParam(), 1h));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = Output(driver);
  in.pipeInput("a", "x", 100);
  in.pipeInput("a", "x", 110);  // exactly the gap after: merges into [100, 110]
  in.pipeInput("a", "x", 121);  // 11 ms after 110: a new session
  in.pipeInput("a", "x", 90);   // exactly the gap before 100: merges into [90, 110]
  EXPECT_THAT(ReadAll(out), ElementsAre(Out{S("a", 100, 100), 1, 100},
                                        Out{S("a", 100, 100), std::nullopt, 100},
                                        Out{S("a", 100, 110), 2, 110},
                                        Out{S("a", 121, 121), 1, 121},
                                        Out{S("a", 100, 110), std::nullopt, 110},
                                        Out{S("a", 90, 110), 3, 110}));
}

// A record inside an existing session leaves its bounds unchanged, yet Kafka Streams
// removes and re-puts it: the tombstone, then the new count, for the same session.
TEST_P(SessionCountTest, RecordInsideASessionReplacesIt) {
  TopologyTestDriver driver(
      CountTopology(SessionWindows::ofInactivityGapWithNoGrace(10ms), GetParam(), 1h));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = Output(driver);
  in.pipeInput("a", "x", 0);
  in.pipeInput("a", "x", 8);
  ReadAll(out);
  in.pipeInput("a", "x", 4);
  EXPECT_THAT(ReadAll(out), ElementsAre(Out{S("a", 0, 8), std::nullopt, 8}, Out{S("a", 0, 8), 3, 8}));
}

// Records are dropped when their (merged) session would end before stream time - grace -
// gap; within that they still merge.
TEST_P(SessionCountTest, LateRecordsWithinGraceMergeLaterOnesAreDropped) {
  TopologyTestDriver driver(
      CountTopology(SessionWindows::ofInactivityGapAndGrace(10ms, 5ms), GetParam(), 1h));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = Output(driver);
  in.pipeInput("a", "x", 0);
  in.pipeInput("b", "x", 30);  // stream time 30: close time 30 - 5 - 10 = 15
  in.pipeInput("a", "x", 15);  // session [15, 15] ends at the close time: accepted
  in.pipeInput("a", "x", 14);  // merges into [14, 15]: accepted
  in.pipeInput("c", "x", 14);  // a new session [14, 14] ends before 15: dropped
  in.pipeInput("a", "x", 2);   // merges with [0, 0] only: [0, 2] ends before 15: dropped
  EXPECT_THAT(ReadAll(out), ElementsAre(Out{S("a", 0, 0), 1, 0}, Out{S("b", 30, 30), 1, 30},
                                        Out{S("a", 15, 15), 1, 15},
                                        Out{S("a", 15, 15), std::nullopt, 15},
                                        Out{S("a", 14, 15), 2, 15}));
  EXPECT_EQ(driver.droppedRecords().at("window-expired"), 2);
  auto store = driver.getSessionStore<std::string, int64_t>("sessions");
  EXPECT_EQ(store.fetchSession("a", 0, 0), 1);  // the dropped record changed nothing
  EXPECT_THAT(store.fetch("c"), ElementsAre());
}

// onWindowClose: no updates; each session once, when stream time - grace - gap passes its
// end, at its end time, ordered by end.
TEST_P(SessionCountTest, OnWindowCloseEmitsOneFinalResultPerSession) {
  TopologyTestDriver driver(CountTopology(SessionWindows::ofInactivityGapAndGrace(10ms, 2ms),
                                          GetParam(), std::nullopt,
                                          EmitStrategy::onWindowClose().withEmitInterval(0ms)));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto out = Output(driver);
  in.pipeInput("a", "x", 0);
  in.pipeInput("a", "x", 5);   // [0, 5]
  in.pipeInput("b", "x", 3);   // [3, 3]
  in.pipeInput("a", "x", 17);  // close time 5: [3,3] closed? 3 < 5: yes; [0,5]: not yet
  EXPECT_THAT(ReadAll(out), ElementsAre(Out{S("b", 3, 3), 1, 3}));
  in.pipeInput("a", "x", 14);  // late but merges: [0, 5] and [17, 17] become [0, 17]
  in.pipeInput("c", "x", 18);  // close time 6: nothing new closed ([0,17] is open)
  EXPECT_TRUE(out.isEmpty());
  in.pipeInput("b", "x", 40);  // close time 28: [0,17] and [18,18] close
  EXPECT_THAT(ReadAll(out), ElementsAre(Out{S("a", 0, 17), 4, 17}, Out{S("c", 18, 18), 1, 18}));
  in.pipeInput("a", "x", 1);   // late: dropped, nothing emitted again
  in.pipeInput("b", "x", 41);
  EXPECT_TRUE(out.isEmpty());
  EXPECT_EQ(driver.droppedRecords().at("window-expired"), 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, SessionCountTest,
                         ::testing::Values(StoreType::kRocksDb, StoreType::kInMemory),
                         [](const auto& info) {
                           return info.param == StoreType::kRocksDb ? "RocksDb" : "InMemory";
                         });

TEST(SessionWindowTest, AggregateUsesTheMergerAndReduceTheReducer) {
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, std::string>("in").groupByKey();
  auto windowed = grouped.windowedBy(SessionWindows::ofInactivityGapWithNoGrace(10ms));
  windowed
      .aggregate([] { return std::string("<"); },
                 [](const std::string&, const std::string& v, const std::string& agg) {
                   return agg + v;
                 },
                 [](const std::string&, const std::string& a, const std::string& b) {
                   return a + "|" + b;
                 },
                 Materialized<std::string, std::string>::as("agg").withRetention(1h))
      .toStream()
      .to("agg-out");
  windowed
      .reduce([](const std::string& agg, const std::string& v) { return agg + v; },
              Materialized<std::string, std::string>::as("reduced").withRetention(1h))
      .toStream()
      .to("reduce-out");
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  auto agg_out = driver.createOutputTopic<WKey, std::string>(
      "agg-out", WindowedSerdes::SessionWindowed<std::string>(Serdes::String()));
  auto reduce_out = driver.createOutputTopic<WKey, std::string>(
      "reduce-out", WindowedSerdes::SessionWindowed<std::string>(Serdes::String()));
  in.pipeInput("k", "a", 0);
  in.pipeInput("k", "b", 20);
  in.pipeInput("k", "c", 10);  // bridges [0,0] and [20,20]
  using KV = KeyValue<WKey, std::string>;
  // Merging starts from the initializer: merger("<", "<a") then merger(.., "<b"), then the
  // record is aggregated in. toStream() drops the tombstones.
  EXPECT_THAT(agg_out.readKeyValuesToList(),
              ElementsAre(KV{S("k", 0, 0), "<a"}, KV{S("k", 20, 20), "<b"},
                          KV{S("k", 0, 20), "<|<a|<bc"}));
  // reduce: the first session's value, then reducer(aggregate, other), then the record.
  EXPECT_THAT(reduce_out.readKeyValuesToList(),
              ElementsAre(KV{S("k", 0, 0), "a"}, KV{S("k", 20, 20), "b"}, KV{S("k", 0, 20), "abc"}));
  auto store = driver.getSessionStore<std::string, std::string>("reduced");
  EXPECT_EQ(store.fetchSession("k", 0, 20), "abc");
}

TEST(SessionWindowTest, DefaultRetentionIsGapPlusGraceBySessionEnd) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(SessionWindows::ofInactivityGapAndGrace(10ms, 5ms))
      .count(Materialized<std::string, int64_t>::as("sessions"));
  TopologyTestDriver driver(builder.build());
  auto in = driver.createInputTopic<std::string, std::string>("in");
  in.pipeInput("a", "x", 0);
  in.pipeInput("a", "x", 5);   // [0, 5]
  in.pipeInput("b", "x", 19);  // store stream time 19: 5 > 19 - 15, still kept
  auto store = driver.getSessionStore<std::string, int64_t>("sessions");
  EXPECT_EQ(store.fetchSession("a", 0, 5), 2);
  in.pipeInput("b", "x", 20);  // 5 <= 20 - 15: expired from the store
  EXPECT_EQ(store.fetchSession("a", 0, 5), std::nullopt);
}

TEST(SessionWindowTest, RetentionShorterThanGapPlusGraceIsRefused) {
  StreamsBuilder builder;
  auto windowed = builder.stream<std::string, std::string>("in")
                      .groupByKey()
                      .windowedBy(SessionWindows::ofInactivityGapAndGrace(10ms, 5ms));
  EXPECT_THROW(windowed.count(Materialized<std::string, int64_t>::as("c").withRetention(14ms)),
               StreamsException);
  EXPECT_NO_THROW(windowed.count(Materialized<std::string, int64_t>::as("d").withRetention(15ms)));
}

TEST(SessionWindowTest, ChangelogUsesKafkaSessionKeyLayoutAndTopicConfigs) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .windowedBy(SessionWindows::ofInactivityGapAndGrace(1min, 10s))
      .count(Materialized<std::string, int64_t>::as("sessions"));
  Topology topology = builder.build();
  const internal::InternalTopic* changelog = nullptr;
  for (const auto& t : topology.internal_topics()) {
    if (t.name == "sessions-changelog") changelog = &t;
  }
  ASSERT_NE(changelog, nullptr);
  ASSERT_TRUE(changelog->configs.count("cleanup.policy"));
  ASSERT_TRUE(changelog->configs.count("retention.ms"));
  EXPECT_EQ(changelog->configs.at("cleanup.policy"), "compact,delete");
  EXPECT_EQ(changelog->configs.at("retention.ms"), std::to_string(70'000 + 86'400'000));

  TopologyTestDriver driver(std::move(topology));
  auto in = driver.createInputTopic<std::string, std::string>("in");
  in.pipeInput("a", "x", 0x102);
  in.pipeInput("a", "x", 0x105);
  auto records =
      driver.createOutputTopic<Bytes, std::optional<int64_t>>("test-app-sessions-changelog")
          .readKeyValuesToList();
  ASSERT_EQ(records.size(), 3u);
  // key "a", END then START, 8 bytes big-endian each — also what
  // WindowedSerdes::SessionWindowed writes, and state::EncodeSessionKey.
  const Bytes first{'a', 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x02};
  const Bytes merged{'a', 0, 0, 0, 0, 0, 0, 0x01, 0x05, 0, 0, 0, 0, 0, 0, 0x01, 0x02};
  EXPECT_EQ(records[0].key, first);
  EXPECT_EQ(records[0].value, 1);
  EXPECT_EQ(records[1].key, first);
  EXPECT_EQ(records[1].value, std::nullopt);  // merged away
  EXPECT_EQ(records[2].key, merged);
  EXPECT_EQ(records[2].value, 2);

  std::string serde_bytes;
  WindowedSerdes::SessionWindowed<std::string>(Serdes::String())
      .serialize(S("a", 0x102, 0x105), serde_bytes);
  EXPECT_EQ(serde_bytes, state::EncodeSessionKey("a", 0x102, 0x105));
  EXPECT_EQ(Bytes(serde_bytes.begin(), serde_bytes.end()), merged);
}

}  // namespace
}  // namespace rill::streams
