// The word count through TopologyTestDriver: DSL -> topology -> tasks -> stores -> output.
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

std::vector<std::string> SplitWords(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

Topology WordCount() {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("text-lines")
      .flatMapValues([](const std::string& line) { return SplitWords(line); })
      .groupBy([](const std::string&, const std::string& word) { return word; })
      .count(Materialized<>::as("counts"))
      .toStream()
      .to("word-counts");
  return builder.build();
}

TEST(WordCountTest, CountsWordsIntoStoreAndOutputTopic) {
  TopologyTestDriver driver(WordCount());
  auto input = driver.createInputTopic<std::string, std::string>("text-lines");
  auto output = driver.createOutputTopic<std::string, int64_t>("word-counts");
  input.pipeInput("k", "the quick fox", 1);
  input.pipeInput("k", "the lazy dog the end", 2);
  std::map<std::string, int64_t> counts = output.readKeyValuesToMap();
  EXPECT_EQ(counts["the"], 3);
  EXPECT_EQ(counts["fox"], 1);
  EXPECT_EQ(counts["end"], 1);
  auto store = driver.getKeyValueStore<std::string, int64_t>("counts");
  EXPECT_EQ(store.get("the"), 3);
  EXPECT_EQ(store.get("missing"), std::nullopt);
}

TEST(WordCountTest, DescribeShowsRepartitionSubtopology) {
  std::string text = WordCount().describe();
  EXPECT_THAT(text, testing::HasSubstr("Sub-topology: 0"));
  EXPECT_THAT(text, testing::HasSubstr("Sub-topology: 1"));
  EXPECT_THAT(text, testing::HasSubstr("Sink: counts-repartition-sink (topic: counts-repartition)"));
  EXPECT_THAT(text, testing::HasSubstr("(stores: [counts])"));
}

}  // namespace
}  // namespace rill::streams
