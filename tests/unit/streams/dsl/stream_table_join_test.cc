// KStream-KTable joins through TopologyTestDriver: inner and left joins against a source
// table, a filtered and a mapped table (value getters), the Kafka Streams developer guide's
// stream-table semantics (table updates produce nothing; the stream side drives output),
// repartitioning a re-keyed stream, and the co-partition mark.
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
using KS = KeyValue<std::string, std::string>;

// The developer guide's KStream-KTable table (inner and left join, key "k" throughout):
// ts 1 stream a (table empty) / 2 table A / 3 stream b / 4 table B / 5 stream c /
// 6 table delete / 7 stream d.
TEST(StreamTableJoinTest, InnerAndLeftJoinFollowTheDeveloperGuideTable) {
  StreamsBuilder builder;
  auto table = builder.table<std::string, std::string>("right", {},
                                                        Materialized<std::string, std::string>::as("right-store"));
  auto left = builder.stream<std::string, std::string>("left");
  left.join(table, [](const std::string& v, const std::string& t) { return v + "+" + t; })
      .to("inner-out");
  left.leftJoin(table,
                [](const std::string& v, const std::optional<std::string>& t) {
                  return v + "+" + (t ? *t : std::string("null"));
                })
      .to("left-out");
  TopologyTestDriver driver(builder.build());
  auto l = driver.createInputTopic<std::string, std::string>("left");
  auto r = driver.createInputTopic<std::string, std::optional<std::string>>(
      "right", Serdes::String(), Serdes::Nullable(Serdes::String()));
  auto inner = driver.createOutputTopic<std::string, std::string>("inner-out");
  auto leftOut = driver.createOutputTopic<std::string, std::string>("left-out");

  l.pipeInput("k", "a", 1);
  r.pipeInput("k", std::string("A"), 2);
  l.pipeInput("k", "b", 3);
  r.pipeInput("k", std::string("B"), 4);
  l.pipeInput("k", "c", 5);
  r.pipeInput("k", std::nullopt, 6);  // tombstone
  l.pipeInput("k", "d", 7);

  EXPECT_THAT(inner.readKeyValuesToList(), ElementsAre(KS{"k", "b+A"}, KS{"k", "c+B"}));
  EXPECT_THAT(leftOut.readKeyValuesToList(),
              ElementsAre(KS{"k", "a+null"}, KS{"k", "b+A"}, KS{"k", "c+B"}, KS{"k", "d+null"}));
}

TEST(StreamTableJoinTest, OutputKeepsTheStreamRecordsTimestamp) {
  StreamsBuilder builder;
  auto table = builder.table<std::string, std::string>("right");
  builder.stream<std::string, std::string>("left")
      .join(table, [](const std::string& v, const std::string& t) { return v + t; })
      .to("out");
  TopologyTestDriver driver(builder.build());
  driver.createInputTopic<std::string, std::string>("right").pipeInput("k", "T", 100);
  driver.createInputTopic<std::string, std::string>("left").pipeInput("k", "s", 150);
  auto out = driver.createOutputTopic<std::string, std::string>("out");
  ASSERT_FALSE(out.isEmpty());
  Record<std::string, std::string> record = out.readRecord();
  EXPECT_EQ(record.value, "sT");
  EXPECT_EQ(record.timestamp, 150);
  EXPECT_TRUE(out.isEmpty());
}

TEST(StreamTableJoinTest, FilteredAndMappedTablesJoinThroughTheirParentsStore) {
  StreamsBuilder builder;
  auto table = builder.table<std::string, int64_t>("prices");
  auto expensive = table.filter([](const std::string&, const int64_t& p) { return p >= 10; })
                       .mapValues([](const int64_t& p) { return "$" + std::to_string(p); });
  builder.stream<std::string, std::string>("orders")
      .leftJoin(expensive,
                [](const std::string& order, const std::optional<std::string>& price) {
                  return order + ":" + price.value_or("cheap-or-unknown");
                })
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto prices = driver.createInputTopic<std::string, int64_t>("prices");
  auto orders = driver.createInputTopic<std::string, std::string>("orders");
  prices.pipeInput("gold", 100, 1);
  prices.pipeInput("sand", 1, 2);
  orders.pipeInput("gold", "o1", 3);
  orders.pipeInput("sand", "o2", 4);
  orders.pipeInput("air", "o3", 5);
  std::vector<std::string> values;
  auto out = driver.createOutputTopic<std::string, std::string>("out");
  while (!out.isEmpty()) values.push_back(out.readValue());
  EXPECT_THAT(values, ElementsAre("o1:$100", "o2:cheap-or-unknown", "o3:cheap-or-unknown"));
}

TEST(StreamTableJoinTest, ReKeyedStreamIsRepartitionedAndTheSubtopologyIsCopartitioned) {
  StreamsBuilder builder;
  auto customers = builder.table<std::string, std::string>("customers");
  builder.stream<std::string, std::string>("orders")
      .selectKey([](const std::string&, const std::string& customer) { return customer; })
      .join(customers, [](const std::string& customer, const std::string& name) {
        return customer + "=" + name;
      })
      .to("out");
  Topology topology = builder.build();
  ASSERT_EQ(topology.subtopologies().size(), 2u);
  // The join, the table and the repartitioned orders form one sub-topology.
  const auto& subs = topology.subtopologies();
  const auto& joined = subs[0].repartition_sources.empty() ? subs[1] : subs[0];
  const auto& rekey = subs[0].repartition_sources.empty() ? subs[0] : subs[1];
  EXPECT_TRUE(joined.copartitioned);
  EXPECT_FALSE(rekey.copartitioned);
  EXPECT_THAT(joined.source_topics, ::testing::Contains("customers"));
  EXPECT_EQ(joined.repartition_sources.size(), 1u);
  EXPECT_THAT(joined.repartition_sources[0], ::testing::EndsWith("-repartition"));

  TopologyTestDriver driver(std::move(topology));
  driver.createInputTopic<std::string, std::string>("customers").pipeInput("c1", "Ada", 1);
  driver.createInputTopic<std::string, std::string>("orders").pipeInput("order-9", "c1", 2);
  auto out = driver.createOutputTopic<std::string, std::string>("out");
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(KS{"c1", "c1=Ada"}));
}

}  // namespace
}  // namespace rill::streams
