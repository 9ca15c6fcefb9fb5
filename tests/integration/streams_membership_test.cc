// The streams group-membership client against an embedded broker: joining and the leader's
// assignment, rebalances announced through heartbeats, offsets committed with the member's
// generation, stale generations refused, dead members expired, prompt leaves, Abort(), and
// a group that Kafka's own tooling (librdkafka's DescribeConsumerGroups) can read.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "broker/embedded_cluster.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/runtime/assignor.h"
#include "streams/runtime/group_membership.h"
#include "tests/integration/kafka_test_util.h"

namespace rill::streams {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using rill::testing::WaitUntil;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr char kTopic[] = "members-source";
constexpr int kPartitions = 6;
// The broker's default minimum session timeout.
constexpr int32_t kSessionTimeoutMs = 6000;

// Polls `condition` until it holds or `timeout` passes (a bounded wait, not a sleep used
// as synchronisation).
std::vector<TaskId> AllTasks() {
  std::vector<TaskId> out;
  for (int p = 0; p < kPartitions; ++p) out.push_back({0, p});
  return out;
}

// What the runtime's leader would do: assign the tasks, and name each member's source
// partitions so group tools show them.
std::map<std::string, TaskAssignment> LeaderAssign(const std::vector<ClientSubscription>& members) {
  auto result = AssignTasks({AllTasks(), members, 0});
  for (auto& [id, a] : result) {
    for (const TaskId& t : a.active) a.partitions[kTopic].push_back(t.partition);
  }
  return result;
}

class StreamsMembershipTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker::EmbeddedClusterOptions options;
    options.node_template.group.initial_rebalance_delay_ms = 0;
    cluster_ = new broker::EmbeddedCluster(options);
    ASSERT_TRUE(cluster_->Start().ok());
    ASSERT_EQ(testing::CreateTopic(cluster_->bootstrap_servers(), kTopic, kPartitions), "");
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  // A fresh group per test, so tests cannot see each other's members.
  std::string Group() const {
    return std::string("app-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  std::unique_ptr<GroupMembership> NewMember(const std::string& client_id,
                                             const std::string& instance_id = "") {
    GroupMembershipOptions options;
    options.group_instance_id = instance_id;
    options.bootstrap_servers = cluster_->bootstrap_servers();
    options.group_id = Group();
    options.client_id = client_id;
    options.session_timeout_ms = kSessionTimeoutMs;
    options.rebalance_timeout_ms = 15000;
    options.heartbeat_interval_ms = 300;
    options.topics = {kTopic};
    return std::make_unique<GroupMembership>(options, &LeaderAssign);
  }

  static ClientSubscription Self(const std::string& process,
                                 std::vector<TaskId> previous_active = {}) {
    ClientSubscription s;
    s.process_id = process;
    s.application_server = process + ":8080";
    s.previous_active = std::move(previous_active);
    return s;
  }

  // Joins `b` while `a` is in the group: b's join waits until a notices (heartbeat) and
  // rejoins. Returns both assignments.
  std::pair<MembershipAssignment, MembershipAssignment> JoinSecond(
      GroupMembership& a, const MembershipAssignment& a_first, GroupMembership& b) {
    auto b_join =
        std::async(std::launch::async, [&] { return b.Join(Self("b"), absl::Seconds(30)); });
    EXPECT_TRUE(WaitUntil([&] { return a.RebalanceNeeded(); }, 10s))
        << "a's heartbeat never reported the rebalance";
    auto a_again = a.Join(Self("a", a_first.active), absl::Seconds(30));
    auto b_result = b_join.get();
    EXPECT_TRUE(a_again.ok()) << a_again.status();
    EXPECT_TRUE(b_result.ok()) << b_result.status();
    if (!a_again.ok() || !b_result.ok()) return {};
    return {*a_again, *b_result};
  }

  static broker::EmbeddedCluster* cluster_;
};

broker::EmbeddedCluster* StreamsMembershipTest::cluster_ = nullptr;

TEST_F(StreamsMembershipTest, OneMemberGetsAllTasks) {
  auto a = NewMember("a");
  auto joined = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_TRUE(joined->leader);
  EXPECT_GE(joined->generation, 1);
  EXPECT_FALSE(joined->member_id.empty());
  EXPECT_EQ(joined->member_id, a->member_id());
  EXPECT_EQ(joined->generation, a->generation());
  EXPECT_EQ(joined->active, AllTasks());
  EXPECT_THAT(joined->standby, IsEmpty());
  ASSERT_THAT(joined->active_by_host, SizeIs(1));
  EXPECT_EQ(joined->active_by_host["a:8080"], AllTasks());
  EXPECT_FALSE(a->RebalanceNeeded());
  a->Leave();
}

TEST_F(StreamsMembershipTest, SecondMemberTriggersRebalanceAndSplitsTasks) {
  auto a = NewMember("a");
  auto b = NewMember("b");
  auto first = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.status();
  auto [ra, rb] = JoinSecond(*a, *first, *b);
  EXPECT_EQ(ra.generation, rb.generation);
  EXPECT_GT(ra.generation, first->generation);
  EXPECT_NE(ra.leader, rb.leader);
  EXPECT_THAT(ra.active, SizeIs(3));
  EXPECT_THAT(rb.active, SizeIs(3));
  std::set<TaskId> all(ra.active.begin(), ra.active.end());
  all.insert(rb.active.begin(), rb.active.end());
  EXPECT_EQ(all.size(), 6u);
  // a kept what it had (sticky), so b got what a gave up.
  for (const TaskId& t : ra.active)
    EXPECT_TRUE(std::count(first->active.begin(), first->active.end(), t));
  // Both instances know where every task lives.
  for (const MembershipAssignment* r : {&ra, &rb}) {
    ASSERT_THAT(r->active_by_host, SizeIs(2));
    EXPECT_EQ(r->active_by_host.at("a:8080"), ra.active);
    EXPECT_EQ(r->active_by_host.at("b:8080"), rb.active);
  }
  EXPECT_FALSE(a->RebalanceNeeded());
  EXPECT_FALSE(b->RebalanceNeeded());
  // Heartbeats keep both in the group: a full session later, nobody needs to rejoin.
  EXPECT_FALSE(WaitUntil([&] { return a->RebalanceNeeded() || b->RebalanceNeeded(); },
                       std::chrono::milliseconds(kSessionTimeoutMs + 1000)));
  b->Leave();
  a->Leave();
}

TEST_F(StreamsMembershipTest, CommitThenFetchRoundTrip) {
  auto a = NewMember("a");
  ASSERT_TRUE(a->Join(Self("a"), absl::Seconds(30)).ok());
  ASSERT_TRUE(a->CommitOffsets({{kTopic, 0, 42, "meta-0"}, {kTopic, 3, 7, ""}}).ok());
  auto fetched = a->FetchCommittedOffsets({{kTopic, 3}, {kTopic, 0}, {kTopic, 5}});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_THAT(*fetched, SizeIs(3));
  EXPECT_EQ((*fetched)[0].topic, kTopic);
  EXPECT_EQ((*fetched)[0].partition, 3);
  EXPECT_EQ((*fetched)[0].offset, 7);
  EXPECT_EQ((*fetched)[1].partition, 0);
  EXPECT_EQ((*fetched)[1].offset, 42);
  EXPECT_EQ((*fetched)[1].metadata, "meta-0");
  EXPECT_EQ((*fetched)[2].partition, 5);
  EXPECT_EQ((*fetched)[2].offset, -1);
  // A later commit replaces the offset.
  ASSERT_TRUE(a->CommitOffsets({{kTopic, 0, 50, ""}}).ok());
  fetched = a->FetchCommittedOffsets({{kTopic, 0}});
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ((*fetched)[0].offset, 50);
  EXPECT_TRUE(a->CommitOffsets({}).ok());
  a->Leave();
}

TEST_F(StreamsMembershipTest, CommitWithStaleGenerationIsRefused) {
  auto a = NewMember("a");
  auto b = NewMember("b");
  auto first = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.status();
  auto [ra, rb] = JoinSecond(*a, *first, *b);
  ASSERT_EQ(b->generation(), rb.generation);

  // b starts a rebalance but gives up waiting for a: the coordinator still counts b's join,
  // so when a rejoins the group moves to a generation b never heard of.
  auto timed_out = b->Join(Self("b", {{0, 5}}), absl::Milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(timed_out.status())) << timed_out.status();
  EXPECT_TRUE(b->RebalanceNeeded());
  EXPECT_EQ(b->generation(), rb.generation);
  ASSERT_TRUE(WaitUntil([&] { return a->RebalanceNeeded(); }, 10s));
  auto a_next = a->Join(Self("a", ra.active), absl::Seconds(30));
  ASSERT_TRUE(a_next.ok()) << a_next.status();
  ASSERT_GT(a_next->generation, rb.generation);

  absl::Status refused = b->CommitOffsets({{kTopic, 1, 10, ""}});
  EXPECT_TRUE(absl::IsAborted(refused)) << refused;
  EXPECT_THAT(std::string(refused.message()), HasSubstr("ILLEGAL_GENERATION"));
  EXPECT_TRUE(b->RebalanceNeeded());

  // After rejoining (with the subscription the coordinator already has, so no new
  // rebalance), b's commits are accepted again.
  auto b_next = b->Join(Self("b", {{0, 5}}), absl::Seconds(30));
  ASSERT_TRUE(b_next.ok()) << b_next.status();
  EXPECT_EQ(b_next->generation, a_next->generation);
  EXPECT_TRUE(b->CommitOffsets({{kTopic, 1, 10, ""}}).ok());
  EXPECT_TRUE(a->CommitOffsets({{kTopic, 2, 11, ""}}).ok());
  b->Leave();
  a->Leave();
}

TEST_F(StreamsMembershipTest, MemberThatStopsHeartbeatingIsRemoved) {
  auto a = NewMember("a");
  auto b = NewMember("b");
  auto first = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.status();
  auto [ra, rb] = JoinSecond(*a, *first, *b);
  ASSERT_THAT(ra.active, SizeIs(3));

  const auto gone = std::chrono::steady_clock::now();
  b.reset();  // no Leave(): the coordinator only notices through the session timeout
  ASSERT_TRUE(WaitUntil([&] { return a->RebalanceNeeded(); },
                      std::chrono::milliseconds(kSessionTimeoutMs * 3)));
  EXPECT_GE(std::chrono::steady_clock::now() - gone,
            std::chrono::milliseconds(kSessionTimeoutMs - 1000));
  auto alone = a->Join(Self("a", ra.active), absl::Seconds(30));
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_EQ(alone->active, AllTasks());
  EXPECT_THAT(alone->active_by_host, SizeIs(1));
  a->Leave();
}

TEST_F(StreamsMembershipTest, LeaveTriggersPromptRebalance) {
  auto a = NewMember("a");
  auto b = NewMember("b");
  auto first = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.status();
  auto [ra, rb] = JoinSecond(*a, *first, *b);

  const auto left = std::chrono::steady_clock::now();
  b->Leave();
  EXPECT_TRUE(b->member_id().empty());
  EXPECT_EQ(b->generation(), -1);
  b->Leave();  // idempotent
  ASSERT_TRUE(WaitUntil([&] { return a->RebalanceNeeded(); }, 10s));
  // Well before the session timeout would have expired b.
  EXPECT_LT(std::chrono::steady_clock::now() - left,
            std::chrono::milliseconds(kSessionTimeoutMs / 2));
  auto alone = a->Join(Self("a", ra.active), absl::Seconds(30));
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_EQ(alone->active, AllTasks());
  a->Leave();
}

TEST_F(StreamsMembershipTest, AbortUnblocksAWaitingJoin) {
  auto a = NewMember("a");
  auto b = NewMember("b");
  ASSERT_TRUE(a->Join(Self("a"), absl::Seconds(30)).ok());
  // b's join waits for a, which does not rejoin.
  auto b_join =
      std::async(std::launch::async, [&] { return b->Join(Self("b"), absl::Seconds(60)); });
  ASSERT_TRUE(WaitUntil([&] { return a->RebalanceNeeded(); }, 10s));
  const auto aborted = std::chrono::steady_clock::now();
  b->Abort();
  ASSERT_EQ(b_join.wait_for(5s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - aborted, 2s);
  EXPECT_TRUE(absl::IsCancelled(b_join.get().status()));
  // Joins stay refused; other requests still reach the coordinator (which refuses this
  // commit: b never got a generation).
  EXPECT_TRUE(absl::IsCancelled(b->Join(Self("b"), absl::Seconds(5)).status()));
  absl::Status commit = b->CommitOffsets({{kTopic, 0, 1, ""}});
  EXPECT_FALSE(absl::IsCancelled(commit)) << commit;
  EXPECT_FALSE(commit.ok());
  b->Leave();  // still tells the coordinator
  auto alone = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_EQ(alone->active, AllTasks());
  a->Leave();
}

TEST_F(StreamsMembershipTest, StaticMemberRestartsWithoutRebalance) {
  auto a = NewMember("a", "instance-a");
  auto b = NewMember("b");
  auto first = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.status();
  auto [ra, rb] = JoinSecond(*a, *first, *b);
  ASSERT_THAT(ra.active, SizeIs(3));

  // The instance restarts (no Leave) and comes back with the same instance id and the same
  // subscription before its session expires: it gets its tasks back, and b never notices.
  a.reset();
  auto restarted = NewMember("a", "instance-a");
  auto back = restarted->Join(Self("a", first->active), absl::Seconds(30));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->generation, ra.generation);
  EXPECT_EQ(back->active, ra.active);
  EXPECT_NE(back->member_id, ra.member_id);
  EXPECT_FALSE(b->RebalanceNeeded());
  EXPECT_TRUE(restarted->CommitOffsets({{kTopic, 0, 3, ""}}).ok());
  EXPECT_TRUE(b->CommitOffsets({{kTopic, 1, 4, ""}}).ok());
  b->Leave();
  restarted->Leave();
}

TEST_F(StreamsMembershipTest, SurvivesACoordinatorRestart) {
  auto a = NewMember("a");
  auto first = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(a->CommitOffsets({{kTopic, 2, 99, ""}}).ok());

  // The broker forgets group membership on restart (offsets are on disk): the heartbeat
  // reconnects, learns the member is unknown, and the member rejoins under a new id.
  ASSERT_TRUE(cluster_->RestartNode(0).ok());
  ASSERT_TRUE(WaitUntil([&] { return a->RebalanceNeeded(); },
                      std::chrono::milliseconds(kSessionTimeoutMs * 2)));
  auto again = a->Join(Self("a", first->active), absl::Seconds(30));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->active, AllTasks());
  auto fetched = a->FetchCommittedOffsets({{kTopic, 2}});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ((*fetched)[0].offset, 99);
  EXPECT_TRUE(a->CommitOffsets({{kTopic, 2, 100, ""}}).ok());
  a->Leave();
}

TEST_F(StreamsMembershipTest, DestructionIsPromptWhileHeartbeating) {
  auto a = NewMember("a");
  ASSERT_TRUE(a->Join(Self("a"), absl::Seconds(30)).ok());
  const auto start = std::chrono::steady_clock::now();
  a.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(StreamsMembershipTest, BadBootstrapIsReported) {
  GroupMembershipOptions options;
  options.bootstrap_servers = "no-port-here";
  options.group_id = Group();
  GroupMembership m(options, &LeaderAssign);
  EXPECT_TRUE(absl::IsInvalidArgument(m.Join(Self("a"), absl::Seconds(1)).status()));
}

TEST_F(StreamsMembershipTest, UnreachableCoordinatorTimesOut) {
  GroupMembershipOptions options;
  options.bootstrap_servers = "127.0.0.1:" + std::to_string(testing::FreePort());
  options.group_id = Group();
  GroupMembership m(options, &LeaderAssign);
  const auto start = std::chrono::steady_clock::now();
  auto joined = m.Join(Self("a"), absl::Milliseconds(700));
  EXPECT_TRUE(absl::IsDeadlineExceeded(joined.status())) << joined.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

// The group as Kafka tooling sees it: librdkafka's DescribeConsumerGroups (what
// `rill-topics groups describe` uses) parses the consumer-protocol assignments.
TEST_F(StreamsMembershipTest, GroupIsReadableByKafkaTools) {
  auto a = NewMember("a");
  auto b = NewMember("b");
  auto first = a->Join(Self("a"), absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.status();
  auto [ra, rb] = JoinSecond(*a, *first, *b);

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", cluster_->bootstrap_servers().c_str(), err,
                              sizeof(err)),
            RD_KAFKA_CONF_OK);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  ASSERT_NE(rk, nullptr) << err;
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  const std::string group = Group();
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(rk, groups, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  ASSERT_NE(ev, nullptr);
  ASSERT_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR)
      << rd_kafka_event_error_string(ev);
  size_t n = 0;
  const rd_kafka_ConsumerGroupDescription_t** descs = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
  ASSERT_EQ(n, 1u);
  const rd_kafka_error_t* group_error = rd_kafka_ConsumerGroupDescription_error(descs[0]);
  EXPECT_EQ(group_error, nullptr) << rd_kafka_error_string(group_error);
  EXPECT_EQ(rd_kafka_ConsumerGroupDescription_state(descs[0]),
            RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);
  EXPECT_STREQ(rd_kafka_ConsumerGroupDescription_partition_assignor(descs[0]), "rill-streams");
  ASSERT_EQ(rd_kafka_ConsumerGroupDescription_member_count(descs[0]), 2u);
  std::map<std::string, std::vector<int32_t>> partitions_by_member;
  for (size_t i = 0; i < 2; ++i) {
    const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(descs[0], i);
    const rd_kafka_topic_partition_list_t* parts =
        rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
    ASSERT_NE(parts, nullptr);
    std::vector<int32_t>& mine = partitions_by_member[rd_kafka_MemberDescription_consumer_id(m)];
    for (int k = 0; k < parts->cnt; ++k) {
      EXPECT_STREQ(parts->elems[k].topic, kTopic);
      mine.push_back(parts->elems[k].partition);
    }
    std::sort(mine.begin(), mine.end());
  }
  auto partitions_of = [](const MembershipAssignment& r) {
    std::vector<int32_t> out;
    for (const TaskId& t : r.active) out.push_back(t.partition);
    return out;
  };
  EXPECT_EQ(partitions_by_member[ra.member_id], partitions_of(ra));
  EXPECT_EQ(partitions_by_member[rb.member_id], partitions_of(rb));
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  b->Leave();
  a->Leave();
}

}  // namespace
}  // namespace rill::streams
