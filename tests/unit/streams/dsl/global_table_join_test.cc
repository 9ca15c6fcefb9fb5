// GlobalKTable and KStream-GlobalKTable joins through TopologyTestDriver: the developer
// guide's stream-table semantics with a key selector (table updates produce nothing, the
// stream drives output), left joins, selectors that yield no key, deletes, both store
// kinds, the global sub-topology in describe(), and the topology errors Kafka Streams raises.
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
using ::testing::HasSubstr;
using KS = KeyValue<std::string, std::string>;

// Orders are "<product>:<quantity>" keyed by order id; the global table maps product ids to
// names. The join key comes from the value, not the record key.
std::string ProductOf(const std::string&, const std::string& order) {
  return order.substr(0, order.find(':'));
}

class GlobalTableJoinTest : public ::testing::TestWithParam<StoreType> {};

TEST_P(GlobalTableJoinTest, JoinsByTheSelectedKeyAndTableUpdatesProduceNothing) {
  StreamsBuilder builder;
  Materialized<std::string, std::string> m = Materialized<std::string, std::string>::as("products-store");
  m.store_type = GetParam();
  auto products = builder.globalTable<std::string, std::string>("products", {}, m);
  auto orders = builder.stream<std::string, std::string>("orders");
  orders.join(products, ProductOf,
              [](const std::string& order, const std::string& name) { return order + "=" + name; })
      .to("inner-out");
  orders.leftJoin(products, ProductOf,
                  [](const std::string& order, const std::optional<std::string>& name) {
                    return order + "=" + name.value_or("null");
                  })
      .to("left-out");
  TopologyTestDriver driver(builder.build());
  auto o = driver.createInputTopic<std::string, std::string>("orders");
  auto p = driver.createInputTopic<std::string, std::optional<std::string>>(
      "products", Serdes::String(), Serdes::Nullable(Serdes::String()));
  auto inner = driver.createOutputTopic<std::string, std::string>("inner-out");
  auto left = driver.createOutputTopic<std::string, std::string>("left-out");

  // The developer guide's sequence, with the table row selected from the order's value.
  o.pipeInput("o1", "p1:1", 1);                      // table empty
  p.pipeInput("p1", std::string("apple"), 2);        // table update: no output
  o.pipeInput("o2", "p1:2", 3);
  p.pipeInput("p1", std::string("green apple"), 4);  // update
  o.pipeInput("o3", "p1:3", 5);
  p.pipeInput("p1", std::nullopt, 6);                // delete
  o.pipeInput("o4", "p1:4", 7);

  EXPECT_THAT(inner.readKeyValuesToList(),
              ElementsAre(KS{"o2", "p1:2=apple"}, KS{"o3", "p1:3=green apple"}));
  EXPECT_THAT(left.readKeyValuesToList(),
              ElementsAre(KS{"o1", "p1:1=null"}, KS{"o2", "p1:2=apple"},
                          KS{"o3", "p1:3=green apple"}, KS{"o4", "p1:4=null"}));
  auto store = driver.getKeyValueStore<std::string, std::string>("products-store");
  EXPECT_EQ(store.get("p1"), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(StoreTypes, GlobalTableJoinTest,
                         ::testing::Values(StoreType::kRocksDb, StoreType::kInMemory),
                         [](const auto& info) {
                           return info.param == StoreType::kRocksDb ? "RocksDb" : "InMemory";
                         });

TEST(GlobalTableTest, OutputKeepsTheStreamKeyTimestampAndHeaders) {
  StreamsBuilder builder;
  auto products = builder.globalTable<std::string, int64_t>("prices");
  builder.stream<std::string, std::string>("orders")
      .join(products, ProductOf,
            [](const std::string& order, const int64_t& price) { return order + "@" + std::to_string(price); })
      .to("out");
  TopologyTestDriver driver(builder.build());
  driver.createInputTopic<std::string, int64_t>("prices").pipeInput("p7", 42, 1000);
  Record<std::string, std::string> in{"order-9", "p7:1", 50, {}};
  in.headers.push_back({"trace", std::string("abc")});
  driver.createInputTopic<std::string, std::string>("orders").pipeRecord(in);
  auto out = driver.createOutputTopic<std::string, std::string>("out");
  Record<std::string, std::string> r = out.readRecord();
  EXPECT_EQ(r.key, "order-9");
  EXPECT_EQ(r.value, "p7:1@42");
  EXPECT_EQ(r.timestamp, 50);  // the stream record's, not the table's
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].key, "trace");
  EXPECT_TRUE(out.isEmpty());
}

TEST(GlobalTableTest, ASelectorWithoutAKeyDropsForJoinAndJoinsNothingForLeftJoin) {
  StreamsBuilder builder;
  auto products = builder.globalTable<std::string, std::string>("products");
  auto orders = builder.stream<std::string, std::string>("orders");
  auto selector = [](const std::string&, const std::string& v) -> std::optional<std::string> {
    if (v.empty()) return std::nullopt;
    return v;
  };
  orders.join(products, selector, [](const std::string& v, const std::string& n) { return v + n; })
      .to("inner-out");
  orders.leftJoin(products, selector,
                  [](const std::string& v, const std::optional<std::string>& n) {
                    return "[" + v + "]" + n.value_or("none");
                  })
      .to("left-out");
  TopologyTestDriver driver(builder.build());
  driver.createInputTopic<std::string, std::string>("products").pipeInput("p", "P", 0);
  auto o = driver.createInputTopic<std::string, std::string>("orders");
  o.pipeInput("a", "", 1);
  o.pipeInput("b", "p", 2);
  auto inner = driver.createOutputTopic<std::string, std::string>("inner-out");
  auto left = driver.createOutputTopic<std::string, std::string>("left-out");
  EXPECT_THAT(inner.readKeyValuesToList(), ElementsAre(KS{"b", "pP"}));
  EXPECT_THAT(left.readKeyValuesToList(), ElementsAre(KS{"a", "[]none"}, KS{"b", "[p]P"}));
  EXPECT_EQ(driver.droppedRecords().at("null-key"), 1);
}

TEST(GlobalTableTest, NullStreamValuesAreDropped) {
  StreamsBuilder builder;
  auto products = builder.globalTable<std::string, std::string>("products");
  builder
      .stream<std::string, std::optional<std::string>>(
          "orders", Consumed<std::string, std::optional<std::string>>::with(
                        Serdes::String(), Serdes::Nullable(Serdes::String())))
      .leftJoin(products,
                [](const std::string& k, const std::optional<std::string>&) { return k; },
                [](const std::optional<std::string>& v, const std::optional<std::string>& n) {
                  return v.value_or("?") + n.value_or("-");
                })
      .to("out", Produced<std::string, std::string>::with(Serdes::String(), Serdes::String()));
  TopologyTestDriver driver(builder.build());
  auto o = driver.createInputTopic<std::string, std::optional<std::string>>(
      "orders", Serdes::String(), Serdes::Nullable(Serdes::String()));
  o.pipeInput("k", std::nullopt, 1);
  o.pipeInput("k", std::string("v"), 2);
  auto out = driver.createOutputTopic<std::string, std::string>("out");
  EXPECT_THAT(out.readKeyValuesToList(), ElementsAre(KS{"k", "v-"}));
  EXPECT_EQ(driver.droppedRecords().at("null-value"), 1);
}

TEST(GlobalTableTest, DescribeShowsTheGlobalSubTopologyWithKafkaStreamsNames) {
  StreamsBuilder builder;
  auto products = builder.globalTable<std::string, std::string>("products");
  builder.stream<std::string, std::string>("orders")
      .join(products, ProductOf, [](const std::string& v, const std::string& n) { return v + n; })
      .to("out");
  std::string text = builder.build().describe();
  EXPECT_THAT(text, HasSubstr("Sub-topology: 1 for global store (will not generate tasks)\n"
                              "    Source: KSTREAM-SOURCE-0000000001 (topics: [products])\n"
                              "      --> KTABLE-SOURCE-0000000002\n"
                              "    Processor: KTABLE-SOURCE-0000000002 (stores: "
                              "[products-STATE-STORE-0000000000])\n"
                              "      --> none\n"
                              "      <-- KSTREAM-SOURCE-0000000001\n"));
  EXPECT_THAT(text, HasSubstr("Processor: KSTREAM-JOIN-0000000004 (stores: [])"));
}

TEST(GlobalTableTest, ATopicCannotFeedAGlobalTableAndAStream) {
  StreamsBuilder builder;
  builder.globalTable<std::string, std::string>("shared");
  builder.stream<std::string, std::string>("shared").to("out");
  try {
    builder.build();
    FAIL() << "build() accepted a topic read twice";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("topic 'shared' is read by source"));
    EXPECT_THAT(e.what(), HasSubstr("global store"));
  }
}

TEST(GlobalTableTest, ProcessorsMayNotConnectAGlobalStore) {
  StreamsBuilder builder;
  auto table = builder.globalTable<std::string, std::string>(
      "products", {}, Materialized<std::string, std::string>::as("g"));
  (void)table;
  builder.stream<std::string, std::string>("in").processValues<std::string>(
      [] { return std::unique_ptr<FixedKeyProcessor<std::string, std::string, std::string>>(); },
      {"g"});
  try {
    builder.build();
    FAIL() << "build() accepted a connected global store";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("connects global store 'g'"));
  }
}

TEST(GlobalTableTest, TheGlobalStoreIsReadableAndSkipsNullKeys) {
  StreamsBuilder builder;
  builder.globalTable<std::string, std::string>("products", {},
                                                 Materialized<std::string, std::string>::as("g"));
  builder.stream<std::string, std::string>("in").to("out");
  TopologyTestDriver driver(builder.build());
  auto p = driver.createInputTopic<std::string, std::string>("products");
  p.pipeInput("a", "1", 0);
  p.pipeInput("b", "2", 0);
  p.pipeInput("a", "3", 0);
  p.pipeRawBytes(std::nullopt, std::string("no key"), 0);
  auto store = driver.getKeyValueStore<std::string, std::string>("g");
  EXPECT_EQ(store.get("a"), std::optional<std::string>("3"));
  EXPECT_EQ(store.get("b"), std::optional<std::string>("2"));
  size_t entries = 0;
  for (auto it = store.all(); it.hasNext(); it.next()) ++entries;
  EXPECT_EQ(entries, 2u);
}

}  // namespace
}  // namespace rill::streams
