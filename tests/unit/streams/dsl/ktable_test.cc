// KTable through TopologyTestDriver: table sources with tombstones, filter / filterNot /
// mapValues (deletes forwarded only for keys that were present), toStream (updates) and
// toChangelogStream (updates and deletes), and KGroupedTable count / reduce / aggregate
// subtracting the old value when a key moves between groups or is deleted.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using ::testing::ElementsAre;
using KL = KeyValue<std::string, int64_t>;
using KO = KeyValue<std::string, std::optional<std::string>>;
using KOL = KeyValue<std::string, std::optional<int64_t>>;

// Pipes a tombstone (null value) for `key`.
void Delete(TestInputTopic<std::string, std::string>& input, const std::string& key, int64_t ts) {
  input.pipeRawBytes(key, std::nullopt, ts);
}

TEST(KTableTest, SourceMaterializesUpdatesAndTombstones) {
  StreamsBuilder builder;
  auto table = builder.table<std::string, std::string>("in", {}, Materialized<>::as("t"));
  EXPECT_EQ(table.queryableStoreName(), "t");
  table.toChangelogStream().to("changes");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto changes = driver.createOutputTopic<std::string, std::optional<std::string>>("changes");
  auto store = driver.getKeyValueStore<std::string, std::string>("t");
  input.pipeInput("a", "1", 1);
  input.pipeInput("b", "2", 2);
  input.pipeInput("a", "3", 3);
  EXPECT_EQ(store.get("a"), "3");
  Delete(input, "a", 4);
  EXPECT_EQ(store.get("a"), std::nullopt);
  EXPECT_EQ(store.get("b"), "2");
  Delete(input, "never-seen", 5);  // deleting an absent key changes nothing
  EXPECT_THAT(changes.readKeyValuesToList(),
              ElementsAre(KO{"a", "1"}, KO{"b", "2"}, KO{"a", "3"}, KO{"a", std::nullopt}));
}

TEST(KTableTest, TombstonesCanBePipedAsNullableValues) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("in", {}, Materialized<>::as("t"));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::optional<std::string>>("in");
  input.pipeInput("a", std::optional<std::string>("x"), 1);
  EXPECT_EQ((driver.getKeyValueStore<std::string, std::string>("t").get("a")), "x");
  input.pipeInput("a", std::nullopt, 2);
  EXPECT_EQ((driver.getKeyValueStore<std::string, std::string>("t").get("a")), std::nullopt);
}

TEST(KTableTest, ToStreamForwardsUpdatesOnly) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("in").toStream().to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  input.pipeInput("a", "1", 10);
  Delete(input, "a", 11);
  input.pipeInput("a", "2", 12);
  Record<std::string, std::string> first = output.readRecord();
  EXPECT_EQ(first.value, "1");
  EXPECT_EQ(first.timestamp, 10);
  Record<std::string, std::string> second = output.readRecord();
  EXPECT_EQ(second.value, "2");
  EXPECT_EQ(second.timestamp, 12);
  EXPECT_TRUE(output.isEmpty());
}

TEST(KTableTest, ToChangelogStreamWritesTombstonesOnTheWire) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("in").toChangelogStream().to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("a", "1", 1);
  Delete(input, "a", 2);
  auto raw = driver.OutputQueue("out");
  ASSERT_EQ(raw.size(), 2u);
  EXPECT_EQ(raw[0].value, std::optional<std::string>("1"));
  EXPECT_EQ(raw[1].key, std::optional<std::string>("a"));
  EXPECT_EQ(raw[1].value, std::nullopt);  // a Kafka tombstone, not empty bytes
}

TEST(KTableTest, FilterForwardsDeletesOnlyForKeysThatWerePresent) {
  StreamsBuilder builder;
  builder.table<std::string, int64_t>("in")
      .filter([](const std::string&, const int64_t& v) { return v > 10; })
      .toChangelogStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto output = driver.createOutputTopic<std::string, std::optional<int64_t>>("out");
  input.pipeInput("a", 5, 1);                             // never passed: nothing
  input.pipeInput("a", 20, 2);                            // passes: update
  input.pipeInput("a", 30, 3);                            // still passes: update
  input.pipeInput("a", 1, 4);                             // no longer passes: delete
  input.pipeInput("a", 2, 5);                             // still filtered out: nothing
  input.pipeRawBytes(std::string("a"), std::nullopt, 6);  // deleted while filtered: nothing
  input.pipeInput("b", 50, 7);
  input.pipeRawBytes(std::string("b"), std::nullopt, 8);  // deleted while passing: delete
  EXPECT_THAT(output.readKeyValuesToList(),
              ElementsAre(KOL{"a", 20}, KOL{"a", 30}, KOL{"a", std::nullopt}, KOL{"b", 50},
                          KOL{"b", std::nullopt}));
}

TEST(KTableTest, FilterNotKeepsWhatThePredicateRejects) {
  StreamsBuilder builder;
  builder.table<std::string, int64_t>("in")
      .filterNot([](const std::string&, const int64_t& v) { return v > 10; })
      .toChangelogStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto output = driver.createOutputTopic<std::string, std::optional<int64_t>>("out");
  input.pipeInput("a", 5, 1);
  input.pipeInput("a", 50, 2);
  input.pipeInput("b", 60, 3);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KOL{"a", 5}, KOL{"a", std::nullopt}));
}

TEST(KTableTest, MapValuesMapsUpdatesAndPassesDeletes) {
  StreamsBuilder builder;
  auto table = builder.table<std::string, std::string>("in");
  table.mapValues([](const std::string& v) { return static_cast<int64_t>(v.size()); })
      .toChangelogStream()
      .to("len");
  table.mapValues([](const std::string& k, const std::string& v) { return k + v; })
      .toStream()
      .to("kv");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto len = driver.createOutputTopic<std::string, std::optional<int64_t>>("len");
  auto kv = driver.createOutputTopic<std::string, std::string>("kv");
  input.pipeInput("a", "xyz", 1);
  Delete(input, "a", 2);
  EXPECT_THAT(len.readKeyValuesToList(), ElementsAre(KOL{"a", 3}, KOL{"a", std::nullopt}));
  EXPECT_THAT(kv.readKeyValuesToList(),
              ElementsAre(KeyValue<std::string, std::string>{"a", "axyz"}));
}

TEST(KTableTest, MapValuesThenFilterSeesMappedOldValues) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("in")
      .mapValues([](const std::string& v) { return static_cast<int64_t>(v.size()); })
      .filter([](const std::string&, const int64_t& n) { return n >= 2; })
      .toChangelogStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, std::optional<int64_t>>("out");
  input.pipeInput("a", "xx", 1);
  input.pipeInput("a", "x", 2);  // the mapped old value (2) passed: delete
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KOL{"a", 2}, KOL{"a", std::nullopt}));
}

// Users (key) -> region (value), counted per region.
Topology RegionCounts() {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("users")
      .groupBy([](const std::string& user, const std::string& region) {
        return KeyValue<std::string, std::string>{region, user};
      })
      .count(Materialized<>::as("per-region"))
      .toStream()
      .to("region-counts");
  return builder.build();
}

TEST(KTableTest, GroupByCountSubtractsWhenAKeyMovesAndOnDelete) {
  TopologyTestDriver driver(RegionCounts());
  auto users = driver.createInputTopic<std::string, std::string>("users");
  auto output = driver.createOutputTopic<std::string, int64_t>("region-counts");
  auto store = driver.getKeyValueStore<std::string, int64_t>("per-region");
  users.pipeInput("alice", "eu", 1);
  users.pipeInput("bob", "eu", 2);
  users.pipeInput("carol", "us", 3);
  EXPECT_EQ(store.get("eu"), 2);
  EXPECT_EQ(store.get("us"), 1);
  users.pipeInput("alice", "us", 4);  // moves: eu -1, us +1
  EXPECT_EQ(store.get("eu"), 1);
  EXPECT_EQ(store.get("us"), 2);
  Delete(users, "bob", 5);  // eu -1
  EXPECT_EQ(store.get("eu"), 0);
  EXPECT_EQ(store.get("us"), 2);
  std::map<std::string, int64_t> latest = output.readKeyValuesToMap();
  EXPECT_EQ(latest["eu"], 0);
  EXPECT_EQ(latest["us"], 2);
}

TEST(KTableTest, GroupByCountEmitsEachChangeWithoutCache) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("users")
      .groupBy([](const std::string& user, const std::string& region) {
        return std::make_pair(region, user);
      })
      .count(Materialized<std::string, int64_t>::as("per-region").withCachingDisabled())
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto users = driver.createInputTopic<std::string, std::string>("users");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  users.pipeInput("alice", "eu", 1);
  users.pipeInput("alice", "us", 2);
  // Same group: subtraction and addition arrive as one update (Kafka Streams 3.5+), so
  // there is no intermediate "us" = 0.
  users.pipeInput("alice", "us", 3);
  EXPECT_THAT(output.readKeyValuesToList(),
              ElementsAre(KL{"eu", 1}, KL{"eu", 0}, KL{"us", 1}, KL{"us", 1}));
}

TEST(KTableTest, GroupByReduceUsesAdderAndSubtractor) {
  // Product of each group's values: the first value is the aggregate (not V{} * v).
  StreamsBuilder builder;
  builder.table<std::string, int64_t>("in")
      .groupBy([](const std::string& k, const int64_t& v) {
        return KeyValue<std::string, int64_t>{k.substr(0, 1), v};
      })
      .reduce([](const int64_t& agg, const int64_t& v) { return agg * v; },
              [](const int64_t& agg, const int64_t& v) { return agg / v; },
              Materialized<>::as("products"))
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto store = driver.getKeyValueStore<std::string, int64_t>("products");
  input.pipeInput("a1", 3, 1);
  EXPECT_EQ(store.get("a"), 3);
  input.pipeInput("a2", 5, 2);
  EXPECT_EQ(store.get("a"), 15);
  input.pipeInput("a1", 7, 3);  // 15 / 3 * 7
  EXPECT_EQ(store.get("a"), 35);
  input.pipeRawBytes(std::string("a2"), std::nullopt, 4);  // 35 / 5
  EXPECT_EQ(store.get("a"), 7);
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  EXPECT_THAT(output.readKeyValuesToList(),
              ElementsAre(KL{"a", 3}, KL{"a", 15}, KL{"a", 35}, KL{"a", 7}));
}

TEST(KTableTest, GroupByAggregateWithInitializer) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("users")
      .groupBy([](const std::string& user, const std::string& region) {
        return KeyValue<std::string, std::string>{region, user};
      })
      .aggregate([] { return std::string(); },
                 [](const std::string&, const std::string& user, const std::string& agg) {
                   return agg + "+" + user;
                 },
                 [](const std::string&, const std::string& user, const std::string& agg) {
                   return agg + "-" + user;
                 },
                 Materialized<>::as("members"))
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto users = driver.createInputTopic<std::string, std::string>("users");
  auto store = driver.getKeyValueStore<std::string, std::string>("members");
  users.pipeInput("alice", "eu", 1);
  users.pipeInput("bob", "eu", 2);
  users.pipeInput("alice", "us", 3);
  EXPECT_EQ(store.get("eu"), "+alice+bob-alice");
  EXPECT_EQ(store.get("us"), "+alice");
}

TEST(KTableTest, GroupByRepartitionsAndCarriesChangesAcrossIt) {
  Topology topology = RegionCounts();
  ASSERT_EQ(topology.subtopologies().size(), 2u);
  EXPECT_EQ(topology.subtopologies()[1].repartition_sources.size(), 1u);
  EXPECT_THAT(topology.subtopologies()[1].stores, ElementsAre("per-region"));
}

TEST(KTableTest, GroupByWithGroupedNamesTheRepartitionTopic) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("users")
      .groupBy(
          [](const std::string& user, const std::string& region) {
            return KeyValue<std::string, std::string>{region, user};
          },
          Grouped<std::string, std::string>::as("regions"))
      .count();
  Topology topology = builder.build();
  ASSERT_EQ(topology.subtopologies().size(), 2u);
  EXPECT_THAT(topology.subtopologies()[1].repartition_sources, ElementsAre("regions-repartition"));
}

TEST(KTableTest, NamedRepartitionIsSharedByAggregationsOfOneGrouping) {
  StreamsBuilder builder;
  auto grouped = builder.table<std::string, std::string>("users").groupBy(
      [](const std::string& user, const std::string& region) {
        return KeyValue<std::string, std::string>{region, user};
      },
      Grouped<std::string, std::string>::as("regions"));
  grouped.count(Materialized<>::as("count"));
  grouped.reduce([](const std::string& a, const std::string& b) { return a + b; },
                 [](const std::string& a, const std::string& b) {
                   return a.substr(0, a.find(b)) + a.substr(a.find(b) + b.size());
                 },
                 Materialized<>::as("names"));
  Topology topology = builder.build();
  ASSERT_EQ(topology.subtopologies().size(), 2u);
  EXPECT_THAT(topology.subtopologies()[1].source_topics, ElementsAre("regions-repartition"));
  TopologyTestDriver driver(std::move(topology));
  auto users = driver.createInputTopic<std::string, std::string>("users");
  users.pipeInput("ann", "eu", 1);
  users.pipeInput("bo", "eu", 2);
  users.pipeInput("ann", "us", 3);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("count").get("eu")), 1);
  EXPECT_EQ((driver.getKeyValueStore<std::string, std::string>("names").get("eu")), "bo");
  EXPECT_EQ((driver.getKeyValueStore<std::string, std::string>("names").get("us")), "ann");
}

TEST(KTableTest, NullKeysAreSkipped) {
  StreamsBuilder builder;
  builder.table<std::optional<std::string>, std::string>("t", {}, Materialized<>::as("t"));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::optional<std::string>, std::string>("t");
  input.pipeInput(std::nullopt, "v", 1);
  input.pipeInput(std::optional<std::string>("k"), "w", 2);
  EXPECT_EQ(driver.droppedRecords().at("null-key"), 1);
  EXPECT_EQ((driver.getKeyValueStore<std::optional<std::string>, std::string>("t").get(
                std::optional<std::string>("k"))),
            "w");
}

TEST(KTableTest, TableFromStreamToTableSupportsGroupBy) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .toTable()
      .groupBy([](const std::string& k, const std::string& v) {
        return KeyValue<std::string, std::string>{v, k};
      })
      .count(Materialized<>::as("c"));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("k1", "x", 1);
  input.pipeInput("k1", "y", 2);
  auto store = driver.getKeyValueStore<std::string, int64_t>("c");
  EXPECT_EQ(store.get("x"), 0);
  EXPECT_EQ(store.get("y"), 1);
}

}  // namespace
}  // namespace rill::streams
