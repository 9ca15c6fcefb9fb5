// librdkafka group consumers against the embedded broker, for each of librdkafka's
// assignors: three members share a 12-partition topic with a synchronous commit after
// every record; one member is killed (no LeaveGroup) and its partitions move after the
// session timeout; a fourth member joins. Across all of it no record is lost and every
// offset ends committed; with range and roundrobin a record is delivered twice only if its
// first delivery's commit was refused (never between committed positions). librdkafka
// 2.0.2's cooperative-sticky consumer has client-side rewinds (see the test), so for it
// only the no-loss half is asserted.
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "broker/broker.h"
#include "broker/embedded_cluster.h"
#include "broker/group/group_coordinator.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

using namespace std::chrono_literals;
using testing::WaitUntil;

struct Delivery {
  int member;
  bool commit_ok;
};

// Everything every member consumed, keyed by (partition, offset).
class Ledger {
 public:
  void Record(int32_t partition, int64_t offset, int member, bool commit_ok) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_[{partition, offset}].push_back({member, commit_ok});
    per_member_[member]++;
  }
  size_t distinct() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.size();
  }
  size_t consumed_by(int member) {
    std::lock_guard<std::mutex> lock(mu_);
    return per_member_[member];
  }
  // Records delivered more than once although their first delivery was committed: with a
  // correct hand-over, the next owner starts at the committed position.
  std::vector<std::string> UnjustifiedDuplicates() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [key, deliveries] : seen_) {
      for (size_t i = 1; i < deliveries.size(); ++i) {
        if (deliveries[i - 1].commit_ok) {
          out.push_back(std::to_string(key.first) + "@" + std::to_string(key.second) +
                        " (member " + std::to_string(deliveries[i - 1].member) + " then " +
                        std::to_string(deliveries[i].member) + ")");
        }
      }
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::pair<int32_t, int64_t>, std::vector<Delivery>> seen_;
  std::map<int, size_t> per_member_;
};

// One group member on its own thread.
class Member {
 public:
  Member(int id, const std::string& bootstrap, const std::string& group,
         const std::string& topic, const std::string& assignor, Ledger& ledger,
         std::optional<std::string> instance_id = std::nullopt)
      : id_(id), ledger_(ledger) {
    testing::Config config{{"bootstrap.servers", bootstrap},
                           {"group.id", group},
                           {"partition.assignment.strategy", assignor},
                           {"session.timeout.ms", "6000"},
                           {"heartbeat.interval.ms", "500"},
                           {"enable.auto.commit", "false"},
                           {"auto.offset.reset", "earliest"}};
    if (instance_id) config["group.instance.id"] = *instance_id;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [k, v] : config) rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err));
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    thread_ = std::thread([this] { Run(); });
  }

  ~Member() {
    if (rk_) Stop(/*clean=*/true);
  }

  // clean: close (LeaveGroup for dynamic members). Otherwise vanish like a crashed process:
  // no LeaveGroup, no final commit.
  void Stop(bool clean) {
    stop_ = true;
    thread_.join();
    if (clean) {
      rd_kafka_consumer_close(rk_);
      rd_kafka_destroy(rk_);
    } else {
      rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }
    rk_ = nullptr;
  }

  rd_kafka_resp_err_t fatal_error() const { return fatal_.load(); }

 private:
  void Run() {
    while (!stop_) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 50);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR__FATAL || m->err == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID) {
        char reason[256];
        fatal_ = rd_kafka_fatal_error(rk_, reason, sizeof(reason));
        if (fatal_ == RD_KAFKA_RESP_ERR_NO_ERROR) fatal_ = m->err;
      } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_resp_err_t c = rd_kafka_commit_message(rk_, m, /*async=*/0);
        ledger_.Record(m->partition, m->offset, id_, c == RD_KAFKA_RESP_ERR_NO_ERROR);
      }
      rd_kafka_message_destroy(m);
    }
  }

  int id_;
  Ledger& ledger_;
  rd_kafka_t* rk_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<rd_kafka_resp_err_t> fatal_{RD_KAFKA_RESP_ERR_NO_ERROR};
};

class GroupConsumerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    broker::EmbeddedClusterOptions options;
    options.node_template.group.initial_rebalance_delay_ms = 0;
    cluster_ = std::make_unique<broker::EmbeddedCluster>(options);
    ASSERT_TRUE(cluster_->Start().ok());
  }
  std::string bootstrap() const { return cluster_->bootstrap_servers(); }

  void Produce(const std::string& topic, int from, int count) {
    testing::Producer producer({{"bootstrap.servers", bootstrap()}, {"linger.ms", "2"}});
    for (int i = from; i < from + count; ++i) {
      producer.Send(topic, i % 12, std::nullopt, std::to_string(i));
    }
    ASSERT_TRUE(producer.Flush());
  }

  // Committed offsets of the group, summed over partitions, read through `reader` (a
  // consumer with the group's id that never subscribes, so it does not join).
  int64_t CommittedTotal(testing::Consumer& reader, const std::string& topic) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(12);
    for (int p = 0; p < 12; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
    EXPECT_EQ(rd_kafka_committed(reader.handle(), list, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    int64_t total = 0;
    for (int i = 0; i < list->cnt; ++i) total += std::max<int64_t>(0, list->elems[i].offset);
    rd_kafka_topic_partition_list_destroy(list);
    return total;
  }

  std::unique_ptr<broker::EmbeddedCluster> cluster_;
};

TEST_P(GroupConsumerTest, MembersComeAndGoWithoutLossOrDuplicates) {
  const std::string assignor = GetParam();
  const std::string topic = "shared-" + assignor;
  const std::string group = "group-" + assignor;
  ASSERT_EQ(testing::CreateTopic(bootstrap(), topic, 12), "");
  Ledger ledger;
  Produce(topic, 0, 3000);
  auto m0 = std::make_unique<Member>(0, bootstrap(), group, topic, assignor, ledger);
  auto m1 = std::make_unique<Member>(1, bootstrap(), group, topic, assignor, ledger);
  auto m2 = std::make_unique<Member>(2, bootstrap(), group, topic, assignor, ledger);
  ASSERT_TRUE(WaitUntil([&] { return ledger.distinct() == 3000; }, 60s)) << ledger.distinct();

  // Member 0 dies without leaving; its partitions move after the 6 s session timeout.
  m0->Stop(/*clean=*/false);
  Produce(topic, 3000, 3000);
  ASSERT_TRUE(WaitUntil([&] { return ledger.distinct() == 6000; }, 60s)) << ledger.distinct();

  // A new member joins and gets a share.
  auto m3 = std::make_unique<Member>(3, bootstrap(), group, topic, assignor, ledger);
  ASSERT_TRUE(WaitUntil([&] {
    auto d = cluster_->node(0).groups().DescribeGroup(group);
    return d.state == "Stable" && d.members.size() == 3;
  }, 60s));
  Produce(topic, 6000, 3000);
  ASSERT_TRUE(WaitUntil([&] { return ledger.distinct() == 9000; }, 60s)) << ledger.distinct();
  EXPECT_GT(ledger.consumed_by(3), 0u);

  if (assignor == "cooperative-sticky") {
    // librdkafka 2.0.2's cooperative-sticky consumer can rewind a retained partition
    // (confluentinc/librdkafka#4637) and keeps consuming and committing a partition while it
    // is being revoked (confluentinc/librdkafka#4059); the classic protocol lets the broker
    // check a commit's generation and member, not partition ownership, as in Kafka. So for
    // this assignor the test proves no loss (above and below), not absence of duplicates;
    // range and roundrobin prove both.
    RecordProperty("duplicates_after_commit",
                   static_cast<int>(ledger.UnjustifiedDuplicates().size()));
  } else {
    EXPECT_TRUE(ledger.UnjustifiedDuplicates().empty())
        << "delivered twice after a successful commit: "
        << ::testing::PrintToString(ledger.UnjustifiedDuplicates());
  }
  // Every delivery is committed synchronously, so the committed positions reach the end of
  // every partition. Awaited, not read once: when the last record is first seen, a
  // cooperative-sticky member may still be replaying a rewound partition (above), committing
  // lower offsets on its way back to the end.
  testing::Consumer reader({{"bootstrap.servers", bootstrap()}, {"group.id", group}});
  int64_t committed = 0;
  EXPECT_TRUE(WaitUntil([&] { return (committed = CommittedTotal(reader, topic)) == 9000; }, 60s))
      << committed;
  m1->Stop(true);
  m2->Stop(true);
  m3->Stop(true);
  EXPECT_EQ(CommittedTotal(reader, topic), 9000) << "a clean close lowered a committed position";
}

INSTANTIATE_TEST_SUITE_P(Assignors, GroupConsumerTest,
                         ::testing::Values("range", "roundrobin", "cooperative-sticky"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::erase(name, '-');
                           return name;
                         });

class StaticMembershipTest : public GroupConsumerTest {};

TEST_F(StaticMembershipTest, RestartedStaticMemberRejoinsWithoutRebalance) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "static-topic", 12), "");
  Ledger ledger;
  Produce("static-topic", 0, 1200);
  auto a = std::make_unique<Member>(0, bootstrap(), "static-group", "static-topic", "range",
                                    ledger, "instance-a");
  auto b = std::make_unique<Member>(1, bootstrap(), "static-group", "static-topic", "range",
                                    ledger, "instance-b");
  ASSERT_TRUE(WaitUntil([&] { return ledger.distinct() == 1200; }, 60s));
  auto& groups = cluster_->node(0).groups();
  ASSERT_TRUE(WaitUntil([&] { return groups.DescribeGroup("static-group").state == "Stable"; }, 30s));
  const int32_t generation = groups.DescribeGroup("static-group").generation_id;

  // Restart member a: static members send no LeaveGroup on close, and rejoin with the same
  // instance id well within the session timeout.
  a->Stop(/*clean=*/true);
  a = std::make_unique<Member>(2, bootstrap(), "static-group", "static-topic", "range", ledger,
                               "instance-a");
  Produce("static-topic", 1200, 1200);
  ASSERT_TRUE(WaitUntil([&] { return ledger.distinct() == 2400; }, 60s));
  auto d = groups.DescribeGroup("static-group");
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.generation_id, generation) << "the static rejoin caused a rebalance";
  EXPECT_EQ(d.members.size(), 2u);
  EXPECT_GT(ledger.consumed_by(2), 0u);  // the new incarnation got the old partitions
  EXPECT_TRUE(ledger.UnjustifiedDuplicates().empty());
}

TEST_F(StaticMembershipTest, SecondInstanceWithSameIdFencesTheFirst) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "fence-topic", 12), "");
  Ledger ledger;
  Produce("fence-topic", 0, 120);
  Member first(0, bootstrap(), "fence-group", "fence-topic", "range", ledger, "twin");
  ASSERT_TRUE(WaitUntil([&] { return ledger.distinct() == 120; }, 60s));
  Member second(1, bootstrap(), "fence-group", "fence-topic", "range", ledger, "twin");
  ASSERT_TRUE(WaitUntil([&] { return first.fatal_error() != RD_KAFKA_RESP_ERR_NO_ERROR; }, 30s));
  EXPECT_EQ(first.fatal_error(), RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID);
  Produce("fence-topic", 120, 120);
  ASSERT_TRUE(WaitUntil([&] { return ledger.distinct() == 240; }, 60s));
  EXPECT_GT(ledger.consumed_by(1), 0u);
}

}  // namespace
}  // namespace rill
