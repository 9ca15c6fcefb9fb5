// Topology::describe() matches Kafka Streams' TopologyDescription text (generated names,
// sub-topologies split at repartition topics, node order and successor order), names given
// with Named / Grouped / Consumed / Produced / Materialized, and the errors build() reports.
//
// Misuse that fails to compile, by design (kept out of the build; each static_assert or
// type mismatch names the operator):
//   - stream.filter([](const std::string&) { return true; })      // predicate must take (K, V)
//   - stream.map([](const K&, const V&) { return 1; })             // must return KeyValue/pair
//   - stream.flatMapValues([](const V&) { return 1; })             // must return a range
//   - grouped.reduce([](const V&, const V&) { return std::string(); })  // for V = int64_t
//   - grouped.aggregate(init, [](const K&, const V&) { ... })      // aggregator needs 3 args
//   - builder.stream<std::string, int64_t>("t", Consumed<std::string, std::string>::with(...))
//                                                                    // serde type mismatch
//   - grouped.count(Materialized<std::string, std::string>::as("c")) // count's value is int64_t
//   - DefaultSerde<MyStruct>()                                       // no default serde
//   - table.groupBy([](const K&, const V&) { return 1; })            // must return KeyValue/pair
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using ::testing::HasSubstr;

bool Keep(const std::string&, const std::string& v) { return !v.empty(); }

TEST(TopologyDescribeTest, GeneratedNamesMatchKafkaStreamsExactly) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("input")
      .filter(Keep)
      .mapValues([](const std::string& v) { return v + v; })
      .groupBy([](const std::string&, const std::string& v) { return v; })
      .count()
      .toStream()
      .to("output");
  // What Kafka Streams prints for the same program (names, order and layout).
  EXPECT_EQ(builder.build().describe(),
            "Topologies:\n"
            "   Sub-topology: 0\n"
            "    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n"
            "      --> KSTREAM-FILTER-0000000001\n"
            "    Processor: KSTREAM-FILTER-0000000001 (stores: [])\n"
            "      --> KSTREAM-MAPVALUES-0000000002\n"
            "      <-- KSTREAM-SOURCE-0000000000\n"
            "    Processor: KSTREAM-MAPVALUES-0000000002 (stores: [])\n"
            "      --> KSTREAM-KEY-SELECT-0000000003\n"
            "      <-- KSTREAM-FILTER-0000000001\n"
            "    Processor: KSTREAM-KEY-SELECT-0000000003 (stores: [])\n"
            "      --> KSTREAM-FILTER-0000000007\n"
            "      <-- KSTREAM-MAPVALUES-0000000002\n"
            "    Processor: KSTREAM-FILTER-0000000007 (stores: [])\n"
            "      --> KSTREAM-SINK-0000000006\n"
            "      <-- KSTREAM-KEY-SELECT-0000000003\n"
            "    Sink: KSTREAM-SINK-0000000006 (topic: "
            "KSTREAM-AGGREGATE-STATE-STORE-0000000004-repartition)\n"
            "      <-- KSTREAM-FILTER-0000000007\n"
            "\n"
            "  Sub-topology: 1\n"
            "    Source: KSTREAM-SOURCE-0000000008 (topics: "
            "[KSTREAM-AGGREGATE-STATE-STORE-0000000004-repartition])\n"
            "      --> KSTREAM-AGGREGATE-0000000005\n"
            "    Processor: KSTREAM-AGGREGATE-0000000005 (stores: "
            "[KSTREAM-AGGREGATE-STATE-STORE-0000000004])\n"
            "      --> KTABLE-TOSTREAM-0000000009\n"
            "      <-- KSTREAM-SOURCE-0000000008\n"
            "    Processor: KTABLE-TOSTREAM-0000000009 (stores: [])\n"
            "      --> KSTREAM-SINK-0000000010\n"
            "      <-- KSTREAM-AGGREGATE-0000000005\n"
            "    Sink: KSTREAM-SINK-0000000010 (topic: output)\n"
            "      <-- KTABLE-TOSTREAM-0000000009\n"
            "\n");
}

TEST(TopologyDescribeTest, ExplicitNamesNameNodesStoresAndTopics) {
  StreamsBuilder builder;
  builder
      .stream("input", Consumed<std::string, std::string>::with(Serdes::String(), Serdes::String())
                           .withName("src"))
      .filter(Keep, Named::as("keep"))
      .groupBy([](const std::string&, const std::string& v) { return v; },
               Grouped<std::string, std::string>::as("regroup"))
      .count(Materialized<>::as("counts"), Named::as("counter"))
      .toStream(Named::as("to-stream"))
      .to("output", Produced<std::string, int64_t>{}.withName("sink"));
  // Kafka Streams names the key selector of groupBy() after Grouped's name.
  EXPECT_EQ(builder.build().describe(),
            "Topologies:\n"
            "   Sub-topology: 0\n"
            "    Source: src (topics: [input])\n"
            "      --> keep\n"
            "    Processor: keep (stores: [])\n"
            "      --> regroup\n"
            "      <-- src\n"
            "    Processor: regroup (stores: [])\n"
            "      --> regroup-repartition-filter\n"
            "      <-- keep\n"
            "    Processor: regroup-repartition-filter (stores: [])\n"
            "      --> regroup-repartition-sink\n"
            "      <-- regroup\n"
            "    Sink: regroup-repartition-sink (topic: regroup-repartition)\n"
            "      <-- regroup-repartition-filter\n"
            "\n"
            "  Sub-topology: 1\n"
            "    Source: regroup-repartition-source (topics: [regroup-repartition])\n"
            "      --> counter\n"
            "    Processor: counter (stores: [counts])\n"
            "      --> to-stream\n"
            "      <-- regroup-repartition-source\n"
            "    Processor: to-stream (stores: [])\n"
            "      --> sink\n"
            "      <-- counter\n"
            "    Sink: sink (topic: output)\n"
            "      <-- to-stream\n"
            "\n");
}

TEST(TopologyDescribeTest, NodesAndSuccessorsOrderedBySubtreeSizeThenName) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");  // KSTREAM-SOURCE-0000000000
  in.to("direct");                                           // KSTREAM-SINK-0000000001
  in.filter(Keep).mapValues([](const std::string& v) { return v; }).to("deep");  // 2, 3, 4
  in.peek([](const std::string&, const std::string&) {});  // KSTREAM-PEEK-0000000005
  EXPECT_EQ(builder.build().describe(),
            "Topologies:\n"
            "   Sub-topology: 0\n"
            "    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n"
            "      --> KSTREAM-FILTER-0000000002, KSTREAM-PEEK-0000000005, "
            "KSTREAM-SINK-0000000001\n"
            "    Processor: KSTREAM-FILTER-0000000002 (stores: [])\n"
            "      --> KSTREAM-MAPVALUES-0000000003\n"
            "      <-- KSTREAM-SOURCE-0000000000\n"
            "    Processor: KSTREAM-MAPVALUES-0000000003 (stores: [])\n"
            "      --> KSTREAM-SINK-0000000004\n"
            "      <-- KSTREAM-FILTER-0000000002\n"
            "    Processor: KSTREAM-PEEK-0000000005 (stores: [])\n"
            "      --> none\n"
            "      <-- KSTREAM-SOURCE-0000000000\n"
            "    Sink: KSTREAM-SINK-0000000001 (topic: direct)\n"
            "      <-- KSTREAM-SOURCE-0000000000\n"
            "    Sink: KSTREAM-SINK-0000000004 (topic: deep)\n"
            "      <-- KSTREAM-MAPVALUES-0000000003\n"
            "\n");
}

TEST(TopologyDescribeTest, TableSourceAndTableOperators) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("users").filter(Keep).toStream().to("out");
  std::string text = builder.build().describe();
  EXPECT_THAT(text, HasSubstr("Source: KSTREAM-SOURCE-0000000001 (topics: [users])\n"
                              "      --> KTABLE-SOURCE-0000000002\n"));
  EXPECT_THAT(text, HasSubstr("Processor: KTABLE-SOURCE-0000000002 (stores: "
                              "[users-STATE-STORE-0000000000])\n"
                              "      --> KTABLE-FILTER-0000000003\n"
                              "      <-- KSTREAM-SOURCE-0000000001\n"));
  EXPECT_THAT(text, HasSubstr("Processor: KTABLE-TOSTREAM-0000000004 (stores: [])\n"));
}

TEST(TopologyDescribeTest, TableGroupByCountMatchesKafkaStreamsExactly) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("t")
      .groupBy([](const std::string& k, const std::string& v) {
        return KeyValue<std::string, std::string>{v, k};
      })
      .count()
      .toStream()
      .to("out");
  EXPECT_EQ(builder.build().describe(),
            "Topologies:\n"
            "   Sub-topology: 0\n"
            "    Source: KSTREAM-SOURCE-0000000001 (topics: [t])\n"
            "      --> KTABLE-SOURCE-0000000002\n"
            "    Processor: KTABLE-SOURCE-0000000002 (stores: [t-STATE-STORE-0000000000])\n"
            "      --> KTABLE-SELECT-0000000003\n"
            "      <-- KSTREAM-SOURCE-0000000001\n"
            "    Processor: KTABLE-SELECT-0000000003 (stores: [])\n"
            "      --> KSTREAM-SINK-0000000005\n"
            "      <-- KTABLE-SOURCE-0000000002\n"
            "    Sink: KSTREAM-SINK-0000000005 (topic: "
            "KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)\n"
            "      <-- KTABLE-SELECT-0000000003\n"
            "\n"
            "  Sub-topology: 1\n"
            "    Source: KSTREAM-SOURCE-0000000006 (topics: "
            "[KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition])\n"
            "      --> KTABLE-AGGREGATE-0000000007\n"
            "    Processor: KTABLE-AGGREGATE-0000000007 (stores: "
            "[KTABLE-AGGREGATE-STATE-STORE-0000000004])\n"
            "      --> KTABLE-TOSTREAM-0000000008\n"
            "      <-- KSTREAM-SOURCE-0000000006\n"
            "    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])\n"
            "      --> KSTREAM-SINK-0000000009\n"
            "      <-- KTABLE-AGGREGATE-0000000007\n"
            "    Sink: KSTREAM-SINK-0000000009 (topic: out)\n"
            "      <-- KTABLE-TOSTREAM-0000000008\n"
            "\n");
}

TEST(TopologyDescribeTest, IndependentStreamsAreSeparateSubtopologies) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("a").to("a-out");
  builder.stream<std::string, std::string>("b").to("b-out");
  Topology topology = builder.build();
  ASSERT_EQ(topology.subtopologies().size(), 2u);
  EXPECT_THAT(topology.describe(),
              HasSubstr("\n\n  Sub-topology: 1\n"
                        "    Source: KSTREAM-SOURCE-0000000002 (topics: [b])\n"));
  EXPECT_EQ(topology.topic_to_subtopology().at("a"), 0);
  EXPECT_EQ(topology.topic_to_subtopology().at("b"), 1);
}

TEST(TopologyDescribeTest, TopicExtractorSink) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to(
      [](const std::string& k, const std::string&, const RecordMetadata*) { return k; },
      Produced<std::string, std::string>{}.withName("route"));
  EXPECT_THAT(builder.build().describe(), HasSubstr("    Sink: route (extractor)\n"
                                                    "      <-- KSTREAM-SOURCE-0000000000\n"));
}

// --- errors from build() ---

std::string BuildError(StreamsBuilder& builder) {
  try {
    builder.build();
  } catch (const StreamsException& e) {
    return e.what();
  }
  return "";
}

TEST(TopologyDescribeTest, DuplicateNodeNamesAreRejected) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.filter(Keep, Named::as("dup")).to("a");
  in.filter(Keep, Named::as("dup")).to("b");
  EXPECT_THAT(BuildError(builder), HasSubstr("two nodes are named 'dup'"));
}

TEST(TopologyDescribeTest, DuplicateStoreNamesAreRejected) {
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, std::string>("in").groupByKey();
  grouped.count(Materialized<>::as("same"));
  grouped.count(Materialized<>::as("same"));
  EXPECT_THAT(BuildError(builder), HasSubstr("two stores are named 'same'"));
}

TEST(TopologyDescribeTest, UnknownStoreIsRejected) {
  class Nop : public Processor<std::string, std::string, std::string, std::string> {
   public:
    void process(const Record<std::string, std::string>&) override {}
  };
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").process<std::string, std::string>(
      [] { return std::make_unique<Nop>(); }, {"missing"}, Named::as("p"));
  EXPECT_THAT(BuildError(builder), HasSubstr("node 'p' uses unknown store 'missing'"));
}

TEST(TopologyDescribeTest, TopicReadTwiceIsRejected) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in");
  builder.stream<std::string, std::string>("in");
  EXPECT_THAT(BuildError(builder), HasSubstr("topic 'in' is read by two sources"));
}

TEST(TopologyDescribeTest, StoreNotConnectedIsRejected) {
  StreamsBuilder builder;
  builder.addStateStore(Stores::keyValueStoreBuilder(Stores::inMemoryKeyValueStore("lonely"),
                                                     Serdes::String(), Serdes::String()));
  builder.stream<std::string, std::string>("in").to("out");
  EXPECT_THAT(BuildError(builder), HasSubstr("store 'lonely' is not connected"));
}

TEST(TopologyDescribeTest, BuilderStartsFreshAfterBuild) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("out");
  Topology first = builder.build();
  builder.stream<std::string, std::string>("in").to("out");
  Topology second = builder.build();  // no "read twice" error: a new topology
  EXPECT_EQ(first.describe(), second.describe());
}

}  // namespace
}  // namespace rill::streams
