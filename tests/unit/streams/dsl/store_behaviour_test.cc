// How DSL stores behave under TopologyTestDriver: record caching (the driver commits after
// each piped record, so results appear per input; within one input the cache keeps only
// the last update of a key), Materialized::withCachingDisabled, RocksDB and in-memory
// stores, changelog topics "<application.id>-<store>-changelog", logging disabled.
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
using KL = KeyValue<std::string, int64_t>;

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string::npos) end = line.size();
    if (end > start) out.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Topology WordCount(const Materialized<std::string, int64_t>& materialized) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("lines")
      .flatMapValues(Words)
      .groupBy([](const std::string&, const std::string& w) { return w; },
               Grouped<std::string, std::string>::as("words"))
      .count(materialized)
      .toStream()
      .to("counts");
  return builder.build();
}

TEST(StoreBehaviourTest, CacheKeepsTheLastUpdatePerKeyOfEachInput) {
  TopologyTestDriver driver(WordCount(Materialized<std::string, int64_t>::as("c")));
  auto lines = driver.createInputTopic<std::string, std::string>("lines");
  auto counts = driver.createOutputTopic<std::string, int64_t>("counts");
  lines.pipeInput("k", "a a a b", 1);
  // One committed result per key for this input, not a, a, a, b.
  std::vector<KL> first = counts.readKeyValuesToList();
  EXPECT_THAT(first, ::testing::UnorderedElementsAre(KL{"a", 3}, KL{"b", 1}));
  lines.pipeInput("k", "a", 2);
  // The next input's result appears at once (the driver commits after each record).
  EXPECT_THAT(counts.readKeyValuesToList(), ElementsAre(KL{"a", 4}));
}

TEST(StoreBehaviourTest, CachingDisabledForwardsEveryUpdate) {
  TopologyTestDriver driver(
      WordCount(Materialized<std::string, int64_t>::as("c").withCachingDisabled()));
  auto lines = driver.createInputTopic<std::string, std::string>("lines");
  auto counts = driver.createOutputTopic<std::string, int64_t>("counts");
  lines.pipeInput("k", "a a a b", 1);
  EXPECT_THAT(counts.readKeyValuesToList(),
              ElementsAre(KL{"a", 1}, KL{"a", 2}, KL{"a", 3}, KL{"b", 1}));
}

TEST(StoreBehaviourTest, ZeroCacheBudgetForwardsEveryUpdate) {
  TestDriverConfig config;
  config.cache_max_bytes = 0;
  TopologyTestDriver driver(WordCount(Materialized<std::string, int64_t>::as("c")), config);
  auto lines = driver.createInputTopic<std::string, std::string>("lines");
  auto counts = driver.createOutputTopic<std::string, int64_t>("counts");
  lines.pipeInput("k", "a a", 1);
  EXPECT_THAT(counts.readKeyValuesToList(), ElementsAre(KL{"a", 1}, KL{"a", 2}));
}

TEST(StoreBehaviourTest, ChangelogIsCapturedAsAnOutputTopic) {
  TestDriverConfig config;
  config.application_id = "wc";
  TopologyTestDriver driver(
      WordCount(Materialized<std::string, int64_t>::as("c").withCachingDisabled()), config);
  auto lines = driver.createInputTopic<std::string, std::string>("lines");
  lines.pipeInput("k", "x y x", 42);
  auto changelog = driver.createOutputTopic<std::string, int64_t>("wc-c-changelog");
  Record<std::string, int64_t> r = changelog.readRecord();
  EXPECT_EQ(r.key, "x");
  EXPECT_EQ(r.value, 1);
  EXPECT_EQ(r.timestamp, 42);
  EXPECT_THAT(changelog.readKeyValuesToList(), ElementsAre(KL{"y", 1}, KL{"x", 2}));
}

TEST(StoreBehaviourTest, CachedChangelogGetsOneRecordPerKeyPerCommit) {
  TestDriverConfig config;
  config.application_id = "wc";
  TopologyTestDriver driver(WordCount(Materialized<std::string, int64_t>::as("c")), config);
  auto lines = driver.createInputTopic<std::string, std::string>("lines");
  lines.pipeInput("k", "x x x", 1);
  auto changelog = driver.createOutputTopic<std::string, int64_t>("wc-c-changelog");
  EXPECT_THAT(changelog.readKeyValuesToList(), ElementsAre(KL{"x", 3}));
}

TEST(StoreBehaviourTest, LoggingDisabledWritesNoChangelog) {
  TestDriverConfig config;
  config.application_id = "wc";
  Topology topology = WordCount(Materialized<std::string, int64_t>::as("c").withLoggingDisabled());
  for (const auto& t : topology.internal_topics()) EXPECT_NE(t.name, "c-changelog");
  TopologyTestDriver driver(std::move(topology), config);
  auto lines = driver.createInputTopic<std::string, std::string>("lines");
  lines.pipeInput("k", "x", 1);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("c").get("x")), 1);
  EXPECT_THAT(driver.OutputQueue("wc-c-changelog"), IsEmpty());
}

TEST(StoreBehaviourTest, ChangelogConfigsReachTheInternalTopic) {
  Topology topology = WordCount(
      Materialized<std::string, int64_t>::as("c").withLoggingEnabled({{"retention.ms", "1000"}}));
  bool found = false;
  for (const auto& t : topology.internal_topics()) {
    if (t.name != "c-changelog") continue;
    found = true;
    EXPECT_EQ(t.configs.at("cleanup.policy"), "compact");
    EXPECT_EQ(t.configs.at("retention.ms"), "1000");
  }
  EXPECT_TRUE(found);
}

class StoreTypeTest : public ::testing::TestWithParam<StoreType> {};

TEST_P(StoreTypeTest, AggregationTableAndStoreWork) {
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("in")
      .groupByKey()
      .reduce([](const int64_t& a, const int64_t& b) { return a + b; },
              Materialized<std::string, int64_t>::as("sum").withStoreType(GetParam()))
      .toStream()
      .to("out");
  builder.table<std::string, std::string>(
      "t", {}, Materialized<std::string, std::string>::as("table").withStoreType(GetParam()));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto table = driver.createInputTopic<std::string, std::string>("t");
  input.pipeInput("a", 1, 1);
  input.pipeInput("a", 2, 2);
  input.pipeInput("b", 5, 3);
  table.pipeInput("k", "v", 4);
  table.pipeRawBytes(std::string("k"), std::nullopt, 5);
  table.pipeInput("k2", "v2", 6);
  auto sums = driver.getKeyValueStore<std::string, int64_t>("sum");
  EXPECT_EQ(sums.get("a"), 3);
  EXPECT_THAT(sums.all().toList(), ElementsAre(KL{"a", 3}, KL{"b", 5}));
  auto t = driver.getKeyValueStore<std::string, std::string>("table");
  EXPECT_EQ(t.get("k"), std::nullopt);
  EXPECT_EQ(t.get("k2"), "v2");
  EXPECT_EQ((driver.createOutputTopic<std::string, int64_t>("out").readKeyValuesToMap()),
            (std::map<std::string, int64_t>{{"a", 3}, {"b", 5}}));
  EXPECT_EQ(driver.OutputQueue("test-app-sum-changelog").size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(RocksDbAndInMemory, StoreTypeTest,
                         ::testing::Values(StoreType::kRocksDb, StoreType::kInMemory),
                         [](const ::testing::TestParamInfo<StoreType>& info) {
                           return info.param == StoreType::kRocksDb ? std::string("RocksDb")
                                                                    : std::string("InMemory");
                         });

TEST(StoreBehaviourTest, MaterializedAsStoreTypeGeneratesAName) {
  StreamsBuilder builder;
  KTable<std::string, int64_t> t = builder.stream<std::string, int64_t>("in").groupByKey().count(
      Materialized<>::as(StoreType::kInMemory));
  t.toStream().to("out");
  Topology topology = builder.build();
  ASSERT_EQ(topology.stores().size(), 1u);
  EXPECT_FALSE(topology.stores().begin()->second.persistent);
  EXPECT_FALSE(topology.stores().begin()->second.queryable);  // a generated name
  TopologyTestDriver driver(std::move(topology));
  driver.createInputTopic<std::string, int64_t>("in").pipeInput("a", 1, 1);
  EXPECT_EQ((driver.createOutputTopic<std::string, int64_t>("out").readValue()), 1);
}

TEST(StoreBehaviourTest, OutputTimestampIsThatOfTheLatestUpdate) {
  TopologyTestDriver driver(WordCount(Materialized<std::string, int64_t>::as("c")));
  auto lines = driver.createInputTopic<std::string, std::string>("lines");
  auto counts = driver.createOutputTopic<std::string, int64_t>("counts");
  lines.pipeInput("k", "a", 100);
  EXPECT_EQ(counts.readRecord().timestamp, 100);
  lines.pipeInput("k", "a b a", 150);
  for (const auto& r : {counts.readRecord(), counts.readRecord()}) EXPECT_EQ(r.timestamp, 150);
}

}  // namespace
}  // namespace rill::streams
