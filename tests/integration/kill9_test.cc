// Acknowledged writes survive `kill -9` of the broker process: rill-broker runs as a child
// process, acknowledges records with acks=all, is killed with SIGKILL, restarts on the
// same data directory, and every acknowledged record is read back.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <filesystem>
#include <cstring>
#include <set>

#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

using testing::Consumer;
using testing::Producer;

using testing::BrokerProcess;
using testing::FreePort;

TEST(Kill9Test, AcknowledgedWritesSurviveSigkill) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("rill-kill9-" + std::to_string(::getpid())))
                        .string();
  std::filesystem::remove_all(dir);
  int port = FreePort();
  std::set<std::string> acknowledged;
  {
    BrokerProcess broker(dir, port);
    std::string address = broker.Start();
    ASSERT_FALSE(address.empty()) << "rill-broker did not start";
    ASSERT_EQ(testing::CreateTopic(address, "survivor", 4), "");
    {
      Producer producer({{"bootstrap.servers", address}, {"acks", "all"}, {"linger.ms", "2"}});
      for (int i = 0; i < 20000; ++i) producer.Send("survivor", i % 4, std::nullopt, std::to_string(i));
      ASSERT_TRUE(producer.Flush());
      for (const auto& d : producer.deliveries()) ASSERT_EQ(d.err, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    for (int i = 0; i < 20000; ++i) acknowledged.insert(std::to_string(i));
    broker.Kill(SIGKILL);
  }
  BrokerProcess restarted(dir, port);
  std::string address = restarted.Start();
  ASSERT_FALSE(address.empty()) << "rill-broker did not restart";
  Consumer consumer({{"bootstrap.servers", address}});
  consumer.Assign("survivor", {0, 1, 2, 3});
  auto got = consumer.ReadN(acknowledged.size());
  std::set<std::string> values;
  for (const auto& m : got) values.insert(*m.value);
  EXPECT_EQ(values, acknowledged);
  restarted.Kill(SIGTERM);
  std::filesystem::remove_all(dir);
}

TEST(Kill9Test, CommittedOffsetsAndMetadataSurviveSigkill) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("rill-kill9-offsets-" + std::to_string(::getpid())))
                        .string();
  std::filesystem::remove_all(dir);
  int port = FreePort();
  auto committed_list = [] {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(3);
    for (int p = 0; p < 3; ++p) rd_kafka_topic_partition_list_add(list, "offsets-topic", p);
    return list;
  };
  {
    BrokerProcess broker(dir, port);
    std::string address = broker.Start();
    ASSERT_FALSE(address.empty());
    ASSERT_EQ(testing::CreateTopic(address, "offsets-topic", 3), "");
    Consumer consumer({{"bootstrap.servers", address}, {"group.id", "survivors"}});
    rd_kafka_topic_partition_list_t* list = committed_list();
    for (int p = 0; p < 3; ++p) {
      list->elems[p].offset = 100 * (p + 1);
      std::string metadata = "checkpoint-" + std::to_string(p);
      list->elems[p].metadata = ::strdup(metadata.c_str());
      list->elems[p].metadata_size = metadata.size();
    }
    ASSERT_EQ(rd_kafka_commit(consumer.handle(), list, /*async=*/0), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
    broker.Kill(SIGKILL);
  }
  BrokerProcess restarted(dir, port);
  std::string address = restarted.Start();
  ASSERT_FALSE(address.empty());
  Consumer consumer({{"bootstrap.servers", address}, {"group.id", "survivors"}});
  rd_kafka_topic_partition_list_t* list = committed_list();
  // librdkafka retries COORDINATOR_LOAD_IN_PROGRESS itself within the timeout.
  ASSERT_EQ(rd_kafka_committed(consumer.handle(), list, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(list->elems[p].offset, 100 * (p + 1));
    std::string metadata(static_cast<const char*>(list->elems[p].metadata),
                         list->elems[p].metadata_size);
    EXPECT_EQ(metadata, "checkpoint-" + std::to_string(p));
  }
  rd_kafka_topic_partition_list_destroy(list);
  restarted.Kill(SIGTERM);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rill
