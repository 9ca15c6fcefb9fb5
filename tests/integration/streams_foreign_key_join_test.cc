// The foreign-key KTable-KTable join on an EmbeddedCluster: tables with different partition
// counts (3 and 2), updates and deletes on both sides and foreign-key changes, then a new
// instance with an empty state directory that restores the subscription store from its
// changelog and keeps joining. Expected results are computed in the test from the inputs.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "broker/embedded_cluster.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/query/query_source.h"
#include "streams/runtime/internal/kafka_clients.h"
#include "streams/runtime/kafka_streams.h"
#include "streams/runtime/topic_admin.h"
#include "tests/integration/kafka_test_util.h"
#include "tests/integration/streams_cluster_test.h"

namespace rill::testing {
namespace {

using streams::KafkaStreams;

class ForeignKeyJoinRuntimeTest : public StreamsClusterTest {
 protected:
  streams::StreamsConfig Config(const std::string& state) {
    return StreamsClusterTest::Config("fk-app", state);
  }

  // orders (order id -> "customer:item") joined with customers (id -> name) on the
  // customer id, into the queryable store "orders-with-names": "item/name".
  static streams::Topology Topology() {
    streams::StreamsBuilder builder;
    auto orders = builder.table<std::string, std::string>("fk-orders");
    auto customers = builder.table<std::string, std::string>("fk-customers");
    orders.join(
        customers, [](const std::string& o) { return o.substr(0, o.find(':')); },
        [](const std::string& o, const std::string& name) {
          return o.substr(o.find(':') + 1) + "/" + name;
        },
        streams::Materialized<std::string, std::string>::as("orders-with-names"));
    return builder.build();
  }

  // What the join must hold for these inputs.
  static std::map<std::string, std::string> Expected(
      const std::map<std::string, std::string>& orders,
      const std::map<std::string, std::string>& customers) {
    std::map<std::string, std::string> out;
    for (const auto& [id, order] : orders) {
      auto c = customers.find(order.substr(0, order.find(':')));
      if (c != customers.end()) out[id] = order.substr(order.find(':') + 1) + "/" + c->second;
    }
    return out;
  }

  // True when the store holds exactly `expected` for every order id ever used.
  static bool Holds(KafkaStreams& app, const std::map<std::string, std::string>& expected,
                    int order_ids) {
    for (int i = 0; i < order_ids; ++i) {
      const std::string id = "o" + std::to_string(i);
      auto v = app.queries().Get("orders-with-names", id);
      if (!v.ok()) return false;
      auto want = expected.find(id);
      if (want == expected.end()) {
        if (v->has_value()) return false;
      } else if (!v->has_value() || (**v).get<std::string>() != want->second) {
        return false;
      }
    }
    return true;
  }
};

TEST_F(ForeignKeyJoinRuntimeTest, JoinsAcrossPartitionCountsAndRestoresSubscriptions) {
  ASSERT_TRUE(
      streams::CreateTopicsIfMissing(bootstrap_, {{"fk-orders", 3}, {"fk-customers", 2}}).ok());
  Producer producer({{"bootstrap.servers", bootstrap_}, {"partitioner", "murmur2_random"}});
  std::map<std::string, std::string> orders, customers;
  auto order = [&](const std::string& id, std::optional<std::string> v) {
    producer.Send("fk-orders", -1, id, v, {}, 1000);
    if (v) orders[id] = *v; else orders.erase(id);
  };
  auto customer = [&](const std::string& id, std::optional<std::string> v) {
    producer.Send("fk-customers", -1, id, v, {}, 1000);
    if (v) customers[id] = *v; else customers.erase(id);
  };
  constexpr int kOrders = 40;
  for (int c = 0; c < 5; ++c) customer("c" + std::to_string(c), "name" + std::to_string(c));
  // c5 and c6 do not exist yet: their orders join nothing.
  for (int i = 0; i < kOrders; ++i) {
    order("o" + std::to_string(i), "c" + std::to_string(i % 7) + ":item" + std::to_string(i));
  }
  ASSERT_TRUE(producer.Flush());
  {
    KafkaStreams app(Topology(), Config("first"));
    ASSERT_TRUE(app.start().ok());
    EXPECT_TRUE(WaitUntil([&] { return Holds(app, Expected(orders, customers), kOrders); },
                          std::chrono::seconds(60)))
        << "initial join";
    // Changes on both sides: renames, a deleted customer, orders moving to another
    // customer (also to a missing one), a deleted order.
    customer("c1", "renamed1");
    customer("c2", std::nullopt);
    order("o0", "c3:item0");
    order("o3", "c6:item3");
    order("o4", std::nullopt);
    order("o8", "c2:item8");
    ASSERT_TRUE(producer.Flush());
    EXPECT_TRUE(WaitUntil([&] { return Holds(app, Expected(orders, customers), kOrders); },
                          std::chrono::seconds(60)))
        << "after updates";
    EXPECT_TRUE(app.close());
  }
  // An instance with nothing on disk: the subscription store comes back from its changelog,
  // so customers created now find the orders that subscribed before.
  customer("c5", "late5");
  customer("c6", "late6");
  customer("c2", "back2");
  ASSERT_TRUE(producer.Flush());
  {
    KafkaStreams app(Topology(), Config("second"));
    ASSERT_TRUE(app.start().ok());
    EXPECT_TRUE(WaitUntil([&] { return Holds(app, Expected(orders, customers), kOrders); },
                          std::chrono::seconds(60)))
        << "after restart";
    EXPECT_TRUE(app.close());
  }
  // The internal topics were sized as Kafka Streams sizes them: subscriptions like the
  // customers topic, responses like the orders topic.
  auto client = streams::internal::NewKafkaClient(streams::internal::ClientKind::kProducer,
                                                 {{"bootstrap.servers", bootstrap_}});
  ASSERT_TRUE(client.ok()) << client.status();
  auto counts = streams::internal::PartitionCounts(client->get(), 15000);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ((*counts)["fk-app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic"], 2);
  EXPECT_EQ((*counts)["fk-app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic"], 3);
}

}  // namespace
}  // namespace rill::testing
