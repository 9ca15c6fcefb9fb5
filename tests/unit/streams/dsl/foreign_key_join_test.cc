// Foreign-key KTable-KTable joins through TopologyTestDriver: inner and left joins under
// inserts, updates, foreign-key changes and deletes on both sides, stale responses, names,
// and the subscription/response wire format (Kafka Streams' byte layouts).
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/internal/foreign_key_join_wire.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using Out = std::optional<std::string>;
const Out kNull;

// Orders "customer:item" -> customer id; customers: id -> name.
std::string CustomerOf(const std::string& order) { return order.substr(0, order.find(':')); }
std::string ItemOf(const std::string& order) { return order.substr(order.find(':') + 1); }

struct Fixture {
  explicit Fixture(bool left_join) {
    StreamsBuilder builder;
    auto orders = builder.table<std::string, std::string>(
        "orders", {},
        Materialized<std::string, std::string>::as("orders-store").withCachingDisabled());
    auto customers = builder.table<std::string, std::string>(
        "customers", {},
        Materialized<std::string, std::string>::as("customers-store").withCachingDisabled());
    // A left join's orders may name no customer (":item"): the extractor returns nullopt.
    auto extractor = [](const std::string& order) -> std::optional<std::string> {
      std::string c = CustomerOf(order);
      if (c.empty()) return std::nullopt;
      return c;
    };
    auto named = Materialized<std::string, std::string>::as("orders-with-customers")
                     .withCachingDisabled();
    KTable<std::string, std::string> joined =
        left_join
            ? orders.leftJoin(
                  customers, extractor,
                  [](const std::string& order, const std::optional<std::string>& customer) {
                    return ItemOf(order) + " by " + customer.value_or("nobody");
                  },
                  named)
            : orders.join(
                  customers, extractor,
                  [](const std::string& order, const std::string& customer) {
                    return ItemOf(order) + " by " + customer;
                  },
                  named);
    auto nullable = Serdes::Nullable(Serdes::String());
    joined.toChangelogStream().to("out", Produced<std::string, Out>::with(Serdes::String(), nullable));
    driver.emplace(builder.build());
    orders_in.emplace(driver->createInputTopic<std::string, Out>("orders", Serdes::String(), nullable));
    customers_in.emplace(
        driver->createInputTopic<std::string, Out>("customers", Serdes::String(), nullable));
    out.emplace(driver->createOutputTopic<std::string, Out>("out", Serdes::String(), nullable));
  }
  // Everything the join emitted since the last call, "key=value" / "key=null".
  std::vector<std::string> Emitted() {
    std::vector<std::string> shown;
    while (!out->isEmpty()) {
      auto kv = out->readKeyValue();
      shown.push_back(kv.key + "=" + (kv.value ? *kv.value : "null"));
    }
    return shown;
  }
  std::optional<std::string> Stored(const std::string& key) {
    return driver->getKeyValueStore<std::string, std::string>("orders-with-customers").get(key);
  }

  std::optional<TopologyTestDriver> driver;
  std::optional<TestInputTopic<std::string, Out>> orders_in;
  std::optional<TestInputTopic<std::string, Out>> customers_in;
  std::optional<TestOutputTopic<std::string, Out>> out;
};

using V = std::vector<std::string>;

TEST(ForeignKeyJoinTest, InnerJoinFollowsUpdatesForeignKeyChangesAndDeletesOnBothSides) {
  Fixture f(/*left_join=*/false);
  f.customers_in->pipeInput("c1", "Alice");
  EXPECT_EQ(f.Emitted(), V{}) << "no order refers to c1 yet";
  f.orders_in->pipeInput("o1", "c1:book");
  EXPECT_EQ(f.Emitted(), V{"o1=book by Alice"});
  f.orders_in->pipeInput("o2", "c2:pen");
  EXPECT_EQ(f.Emitted(), V{}) << "c2 does not exist: an inner join emits nothing";
  f.customers_in->pipeInput("c2", "Bob");
  EXPECT_EQ(f.Emitted(), V{"o2=pen by Bob"});
  f.customers_in->pipeInput("c1", "Alicia");
  EXPECT_EQ(f.Emitted(), V{"o1=book by Alicia"});
  f.orders_in->pipeInput("o1", "c2:book");
  EXPECT_EQ(f.Emitted(), V{"o1=book by Bob"}) << "moved from c1 to c2";
  f.customers_in->pipeInput("c1", kNull);
  EXPECT_EQ(f.Emitted(), V{}) << "o1 no longer subscribes to c1";
  f.customers_in->pipeInput("c1", "Alice again");
  EXPECT_EQ(f.Emitted(), V{}) << "o1 no longer subscribes to c1";
  f.orders_in->pipeInput("o2", "c3:pen");
  EXPECT_EQ(f.Emitted(), V{"o2=null"}) << "moved to a customer that does not exist";
  f.customers_in->pipeInput("c2", kNull);
  EXPECT_EQ(f.Emitted(), V{"o1=null"}) << "o1's customer was deleted";
  f.customers_in->pipeInput("c3", "Carol");
  EXPECT_EQ(f.Emitted(), V{"o2=pen by Carol"});
  f.orders_in->pipeInput("o2", kNull);
  EXPECT_EQ(f.Emitted(), V{"o2=null"}) << "the order was deleted";
  f.customers_in->pipeInput("c3", "Caroline");
  EXPECT_EQ(f.Emitted(), V{}) << "the deleted order unsubscribed";
  f.orders_in->pipeInput("o1", "c2:book2");
  EXPECT_EQ(f.Emitted(), V{}) << "same missing customer: nothing to retract";
  f.customers_in->pipeInput("c2", "Bert");
  EXPECT_EQ(f.Emitted(), V{"o1=book2 by Bert"});
  EXPECT_EQ(f.Stored("o1"), Out("book2 by Bert"));
  EXPECT_EQ(f.Stored("o2"), kNull);
}

TEST(ForeignKeyJoinTest, InnerJoinSkipsAndCountsARowWithoutAForeignKeyAfterRetractingIt) {
  Fixture f(/*left_join=*/false);
  f.customers_in->pipeInput("c1", "Alice");
  f.orders_in->pipeInput("o1", "c1:book");
  EXPECT_EQ(f.Emitted(), V{"o1=book by Alice"});
  f.orders_in->pipeInput("o1", ":book");
  EXPECT_EQ(f.Emitted(), V{"o1=null"});
  f.customers_in->pipeInput("c1", "Alicia");
  EXPECT_EQ(f.Emitted(), V{});
}

TEST(ForeignKeyJoinTest, ManyLeftRowsShareOneForeignKey) {
  Fixture f(/*left_join=*/false);
  for (int i = 0; i < 5; ++i) f.orders_in->pipeInput("o" + std::to_string(i), "c1:item" + std::to_string(i));
  EXPECT_EQ(f.Emitted(), V{});
  f.orders_in->pipeInput("other", "c10:x");  // "c1" is a prefix of "c10": not a subscriber
  f.customers_in->pipeInput("c1", "Alice");
  EXPECT_THAT(f.Emitted(), ::testing::UnorderedElementsAre(
                               "o0=item0 by Alice", "o1=item1 by Alice", "o2=item2 by Alice",
                               "o3=item3 by Alice", "o4=item4 by Alice"));
  f.customers_in->pipeInput("c1", kNull);
  EXPECT_THAT(f.Emitted(), ::testing::UnorderedElementsAre("o0=null", "o1=null", "o2=null",
                                                           "o3=null", "o4=null"));
}

TEST(ForeignKeyJoinTest, LeftJoinKeepsEveryLeftRow) {
  Fixture f(/*left_join=*/true);
  f.orders_in->pipeInput("o1", "c1:book");
  EXPECT_EQ(f.Emitted(), V{"o1=book by nobody"});
  f.customers_in->pipeInput("c1", "Alice");
  EXPECT_EQ(f.Emitted(), V{"o1=book by Alice"});
  f.customers_in->pipeInput("c1", kNull);
  EXPECT_EQ(f.Emitted(), V{"o1=book by nobody"});
  f.customers_in->pipeInput("c2", "Bob");
  f.orders_in->pipeInput("o1", "c2:book");
  EXPECT_EQ(f.Emitted(), V{"o1=book by Bob"});
  f.orders_in->pipeInput("o1", ":book");
  EXPECT_EQ(f.Emitted(), V{"o1=book by nobody"}) << "no foreign key: joined with nothing";
  f.customers_in->pipeInput("c2", "Bert");
  EXPECT_EQ(f.Emitted(), V{}) << "o1 unsubscribed from c2";
  f.orders_in->pipeInput("o1", kNull);
  EXPECT_EQ(f.Emitted(), V{"o1=null"});
  f.orders_in->pipeInput("o1", kNull);
  EXPECT_EQ(f.Emitted(), V{}) << "deleting an absent row changes nothing";
  f.orders_in->pipeInput("o2", "c2:pen");
  EXPECT_EQ(f.Emitted(), V{"o2=pen by Bert"});
  EXPECT_EQ(f.Stored("o2"), Out("pen by Bert"));
}

TEST(ForeignKeyJoinTest, AResponseForAnOlderLeftValueIsDropped) {
  // A response overtaken by a newer update of its left row (possible when the two
  // subscriptions go to different partitions) carries the old value's hash: it is dropped.
  StreamsBuilder builder;
  auto orders = builder.table<std::string, std::string>(
      "orders", {}, Materialized<std::string, std::string>::as("orders-store").withCachingDisabled());
  auto customers = builder.table<std::string, std::string>(
      "customers", {},
      Materialized<std::string, std::string>::as("customers-store").withCachingDisabled());
  orders
      .join(customers, CustomerOf,
            [](const std::string& o, const std::string& c) { return ItemOf(o) + " by " + c; },
            Named::as("fk"))
      .toStream()
      .to("out");
  TopologyTestDriver driver(builder.build(), TestDriverConfig{.application_id = "app"});
  auto orders_in = driver.createInputTopic<std::string, std::string>("orders", Serdes::String(),
                                                                     Serdes::String());
  auto customers_in = driver.createInputTopic<std::string, std::string>(
      "customers", Serdes::String(), Serdes::String());
  auto out = driver.createOutputTopic<std::string, std::string>("out", Serdes::String(),
                                                                Serdes::String());
  Serde<internal::SubscriptionResponse<std::string>> response_serde(
      std::make_shared<internal::SubscriptionResponseSerdeImpl<std::string>>(Serdes::String()));
  auto responses = driver.createInputTopic<std::string, internal::SubscriptionResponse<std::string>>(
      "app-fk-subscription-response-topic", Serdes::String(), response_serde);
  customers_in.pipeInput("c1", "Alice");
  orders_in.pipeInput("o1", "c1:book");
  EXPECT_EQ(out.readKeyValuesToList().size(), 1u);
  orders_in.pipeInput("o1", "c1:pen");
  EXPECT_EQ(out.readValue(), "pen by Alice");
  // The answer to the "c1:book" subscription arriving late.
  responses.pipeInput("o1", {internal::Murmur3Hash128("c1:book"), std::string("Alice"), 0});
  EXPECT_TRUE(out.isEmpty()) << "stale response joined: " << out.readValue();
  // The same answer for the current value is joined.
  responses.pipeInput("o1", {internal::Murmur3Hash128("c1:pen"), std::string("Alicia"), 0});
  EXPECT_EQ(out.readValue(), "pen by Alicia");
}

TEST(ForeignKeyJoinTest, GeneratedAndGivenNamesFollowKafkaStreams) {
  {
    StreamsBuilder builder;
    auto a = builder.table<std::string, std::string>("a");
    auto b = builder.table<std::string, std::string>("b");
    a.join(b, [](const std::string& v) { return v; },
           [](const std::string& x, const std::string& y) { return x + y; });
    Topology t = builder.build();
    std::vector<std::string> topics;
    for (const auto& it : t.internal_topics()) topics.push_back(it.name);
    // a: source 0, KTABLE-SOURCE 1, store 2 ("a-STATE-STORE-0000000000" is index 0): the
    // join's names follow from index 6 on.
    EXPECT_THAT(topics, ::testing::IsSupersetOf(
                            {"KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic",
                             "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic",
                             "KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010-changelog"}));
    EXPECT_NE(t.FindNode("KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017"), nullptr);
    EXPECT_NE(t.FindNode("KTABLE-FK-JOIN-OUTPUT-0000000018"), nullptr);
    EXPECT_EQ(t.stores().count("KTABLE-FK-JOIN-OUTPUT-STATE-STORE-0000000019"), 1u);
    // Left and foreign tables stay in their own sub-topologies: they need not be
    // co-partitioned with each other.
    ASSERT_EQ(t.subtopologies().size(), 2u);
    EXPECT_TRUE(t.subtopologies()[0].copartitioned);
    EXPECT_TRUE(t.subtopologies()[1].copartitioned);
  }
  {
    StreamsBuilder builder;
    auto a = builder.table<std::string, std::string>("a");
    auto b = builder.table<std::string, std::string>("b");
    a.leftJoin(b, [](const std::string& k, const std::string& v) { return k + v; },
               [](const std::string& x, const std::optional<std::string>& y) {
                 return x + y.value_or("-");
               },
               Named::as("enrich"), Materialized<std::string, std::string>::as("enriched"));
    Topology t = builder.build();
    std::vector<std::string> topics;
    for (const auto& it : t.internal_topics()) topics.push_back(it.name);
    EXPECT_THAT(topics, ::testing::IsSupersetOf({"enrich-subscription-registration-topic",
                                                 "enrich-subscription-response-topic",
                                                 "enrich-subscription-store-changelog",
                                                 "enriched-changelog"}));
    for (const char* node :
         {"enrich-subscription-registration-processor", "enrich-subscription-registration-sink",
          "enrich-subscription-registration-source", "enrich-subscription-receive",
          "enrich-subscription-join-foreign", "enrich-foreign-join-subscription",
          "enrich-subscription-response-sink", "enrich-subscription-response-source",
          "enrich-subscription-response-resolver", "enrich-result"}) {
      EXPECT_NE(t.FindNode(node), nullptr) << node;
    }
  }
}

struct Custom {
  int x = 0;
};

TEST(ForeignKeyJoinTest, AResultTypeWithoutASerdeIsABuildError) {
  StreamsBuilder builder;
  auto a = builder.table<std::string, std::string>("a");
  auto b = builder.table<std::string, std::string>("b");
  try {
    a.join(b, [](const std::string& v) { return v; },
           [](const std::string&, const std::string&) { return Custom{}; });
    FAIL() << "expected a StreamsException";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no serde for the joined values"));
  }
}

TEST(ForeignKeyJoinWireTest, Murmur3MatchesTheReferenceImplementation) {
  // MurmurHash3_x64_128 reference outputs (seed 0).
  EXPECT_EQ(internal::Murmur3Hash128("", 0), (internal::ValueHash{0, 0}));
  EXPECT_EQ(internal::Murmur3Hash128("hello", 0),
            (internal::ValueHash{0xcbd8a7b341bd9b02ULL, 0x5b1e906a48ae1d19ULL}));
  EXPECT_EQ(internal::Murmur3Hash128("The quick brown fox jumps over the lazy dog", 0),
            (internal::ValueHash{0xe34bbc7bbc071b6cULL, 0x7a433ca9c49a9347ULL}));
  EXPECT_NE(internal::Murmur3Hash128("hello"), internal::Murmur3Hash128("hello", 0))
      << "Kafka Streams hashes with seed 104729";
}

TEST(ForeignKeyJoinWireTest, SubscriptionBytesFollowKafkaStreamsLayout) {
  Serde<internal::Subscription<std::string>> serde(
      std::make_shared<internal::SubscriptionSerdeImpl<std::string>>(Serdes::String()));
  internal::Subscription<std::string> s{
      internal::ValueHash{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL},
      internal::SubscriptionInstruction::kPropagateOnlyIfForeignValue, "pk", 7};
  std::string bytes;
  ASSERT_TRUE(serde.serialize(s, bytes));
  std::string expected("\x01\x03", 2);
  for (int i = 1; i <= 16; ++i) expected.push_back(static_cast<char>(i));
  expected += "pk";
  expected += std::string("\0\0\0\x07", 4);
  EXPECT_EQ(bytes, expected);
  auto back = serde.deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->hash, s.hash);
  EXPECT_EQ(back->instruction, s.instruction);
  EXPECT_EQ(back->primary_key, "pk");
  EXPECT_EQ(back->primary_partition, 7);

  // No hash: the flag bit, and no 16 bytes.
  s.hash.reset();
  s.instruction = internal::SubscriptionInstruction::kDeleteKeyAndPropagate;
  bytes.clear();
  serde.serialize(s, bytes);
  EXPECT_EQ(bytes, std::string("\x81\x01pk\0\0\0\x07", 8));
  back = serde.deserialize(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->hash.has_value());

  // Bad input: clear errors, no crash.
  for (const std::string& bad : {std::string("\x01", 1), std::string("\x01\x03\x01\x02", 4),
                                 std::string("\x02\x03pk\0\0\0\0", 8),
                                 std::string("\x81\x09pk\0\0\0\0", 8),
                                 std::string("\x81\x01pk", 4)}) {
    EXPECT_FALSE(serde.deserialize(bad).ok()) << "accepted " << bad.size() << " bytes";
  }
}

TEST(ForeignKeyJoinWireTest, ResponseBytesFollowKafkaStreamsLayout) {
  Serde<internal::SubscriptionResponse<std::string>> serde(
      std::make_shared<internal::SubscriptionResponseSerdeImpl<std::string>>(Serdes::String()));
  internal::SubscriptionResponse<std::string> r{internal::ValueHash{1, 2}, std::string("v"), 3};
  std::string bytes;
  serde.serialize(r, bytes);
  EXPECT_EQ(bytes, std::string("\x00\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x02v", 18));
  auto back = serde.deserialize(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->hash, r.hash);
  EXPECT_EQ(back->foreign_value, Out("v"));
  bytes.clear();
  serde.serialize({std::nullopt, std::nullopt, 0}, bytes);
  EXPECT_EQ(bytes, std::string("\x80", 1));
  back = serde.deserialize(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->hash.has_value());
  EXPECT_FALSE(back->foreign_value.has_value());
  EXPECT_FALSE(serde.deserialize(std::string("\x00\x01", 2)).ok()) << "truncated hash";
  EXPECT_FALSE(serde.deserialize(std::string("\x81", 1)).ok()) << "unknown version";
}

TEST(ForeignKeyJoinWireTest, CombinedKeysPrefixTheForeignKeyWithItsLength) {
  EXPECT_EQ(internal::fk_wire::CombinedKey("fk", "pk"), std::string("\0\0\0\x02" "fkpk", 8));
  auto pk = internal::fk_wire::PrimaryKeyOf(internal::fk_wire::CombinedKey("fk", "pk"));
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(*pk, "pk");
  EXPECT_FALSE(internal::fk_wire::PrimaryKeyOf(std::string("\0\0\0\x09" "fk", 6)).ok());
}

}  // namespace
}  // namespace rill::streams
