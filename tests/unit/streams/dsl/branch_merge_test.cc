// split() / branch() / defaultBranch() / noDefaultBranch() and merge() through
// TopologyTestDriver, including Kafka Streams' branch naming "<split name><branch name>".
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
using ::testing::UnorderedElementsAre;
using KL = KeyValue<std::string, int64_t>;

template <class M>
std::vector<std::string> Keys(const M& map) {
  std::vector<std::string> out;
  for (const auto& [k, v] : map) out.push_back(k);
  return out;
}

TEST(BranchMergeTest, FirstMatchingBranchWinsAndDefaultTakesTheRest) {
  StreamsBuilder builder;
  auto branches = builder.stream<std::string, int64_t>("in")
                      .split(Named::as("num-"))
                      .branch([](const std::string&, const int64_t& v) { return v < 0; }, "neg")
                      .branch([](const std::string&, const int64_t& v) { return v < 10; }, "small")
                      .defaultBranch("big");
  EXPECT_THAT(Keys(branches), UnorderedElementsAre("num-neg", "num-small", "num-big"));
  branches.at("num-neg").to("neg");
  branches.at("num-small").to("small");
  branches.at("num-big").to("big");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  input.pipeInput("a", -5, 1);  // matches "neg" and "small": goes to the first only
  input.pipeInput("b", 5, 2);
  input.pipeInput("c", 50, 3);
  input.pipeInput("d", 0, 4);
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("neg").readKeyValuesToList()),
              ElementsAre(KL{"a", -5}));
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("small").readKeyValuesToList()),
              ElementsAre(KL{"b", 5}, KL{"d", 0}));
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("big").readKeyValuesToList()),
              ElementsAre(KL{"c", 50}));
}

TEST(BranchMergeTest, GeneratedNamesFollowKafkaStreams) {
  StreamsBuilder builder;
  auto branches = builder
                      .stream<std::string, int64_t>("in")  // KSTREAM-SOURCE-0000000000
                      .split()                             // KSTREAM-BRANCH-0000000001
                      .branch([](const std::string&, const int64_t& v) { return v > 0; })
                      .branch([](const std::string&, const int64_t& v) { return v < 0; })
                      .defaultBranch();
  EXPECT_THAT(Keys(branches),
              UnorderedElementsAre("KSTREAM-BRANCH-00000000011", "KSTREAM-BRANCH-00000000012",
                                   "KSTREAM-BRANCH-00000000010"));
  // Each branch uses up one generated index, as in Kafka Streams: the next is 5.
  branches.at("KSTREAM-BRANCH-00000000010").to("zero");
  std::string text = builder.build().describe();
  EXPECT_THAT(text, HasSubstr("Sink: KSTREAM-SINK-0000000005 (topic: zero)"));
  EXPECT_THAT(text, HasSubstr("Processor: KSTREAM-BRANCH-0000000001 (stores: [])\n"
                              "      --> KSTREAM-BRANCH-00000000010, KSTREAM-BRANCH-00000000011, "
                              "KSTREAM-BRANCH-00000000012\n"));
}

TEST(BranchMergeTest, NoDefaultBranchDropsUnmatchedRecords) {
  StreamsBuilder builder;
  auto branches = builder.stream<std::string, int64_t>("in")
                      .split(Named::as("s-"))
                      .branch([](const std::string&, const int64_t& v) { return v == 1; }, "one")
                      .noDefaultBranch();
  ASSERT_EQ(branches.size(), 1u);
  branches.at("s-one").to("ones");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  input.pipeInput("a", 1, 1);
  input.pipeInput("b", 2, 2);
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("ones").readKeyValuesToList()),
              ElementsAre(KL{"a", 1}));
}

TEST(BranchMergeTest, BranchesCanBeTransformedFurther) {
  StreamsBuilder builder;
  auto branches =
      builder.stream<std::string, int64_t>("in")
          .split(Named::as("s-"))
          .branch([](const std::string&, const int64_t& v) { return v % 2 == 0; }, "even")
          .defaultBranch("odd");
  branches.at("s-even").mapValues([](const int64_t& v) { return v / 2; }).to("halves");
  branches.at("s-odd").groupByKey().count(Materialized<>::as("odd-count"));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  input.pipeInput("a", 4, 1);
  input.pipeInput("a", 3, 2);
  input.pipeInput("a", 5, 3);
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("halves").readKeyValuesToList()),
              ElementsAre(KL{"a", 2}));
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("odd-count").get("a")), 2);
}

TEST(BranchMergeTest, MergeCombinesBothStreams) {
  StreamsBuilder builder;
  auto left = builder.stream<std::string, int64_t>("left");
  auto right = builder.stream<std::string, int64_t>("right").mapValues(
      [](const int64_t& v) { return v * 100; });
  left.merge(right, Named::as("both")).to("out");
  Topology topology = builder.build();
  EXPECT_EQ(topology.subtopologies().size(), 1u);
  EXPECT_THAT(topology.describe(), HasSubstr("Processor: both (stores: [])\n"
                                             "      --> KSTREAM-SINK-0000000003\n"
                                             "      <-- KSTREAM-MAPVALUES-0000000002, "
                                             "KSTREAM-SOURCE-0000000000\n"));
  TopologyTestDriver driver(std::move(topology));
  auto l = driver.createInputTopic<std::string, int64_t>("left");
  auto r = driver.createInputTopic<std::string, int64_t>("right");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  l.pipeInput("a", 1, 1);
  r.pipeInput("b", 2, 2);
  l.pipeInput("c", 3, 3);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"a", 1}, KL{"b", 200}, KL{"c", 3}));
}

TEST(BranchMergeTest, MergeOfAKeyChangedStreamRepartitionsBeforeGrouping) {
  StreamsBuilder builder;
  auto left = builder.stream<std::string, int64_t>("left");
  auto right = builder.stream<std::string, int64_t>("right").selectKey(
      [](const std::string& k, const int64_t&) { return k + k; });
  left.merge(right).groupByKey().count(Materialized<>::as("c"));
  Topology topology = builder.build();
  EXPECT_EQ(topology.subtopologies().size(), 2u);
  TopologyTestDriver driver(std::move(topology));
  driver.createInputTopic<std::string, int64_t>("left").pipeInput("aa", 1, 1);
  driver.createInputTopic<std::string, int64_t>("right").pipeInput("a", 1, 2);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("c").get("aa")), 2);
}

TEST(BranchMergeTest, SplitThenMergeBackTogether) {
  StreamsBuilder builder;
  auto branches = builder.stream<std::string, int64_t>("in")
                      .split(Named::as("s-"))
                      .branch([](const std::string&, const int64_t& v) { return v > 0; }, "pos")
                      .defaultBranch("rest");
  branches.at("s-pos")
      .mapValues([](const int64_t& v) { return -v; })
      .merge(branches.at("s-rest"))
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  input.pipeInput("a", 3, 1);
  input.pipeInput("b", -4, 2);
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("out").readKeyValuesToList()),
              ElementsAre(KL{"a", -3}, KL{"b", -4}));
}

}  // namespace
}  // namespace rill::streams
