// Result timestamps as Kafka Streams sets them, through timestamped stores: aggregations
// carry the largest timestamp of their records, table-table joins the later of both sides,
// and a timestamped store's changelog holds the plain value with that timestamp.
#include <cstdint>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using namespace std::chrono_literals;

using Out = std::optional<std::string>;

TEST(ResultTimestampsTest, CountCarriesTheLargestTimestampOfItsRecords) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .count(Materialized<std::string, int64_t>::as("counts").withCachingDisabled())
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build(), TestDriverConfig{.application_id = "ts"});
  auto in = driver.createInputTopic<std::string, std::string>("in", Serdes::String(),
                                                              Serdes::String());
  auto out = driver.createOutputTopic<std::string, int64_t>("out", Serdes::String(),
                                                            Serdes::Long());
  in.pipeInput("k", "a", 10);
  in.pipeInput("k", "b", 5);  // out of order: the count keeps timestamp 10
  in.pipeInput("k", "c", 20);
  auto first = out.readRecord();
  auto second = out.readRecord();
  auto third = out.readRecord();
  EXPECT_EQ(first.value, 1);
  EXPECT_EQ(first.timestamp, 10);
  EXPECT_EQ(second.value, 2);
  EXPECT_EQ(second.timestamp, 10);
  EXPECT_EQ(third.value, 3);
  EXPECT_EQ(third.timestamp, 20);

  // The changelog holds the plain count (Kafka's LongSerializer bytes) at that timestamp.
  auto changelog = driver.createOutputTopic<std::string, int64_t>(
      "ts-counts-changelog", Serdes::String(), Serdes::Long());
  auto logged = changelog.readKeyValuesToList();
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged[1].value, 2);
  // Queries and the test driver read plain values.
  auto counts = driver.getKeyValueStore<std::string, int64_t>("counts");
  EXPECT_EQ(counts.get("k"), std::optional<int64_t>(3));
}

TEST(ResultTimestampsTest, ChangelogRecordsTakeTheValuesTimestamp) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .groupByKey()
      .count(Materialized<std::string, int64_t>::as("counts").withCachingDisabled());
  TopologyTestDriver driver(builder.build(), TestDriverConfig{.application_id = "ts"});
  auto in = driver.createInputTopic<std::string, std::string>("in", Serdes::String(),
                                                              Serdes::String());
  auto changelog = driver.createOutputTopic<std::string, int64_t>(
      "ts-counts-changelog", Serdes::String(), Serdes::Long());
  in.pipeInput("k", "a", 30);
  in.pipeInput("k", "b", 7);
  EXPECT_EQ(changelog.readRecord().timestamp, 30);
  auto second = changelog.readRecord();
  EXPECT_EQ(second.value, 2);
  EXPECT_EQ(second.timestamp, 30) << "the aggregate's timestamp, not the late record's";
}

TEST(ResultTimestampsTest, GroupedTableAggregationsKeepTheLargestTimestamp) {
  StreamsBuilder builder;
  builder.table<std::string, std::string>("users")
      .groupBy([](const std::string& user, const std::string& region) {
        return KeyValue<std::string, std::string>{region, user};
      })
      .count(Materialized<std::string, int64_t>::as("per-region").withCachingDisabled())
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto users = driver.createInputTopic<std::string, std::string>("users", Serdes::String(),
                                                                 Serdes::String());
  auto out = driver.createOutputTopic<std::string, int64_t>("out", Serdes::String(),
                                                            Serdes::Long());
  users.pipeInput("alice", "eu", 50);
  users.pipeInput("bob", "eu", 40);
  auto first = out.readRecord();
  auto second = out.readRecord();
  EXPECT_EQ(first.timestamp, 50);
  EXPECT_EQ(second.value, 2);
  EXPECT_EQ(second.timestamp, 50);
}

TEST(ResultTimestampsTest, TableTableJoinsTakeTheLaterOfBothSides) {
  StreamsBuilder builder;
  auto left = builder.table<std::string, std::string>(
      "left", {}, Materialized<std::string, std::string>::as("l").withCachingDisabled());
  auto right = builder.table<std::string, std::string>(
      "right", {}, Materialized<std::string, std::string>::as("r").withCachingDisabled());
  left.join(right, [](const std::string& a, const std::string& b) { return a + b; })
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto l = driver.createInputTopic<std::string, std::string>("left", Serdes::String(),
                                                             Serdes::String());
  auto r = driver.createInputTopic<std::string, std::string>("right", Serdes::String(),
                                                             Serdes::String());
  auto out = driver.createOutputTopic<std::string, std::string>("out", Serdes::String(),
                                                                Serdes::String());
  l.pipeInput("k", "A", 100);
  r.pipeInput("k", "a", 60);
  auto joined = out.readRecord();
  EXPECT_EQ(joined.value, "Aa");
  EXPECT_EQ(joined.timestamp, 100) << "the left value is later than the right update";
  l.pipeInput("k", "B", 70);
  joined = out.readRecord();
  EXPECT_EQ(joined.value, "Ba");
  EXPECT_EQ(joined.timestamp, 70);
  r.pipeInput("k", "b", 90);
  EXPECT_EQ(out.readRecord().timestamp, 90);
}

TEST(ResultTimestampsTest, ForeignKeyJoinsTakeTheLaterOfSubscriptionAndForeignValue) {
  StreamsBuilder builder;
  auto orders = builder.table<std::string, std::string>(
      "orders", {}, Materialized<std::string, std::string>::as("o").withCachingDisabled());
  auto customers = builder.table<std::string, std::string>(
      "customers", {}, Materialized<std::string, std::string>::as("c").withCachingDisabled());
  orders
      .join(customers, [](const std::string& order) { return order; },
            [](const std::string& order, const std::string& name) { return order + "/" + name; },
            Materialized<std::string, std::string>::as("joined").withCachingDisabled())
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto o = driver.createInputTopic<std::string, std::string>("orders", Serdes::String(),
                                                             Serdes::String());
  auto c = driver.createInputTopic<std::string, std::string>("customers", Serdes::String(),
                                                             Serdes::String());
  auto out = driver.createOutputTopic<std::string, std::string>("out", Serdes::String(),
                                                                Serdes::String());
  c.pipeInput("c1", "Alice", 80);
  o.pipeInput("o1", "c1", 30);
  auto joined = out.readRecord();
  EXPECT_EQ(joined.value, "c1/Alice");
  EXPECT_EQ(joined.timestamp, 80);
  c.pipeInput("c1", "Alicia", 85);
  EXPECT_EQ(out.readRecord().timestamp, 85) << "a foreign update: its own timestamp";
}

TEST(ResultTimestampsTest, WindowedAggregatesCarryTheirWindowsLargestTimestamp) {
  for (bool on_close : {false, true}) {
    StreamsBuilder builder;
    auto windowed = builder.stream<std::string, std::string>("in")
                        .groupByKey()
                        .windowedBy(TimeWindows::ofSizeAndGrace(10ms, 5ms));
    if (on_close) windowed = windowed.emitStrategy(EmitStrategy::onWindowClose().withEmitInterval(0ms));
    windowed.count(Materialized<std::string, int64_t>::as("counts").withRetention(100ms))
        .toStream()
        .to("out");
    TopologyTestDriver driver(builder.build());
    auto in = driver.createInputTopic<std::string, std::string>("in", Serdes::String(),
                                                                Serdes::String());
    auto out = driver.createOutputTopic<Windowed<std::string>, int64_t>(
        "out", WindowedSerdes::TimeWindowed<std::string>(Serdes::String(), 10), Serdes::Long());
    in.pipeInput("a", "x", 6);
    in.pipeInput("a", "x", 2);  // out of order: the window keeps 6
    if (!on_close) {
      EXPECT_EQ(out.readRecord().timestamp, 6);
      auto second = out.readRecord();
      EXPECT_EQ(second.value, 2);
      EXPECT_EQ(second.timestamp, 6);
    } else {
      in.pipeInput("b", "x", 30);  // closes [0,10)
      auto closed = out.readRecord();
      EXPECT_EQ(closed.value, 2);
      EXPECT_EQ(closed.timestamp, 6) << "the aggregate's timestamp, not the window end - 1";
    }
  }
}

}  // namespace
}  // namespace rill::streams
