// The group coordinator driven with exact requests over the wire: the member-id handshake,
// generations, rebalances, static membership, session and rebalance timeouts, the
// initial rebalance delay, offsets, and the documented error for each misuse.
#include <future>
#include <thread>

#include "broker/broker.h"
#include "broker/embedded_cluster.h"
#include "broker/protocol/messages/delete_groups.h"
#include "broker/protocol/messages/describe_groups.h"
#include "broker/protocol/messages/find_coordinator.h"
#include "broker/protocol/messages/heartbeat.h"
#include "broker/protocol/messages/join_group.h"
#include "broker/protocol/messages/leave_group.h"
#include "broker/protocol/messages/list_groups.h"
#include "broker/protocol/messages/offset_commit.h"
#include "broker/protocol/messages/offset_delete.h"
#include "broker/protocol/messages/offset_fetch.h"
#include "broker/protocol/messages/sync_group.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

namespace protocol = broker::protocol;
using namespace std::chrono_literals;
using protocol::ErrorCode;
using protocol::ToWire;
using testing::RawClient;

// Consumer-protocol subscription metadata: version, topics, user data.
std::string Subscription(const std::vector<std::string>& topics) {
  std::string out;
  protocol::Writer w(&out);
  w.Int16(0);
  w.Int32(static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) w.String(t);
  w.NullableBytes(std::nullopt);
  return out;
}

protocol::JoinGroupRequest Join(const std::string& group, const std::string& member_id,
                                std::optional<std::string> instance = std::nullopt,
                                int32_t session_ms = 2000, int32_t rebalance_ms = 3000) {
  protocol::JoinGroupRequest j;
  j.group_id = group;
  j.session_timeout_ms = session_ms;
  j.rebalance_timeout_ms = rebalance_ms;
  j.member_id = member_id;
  j.group_instance_id = std::move(instance);
  j.protocol_type = "consumer";
  j.protocols.push_back({"range", Subscription({"topic-a"})});
  return j;
}

class GroupProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(0); }

  void Start(int32_t initial_delay_ms) {
    broker::EmbeddedClusterOptions options;
    options.node_template.group.initial_rebalance_delay_ms = initial_delay_ms;
    options.node_template.group.min_session_timeout_ms = 500;
    cluster_ = std::make_unique<broker::EmbeddedCluster>(options);
    ASSERT_TRUE(cluster_->Start().ok());
    ASSERT_EQ(testing::CreateTopic(bootstrap(), "topic-a", 1), "");
  }

  std::string bootstrap() const { return cluster_->bootstrap_servers(); }

  // Joins with the v5 member-id handshake and returns the final response.
  protocol::JoinGroupResponse JoinV5(RawClient& c, protocol::JoinGroupRequest request) {
    protocol::JoinGroupResponse first;
    EXPECT_TRUE(c.Call(request, 5, &first));
    if (first.error_code != ToWire(ErrorCode::kMemberIdRequired)) return first;
    request.member_id = first.member_id;
    protocol::JoinGroupResponse second;
    EXPECT_TRUE(c.Call(request, 5, &second));
    return second;
  }

  protocol::SyncGroupResponse Sync(RawClient& c, const std::string& group, int32_t generation,
                                   const std::string& member,
                                   std::vector<protocol::SyncGroupRequest::SyncGroupRequestAssignment>
                                       assignments = {},
                                   std::optional<std::string> instance = std::nullopt) {
    protocol::SyncGroupRequest s;
    s.group_id = group;
    s.generation_id = generation;
    s.member_id = member;
    s.group_instance_id = std::move(instance);
    s.assignments = std::move(assignments);
    protocol::SyncGroupResponse out;
    EXPECT_TRUE(c.Call(s, 3, &out));
    return out;
  }

  int16_t Heartbeat(RawClient& c, const std::string& group, int32_t generation,
                    const std::string& member, std::optional<std::string> instance = std::nullopt) {
    protocol::HeartbeatRequest h;
    h.group_id = group;
    h.generation_id = generation;
    h.member_id = member;
    h.group_instance_id = std::move(instance);
    protocol::HeartbeatResponse out;
    EXPECT_TRUE(c.Call(h, 3, &out));
    return out.error_code;
  }

  int16_t Commit(RawClient& c, const std::string& group, int32_t generation,
                 const std::string& member, int64_t offset, std::optional<std::string> metadata) {
    protocol::OffsetCommitRequest req;
    req.group_id = group;
    req.generation_id = generation;
    req.member_id = member;
    req.topics.push_back({"topic-a", {{0, offset, -1, std::move(metadata)}}});
    protocol::OffsetCommitResponse out;
    EXPECT_TRUE(c.Call(req, 7, &out));
    return out.topics.at(0).partitions.at(0).error_code;
  }

  protocol::OffsetFetchResponse::OffsetFetchResponsePartition Fetch(RawClient& c,
                                                                    const std::string& group) {
    protocol::OffsetFetchRequest req;
    req.group_id = group;
    req.topics.emplace();
    req.topics->push_back({"topic-a", {0}});
    protocol::OffsetFetchResponse out;
    EXPECT_TRUE(c.Call(req, 7, &out));
    return out.topics.at(0).partitions.at(0);
  }

  protocol::DescribeGroupsResponse::DescribedGroup Describe(RawClient& c, const std::string& group) {
    protocol::DescribeGroupsRequest req;
    req.groups = {group};
    protocol::DescribeGroupsResponse out;
    EXPECT_TRUE(c.Call(req, 4, &out));
    return out.groups.at(0);
  }

  // Polls DescribeGroups until the group reaches `state` or `timeout` passes.
  bool AwaitState(RawClient& c, const std::string& group, const std::string& state,
                  std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Describe(c, group).group_state == state) return true;
      std::this_thread::sleep_for(20ms);  // polling interval of a condition, not a wait
    }
    return false;
  }

  std::unique_ptr<broker::EmbeddedCluster> cluster_;
};

TEST_F(GroupProtocolTest, FindCoordinatorNamesThisNode) {
  RawClient c(bootstrap());
  protocol::FindCoordinatorRequest req;
  req.key = "g";
  protocol::FindCoordinatorResponse out;
  ASSERT_TRUE(c.Call(req, 2, &out));
  EXPECT_EQ(out.error_code, 0);
  EXPECT_EQ(out.node_id, 1);
  EXPECT_EQ(bootstrap(), out.host + ":" + std::to_string(out.port));
}

TEST_F(GroupProtocolTest, MemberLifecycleWithGenerationChecks) {
  RawClient c(bootstrap());
  protocol::JoinGroupResponse first;
  ASSERT_TRUE(c.Call(Join("life", ""), 5, &first));
  EXPECT_EQ(first.error_code, ToWire(ErrorCode::kMemberIdRequired));
  ASSERT_FALSE(first.member_id.empty());

  protocol::JoinGroupResponse joined;
  ASSERT_TRUE(c.Call(Join("life", first.member_id), 5, &joined));
  ASSERT_EQ(joined.error_code, 0);
  EXPECT_EQ(joined.generation_id, 1);
  EXPECT_EQ(joined.leader, first.member_id);
  EXPECT_EQ(joined.protocol_name, "range");
  ASSERT_EQ(joined.members.size(), 1u);
  EXPECT_EQ(joined.members[0].metadata, Subscription({"topic-a"}));

  auto sync = Sync(c, "life", 1, joined.member_id, {{joined.member_id, "my-assignment"}});
  EXPECT_EQ(sync.error_code, 0);
  EXPECT_EQ(sync.assignment, "my-assignment");
  EXPECT_EQ(Describe(c, "life").group_state, "Stable");

  EXPECT_EQ(Heartbeat(c, "life", 1, joined.member_id), 0);
  EXPECT_EQ(Heartbeat(c, "life", 7, joined.member_id), ToWire(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(Heartbeat(c, "life", 1, "stranger"), ToWire(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Sync(c, "life", 0, joined.member_id).error_code, ToWire(ErrorCode::kIllegalGeneration));

  EXPECT_EQ(Commit(c, "life", 0, joined.member_id, 5, "m"), ToWire(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(Commit(c, "life", 1, "stranger", 5, "m"), ToWire(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Commit(c, "life", -1, "", 5, "m"), ToWire(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Commit(c, "life", 1, joined.member_id, 42, "meta-42"), 0);
  auto fetched = Fetch(c, "life");
  EXPECT_EQ(fetched.committed_offset, 42);
  EXPECT_EQ(fetched.metadata, "meta-42");

  EXPECT_EQ(Commit(c, "life", 1, joined.member_id, 43, std::string(5000, 'x')),
            ToWire(ErrorCode::kOffsetMetadataTooLarge));
  EXPECT_EQ(Fetch(c, "life").committed_offset, 42);

  protocol::LeaveGroupRequest leave;
  leave.group_id = "life";
  leave.members.push_back({joined.member_id, std::nullopt});
  protocol::LeaveGroupResponse left;
  ASSERT_TRUE(c.Call(leave, 3, &left));
  EXPECT_EQ(left.error_code, 0);
  ASSERT_EQ(left.members.size(), 1u);
  EXPECT_EQ(left.members[0].error_code, 0);
  auto described = Describe(c, "life");
  EXPECT_EQ(described.group_state, "Empty");
  EXPECT_TRUE(described.members.empty());
  // An empty group accepts a standalone commit (generation -1).
  EXPECT_EQ(Commit(c, "life", -1, "", 50, std::nullopt), 0);
  EXPECT_EQ(Fetch(c, "life").committed_offset, 50);
}

TEST_F(GroupProtocolTest, OldJoinVersionNeedsNoMemberIdRoundTrip) {
  RawClient c(bootstrap());
  protocol::JoinGroupResponse joined;
  ASSERT_TRUE(c.Call(Join("old", ""), 2, &joined));
  EXPECT_EQ(joined.error_code, 0);
  EXPECT_EQ(joined.generation_id, 1);
  EXPECT_FALSE(joined.member_id.empty());
}

TEST_F(GroupProtocolTest, BadJoinsGetTheirDocumentedErrors) {
  RawClient c(bootstrap());
  protocol::JoinGroupResponse out;
  ASSERT_TRUE(c.Call(Join("", ""), 5, &out));
  EXPECT_EQ(out.error_code, ToWire(ErrorCode::kInvalidGroupId));

  auto too_short = Join("timeouts", "");
  too_short.session_timeout_ms = 10;
  ASSERT_TRUE(c.Call(too_short, 5, &out));
  EXPECT_EQ(out.error_code, ToWire(ErrorCode::kInvalidSessionTimeout));

  auto oversized = Join("big", "");
  oversized.protocols[0].metadata = std::string(2 << 20, 'm');
  ASSERT_TRUE(c.Call(oversized, 5, &out));
  EXPECT_EQ(out.error_code, ToWire(ErrorCode::kInvalidRequest));

  auto no_protocols = Join("none", "");
  no_protocols.protocols.clear();
  ASSERT_TRUE(c.Call(no_protocols, 5, &out));
  EXPECT_EQ(out.error_code, ToWire(ErrorCode::kInconsistentGroupProtocol));

  // A group of consumers refuses a member of another protocol type or with no common
  // assignor.
  auto member = JoinV5(c, Join("typed", ""));
  ASSERT_EQ(member.error_code, 0);
  RawClient other(bootstrap());
  auto connect = Join("typed", "");
  connect.protocol_type = "connect";
  ASSERT_TRUE(other.Call(connect, 5, &out));
  EXPECT_EQ(out.error_code, ToWire(ErrorCode::kInconsistentGroupProtocol));
  auto sticky = Join("typed", "");
  sticky.protocols[0].name = "sticky-only";
  ASSERT_TRUE(other.Call(sticky, 5, &out));
  EXPECT_EQ(out.error_code, ToWire(ErrorCode::kInconsistentGroupProtocol));

  // A made-up member id in a group that exists.
  ASSERT_TRUE(other.Call(Join("typed", "made-up"), 5, &out));
  EXPECT_EQ(out.error_code, ToWire(ErrorCode::kUnknownMemberId));
  // The group is unharmed.
  EXPECT_EQ(Heartbeat(c, "typed", member.generation_id, member.member_id),
            ToWire(ErrorCode::kNone));
}

TEST_F(GroupProtocolTest, CommitToUnknownPartitionIsRefused) {
  RawClient c(bootstrap());
  protocol::OffsetCommitRequest req;
  req.group_id = "standalone";
  req.topics.push_back({"topic-a", {{0, 5, -1, std::nullopt}, {9, 5, -1, std::nullopt}}});
  req.topics.push_back({"no-such-topic", {{0, 5, -1, std::nullopt}}});
  protocol::OffsetCommitResponse out;
  ASSERT_TRUE(c.Call(req, 7, &out));
  EXPECT_EQ(out.topics.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(out.topics.at(0).partitions.at(1).error_code,
            ToWire(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(out.topics.at(1).partitions.at(0).error_code,
            ToWire(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(Fetch(c, "standalone").committed_offset, 5);
}

TEST_F(GroupProtocolTest, UnknownGroupErrors) {
  RawClient c(bootstrap());
  EXPECT_EQ(Heartbeat(c, "ghost", 1, "m"), ToWire(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Sync(c, "ghost", 1, "m").error_code, ToWire(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Commit(c, "ghost", 3, "m", 1, std::nullopt), ToWire(ErrorCode::kIllegalGeneration));
  auto described = Describe(c, "ghost");
  EXPECT_EQ(described.error_code, 0);
  EXPECT_EQ(described.group_state, "Dead");
  auto fetched = Fetch(c, "ghost");
  EXPECT_EQ(fetched.error_code, 0);
  EXPECT_EQ(fetched.committed_offset, -1);
  protocol::DeleteGroupsRequest del;
  del.groups_names = {"ghost"};
  protocol::DeleteGroupsResponse deleted;
  ASSERT_TRUE(c.Call(del, 1, &deleted));
  EXPECT_EQ(deleted.results.at(0).error_code, ToWire(ErrorCode::kGroupIdNotFound));
}

TEST_F(GroupProtocolTest, SecondMemberTriggersRebalanceAndCommitsAreFencedMeanwhile) {
  RawClient a(bootstrap());
  auto ja = JoinV5(a, Join("pair", ""));
  ASSERT_EQ(ja.error_code, 0);
  ASSERT_EQ(Sync(a, "pair", ja.generation_id, ja.member_id, {{ja.member_id, "all"}}).error_code, 0);

  // B's join parks until A rejoins.
  RawClient b(bootstrap());
  auto b_join = std::async(std::launch::async, [&] { return JoinV5(b, Join("pair", "")); });
  ASSERT_TRUE(AwaitState(a, "pair", "PreparingRebalance", 10s));
  EXPECT_EQ(Heartbeat(a, "pair", ja.generation_id, ja.member_id),
            ToWire(ErrorCode::kRebalanceInProgress));
  // Still the old generation: a commit for it is accepted while rebalancing starts.
  EXPECT_EQ(Commit(a, "pair", ja.generation_id, ja.member_id, 7, std::nullopt), 0);

  protocol::JoinGroupResponse ja2;
  ASSERT_TRUE(a.Call(Join("pair", ja.member_id), 5, &ja2));
  auto jb = b_join.get();
  ASSERT_EQ(ja2.error_code, 0);
  ASSERT_EQ(jb.error_code, 0);
  EXPECT_EQ(ja2.generation_id, ja.generation_id + 1);
  EXPECT_EQ(jb.generation_id, ja2.generation_id);
  EXPECT_EQ(ja2.leader, ja.member_id);  // the leader stays
  EXPECT_EQ(ja2.members.size(), 2u);
  EXPECT_TRUE(jb.members.empty());  // followers do not see member metadata

  // Between join and sync: commits are refused with REBALANCE_IN_PROGRESS.
  EXPECT_EQ(Commit(b, "pair", jb.generation_id, jb.member_id, 8, std::nullopt),
            ToWire(ErrorCode::kRebalanceInProgress));
  // The follower's sync waits for the leader's.
  auto b_sync = std::async(std::launch::async,
                           [&] { return Sync(b, "pair", jb.generation_id, jb.member_id); });
  auto a_sync = Sync(a, "pair", ja2.generation_id, ja2.member_id,
                     {{ja2.member_id, "half-a"}, {jb.member_id, "half-b"}});
  EXPECT_EQ(a_sync.assignment, "half-a");
  EXPECT_EQ(b_sync.get().assignment, "half-b");
  // The old generation is now stale.
  EXPECT_EQ(Commit(a, "pair", ja.generation_id, ja.member_id, 9, std::nullopt),
            ToWire(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(Commit(a, "pair", ja2.generation_id, ja2.member_id, 9, std::nullopt), 0);
}

TEST_F(GroupProtocolTest, SilentMemberIsExpelledAfterSessionTimeout) {
  RawClient a(bootstrap());
  auto ja = JoinV5(a, Join("silent", "", std::nullopt, /*session_ms=*/800));
  ASSERT_EQ(ja.error_code, 0);
  ASSERT_EQ(Sync(a, "silent", ja.generation_id, ja.member_id).error_code, 0);
  // Committed offsets keep the group around (Empty) once its last member is gone.
  ASSERT_EQ(Commit(a, "silent", ja.generation_id, ja.member_id, 3, std::nullopt), 0);
  // No heartbeats: the coordinator removes the member and the group empties.
  ASSERT_TRUE(AwaitState(a, "silent", "Empty", 10s));
  EXPECT_EQ(Heartbeat(a, "silent", ja.generation_id, ja.member_id),
            ToWire(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupProtocolTest, RebalanceTimeoutDropsMembersThatDoNotRejoin) {
  RawClient a(bootstrap());
  RawClient b(bootstrap());
  auto ja = JoinV5(a, Join("slow", "", std::nullopt, 30000, 30000));
  ASSERT_EQ(Sync(a, "slow", ja.generation_id, ja.member_id).error_code, 0);
  // B joins with a short rebalance timeout... but the group's timeout is the largest of
  // its members', so make A's own rejoin the deciding one: A rejoins with 600 ms, then B
  // arrives and A never rejoins again.
  protocol::JoinGroupResponse ja2;
  auto rejoin = Join("slow", ja.member_id, std::nullopt, 30000, 600);
  rejoin.protocols[0].metadata = Subscription({"topic-a", "topic-b"});  // changed: rebalance
  ASSERT_TRUE(a.Call(rejoin, 5, &ja2));
  ASSERT_EQ(ja2.error_code, 0);
  ASSERT_EQ(Sync(a, "slow", ja2.generation_id, ja2.member_id).error_code, 0);
  auto jb = JoinV5(b, Join("slow", "", std::nullopt, 30000, 600));
  // B's join completed without A, after the rebalance timeout.
  ASSERT_EQ(jb.error_code, 0);
  EXPECT_EQ(jb.leader, jb.member_id);
  EXPECT_EQ(jb.members.size(), 1u);
  EXPECT_EQ(Heartbeat(a, "slow", ja2.generation_id, ja2.member_id),
            ToWire(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupProtocolTest, StaticMemberRejoinsWithoutRebalanceAndFencesOldId) {
  RawClient a(bootstrap());
  auto ja = JoinV5(a, Join("static", "", "instance-1", 10000));
  ASSERT_EQ(ja.error_code, 0);  // static members skip MEMBER_ID_REQUIRED
  ASSERT_EQ(Sync(a, "static", ja.generation_id, ja.member_id, {{ja.member_id, "parts-1"}},
                 "instance-1")
                .error_code,
            0);
  // The same instance restarts: new member id, same generation, no rebalance.
  RawClient restarted(bootstrap());
  protocol::JoinGroupResponse again;
  ASSERT_TRUE(restarted.Call(Join("static", "", "instance-1", 10000), 5, &again));
  ASSERT_EQ(again.error_code, 0);
  EXPECT_NE(again.member_id, ja.member_id);
  EXPECT_EQ(again.generation_id, ja.generation_id);
  EXPECT_EQ(Describe(restarted, "static").group_state, "Stable");
  auto sync = Sync(restarted, "static", again.generation_id, again.member_id, {}, "instance-1");
  EXPECT_EQ(sync.error_code, 0);
  EXPECT_EQ(sync.assignment, "parts-1");
  // The old incarnation is fenced.
  EXPECT_EQ(Heartbeat(a, "static", ja.generation_id, ja.member_id, "instance-1"),
            ToWire(ErrorCode::kFencedInstanceId));
  EXPECT_EQ(Heartbeat(restarted, "static", again.generation_id, again.member_id, "instance-1"),
            0);
}

TEST_F(GroupProtocolTest, DeleteGroupsOnlyWhenEmptyAndOffsetDelete) {
  RawClient c(bootstrap());
  auto j = JoinV5(c, Join("doomed", ""));
  ASSERT_EQ(Sync(c, "doomed", j.generation_id, j.member_id).error_code, 0);
  ASSERT_EQ(Commit(c, "doomed", j.generation_id, j.member_id, 11, std::nullopt), 0);

  protocol::OffsetDeleteRequest od;
  od.group_id = "doomed";
  od.topics.push_back({"topic-a", {{0}}});
  protocol::OffsetDeleteResponse od_out;
  ASSERT_TRUE(c.Call(od, 0, &od_out));
  EXPECT_EQ(od_out.topics.at(0).partitions.at(0).error_code,
            ToWire(ErrorCode::kGroupSubscribedToTopic));

  protocol::DeleteGroupsRequest del;
  del.groups_names = {"doomed"};
  protocol::DeleteGroupsResponse deleted;
  ASSERT_TRUE(c.Call(del, 1, &deleted));
  EXPECT_EQ(deleted.results.at(0).error_code, ToWire(ErrorCode::kNonEmptyGroup));

  protocol::LeaveGroupRequest leave;
  leave.group_id = "doomed";
  leave.member_id = j.member_id;
  protocol::LeaveGroupResponse left;
  ASSERT_TRUE(c.Call(leave, 1, &left));
  EXPECT_EQ(left.error_code, 0);

  ASSERT_TRUE(c.Call(od, 0, &od_out));
  EXPECT_EQ(od_out.error_code, 0);
  EXPECT_EQ(od_out.topics.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(Fetch(c, "doomed").committed_offset, -1);

  ASSERT_EQ(Commit(c, "doomed", -1, "", 12, std::nullopt), 0);
  ASSERT_TRUE(c.Call(del, 1, &deleted));
  EXPECT_EQ(deleted.results.at(0).error_code, 0);
  EXPECT_EQ(Fetch(c, "doomed").committed_offset, -1);
  EXPECT_EQ(Describe(c, "doomed").group_state, "Dead");
}

TEST_F(GroupProtocolTest, ListGroupsWithStateFilter) {
  RawClient c(bootstrap());
  auto j = JoinV5(c, Join("listed", ""));
  ASSERT_EQ(Sync(c, "listed", j.generation_id, j.member_id).error_code, 0);
  ASSERT_EQ(Commit(c, "standalone", -1, "", 1, std::nullopt), 0);
  protocol::ListGroupsRequest all;
  protocol::ListGroupsResponse out;
  ASSERT_TRUE(c.Call(all, 4, &out));
  std::map<std::string, std::string> states;
  for (const auto& g : out.groups) states[g.group_id] = g.group_state;
  EXPECT_EQ(states["listed"], "Stable");
  EXPECT_EQ(states["standalone"], "Empty");
  protocol::ListGroupsRequest stable_only;
  stable_only.states_filter = {"Stable"};
  ASSERT_TRUE(c.Call(stable_only, 4, &out));
  ASSERT_EQ(out.groups.size(), 1u);
  EXPECT_EQ(out.groups[0].group_id, "listed");
  EXPECT_EQ(out.groups[0].protocol_type, "consumer");
}

TEST_F(GroupProtocolTest, InitialRebalanceDelayGathersEarlyMembersIntoOneGeneration) {
  Start(/*initial_delay_ms=*/1500);
  RawClient a(bootstrap());
  RawClient b(bootstrap());
  auto fa = std::async(std::launch::async, [&] { return JoinV5(a, Join("delayed", "")); });
  auto fb = std::async(std::launch::async, [&] { return JoinV5(b, Join("delayed", "")); });
  auto ja = fa.get();
  auto jb = fb.get();
  ASSERT_EQ(ja.error_code, 0);
  ASSERT_EQ(jb.error_code, 0);
  // Both arrived within the delay: one generation, both members in it.
  EXPECT_EQ(ja.generation_id, 1);
  EXPECT_EQ(jb.generation_id, 1);
  EXPECT_EQ(ja.members.size() + jb.members.size(), 2u);
}

TEST_F(GroupProtocolTest, OffsetsSurviveRestart) {
  RawClient c(bootstrap());
  ASSERT_EQ(Commit(c, "durable", -1, "", 1234, "checkpoint"), 0);
  ASSERT_TRUE(cluster_->RestartNode(0).ok());
  RawClient after(bootstrap());
  // Loading may still run right after the restart: COORDINATOR_LOAD_IN_PROGRESS is
  // retriable, so retry until it is done.
  protocol::OffsetFetchResponse::OffsetFetchResponsePartition fetched;
  for (int i = 0; i < 100; ++i) {
    protocol::OffsetFetchRequest req;
    req.group_id = "durable";
    req.topics.emplace();
    req.topics->push_back({"topic-a", {0}});
    protocol::OffsetFetchResponse out;
    ASSERT_TRUE(after.Call(req, 7, &out));
    if (out.error_code == ToWire(ErrorCode::kCoordinatorLoadInProgress)) continue;
    fetched = out.topics.at(0).partitions.at(0);
    break;
  }
  EXPECT_EQ(fetched.committed_offset, 1234);
  EXPECT_EQ(fetched.metadata, "checkpoint");
}

}  // namespace
}  // namespace rill
