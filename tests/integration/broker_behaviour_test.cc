// Broker behaviour seen through librdkafka: offsets by timestamp, data surviving a
// restart, and long-polling fetches that an append wakes (not the max-wait timer).
#include <chrono>
#include <thread>

#include "broker/broker.h"
#include "broker/cluster/topic_manager.h"
#include "broker/embedded_cluster.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

using testing::Consumer;
using testing::Producer;
using namespace std::chrono_literals;

class BrokerBehaviourTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.Start().ok()); }
  std::string bootstrap() const { return cluster_.bootstrap_servers(); }
  broker::EmbeddedCluster cluster_;
};

TEST_F(BrokerBehaviourTest, OffsetsForTimes) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "times", 2), "");
  const int64_t base = 1700000000000;
  {
    Producer producer({{"bootstrap.servers", bootstrap()}, {"linger.ms", "0"}});
    // Several batches with increasing timestamps: 1000 ms apart.
    for (int i = 0; i < 20; ++i) {
      producer.Send("times", 0, std::nullopt, "v" + std::to_string(i), {}, base + i * 1000);
      ASSERT_TRUE(producer.Flush());
    }
  }
  auto lookup = [&](int64_t ts) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, "times", 0)->offset = ts;
    Producer p({{"bootstrap.servers", bootstrap()}});
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(p.handle(), list, 10000);
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    int64_t offset = list->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(list);
    return offset;
  };
  EXPECT_EQ(lookup(base), 0);
  EXPECT_EQ(lookup(base + 500), 1);
  EXPECT_EQ(lookup(base + 5000), 5);
  EXPECT_EQ(lookup(base + 19000), 19);
  EXPECT_EQ(lookup(base + 19001), -1);  // after every record: end
  EXPECT_EQ(lookup(0), 0);

  // Earliest and latest watermarks.
  Consumer consumer({{"bootstrap.servers", bootstrap()}});
  int64_t low = -5, high = -5;
  ASSERT_EQ(rd_kafka_query_watermark_offsets(consumer.handle(), "times", 0, &low, &high, 10000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(low, 0);
  EXPECT_EQ(high, 20);
  ASSERT_EQ(rd_kafka_query_watermark_offsets(consumer.handle(), "times", 1, &low, &high, 10000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(low, 0);
  EXPECT_EQ(high, 0);
}

TEST_F(BrokerBehaviourTest, DataSurvivesRestart) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "durable", 3, {{"segment.bytes", "65536"}}), "");
  {
    Producer producer({{"bootstrap.servers", bootstrap()}, {"acks", "all"}});
    for (int i = 0; i < 30000; ++i) producer.Send("durable", i % 3, std::nullopt, std::to_string(i));
    ASSERT_TRUE(producer.Flush());
  }
  ASSERT_TRUE(cluster_.RestartNode(0).ok());
  {
    Consumer consumer({{"bootstrap.servers", bootstrap()}});
    consumer.Assign("durable", {0, 1, 2});
    auto got = consumer.ReadN(30000);
    ASSERT_EQ(got.size(), 30000u);
  }
  // The restarted log keeps assigning offsets after the recovered end.
  Producer producer({{"bootstrap.servers", bootstrap()}, {"acks", "all"}});
  producer.Send("durable", 0, std::nullopt, std::string("after-restart"));
  ASSERT_TRUE(producer.Flush());
  ASSERT_EQ(producer.deliveries().size(), 1u);
  EXPECT_EQ(producer.deliveries()[0].offset, 10000);
}

// A consumer parked in a long poll (fetch.wait.max.ms = 30 s) must get a new record as soon
// as it is appended. A broker that only answered when the wait expired would not deliver
// it within the 10 s bound below.
TEST_F(BrokerBehaviourTest, AppendWakesParkedFetch) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "wakeup", 1), "");
  Consumer consumer({{"bootstrap.servers", bootstrap()},
                     {"fetch.wait.max.ms", "30000"},
                     {"fetch.min.bytes", "1"}});
  consumer.Assign("wakeup", {0});
  auto partition = cluster_.node(0).topics().GetPartition("wakeup", 0);
  ASSERT_NE(partition, nullptr);
  // Wait until the consumer's fetch is parked on the partition.
  auto parked = [&] {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (partition->live_waiters() == 0 && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.handle(), 20);
      if (m) rd_kafka_message_destroy(m);
    }
    return partition->live_waiters() > 0;
  };
  Producer producer({{"bootstrap.servers", bootstrap()}, {"linger.ms", "0"}});
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(parked()) << "the consumer's fetch never parked";
    producer.Send("wakeup", 0, std::nullopt, "wake-" + std::to_string(round));
    ASSERT_TRUE(producer.Flush());
    std::optional<std::string> got;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!got && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.handle(), 100);
      if (m && !m->err) got = std::string(static_cast<char*>(m->payload), m->len);
      if (m) rd_kafka_message_destroy(m);
    }
    ASSERT_TRUE(got.has_value()) << "parked fetch was not woken by the append in round " << round;
    EXPECT_EQ(*got, "wake-" + std::to_string(round));
  }
}

}  // namespace
}  // namespace rill
