// Topic administration through librdkafka's admin API: create with configs (and
// validate_only), describe configs, grow partitions, delete records, delete topics, and
// auto-creation switched off.
#include <librdkafka/rdkafka.h>

#include <map>

#include "broker/embedded_cluster.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

using testing::Producer;

// A librdkafka handle used only for admin calls, with blocking helpers.
class Admin {
 public:
  explicit Admin(const std::string& bootstrap) : producer_({{"bootstrap.servers", bootstrap}}) {
    queue_ = rd_kafka_queue_new(rk());
  }
  ~Admin() { rd_kafka_queue_destroy(queue_); }
  rd_kafka_t* rk() { return producer_.handle(); }

  // Waits for the admin result event of `type`.
  rd_kafka_event_t* Wait() {
    rd_kafka_event_t* ev = rd_kafka_queue_poll(queue_, 30000);
    EXPECT_NE(ev, nullptr) << "admin call timed out";
    if (ev) {
      EXPECT_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR)
          << rd_kafka_event_error_string(ev);
    }
    return ev;
  }

  std::map<std::string, std::string> DescribeTopicConfigs(const std::string& topic,
                                                         std::map<std::string, bool>* defaults) {
    rd_kafka_ConfigResource_t* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
    rd_kafka_DescribeConfigs(rk(), &res, 1, nullptr, queue_);
    rd_kafka_event_t* ev = Wait();
    std::map<std::string, std::string> out;
    size_t n = 0;
    const rd_kafka_ConfigResource_t** results =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    EXPECT_EQ(n, 1u);
    if (n == 1) {
      EXPECT_EQ(rd_kafka_ConfigResource_error(results[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
      size_t count = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(results[0], &count);
      for (size_t i = 0; i < count; ++i) {
        const char* v = rd_kafka_ConfigEntry_value(entries[i]);
        out[rd_kafka_ConfigEntry_name(entries[i])] = v ? v : "";
        if (defaults) (*defaults)[rd_kafka_ConfigEntry_name(entries[i])] = rd_kafka_ConfigEntry_is_default(entries[i]);
      }
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_ConfigResource_destroy(res);
    return out;
  }

  rd_kafka_resp_err_t CreatePartitions(const std::string& topic, int count) {
    char err[256];
    rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(topic.c_str(), count, err, sizeof(err));
    rd_kafka_CreatePartitions(rk(), &np, 1, nullptr, queue_);
    rd_kafka_event_t* ev = Wait();
    size_t n = 0;
    const rd_kafka_topic_result_t** r =
        rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
    rd_kafka_resp_err_t result = n == 1 ? rd_kafka_topic_result_error(r[0]) : RD_KAFKA_RESP_ERR__FAIL;
    rd_kafka_event_destroy(ev);
    rd_kafka_NewPartitions_destroy(np);
    return result;
  }

  // Returns the new low watermark, or -1 with the error in *err.
  int64_t DeleteRecords(const std::string& topic, int32_t partition, int64_t before,
                        rd_kafka_resp_err_t* err) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = before;
    rd_kafka_DeleteRecords_t* dr = rd_kafka_DeleteRecords_new(list);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_DeleteRecords(rk(), &dr, 1, nullptr, queue_);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(queue_, 30000);
    const rd_kafka_topic_partition_list_t* offsets =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
    *err = offsets->elems[0].err;
    int64_t low = offsets->elems[0].offset;
    rd_kafka_event_destroy(ev);
    rd_kafka_DeleteRecords_destroy(dr);
    return low;
  }

  rd_kafka_resp_err_t DeleteTopic(const std::string& topic) {
    rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(topic.c_str());
    rd_kafka_DeleteTopics(rk(), &dt, 1, nullptr, queue_);
    rd_kafka_event_t* ev = Wait();
    size_t n = 0;
    const rd_kafka_topic_result_t** r =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    rd_kafka_resp_err_t result = n == 1 ? rd_kafka_topic_result_error(r[0]) : RD_KAFKA_RESP_ERR__FAIL;
    rd_kafka_event_destroy(ev);
    rd_kafka_DeleteTopic_destroy(dt);
    return result;
  }

  // Partition count from a metadata request, -1 if the topic is unknown.
  int PartitionCount(const std::string& topic) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk(), topic.c_str(), nullptr);
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk(), 0, t, &md, 10000);
    int count = -1;
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 && md->topics[0].err == 0) {
      count = md->topics[0].partition_cnt;
    }
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return count;
  }

 private:
  Producer producer_;
  rd_kafka_queue_t* queue_;
};

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.Start().ok()); }
  std::string bootstrap() const { return cluster_.bootstrap_servers(); }
  broker::EmbeddedCluster cluster_;
};

TEST_F(AdminTest, CreateWithConfigsAndDescribe) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "configured", 3,
                                 {{"retention.ms", "3600000"}, {"cleanup.policy", "compact"},
                                  {"min.insync.replicas", "1"}}),
            "");
  Admin admin(bootstrap());
  std::map<std::string, bool> defaults;
  auto configs = admin.DescribeTopicConfigs("configured", &defaults);
  EXPECT_EQ(configs["retention.ms"], "3600000");
  EXPECT_FALSE(defaults["retention.ms"]);
  EXPECT_EQ(configs["cleanup.policy"], "compact");
  EXPECT_EQ(configs["min.insync.replicas"], "1");
  EXPECT_TRUE(configs.contains("segment.bytes"));
  EXPECT_TRUE(defaults["segment.bytes"]);
  EXPECT_EQ(admin.PartitionCount("configured"), 3);
  // Creating it again fails with TOPIC_ALREADY_EXISTS.
  EXPECT_NE(testing::CreateTopic(bootstrap(), "configured", 3).find("TOPIC_ALREADY_EXISTS"),
            std::string::npos);
  // Configs survive a restart.
  ASSERT_TRUE(cluster_.RestartNode(0).ok());
  Admin again(bootstrap());
  EXPECT_EQ(again.DescribeTopicConfigs("configured", nullptr)["retention.ms"], "3600000");
}

TEST_F(AdminTest, CreatePartitionsGrowsButNeverShrinks) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "growing", 2), "");
  Admin admin(bootstrap());
  EXPECT_EQ(admin.CreatePartitions("growing", 5), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(admin.PartitionCount("growing"), 5);
  EXPECT_EQ(admin.CreatePartitions("growing", 3), RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
  // The new partitions take data.
  Producer producer({{"bootstrap.servers", bootstrap()}});
  producer.Send("growing", 4, std::nullopt, std::string("in partition 4"));
  ASSERT_TRUE(producer.Flush());
  EXPECT_EQ(producer.deliveries().at(0).err, RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST_F(AdminTest, DeleteRecordsRaisesLogStartOffset) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "trimmed", 1), "");
  {
    Producer producer({{"bootstrap.servers", bootstrap()}});
    for (int i = 0; i < 100; ++i) producer.Send("trimmed", 0, std::nullopt, std::to_string(i));
    ASSERT_TRUE(producer.Flush());
  }
  Admin admin(bootstrap());
  rd_kafka_resp_err_t err;
  EXPECT_EQ(admin.DeleteRecords("trimmed", 0, 40, &err), 40);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR);
  admin.DeleteRecords("trimmed", 0, 1000, &err);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);

  // Consumers starting from the beginning now start at 40.
  testing::Consumer consumer({{"bootstrap.servers", bootstrap()}});
  consumer.Assign("trimmed", {0});
  auto got = consumer.ReadN(60);
  ASSERT_EQ(got.size(), 60u);
  EXPECT_EQ(got.front().offset, 40);
  EXPECT_EQ(got.front().value, "40");
  // The start offset survives a restart.
  ASSERT_TRUE(cluster_.RestartNode(0).ok());
  int64_t low = -1, high = -1;
  testing::Consumer after({{"bootstrap.servers", bootstrap()}});
  ASSERT_EQ(rd_kafka_query_watermark_offsets(after.handle(), "trimmed", 0, &low, &high, 10000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(low, 40);
  EXPECT_EQ(high, 100);
}

TEST_F(AdminTest, DeleteTopic) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "doomed", 2), "");
  Admin admin(bootstrap());
  EXPECT_EQ(admin.DeleteTopic("doomed"), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(admin.DeleteTopic("doomed"), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  // It can be created again, empty.
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "doomed", 1), "");
  EXPECT_EQ(admin.PartitionCount("doomed"), 1);
}

TEST(AdminNoAutoCreateTest, UnknownTopicStaysUnknown) {
  broker::EmbeddedClusterOptions options;
  options.node_template.auto_create_topics = false;
  broker::EmbeddedCluster cluster(options);
  ASSERT_TRUE(cluster.Start().ok());
  Admin admin(cluster.bootstrap_servers());
  EXPECT_EQ(admin.PartitionCount("never-created"), -1);
}

}  // namespace
}  // namespace rill
