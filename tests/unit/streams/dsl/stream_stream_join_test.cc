// KStream-KStream windowed joins through TopologyTestDriver: the Kafka Streams developer
// guide's stream-stream join table (inner, left and outer, 3.1+ non-eager results), window
// bounds (inclusive at both ends, asymmetric before/after), duplicates on both sides, null
// results only once a window has closed, grace and retention for out-of-order records, the
// emit throttle, and the node / store names Kafka Streams gives a join.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;
using Opt = std::optional<std::string>;

std::string Show(const std::string& v) { return v; }
std::string Show(const Opt& v) { return v ? *v : "null"; }
std::string Show(const std::optional<Opt>& v) { return v ? Show(*v) : "null"; }

template <class L, class R>
std::string Pair(const L& l, const R& r) {
  return "[" + Show(l) + "," + Show(r) + "]";
}

// Everything the topic holds, as "value@timestamp".
template <class K>
std::vector<std::string> Drain(TestOutputTopic<K, std::string>& out) {
  std::vector<std::string> got;
  while (!out.isEmpty()) {
    Record<K, std::string> r = out.readRecord();
    got.push_back(r.value + "@" + std::to_string(r.timestamp));
  }
  return got;
}

// Scans for closed windows after every record (the throttle is wall-clock time).
const StreamJoined<> kNoThrottle = StreamJoined<>().withOuterJoinEmitInterval(0ms);

// ---------------------------------------------------------------------------------------
// The developer guide's KStream-KStream table (3.1+ docs), key "k" throughout, timestamps
// in seconds. The guide states a 10 s window (15 s in the 4.0 docs) with 5 s grace, but
// neither reproduces its own table: rows 14 and 15 join records 11 s apart ([A,d], [D,a]),
// and [E,null] at row 60 needs 40 + window + 5 < 60. A time difference of 11 to 14 s does
// (docs/research/kafka-streams-join-window-semantics.md §1.2); this uses 11 s.
struct GuideRow {
  int64_t ts;  // seconds
  bool left;
  Opt value;
  std::vector<std::string> inner, left_join, outer;  // value@timestamp (ms)
};

const std::vector<GuideRow> kGuide = {
    {1, true, std::nullopt, {}, {}, {}},
    {2, false, std::nullopt, {}, {}, {}},
    {3, true, "A", {}, {}, {}},  // no eager [A,null]: its window is still open
    {4, false, "a", {"[A,a]@4000"}, {"[A,a]@4000"}, {"[A,a]@4000"}},
    {5, true, "B", {"[B,a]@5000"}, {"[B,a]@5000"}, {"[B,a]@5000"}},
    {6, false, "b",
     {"[A,b]@6000", "[B,b]@6000"},
     {"[A,b]@6000", "[B,b]@6000"},
     {"[A,b]@6000", "[B,b]@6000"}},
    {7, true, std::nullopt, {}, {}, {}},
    {8, false, std::nullopt, {}, {}, {}},
    {9, true, "C",
     {"[C,a]@9000", "[C,b]@9000"},
     {"[C,a]@9000", "[C,b]@9000"},
     {"[C,a]@9000", "[C,b]@9000"}},
    {10, false, "c",
     {"[A,c]@10000", "[B,c]@10000", "[C,c]@10000"},
     {"[A,c]@10000", "[B,c]@10000", "[C,c]@10000"},
     {"[A,c]@10000", "[B,c]@10000", "[C,c]@10000"}},
    {11, false, std::nullopt, {}, {}, {}},
    {12, true, std::nullopt, {}, {}, {}},
    {13, false, std::nullopt, {}, {}, {}},
    {14, false, "d",
     {"[A,d]@14000", "[B,d]@14000", "[C,d]@14000"},
     {"[A,d]@14000", "[B,d]@14000", "[C,d]@14000"},
     {"[A,d]@14000", "[B,d]@14000", "[C,d]@14000"}},
    {15, true, "D",
     {"[D,a]@15000", "[D,b]@15000", "[D,c]@15000", "[D,d]@15000"},
     {"[D,a]@15000", "[D,b]@15000", "[D,c]@15000", "[D,d]@15000"},
     {"[D,a]@15000", "[D,b]@15000", "[D,c]@15000", "[D,d]@15000"}},
    {40, true, "E", {}, {}, {}},
    // 40 + 11 + 5 < 60: E's window has closed; the null result keeps E's timestamp.
    {60, true, "F", {}, {"[E,null]@40000"}, {"[E,null]@40000"}},
    {80, false, "f", {}, {"[F,null]@60000"}, {"[F,null]@60000"}},
    // Only the outer join keeps unmatched right records.
    {100, true, "G", {}, {}, {"[null,f]@80000"}},
};

TEST(StreamStreamJoinTest, InnerLeftAndOuterFollowTheDeveloperGuideTable) {
  StreamsBuilder builder;
  auto nullable = Serdes::Nullable(Serdes::String());
  auto left = builder.stream<std::string, Opt>("left", Consumed<std::string, Opt>::with(Serdes::String(), nullable));
  auto right = builder.stream<std::string, Opt>("right", Consumed<std::string, Opt>::with(Serdes::String(), nullable));
  const auto windows = JoinWindows::ofTimeDifferenceAndGrace(11s, 5s);
  left.join(right, [](const Opt& l, const Opt& r) { return Pair(l, r); }, windows, kNoThrottle)
      .to("inner", Produced<std::string, std::string>::with(Serdes::String(), Serdes::String()));
  left.leftJoin(right, [](const Opt& l, const std::optional<Opt>& r) { return Pair(l, r); },
                windows, kNoThrottle)
      .to("left-join", Produced<std::string, std::string>::with(Serdes::String(), Serdes::String()));
  left.outerJoin(right,
                 [](const std::optional<Opt>& l, const std::optional<Opt>& r) { return Pair(l, r); },
                 windows, kNoThrottle)
      .to("outer", Produced<std::string, std::string>::with(Serdes::String(), Serdes::String()));
  TopologyTestDriver driver(builder.build());
  auto l = driver.createInputTopic<std::string, Opt>("left", Serdes::String(), nullable);
  auto r = driver.createInputTopic<std::string, Opt>("right", Serdes::String(), nullable);
  auto inner = driver.createOutputTopic<std::string, std::string>("inner");
  auto left_join = driver.createOutputTopic<std::string, std::string>("left-join");
  auto outer = driver.createOutputTopic<std::string, std::string>("outer");

  int null_rows = 0;
  for (const GuideRow& row : kGuide) {
    (row.left ? l : r).pipeInput("k", row.value, row.ts * 1000);
    if (!row.value) ++null_rows;
    SCOPED_TRACE("row ts " + std::to_string(row.ts));
    EXPECT_EQ(Drain(inner), row.inner);
    EXPECT_EQ(Drain(left_join), row.left_join);
    EXPECT_EQ(Drain(outer), row.outer);
  }
  // Each null value is dropped by each of the three joins.
  EXPECT_EQ(driver.droppedRecords().at("null-value"), 3 * null_rows);
}

// ---------------------------------------------------------------------------------------

struct JoinFixture {
  explicit JoinFixture(const std::function<void(KStream<std::string, std::string>&,
                                                KStream<std::string, std::string>&)>& build) {
    StreamsBuilder builder;
    auto left = builder.stream<std::string, std::string>("left");
    auto right = builder.stream<std::string, std::string>("right");
    build(left, right);
    driver = std::make_unique<TopologyTestDriver>(builder.build());
  }
  void L(const std::string& key, const std::string& value, int64_t ts) {
    driver->createInputTopic<std::string, std::string>("left").pipeInput(key, value, ts);
  }
  void R(const std::string& key, const std::string& value, int64_t ts) {
    driver->createInputTopic<std::string, std::string>("right").pipeInput(key, value, ts);
  }
  std::vector<std::string> Out() {
    auto out = driver->createOutputTopic<std::string, std::string>("out");
    return Drain(out);
  }
  int64_t Dropped(const std::string& reason) {
    auto it = driver->droppedRecords().find(reason);
    return it == driver->droppedRecords().end() ? 0 : it->second;
  }
  std::unique_ptr<TopologyTestDriver> driver;
};

auto InnerJoin(const JoinWindows& windows, const StreamJoined<>& joined = kNoThrottle) {
  return [windows, joined](KStream<std::string, std::string>& l, KStream<std::string, std::string>& r) {
    l.join(r, [](const std::string& a, const std::string& b) { return Pair(a, b); }, windows, joined)
        .to("out");
  };
}
auto LeftJoin(const JoinWindows& windows, const StreamJoined<>& joined = kNoThrottle) {
  return [windows, joined](KStream<std::string, std::string>& l, KStream<std::string, std::string>& r) {
    l.leftJoin(r, [](const std::string& a, const Opt& b) { return Pair(a, b); }, windows, joined)
        .to("out");
  };
}
auto OuterJoin(const JoinWindows& windows, const StreamJoined<>& joined = kNoThrottle) {
  return [windows, joined](KStream<std::string, std::string>& l, KStream<std::string, std::string>& r) {
    l.outerJoin(r, [](const Opt& a, const Opt& b) { return Pair(a, b); }, windows, joined)
        .to("out");
  };
}

TEST(StreamStreamJoinTest, WindowBoundsAreInclusiveAndOneMillisecondOutsideIsNot) {
  // Grace keeps every record in its store for the whole test: only the bounds decide.
  JoinFixture f(InnerJoin(JoinWindows::ofTimeDifferenceAndGrace(10ms, 1000ms)));
  // Left first: right records arriving later look back and ahead 10 ms.
  f.L("k", "L", 100);
  f.R("k", "r89", 89);
  f.R("k", "r90", 90);
  f.R("k", "r110", 110);
  f.R("k", "r111", 111);
  EXPECT_THAT(f.Out(), ElementsAre("[L,r90]@100", "[L,r110]@110"));
  // Right first: the left record finds the ones in [t - 10, t + 10].
  f.R("j", "r89", 89);
  f.R("j", "r90", 90);
  f.R("j", "r110", 110);
  f.R("j", "r111", 111);
  f.L("j", "L", 100);
  EXPECT_THAT(f.Out(), ElementsAre("[L,r90]@100", "[L,r110]@110"));
}

TEST(StreamStreamJoinTest, AsymmetricBeforeAndAfter) {
  // A left record at t joins right records in [t - 5, t + 20].
  const auto windows = JoinWindows::ofTimeDifferenceAndGrace(0ms, 1000ms).before(5ms).after(20ms);
  JoinFixture f(InnerJoin(windows));
  f.L("k", "L", 100);
  f.R("k", "r94", 94);
  f.R("k", "r95", 95);
  f.R("k", "r120", 120);
  f.R("k", "r121", 121);
  EXPECT_THAT(f.Out(), ElementsAre("[L,r95]@100", "[L,r120]@120"));
  f.R("j", "r94", 94);
  f.R("j", "r95", 95);
  f.R("j", "r120", 120);
  f.R("j", "r121", 121);
  f.L("j", "L", 100);
  EXPECT_THAT(f.Out(), ElementsAre("[L,r95]@100", "[L,r120]@120"));
}

TEST(StreamStreamJoinTest, DuplicatesOnBothSidesJoinPairwise) {
  JoinFixture f(InnerJoin(JoinWindows::ofTimeDifferenceWithNoGrace(10ms), StreamJoined<>::as("dups")));
  f.L("k", "a1", 10);
  f.L("k", "a2", 10);  // same key and timestamp: kept as its own entry
  f.R("k", "b1", 12);
  f.R("k", "b2", 12);
  f.L("k", "a3", 11);
  EXPECT_THAT(f.Out(), ElementsAre("[a1,b1]@12", "[a2,b1]@12", "[a1,b2]@12", "[a2,b2]@12",
                                   "[a3,b1]@12", "[a3,b2]@12"));
  auto left_store = f.driver->getWindowStore<std::string, std::string>("dups-this-join-store");
  std::vector<std::string> kept;
  for (const auto& e : left_store.fetch("k", 0, 100)) kept.push_back(e.value + "@" + std::to_string(e.key));
  EXPECT_THAT(kept, ElementsAre("a1@10", "a2@10", "a3@11"));
}

TEST(StreamStreamJoinTest, LeftJoinEmitsNullResultOnlyAfterTheWindowCloses) {
  // A left record at t waits for right records up to t + 10, plus 5 ms grace.
  JoinFixture f(LeftJoin(JoinWindows::ofTimeDifferenceAndGrace(10ms, 5ms),
                         StreamJoined<>::as("lj").withOuterJoinEmitInterval(0ms)));
  auto shared = [&] {
    auto store = f.driver->getKeyValueStore<TimestampedKeyAndJoinSide<std::string>,
                                            std::vector<LeftOrRightValue<std::string, std::string>>>(
        "lj-left-shared-join-store");
    std::vector<std::string> parked;
    for (const auto& e : store.all().toList()) {
      for (const auto& v : e.value) {
        parked.push_back((e.key.left_side ? "L:" : "R:") + e.key.key + "=" + Show(v.left) + "/" +
                         Show(v.right) + "@" + std::to_string(e.key.timestamp));
      }
    }
    return parked;
  };
  f.L("k", "A", 100);
  EXPECT_THAT(f.Out(), IsEmpty());
  EXPECT_THAT(shared(), ElementsAre("L:k=A/null@100"));
  // Right records of another key move stream time; right records are never parked here.
  f.R("z", "z", 110);
  f.R("z", "z", 115);  // 100 + 10 + 5 = 115: not yet past
  EXPECT_THAT(f.Out(), IsEmpty());
  f.R("z", "z", 116);
  EXPECT_THAT(f.Out(), ElementsAre("[A,null]@100"));
  EXPECT_THAT(shared(), IsEmpty());
  // A partner within the window removes the parked record: no null result later.
  f.L("k", "B", 200);
  f.R("k", "b", 205);
  EXPECT_THAT(f.Out(), ElementsAre("[B,b]@205"));
  EXPECT_THAT(shared(), IsEmpty());
  f.R("z", "z", 300);
  EXPECT_THAT(f.Out(), IsEmpty());
}

TEST(StreamStreamJoinTest, OuterJoinClosesEachSideAtItsOwnFarEdge) {
  // A left record waits `after` (20 ms) for a partner, a right record `before` (5 ms).
  const auto windows = JoinWindows::ofTimeDifferenceWithNoGrace(0ms).before(5ms).after(20ms);
  JoinFixture f(OuterJoin(windows));
  f.L("a", "L", 100);
  f.R("b", "R", 100);
  f.R("y", "Y1", 105);  // stream time 105: R's window [95, 105] is still open
  EXPECT_THAT(f.Out(), IsEmpty());
  f.R("y", "Y2", 106);
  EXPECT_THAT(f.Out(), ElementsAre("[null,R]@100"));
  // Stream time 120 = 100 + 20: L's window is still open (the edge is inclusive); one scan
  // emits in store order: by timestamp, then right before left, then key.
  f.R("y", "Y3", 120);
  EXPECT_THAT(f.Out(), ElementsAre("[null,Y1]@105", "[null,Y2]@106"));
  f.R("y", "Y4", 121);
  EXPECT_THAT(f.Out(), ElementsAre("[L,null]@100"));
}

TEST(StreamStreamJoinTest, GraceBoundsHowLongRecordsCanBeJoinedOutOfOrder) {
  // Window 10 ms, grace 5 ms: each store keeps records for 10 + 10 + 5 = 25 ms behind the
  // latest record it was given.
  JoinFixture f(InnerJoin(JoinWindows::ofTimeDifferenceAndGrace(10ms, 5ms)));
  f.L("k", "A", 100);
  f.L("z", "Z", 120);
  f.R("k", "a", 108);  // out of order but A (100 > 120 - 25) is still kept
  EXPECT_THAT(f.Out(), ElementsAre("[A,a]@108"));
  f.L("z", "Z", 126);  // now A is expired: 100 <= 126 - 25
  f.R("k", "b", 109);
  EXPECT_THAT(f.Out(), IsEmpty());
  // Records older than their own store's retention are not kept, and counted.
  EXPECT_EQ(f.Dropped("expired-window-record-drop"), 0);
  f.R("k", "c", 50);   // right store's latest is 109: 50 <= 84
  f.L("k", "D", 55);   // left store's latest is 126: 55 <= 101; finds no c either
  EXPECT_THAT(f.Out(), IsEmpty());
  EXPECT_EQ(f.Dropped("expired-window-record-drop"), 2);
}

TEST(StreamStreamJoinTest, LeftJoinRecordBehindStreamTimeGetsItsNullResultAtOnce) {
  // Kafka Streams' join does not drop late records: one whose window already ended before
  // stream time cannot be matched later, so its null result is final and comes out at once.
  JoinFixture f(LeftJoin(JoinWindows::ofTimeDifferenceAndGrace(10ms, 5ms)));
  f.L("z", "Z", 200);
  f.L("k", "E", 40);  // 40 + 10 < 200
  EXPECT_THAT(f.Out(), ElementsAre("[E,null]@40"));
  f.L("k", "F", 195);  // 195 + 10 >= 200: parked like any other
  EXPECT_THAT(f.Out(), IsEmpty());
}

TEST(StreamStreamJoinTest, NullResultScansAreThrottledByWallClock) {
  // Default interval: 1 s of wall-clock time between scans of the shared store.
  JoinFixture f(LeftJoin(JoinWindows::ofTimeDifferenceAndGrace(10ms, 5ms), StreamJoined<>()));
  f.L("k", "A", 100);  // the first scan happens here (nothing parked yet)
  f.R("z", "z", 200);  // A's window has closed, but the next scan is 1 s away
  EXPECT_THAT(f.Out(), IsEmpty());
  f.driver->advanceWallClockTime(999ms);
  f.R("z", "z", 201);
  EXPECT_THAT(f.Out(), IsEmpty());
  f.driver->advanceWallClockTime(1ms);
  f.R("z", "z", 202);
  EXPECT_THAT(f.Out(), ElementsAre("[A,null]@100"));
}

TEST(StreamStreamJoinTest, JoinerWithKeyAndOtherValueType) {
  StreamsBuilder builder;
  auto left = builder.stream<std::string, std::string>("left");
  auto right = builder.stream<std::string, int64_t>("right");
  left.join(right,
            [](const std::string& key, const std::string& v, const int64_t& n) {
              return key + ":" + v + "x" + std::to_string(n);
            },
            JoinWindows::ofTimeDifferenceWithNoGrace(5ms))
      .to("out");
  TopologyTestDriver driver(builder.build());
  driver.createInputTopic<std::string, std::string>("left").pipeInput("k", "v", 10);
  driver.createInputTopic<std::string, int64_t>("right").pipeInput("k", 3, 12);
  auto out = driver.createOutputTopic<std::string, std::string>("out");
  EXPECT_THAT(Drain(out), ElementsAre("k:vx3@12"));
}

// ---------------------------------------------------------------------------------------
// Names, as Kafka Streams gives them.

std::vector<std::string> StoreNames(const Topology& t) {
  std::vector<std::string> names;
  for (const auto& [name, spec] : t.stores()) names.push_back(name);
  return names;
}

TEST(StreamStreamJoinTest, GeneratedNodeAndStoreNames) {
  auto build = [](int type) {
    StreamsBuilder builder;
    auto l = builder.stream<std::string, std::string>("left");    // 0
    auto r = builder.stream<std::string, std::string>("right");   // 1
    auto j = [](const auto& a, const auto& b) { return Pair(a, b); };
    const auto w = JoinWindows::ofTimeDifferenceWithNoGrace(5ms);
    if (type == 0) l.join(r, j, w).to("out");
    if (type == 1) l.leftJoin(r, j, w).to("out");
    if (type == 2) l.outerJoin(r, j, w).to("out");
    return builder.build();
  };
  Topology inner = build(0);
  EXPECT_THAT(StoreNames(inner),
              ElementsAre("KSTREAM-JOINOTHER-0000000005-store", "KSTREAM-JOINTHIS-0000000004-store"));
  for (const char* node : {"KSTREAM-WINDOWED-0000000002", "KSTREAM-WINDOWED-0000000003",
                           "KSTREAM-JOINTHIS-0000000004", "KSTREAM-JOINOTHER-0000000005",
                           "KSTREAM-MERGE-0000000006"}) {
    EXPECT_NE(inner.FindNode(node), nullptr) << node;
  }
  const auto* spec = &inner.stores().at("KSTREAM-JOINTHIS-0000000004-store");
  EXPECT_EQ(spec->kind, internal::StoreKind::kWindow);
  EXPECT_TRUE(spec->retain_duplicates);
  EXPECT_EQ(spec->window_size_ms, 10);
  EXPECT_EQ(spec->retention_ms, 10);
  EXPECT_TRUE(spec->logging);
  EXPECT_FALSE(spec->caching);
  EXPECT_EQ(inner.subtopologies().size(), 1u);
  EXPECT_TRUE(inner.subtopologies()[0].copartitioned);

  EXPECT_THAT(StoreNames(build(1)),
              ElementsAre("KSTREAM-JOINTHIS-0000000004-store", "KSTREAM-OUTEROTHER-0000000005-store",
                          "KSTREAM-OUTERSHARED-0000000004-store"));
  EXPECT_THAT(StoreNames(build(2)),
              ElementsAre("KSTREAM-OUTEROTHER-0000000005-store", "KSTREAM-OUTERSHARED-0000000004-store",
                          "KSTREAM-OUTERTHIS-0000000004-store"));
}

TEST(StreamStreamJoinTest, StreamJoinedNamesNodesStoresAndRepartitionTopics) {
  StreamsBuilder builder;
  auto l = builder.stream<std::string, std::string>("left").selectKey(
      [](const std::string&, const std::string& v) { return v; });
  auto r = builder.stream<std::string, std::string>("right");
  l.outerJoin(r, [](const auto& a, const auto& b) { return Pair(a, b); },
              JoinWindows::ofTimeDifferenceWithNoGrace(5ms),
              StreamJoined<>::as("st").withName("j").withStoreType(StoreType::kInMemory))
      .to("out");
  Topology t = builder.build();
  EXPECT_THAT(StoreNames(t), ElementsAre("st-outer-other-join-store", "st-outer-shared-join-store",
                                         "st-outer-this-join-store"));
  for (const auto& [name, spec] : t.stores()) EXPECT_FALSE(spec.persistent) << name;
  for (const char* node : {"j-left-repartition-sink", "j-left-repartition-source", "j-this-windowed",
                           "j-other-windowed", "j-outer-this-join", "j-outer-other-join", "j-merge"}) {
    EXPECT_NE(t.FindNode(node), nullptr) << node;
  }
  EXPECT_TRUE(t.IsInternalTopic("j-left-repartition"));
  // The join's sub-topology reads the repartition topic and "right": co-partitioned.
  bool found = false;
  for (const auto& sub : t.subtopologies()) {
    if (std::find(sub.source_topics.begin(), sub.source_topics.end(), "right") == sub.source_topics.end()) continue;
    found = true;
    EXPECT_TRUE(sub.copartitioned);
    EXPECT_THAT(sub.repartition_sources, ElementsAre("j-left-repartition"));
  }
  EXPECT_TRUE(found);
}

TEST(StreamStreamJoinTest, RekeyedStreamJoinsAfterRepartitioning) {
  JoinFixture f([](KStream<std::string, std::string>& l, KStream<std::string, std::string>& r) {
    l.selectKey([](const std::string&, const std::string& v) { return v.substr(0, 1); })
        .join(r, [](const std::string& a, const std::string& b) { return Pair(a, b); },
              JoinWindows::ofTimeDifferenceWithNoGrace(5ms), kNoThrottle)
        .to("out");
  });
  f.L("ignored", "k-left", 10);
  f.R("k", "right", 12);
  EXPECT_THAT(f.Out(), ElementsAre("[k-left,right]@12"));
}

TEST(StreamStreamJoinTest, JoinStoresWriteChangelogs) {
  JoinFixture f(LeftJoin(JoinWindows::ofTimeDifferenceWithNoGrace(5ms), StreamJoined<>::as("c")));
  f.L("k", "A", 10);
  f.L("k", "B", 10);
  // The window store's changelog: key ‖ timestamp ‖ sequence number (duplicates kept apart).
  auto window_log = f.driver->createOutputTopic<Bytes, std::string>("test-app-c-this-join-store-changelog");
  auto entries = window_log.readKeyValuesToList();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, (Bytes{'k', 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 1}));
  EXPECT_EQ(entries[0].value, "A");
  EXPECT_EQ(entries[1].key, (Bytes{'k', 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 2}));
  EXPECT_EQ(entries[1].value, "B");
  // The shared store's: timestamp ‖ side (1 = left) ‖ key -> the parked values so far.
  auto shared_log = f.driver->createOutputTopic<Bytes, Bytes>("test-app-c-left-shared-join-store-changelog");
  auto parked = shared_log.readKeyValuesToList();
  ASSERT_EQ(parked.size(), 2u);
  const Bytes key{0, 0, 0, 0, 0, 0, 0, 10, 1, 'k'};
  EXPECT_EQ(parked[0].key, key);
  EXPECT_EQ(parked[0].value, (Bytes{0, 0, 0, 2, 1, 'A'}));
  EXPECT_EQ(parked[1].key, key);
  EXPECT_EQ(parked[1].value, (Bytes{0, 0, 0, 2, 1, 'A', 0, 0, 0, 2, 1, 'B'}));
}

}  // namespace
}  // namespace rill::streams
