// KStream's stateful operators through TopologyTestDriver: groupByKey / groupBy with
// count, reduce and aggregate, toTable, repartition(), and where repartition topics appear.
#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using KL = KeyValue<std::string, int64_t>;

std::vector<std::string> InternalTopicNames(const Topology& t) {
  std::vector<std::string> out;
  for (const auto& topic : t.internal_topics()) out.push_back(topic.name);
  return out;
}

TEST(KStreamStatefulTest, GroupByKeyCountNeedsNoRepartition) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .count(Materialized<>::as("counts"))
      .toStream()
      .to("out");
  Topology topology = builder.build();
  EXPECT_EQ(topology.subtopologies().size(), 1u);
  EXPECT_THAT(InternalTopicNames(topology), ElementsAre("counts-changelog"));
  TopologyTestDriver driver(std::move(topology));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("a", "x", 1);
  input.pipeInput("b", "y", 2);
  input.pipeInput("a", "z", 3);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"a", 1}, KL{"b", 1}, KL{"a", 2}));
  auto store = driver.getKeyValueStore<std::string, int64_t>("counts");
  EXPECT_EQ(store.get("a"), 2);
  EXPECT_EQ(store.get("b"), 1);
}

TEST(KStreamStatefulTest, GroupByRepartitionsThroughInternalTopic) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupBy([](const std::string&, const std::string& v) { return v; },
               Grouped<std::string, std::string>::as("by-value"))
      .count(Materialized<>::as("counts"))
      .toStream()
      .to("out");
  Topology topology = builder.build();
  ASSERT_EQ(topology.subtopologies().size(), 2u);
  EXPECT_THAT(topology.subtopologies()[1].repartition_sources, ElementsAre("by-value-repartition"));
  EXPECT_THAT(InternalTopicNames(topology),
              ElementsAre("by-value-repartition", "counts-changelog"));
  TopologyTestDriver driver(std::move(topology));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("k1", "red", 1);
  input.pipeInput("k2", "red", 2);
  input.pipeInput("k3", "blue", 3);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"red", 1}, KL{"red", 2}, KL{"blue", 1}));
  // The repartition topic (prefixed with the application id) carries the re-keyed records.
  auto repartition =
      driver.createOutputTopic<std::string, std::string>("test-app-by-value-repartition");
  EXPECT_THAT(repartition.readKeyValuesToList(),
              ElementsAre(KeyValue<std::string, std::string>{"red", "red"},
                          KeyValue<std::string, std::string>{"red", "red"},
                          KeyValue<std::string, std::string>{"blue", "blue"}));
}

TEST(KStreamStatefulTest, GroupByKeyAfterKeyChangeRepartitions) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .selectKey([](const std::string&, const std::string& v) { return v; })
      .groupByKey()
      .count()
      .toStream()
      .to("out");
  Topology topology = builder.build();
  EXPECT_EQ(topology.subtopologies().size(), 2u);
  TopologyTestDriver driver(std::move(topology));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("k1", "x", 1);
  input.pipeInput("k2", "x", 2);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"x", 1}, KL{"x", 2}));
}

TEST(KStreamStatefulTest, MapValuesKeepsKeySoNoRepartition) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .mapValues([](const std::string& v) { return v + v; })
      .filter([](const std::string&, const std::string&) { return true; })
      .groupByKey()
      .count();
  EXPECT_EQ(builder.build().subtopologies().size(), 1u);
}

TEST(KStreamStatefulTest, ReduceStartsFromTheFirstValue) {
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("in")
      .groupByKey()
      .reduce([](const int64_t& agg, const int64_t& v) { return std::max(agg, v); },
              Materialized<>::as("max"))
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("a", -7, 1);  // the first value is the aggregate: not max(0, -7)
  input.pipeInput("a", -9, 2);
  input.pipeInput("a", -3, 3);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"a", -7}, KL{"a", -7}, KL{"a", -3}));
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("max").get("a")), -3);
}

TEST(KStreamStatefulTest, AggregateIntoAnotherType) {
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("in")
      .groupByKey()
      .aggregate([] { return std::string("init"); },
                 [](const std::string& k, const int64_t& v, const std::string& agg) {
                   return agg + "|" + k + std::to_string(v);
                 },
                 Materialized<std::string, std::string>::as("agg"))
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  input.pipeInput("a", 1, 1);
  input.pipeInput("b", 2, 2);
  input.pipeInput("a", 3, 3);
  EXPECT_EQ(output.readValue(), "init|a1");
  EXPECT_EQ(output.readValue(), "init|b2");
  EXPECT_EQ(output.readValue(), "init|a1|a3");
  EXPECT_EQ((driver.getKeyValueStore<std::string, std::string>("agg").get("a")), "init|a1|a3");
}

TEST(KStreamStatefulTest, AggregateWithCustomValueSerde) {
  struct Sum {
    int64_t total = 0;
  };
  class SumSerde : public Serde<Sum>::Impl {
   public:
    bool Serialize(const Sum& s, std::string& out) const override {
      return Serdes::Long().serialize(s.total, out);
    }
    absl::StatusOr<Sum> Deserialize(std::optional<std::string_view> bytes) const override {
      auto v = Serdes::Long().deserialize(bytes);
      if (!v.ok()) return v.status();
      return Sum{*v};
    }
  };
  Serde<Sum> sum_serde(std::make_shared<SumSerde>());
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("in")
      .groupByKey()
      .aggregate(
          [] { return Sum{}; },
          [](const std::string&, const int64_t& v, const Sum& s) { return Sum{s.total + v}; },
          Materialized<std::string, Sum>::as("sums").withValueSerde(sum_serde))
      .toStream()
      .mapValues([](const Sum& s) { return s.total; })
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("a", 4, 1);
  input.pipeInput("a", 5, 2);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"a", 4}, KL{"a", 9}));
  EXPECT_EQ((driver.getKeyValueStore<std::string, Sum>("sums").get("a"))->total, 9);
}

TEST(KStreamStatefulTest, AggregateWithoutValueSerdeFailsAtBuild) {
  struct NoSerde {};
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, int64_t>("in").groupByKey();
  EXPECT_THROW(grouped.aggregate([] { return NoSerde{}; }, [](const std::string&, const int64_t&,
                                                              const NoSerde& a) { return a; }),
               StreamsException);
}

TEST(KStreamStatefulTest, GroupByToAKeyTypeWithoutDefaultSerde) {
  struct Color {
    std::string name;
  };
  class ColorSerde : public Serde<Color>::Impl {
   public:
    bool Serialize(const Color& c, std::string& out) const override {
      out += "color:" + c.name;
      return true;
    }
    absl::StatusOr<Color> Deserialize(std::optional<std::string_view> bytes) const override {
      if (!bytes || !bytes->starts_with("color:")) return absl::InvalidArgumentError("no color");
      return Color{std::string(bytes->substr(6))};
    }
  };
  Serde<Color> colors(std::make_shared<ColorSerde>());
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, std::string>("in").groupBy(
      [](const std::string&, const std::string& v) { return Color{v}; },
      Grouped<Color, std::string>::with(colors, Serdes::String()));
  grouped.count(Materialized<>::as("per-color")).toStream().to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("k1", "red", 1);
  input.pipeInput("k2", "red", 2);
  // The key serde of the grouping carries to the store and to the sink.
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"color:red", 1}, KL{"color:red", 2}));
  EXPECT_EQ((driver.getKeyValueStore<Color, int64_t>("per-color").all().toList().size()), 1u);
}

TEST(KStreamStatefulTest, GroupByWithoutSerdeForTheNewKeyFails) {
  struct Color {
    std::string name;
  };
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, std::string>("in").groupBy(
      [](const std::string&, const std::string& v) { return Color{v}; });
  EXPECT_THROW(grouped.count(), StreamsException);
}

TEST(KStreamStatefulTest, GroupByNullKeysAreDropped) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupBy([](const std::string&, const std::string& v) -> std::optional<std::string> {
        if (v.empty()) return std::nullopt;
        return v;
      })
      .count()
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::optional<std::string>, int64_t>("out");
  input.pipeInput("k", "", 1);
  input.pipeInput("k", "x", 2);
  auto kv = output.readKeyValuesToList();
  ASSERT_EQ(kv.size(), 1u);
  EXPECT_EQ(kv[0].key, std::optional<std::string>("x"));
  EXPECT_EQ(kv[0].value, 1);
  EXPECT_EQ(driver.droppedRecords().at("null-key"), 1);
}

TEST(KStreamStatefulTest, ToTableUpsertsAndMaterializes) {
  StreamsBuilder builder;
  KTable<std::string, std::string> table =
      builder.stream<std::string, std::string>("in").toTable(Materialized<>::as("latest"));
  EXPECT_EQ(table.queryableStoreName(), "latest");
  table.toStream().to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  input.pipeInput("a", "1", 1);
  input.pipeInput("a", "2", 2);
  input.pipeInput("b", "3", 3);
  EXPECT_EQ(output.getQueueSize(), 3u);
  auto store = driver.getKeyValueStore<std::string, std::string>("latest");
  EXPECT_EQ(store.get("a"), "2");
  EXPECT_EQ(store.get("b"), "3");
  EXPECT_EQ(store.all().toList().size(), 2u);
}

TEST(KStreamStatefulTest, ToTableAfterKeyChangeRepartitions) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .selectKey([](const std::string&, const std::string& v) { return v; })
      .toTable(Materialized<>::as("by-value"));
  Topology topology = builder.build();
  EXPECT_EQ(topology.subtopologies().size(), 2u);
  TopologyTestDriver driver(std::move(topology));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("k", "v", 1);
  EXPECT_EQ((driver.getKeyValueStore<std::string, std::string>("by-value").get("v")), "v");
}

TEST(KStreamStatefulTest, ExplicitRepartitionSplitsSubtopologies) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .repartition(Grouped<std::string, std::string>::as("shuffle"))
      .mapValues([](const std::string& v) { return v + "!"; })
      .to("out");
  Topology topology = builder.build();
  ASSERT_EQ(topology.subtopologies().size(), 2u);
  EXPECT_THAT(topology.subtopologies()[0].sink_topics, ElementsAre("shuffle-repartition"));
  EXPECT_THAT(topology.subtopologies()[1].source_topics, ElementsAre("shuffle-repartition"));
  EXPECT_THAT(InternalTopicNames(topology), ElementsAre("shuffle-repartition"));
  TopologyTestDriver driver(std::move(topology));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  input.pipeInput("k", "v", 7);
  Record<std::string, std::string> r = output.readRecord();
  EXPECT_EQ(r.key, "k");
  EXPECT_EQ(r.value, "v!");
  EXPECT_EQ(r.timestamp, 7);
}

TEST(KStreamStatefulTest, TwoAggregationsOfOneStream) {
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, int64_t>("in").groupByKey();
  grouped.count(Materialized<>::as("count")).toStream().to("counts");
  grouped
      .reduce([](const int64_t& a, const int64_t& b) { return a + b; }, Materialized<>::as("sum"))
      .toStream()
      .to("sums");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  input.pipeInput("a", 10, 1);
  input.pipeInput("a", 5, 2);
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("counts").readKeyValuesToList()),
              ElementsAre(KL{"a", 1}, KL{"a", 2}));
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("sums").readKeyValuesToList()),
              ElementsAre(KL{"a", 10}, KL{"a", 15}));
}

TEST(KStreamStatefulTest, NamedRepartitionIsSharedByAggregationsOfOneGrouping) {
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, int64_t>("in")
                     .selectKey([](const std::string& k, const int64_t&) { return k.substr(0, 1); })
                     .groupByKey(Grouped<std::string, int64_t>::as("by-initial"));
  grouped.count(Materialized<>::as("count"));
  grouped.reduce([](const int64_t& a, const int64_t& b) { return a + b; },
                 Materialized<>::as("sum"));
  Topology topology = builder.build();
  ASSERT_EQ(topology.subtopologies().size(), 2u);
  EXPECT_THAT(topology.subtopologies()[1].source_topics, ElementsAre("by-initial-repartition"));
  TopologyTestDriver driver(std::move(topology));
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  input.pipeInput("ab", 2, 1);
  input.pipeInput("ac", 3, 2);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("count").get("a")), 2);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("sum").get("a")), 5);
}

TEST(KStreamStatefulTest, UnnamedRepartitionsArePerAggregation) {
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, int64_t>("in")
                     .selectKey([](const std::string& k, const int64_t&) { return k + k; })
                     .groupByKey();
  grouped.count(Materialized<>::as("c1"));
  grouped.count(Materialized<>::as("c2"));
  Topology topology = builder.build();
  EXPECT_THAT(InternalTopicNames(topology),
              ElementsAre("c1-repartition", "c2-repartition", "c1-changelog", "c2-changelog"));
  TopologyTestDriver driver(std::move(topology));
  driver.createInputTopic<std::string, int64_t>("in").pipeInput("a", 1, 1);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("c1").get("aa")), 1);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("c2").get("aa")), 1);
}

TEST(KStreamStatefulTest, NullValuesAreSkippedByStreamAggregations) {
  StreamsBuilder builder;
  builder.stream<std::string, std::optional<std::string>>("in").groupByKey().count(
      Materialized<>::as("c"));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::optional<std::string>>("in");
  input.pipeInput("a", std::optional<std::string>("x"), 1);
  input.pipeInput("a", std::nullopt, 2);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("c").get("a")), 1);
  EXPECT_EQ(driver.droppedRecords().at("null-value"), 1);
}

TEST(KStreamStatefulTest, NullKeysAreSkippedByToTableAndAggregations) {
  StreamsBuilder builder;
  auto in = builder.stream<std::optional<std::string>, int64_t>("in");
  in.toTable(Materialized<>::as("latest"));
  in.groupByKey().count(Materialized<>::as("c"));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::optional<std::string>, int64_t>("in");
  input.pipeInput(std::nullopt, 1, 1);
  input.pipeInput(std::optional<std::string>("k"), 2, 2);
  EXPECT_EQ(driver.droppedRecords().at("null-key"), 2);
  EXPECT_EQ((driver.getKeyValueStore<std::optional<std::string>, int64_t>("latest").get(
                std::optional<std::string>("k"))),
            2);
  EXPECT_EQ((driver.getKeyValueStore<std::optional<std::string>, int64_t>("c").get(
                std::optional<std::string>("k"))),
            1);
}

TEST(KStreamStatefulTest, GeneratedRepartitionNamesFollowTheStore) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .selectKey([](const std::string&, const std::string& v) { return v; })
      .groupByKey()
      .count();
  std::string text = builder.build().describe();
  // The store is KSTREAM-AGGREGATE-STATE-STORE-0000000002 and names the repartition topic.
  EXPECT_THAT(text, HasSubstr("(topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)"));
  EXPECT_THAT(text, HasSubstr("(stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])"));
  EXPECT_THAT(text, Not(HasSubstr("STATE-STORE-0000000002-repartition-sink")));
}

}  // namespace
}  // namespace rill::streams
