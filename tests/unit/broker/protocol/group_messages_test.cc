// The consumer-group API codecs (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups, DeleteGroups,
// OffsetDelete) at every supported version: encode -> decode gives the same value and
// consumes every byte, re-encoding gives the same bytes, fields a version lacks are neither
// written nor read (they come back as Kafka's defaults), every truncation fails to decode,
// and versions outside the range are refused.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

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
#include "broker/protocol/request_header.h"
#include "broker/protocol/wire.h"
#include "tests/unit/broker/protocol/codec_test_util.h"

namespace rill::broker::protocol {
namespace {

using namespace ::rill::broker::protocol::testing;

// ---------------------------------------------------------------------------------------
// FindCoordinator

TEST(GroupMessagesTest, FindCoordinatorRequest) {
  RoundTripEveryVersion<FindCoordinatorRequest>(
      [] {
        return FindCoordinatorRequest{.key = "txn-1",
                                      .key_type = FindCoordinatorRequest::kTransaction};
      },
      [](FindCoordinatorRequest& m, int16_t v) {
        if (v < 1) m.key_type = FindCoordinatorRequest::kGroup;
      });
}

TEST(GroupMessagesTest, FindCoordinatorResponse) {
  for (const auto& message :
       {std::optional<std::string>("not ready"), std::optional<std::string>(std::nullopt)}) {
    RoundTripEveryVersion<FindCoordinatorResponse>(
        [&message] {
          return FindCoordinatorResponse{.throttle_time_ms = 7,
                                         .error_code = 15,
                                         .error_message = message,
                                         .node_id = 2,
                                         .host = "broker-2",
                                         .port = 9093};
        },
        [](FindCoordinatorResponse& m, int16_t v) {
          if (v < 1) {
            m.throttle_time_ms = 0;
            m.error_message.reset();
          }
        });
  }
}

// ---------------------------------------------------------------------------------------
// JoinGroup

TEST(GroupMessagesTest, JoinGroupRequest) {
  RoundTripEveryVersion<JoinGroupRequest>(
      [] {
        return JoinGroupRequest{
            .group_id = "app",
            .session_timeout_ms = 45000,
            .rebalance_timeout_ms = 300000,
            .member_id = "rdkafka-1234",
            .group_instance_id = "instance-a",
            .protocol_type = "consumer",
            .protocols = {{"range", std::string("\x00\x01\x00\x00", 4)},
                          {"rill-streams", ""},
                          {"", std::string(300, 'x')}},
        };
      },
      [](JoinGroupRequest& m, int16_t v) {
        if (v < 5) m.group_instance_id.reset();
      });
}

TEST(GroupMessagesTest, JoinGroupRequestFirstJoin) {
  // A first join: no member id, no static instance, no protocols.
  RoundTripEveryVersion<JoinGroupRequest>(
      [] {
        return JoinGroupRequest{.group_id = "",
                                .session_timeout_ms = 0,
                                .rebalance_timeout_ms = -1,
                                .member_id = "",
                                .group_instance_id = std::nullopt,
                                .protocol_type = "",
                                .protocols = {}};
      },
      [](JoinGroupRequest&, int16_t) {});
}

TEST(GroupMessagesTest, JoinGroupResponse) {
  RoundTripEveryVersion<JoinGroupResponse>(
      [] {
        return JoinGroupResponse{
            .throttle_time_ms = 3,
            .error_code = 79,
            .generation_id = 12,
            .protocol_name = "range",
            .leader = "m-1",
            .member_id = "m-2",
            .members = {{"m-1", "static-1", std::string("\x00\x01\xff", 3)},
                        {"m-2", std::nullopt, ""}},
        };
      },
      [](JoinGroupResponse& m, int16_t v) {
        if (v < 5) {
          for (auto& member : m.members) member.group_instance_id.reset();
        }
      });
}

TEST(GroupMessagesTest, JoinGroupMetadataOutlivesTheFrame) {
  JoinGroupRequest m{.group_id = "g",
                     .session_timeout_ms = 1,
                     .rebalance_timeout_ms = 2,
                     .member_id = "",
                     .group_instance_id = std::nullopt,
                     .protocol_type = "consumer",
                     .protocols = {{"range", "subscription"}}};
  std::string frame = Encode(m, 5);
  JoinGroupRequest decoded;
  Reader r(frame);
  ASSERT_TRUE(decoded.Decode(r, 5));
  frame.assign(frame.size(), '\0');  // the server reuses its buffer
  EXPECT_EQ(decoded.protocols[0].metadata, "subscription");
}

// ---------------------------------------------------------------------------------------
// SyncGroup

TEST(GroupMessagesTest, SyncGroupRequest) {
  RoundTripEveryVersion<SyncGroupRequest>(
      [] {
        return SyncGroupRequest{
            .group_id = "app",
            .generation_id = 4,
            .member_id = "m-1",
            .group_instance_id = "static-1",
            .assignments = {{"m-1", std::string("\x00\x00\x00", 3)}, {"m-2", ""}},
        };
      },
      [](SyncGroupRequest& m, int16_t v) {
        if (v < 3) m.group_instance_id.reset();
      });
}

TEST(GroupMessagesTest, SyncGroupRequestFollower) {
  RoundTripEveryVersion<SyncGroupRequest>(
      [] {
        return SyncGroupRequest{.group_id = "app",
                                .generation_id = -1,
                                .member_id = "m-2",
                                .group_instance_id = std::nullopt,
                                .assignments = {}};
      },
      [](SyncGroupRequest&, int16_t) {});
}

TEST(GroupMessagesTest, SyncGroupResponse) {
  RoundTripEveryVersion<SyncGroupResponse>(
      [] {
        return SyncGroupResponse{.throttle_time_ms = 1,
                                 .error_code = 27,
                                 .assignment = std::string("\x00\x00\x00\x00\x00\x01", 6)};
      },
      [](SyncGroupResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// Heartbeat

TEST(GroupMessagesTest, HeartbeatRequest) {
  RoundTripEveryVersion<HeartbeatRequest>(
      [] {
        return HeartbeatRequest{.group_id = "app",
                                .generation_id = 9,
                                .member_id = "m-1",
                                .group_instance_id = "static-1"};
      },
      [](HeartbeatRequest& m, int16_t v) {
        if (v < 3) m.group_instance_id.reset();
      });
}

TEST(GroupMessagesTest, HeartbeatResponse) {
  RoundTripEveryVersion<HeartbeatResponse>(
      [] { return HeartbeatResponse{.throttle_time_ms = 5, .error_code = 22}; },
      [](HeartbeatResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// LeaveGroup

TEST(GroupMessagesTest, LeaveGroupRequest) {
  // v0-2 carry the single member_id, v3 the members batch; each version drops the other.
  RoundTripEveryVersion<LeaveGroupRequest>(
      [] {
        return LeaveGroupRequest{
            .group_id = "app",
            .member_id = "m-1",
            .members = {{"m-1", std::nullopt}, {"", "static-2"}},
        };
      },
      [](LeaveGroupRequest& m, int16_t v) {
        if (v < 3) {
          m.members.clear();
        } else {
          m.member_id.clear();
        }
      });
}

TEST(GroupMessagesTest, LeaveGroupResponse) {
  RoundTripEveryVersion<LeaveGroupResponse>(
      [] {
        return LeaveGroupResponse{
            .throttle_time_ms = 2,
            .error_code = 0,
            .members = {{"m-1", std::nullopt, 0}, {"", "static-2", 25}},
        };
      },
      [](LeaveGroupResponse& m, int16_t v) {
        if (v < 1) m.throttle_time_ms = 0;
        if (v < 3) m.members.clear();
      });
}

// ---------------------------------------------------------------------------------------
// OffsetCommit

TEST(GroupMessagesTest, OffsetCommitRequest) {
  RoundTripEveryVersion<OffsetCommitRequest>(
      [] {
        return OffsetCommitRequest{
            .group_id = "app",
            .generation_id = 7,
            .member_id = "m-1",
            .group_instance_id = "static-1",
            .retention_time_ms = 86400000,
            .topics = {{"t",
                        {{.partition_index = 0,
                          .committed_offset = 100,
                          .committed_leader_epoch = 3,
                          .committed_metadata = "meta"},
                         {.partition_index = 1,
                          .committed_offset = 0,
                          .committed_leader_epoch = 4,
                          .committed_metadata = std::nullopt},
                         {.partition_index = 2,
                          .committed_offset = 1LL << 40,
                          .committed_leader_epoch = 5,
                          .committed_metadata = ""}}},
                       {"u", {}}},
        };
      },
      [](OffsetCommitRequest& m, int16_t v) {
        if (v < 7) m.group_instance_id.reset();
        if (v > 4) m.retention_time_ms = -1;  // v2-4 only
        for (auto& t : m.topics) {
          for (auto& p : t.partitions) {
            if (v < 6) p.committed_leader_epoch = -1;
          }
        }
      });
}

TEST(GroupMessagesTest, OffsetCommitRequestOutsideAnyGeneration) {
  // What librdkafka's plain consumer sends when it is not in the group: generation -1.
  RoundTripEveryVersion<OffsetCommitRequest>(
      [] {
        return OffsetCommitRequest{.group_id = "app",
                                   .generation_id = -1,
                                   .member_id = "",
                                   .group_instance_id = std::nullopt,
                                   .retention_time_ms = -1,
                                   .topics = {}};
      },
      [](OffsetCommitRequest&, int16_t) {});
}

TEST(GroupMessagesTest, OffsetCommitResponse) {
  RoundTripEveryVersion<OffsetCommitResponse>(
      [] {
        return OffsetCommitResponse{
            .throttle_time_ms = 11,
            .topics = {{"t", {{0, 0}, {1, 22}, {2, 12}}}, {"u", {}}},
        };
      },
      [](OffsetCommitResponse& m, int16_t v) {
        if (v < 3) m.throttle_time_ms = 0;
      });
}

// ---------------------------------------------------------------------------------------
// OffsetFetch

TEST(GroupMessagesTest, OffsetFetchRequest) {
  using Topic = OffsetFetchRequest::OffsetFetchRequestTopic;
  RoundTripEveryVersion<OffsetFetchRequest>(
      [] {
        return OffsetFetchRequest{
            .group_id = "app",
            .topics = std::vector<Topic>{{"t", {0, 1, 2}}, {"u", {}}, {"", {7}}},
            .require_stable = true,
        };
      },
      [](OffsetFetchRequest& m, int16_t v) {
        if (v < 7) m.require_stable = false;
      });
}

TEST(GroupMessagesTest, OffsetFetchRequestAllTopics) {
  // v2+: null asks for every topic, and stays distinct from an empty list.
  for (int16_t v = 2; v <= OffsetFetchRequest::kMaxVersion; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    for (const auto& topics :
         {std::optional<std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>>{},
          std::optional<std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>>{std::in_place}}) {
      OffsetFetchRequest m{.group_id = "g", .topics = topics, .require_stable = false};
      const std::string bytes = Encode(m, v);
      Reader r(bytes);
      OffsetFetchRequest decoded;
      ASSERT_TRUE(decoded.Decode(r, v)) << r.error();
      EXPECT_TRUE(r.at_end());
      EXPECT_EQ(decoded.topics, topics);
    }
  }
}

TEST(GroupMessagesTest, OffsetFetchRequestV1HasNoNull) {
  // Null cannot be said at v1: it goes out as an empty array...
  OffsetFetchRequest all{.group_id = "g", .topics = std::nullopt, .require_stable = false};
  EXPECT_EQ(Encode(all, 1), Raw("\x00\x01g\x00\x00\x00\x00"));
  // ...and a null read at v1 is malformed.
  const std::string null_topics = Raw("\x00\x01g\xff\xff\xff\xff");
  Reader r(null_topics);
  OffsetFetchRequest decoded;
  EXPECT_FALSE(decoded.Decode(r, 1));
  // The same bytes are fine at v2, where null means all topics.
  Reader r2(null_topics);
  ASSERT_TRUE(decoded.Decode(r2, 2));
  EXPECT_FALSE(decoded.topics.has_value());
}

TEST(GroupMessagesTest, OffsetFetchResponse) {
  RoundTripEveryVersion<OffsetFetchResponse>(
      [] {
        return OffsetFetchResponse{
            .throttle_time_ms = 4,
            .topics = {{"t",
                        {{.partition_index = 0,
                          .committed_offset = 42,
                          .committed_leader_epoch = 6,
                          .metadata = "m",
                          .error_code = 0},
                         {.partition_index = 1,
                          .committed_offset = -1,
                          .committed_leader_epoch = 7,
                          .metadata = std::nullopt,
                          .error_code = 88},
                         {.partition_index = 2,
                          .committed_offset = 9,
                          .committed_leader_epoch = 8,
                          .metadata = "",
                          .error_code = 0}}},
                       {"u", {}}},
            .error_code = 16,
        };
      },
      [](OffsetFetchResponse& m, int16_t v) {
        if (v < 3) m.throttle_time_ms = 0;
        if (v < 2) m.error_code = 0;
        for (auto& t : m.topics) {
          for (auto& p : t.partitions) {
            if (v < 5) p.committed_leader_epoch = -1;
          }
        }
      });
}

// ---------------------------------------------------------------------------------------
// DescribeGroups

TEST(GroupMessagesTest, DescribeGroupsRequest) {
  RoundTripEveryVersion<DescribeGroupsRequest>(
      [] {
        return DescribeGroupsRequest{.groups = {"app", "", "other"},
                                     .include_authorized_operations = true};
      },
      [](DescribeGroupsRequest& m, int16_t v) {
        if (v < 3) m.include_authorized_operations = false;
      });
}

TEST(GroupMessagesTest, DescribeGroupsResponse) {
  using Member = DescribeGroupsResponse::DescribedGroupMember;
  RoundTripEveryVersion<DescribeGroupsResponse>(
      [] {
        return DescribeGroupsResponse{
            .throttle_time_ms = 6,
            .groups = {{.error_code = 0,
                        .group_id = "app",
                        .group_state = "Stable",
                        .protocol_type = "consumer",
                        .protocol_data = "range",
                        .members = {Member{.member_id = "m-1",
                                           .group_instance_id = "static-1",
                                           .client_id = "rdkafka",
                                           .client_host = "/127.0.0.1",
                                           .member_metadata = std::string("\x00\x01", 2),
                                           .member_assignment = std::string("\x00\x00\x01", 3)},
                                    Member{.member_id = "m-2",
                                           .group_instance_id = std::nullopt,
                                           .client_id = "",
                                           .client_host = "",
                                           .member_metadata = "",
                                           .member_assignment = ""}},
                        .authorized_operations = 0x0f80},
                       {.error_code = 69,
                        .group_id = "gone",
                        .group_state = "Dead",
                        .protocol_type = "",
                        .protocol_data = "",
                        .members = {},
                        .authorized_operations = 0}},
        };
      },
      [](DescribeGroupsResponse& m, int16_t v) {
        if (v < 1) m.throttle_time_ms = 0;
        for (auto& g : m.groups) {
          if (v < 3) {
            g.authorized_operations = DescribeGroupsResponse::kAuthorizedOperationsOmitted;
          }
          for (auto& member : g.members) {
            if (v < 4) member.group_instance_id.reset();
          }
        }
      });
}

// ---------------------------------------------------------------------------------------
// ListGroups

TEST(GroupMessagesTest, ListGroupsRequest) {
  RoundTripEveryVersion<ListGroupsRequest>(
      [] {
        return ListGroupsRequest{.states_filter = {"Stable", "Empty"}};
      },
      [](ListGroupsRequest& m, int16_t v) {
        if (v < 4) m.states_filter.clear();
      });
}

TEST(GroupMessagesTest, ListGroupsResponse) {
  RoundTripEveryVersion<ListGroupsResponse>(
      [] {
        return ListGroupsResponse{
            .throttle_time_ms = 8,
            .error_code = 0,
            .groups = {{"app", "consumer", "Stable"}, {"tool", "", "Empty"}},
        };
      },
      [](ListGroupsResponse& m, int16_t v) {
        if (v < 1) m.throttle_time_ms = 0;
        for (auto& g : m.groups) {
          if (v < 4) g.group_state.clear();
        }
      });
}

// ---------------------------------------------------------------------------------------
// DeleteGroups

TEST(GroupMessagesTest, DeleteGroupsRequest) {
  RoundTripEveryVersion<DeleteGroupsRequest>(
      [] {
        return DeleteGroupsRequest{.groups_names = {"a", "", "bb"}};
      },
      [](DeleteGroupsRequest&, int16_t) {});
}

TEST(GroupMessagesTest, DeleteGroupsResponse) {
  RoundTripEveryVersion<DeleteGroupsResponse>(
      [] {
        return DeleteGroupsResponse{.throttle_time_ms = 1,
                                    .results = {{"a", 0}, {"bb", 68}, {"c", 69}}};
      },
      [](DeleteGroupsResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// OffsetDelete

TEST(GroupMessagesTest, OffsetDeleteRequest) {
  RoundTripEveryVersion<OffsetDeleteRequest>(
      [] {
        return OffsetDeleteRequest{.group_id = "app", .topics = {{"t", {{0}, {3}}}, {"u", {}}}};
      },
      [](OffsetDeleteRequest&, int16_t) {});
}

TEST(GroupMessagesTest, OffsetDeleteResponse) {
  RoundTripEveryVersion<OffsetDeleteResponse>(
      [] {
        return OffsetDeleteResponse{.error_code = 0,
                                    .throttle_time_ms = 2,
                                    .topics = {{"t", {{0, 0}, {3, 86}}}, {"u", {}}}};
      },
      [](OffsetDeleteResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// Cross-cutting checks

TEST(GroupMessagesTest, FlexibleRangesAgreeWithTheHeaderTable) {
  // Only OffsetFetch (v6+) and ListGroups (v3+) reach a flexible version in the ranges
  // implemented here. If a kMaxVersion is raised past the first flexible version, this fails
  // until the codec learns compact encodings and tagged fields.
  struct Range {
    ApiKey key;
    int16_t max_version;
    bool has_flexible;
  };
  const Range ranges[] = {
      {FindCoordinatorRequest::kApiKey, FindCoordinatorRequest::kMaxVersion, false},
      {JoinGroupRequest::kApiKey, JoinGroupRequest::kMaxVersion, false},
      {SyncGroupRequest::kApiKey, SyncGroupRequest::kMaxVersion, false},
      {HeartbeatRequest::kApiKey, HeartbeatRequest::kMaxVersion, false},
      {LeaveGroupRequest::kApiKey, LeaveGroupRequest::kMaxVersion, false},
      {OffsetCommitRequest::kApiKey, OffsetCommitRequest::kMaxVersion, false},
      {OffsetFetchRequest::kApiKey, OffsetFetchRequest::kMaxVersion, true},
      {DescribeGroupsRequest::kApiKey, DescribeGroupsRequest::kMaxVersion, false},
      {ListGroupsRequest::kApiKey, ListGroupsRequest::kMaxVersion, true},
      {DeleteGroupsRequest::kApiKey, DeleteGroupsRequest::kMaxVersion, false},
      {OffsetDeleteRequest::kApiKey, OffsetDeleteRequest::kMaxVersion, false},
  };
  for (const Range& range : ranges) {
    const int16_t key = static_cast<int16_t>(range.key);
    SCOPED_TRACE("api key " + std::to_string(key));
    EXPECT_EQ(IsFlexibleVersion(key, range.max_version), range.has_flexible);
  }
  EXPECT_EQ(FirstFlexibleVersion(static_cast<int16_t>(ApiKey::kOffsetFetch)), 6);
  EXPECT_EQ(FirstFlexibleVersion(static_cast<int16_t>(ApiKey::kListGroups)), 3);
}

TEST(GroupMessagesTest, UnknownTaggedFieldsAreSkipped) {
  // OffsetFetch v7 request with a tagged field in the topic and at the top level, as a newer
  // client might send.
  const std::string bytes =
      Raw("\x02g"                       // group_id "g"
          "\x02"                        // topics: 1
          "\x02t"                       //   name "t"
          "\x02\x00\x00\x00\x01"        //   partition_indexes [1]
          "\x01\x05\x02zz"              //   1 tagged field: tag 5, 2 bytes
          "\x01"                        // require_stable: true
          "\x02\x00\x00\x07\x01\x00");  // 2 tagged fields: tag 0 (empty), tag 7 (1 byte)
  Reader r(bytes);
  OffsetFetchRequest m;
  ASSERT_TRUE(m.Decode(r, 7)) << r.error();
  EXPECT_TRUE(r.at_end());
  using Topic = OffsetFetchRequest::OffsetFetchRequestTopic;
  EXPECT_EQ(
      m, (OffsetFetchRequest{
             .group_id = "g", .topics = std::vector<Topic>{{"t", {1}}}, .require_stable = true}));
}

TEST(GroupMessagesTest, NullWhereKafkaForbidsItFails) {
  {
    // JoinGroup v5: a null protocol metadata (INT32 -1).
    const std::string bytes =
        Raw("\x00\x01g"           // group_id
            "\x00\x00\x00\x01"    // session_timeout_ms
            "\x00\x00\x00\x01"    // rebalance_timeout_ms
            "\x00\x00"            // member_id ""
            "\xff\xff"            // group_instance_id null (allowed)
            "\x00\x00"            // protocol_type ""
            "\x00\x00\x00\x01"    // protocols: 1
            "\x00\x01r"           //   name "r"
            "\xff\xff\xff\xff");  //   metadata null: not allowed
    Reader r(bytes);
    JoinGroupRequest m;
    EXPECT_FALSE(m.Decode(r, 5));
  }
  {
    // Heartbeat v2: a null member_id.
    const std::string bytes = Raw("\x00\x01g\x00\x00\x00\x01\xff\xff");
    Reader r(bytes);
    HeartbeatRequest m;
    EXPECT_FALSE(m.Decode(r, 2));
  }
  {
    // ListGroups v3 response: a null groups array (compact length 0).
    const std::string bytes = Raw("\x00\x00\x00\x00\x00\x00\x00\x00");
    Reader r(bytes);
    ListGroupsResponse m;
    EXPECT_FALSE(m.Decode(r, 3));
  }
}

TEST(GroupMessagesTest, HostileArrayLengthIsRejectedWithoutAllocating) {
  // DescribeGroups v0 request claiming 2^31-1 group names in a 4-byte body.
  const std::string bytes = Raw("\x7f\xff\xff\xff");
  Reader r(bytes);
  DescribeGroupsRequest m;
  EXPECT_FALSE(m.Decode(r, 0));
  EXPECT_EQ(m.groups.capacity(), 0u);

  // ListGroups v3 request (only a tagged-field section) claiming 1000 tagged fields.
  const std::string tags = Raw("\xe8\x07");
  Reader r2(tags);
  ListGroupsRequest l;
  EXPECT_FALSE(l.Decode(r2, 3));
}

}  // namespace
}  // namespace rill::broker::protocol
