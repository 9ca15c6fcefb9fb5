// Golden byte vectors for the consumer-group API codecs, derived by hand from Kafka's message
// schemas (clients/src/main/resources/common/message/*.json) with one comment per field, so
// the codecs are checked against the wire format itself rather than against each other.
// Each vector is both encoded (bytes must match) and decoded (value must match).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"
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

TEST(GroupGoldenTest, JoinGroupV5Request) {
  const std::string bytes = Bytes({
      0x00, 0x01, 'g',                             // group_id: "g"
      0x00, 0x00, 0x27, 0x10,                      // session_timeout_ms: 10000
      0x00, 0x04, 0x93, 0xe0,                      // rebalance_timeout_ms: 300000 (v1+)
      0x00, 0x00,                                  // member_id: "" (first join)
      0x00, 0x02, 'i',  '1',                       // group_instance_id: "i1" (v5+)
      0x00, 0x08,                                  // protocol_type: length 8
      'c',  'o',  'n',  's',  'u', 'm', 'e', 'r',  //   "consumer"
      0x00, 0x00, 0x00, 0x01,                      // protocols: 1 entry (INT32 length)
      0x00, 0x05, 'r',  'a',  'n', 'g', 'e',       //   name: "range"
      0x00, 0x00, 0x00, 0x03,                      //   metadata: 3 bytes (INT32 length)
      0x00, 0x01, 0x02,                            //
  });
  JoinGroupRequest m{.group_id = "g",
                     .session_timeout_ms = 10000,
                     .rebalance_timeout_ms = 300000,
                     .member_id = "",
                     .group_instance_id = "i1",
                     .protocol_type = "consumer",
                     .protocols = {{"range", std::string("\x00\x01\x02", 3)}}};
  ExpectGolden(m, 5, bytes);
}

TEST(GroupGoldenTest, JoinGroupV5RequestWithoutInstanceId) {
  const std::string bytes = Bytes({
      0x00, 0x01, 'g',         // group_id: "g"
      0x00, 0x00, 0x27, 0x10,  // session_timeout_ms: 10000
      0xff, 0xff, 0xff, 0xff,  // rebalance_timeout_ms: -1
      0x00, 0x01, 'm',         // member_id: "m"
      0xff, 0xff,              // group_instance_id: null (dynamic membership)
      0x00, 0x00,              // protocol_type: ""
      0x00, 0x00, 0x00, 0x00,  // protocols: empty
  });
  JoinGroupRequest m{.group_id = "g",
                     .session_timeout_ms = 10000,
                     .rebalance_timeout_ms = -1,
                     .member_id = "m",
                     .group_instance_id = std::nullopt,
                     .protocol_type = "",
                     .protocols = {}};
  ExpectGolden(m, 5, bytes);
}

TEST(GroupGoldenTest, JoinGroupV2Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,          // throttle_time_ms: 0 (v2+)
      0x00, 0x00,                      // error_code: 0
      0x00, 0x00, 0x00, 0x01,          // generation_id: 1
      0x00, 0x05, 'r', 'a', 'n', 'g',  // protocol_name: "range"
      'e',                             //
      0x00, 0x02, 'm', '1',            // leader: "m1"
      0x00, 0x02, 'm', '1',            // member_id: "m1"
      0x00, 0x00, 0x00, 0x01,          // members: 1 entry
      0x00, 0x02, 'm', '1',            //   member_id: "m1"
                                       //   (no group_instance_id before v5)
      0x00, 0x00, 0x00, 0x01, 0x2a,    //   metadata: 1 byte
  });
  JoinGroupResponse m{.throttle_time_ms = 0,
                      .error_code = 0,
                      .generation_id = 1,
                      .protocol_name = "range",
                      .leader = "m1",
                      .member_id = "m1",
                      .members = {{"m1", std::nullopt, "*"}}};
  ExpectGolden(m, 2, bytes);
}

TEST(GroupGoldenTest, SyncGroupV3Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0
      0x00, 0x00,              // error_code: 0
      0x00, 0x00, 0x00, 0x15,  // assignment: 21 bytes (INT32 length), opaque to the broker;
                               // here a consumer-protocol Assignment v0:
      0x00, 0x00,              //   version: 0
      0x00, 0x00, 0x00, 0x01,  //   topics: 1
      0x00, 0x01, 't',         //     topic: "t"
      0x00, 0x00, 0x00, 0x01,  //     partitions: 1
      0x00, 0x00, 0x00, 0x00,  //       0
      0xff, 0xff, 0xff, 0xff,  //   user_data: null
  });
  const std::string assignment = bytes.substr(10);
  SyncGroupResponse m{.throttle_time_ms = 0, .error_code = 0, .assignment = assignment};
  ExpectGolden(m, 3, bytes);
}

TEST(GroupGoldenTest, SyncGroupV3Request) {
  const std::string bytes = Bytes({
      0x00, 0x01, 'g',         // group_id: "g"
      0x00, 0x00, 0x00, 0x02,  // generation_id: 2
      0x00, 0x01, 'm',         // member_id: "m"
      0xff, 0xff,              // group_instance_id: null (v3+)
      0x00, 0x00, 0x00, 0x01,  // assignments: 1 entry
      0x00, 0x01, 'm',         //   member_id: "m"
      0x00, 0x00, 0x00, 0x00,  //   assignment: 0 bytes
  });
  SyncGroupRequest m{.group_id = "g",
                     .generation_id = 2,
                     .member_id = "m",
                     .group_instance_id = std::nullopt,
                     .assignments = {{"m", ""}}};
  ExpectGolden(m, 3, bytes);
}

TEST(GroupGoldenTest, HeartbeatV3Request) {
  const std::string bytes = Bytes({
      0x00, 0x01, 'g',         // group_id: "g"
      0x00, 0x00, 0x00, 0x05,  // generation_id: 5
      0x00, 0x01, 'm',         // member_id: "m"
      0x00, 0x01, 's',         // group_instance_id: "s" (v3+)
  });
  HeartbeatRequest m{
      .group_id = "g", .generation_id = 5, .member_id = "m", .group_instance_id = "s"};
  ExpectGolden(m, 3, bytes);
}

TEST(GroupGoldenTest, LeaveGroupV3Request) {
  const std::string bytes = Bytes({
      0x00, 0x01, 'g',         // group_id: "g" (no single member_id from v3 on)
      0x00, 0x00, 0x00, 0x02,  // members: 2 entries
      0x00, 0x01, 'a',         //   member_id: "a"
      0xff, 0xff,              //   group_instance_id: null
      0x00, 0x00,              //   member_id: ""
      0x00, 0x01, 's',         //   group_instance_id: "s"
  });
  LeaveGroupRequest m{
      .group_id = "g", .member_id = "", .members = {{"a", std::nullopt}, {"", "s"}}};
  ExpectGolden(m, 3, bytes);
}

TEST(GroupGoldenTest, LeaveGroupV1Request) {
  const std::string bytes = Bytes({
      0x00, 0x01, 'g',  // group_id: "g"
      0x00, 0x01, 'a',  // member_id: "a"
  });
  LeaveGroupRequest m{.group_id = "g", .member_id = "a", .members = {}};
  ExpectGolden(m, 1, bytes);
}

TEST(GroupGoldenTest, OffsetCommitV7Request) {
  const std::string bytes = Bytes({
      0x00, 0x01, 'g',                                 // group_id: "g"
      0x00, 0x00, 0x00, 0x03,                          // generation_id: 3
      0x00, 0x01, 'm',                                 // member_id: "m"
      0xff, 0xff,                                      // group_instance_id: null (v7+)
                                                       // (no retention_time_ms after v4)
      0x00, 0x00, 0x00, 0x01,                          // topics: 1 entry
      0x00, 0x01, 't',                                 //   name: "t"
      0x00, 0x00, 0x00, 0x02,                          //   partitions: 2 entries
      0x00, 0x00, 0x00, 0x00,                          //     partition_index: 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,  //     committed_offset: 100
      0x00, 0x00, 0x00, 0x05,                          //     committed_leader_epoch: 5 (v6+)
      0xff, 0xff,                                      //     committed_metadata: null
      0x00, 0x00, 0x00, 0x01,                          //     partition_index: 1
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //     committed_offset: 0
      0xff, 0xff, 0xff, 0xff,                          //     committed_leader_epoch: -1
      0x00, 0x02, 'm', 'd',                            //     committed_metadata: "md"
  });
  OffsetCommitRequest m{.group_id = "g",
                        .generation_id = 3,
                        .member_id = "m",
                        .group_instance_id = std::nullopt,
                        .retention_time_ms = -1,
                        .topics = {{"t",
                                    {{.partition_index = 0,
                                      .committed_offset = 100,
                                      .committed_leader_epoch = 5,
                                      .committed_metadata = std::nullopt},
                                     {.partition_index = 1,
                                      .committed_offset = 0,
                                      .committed_leader_epoch = -1,
                                      .committed_metadata = "md"}}}}};
  ExpectGolden(m, 7, bytes);
}

TEST(GroupGoldenTest, OffsetCommitV2RequestCarriesRetentionTime) {
  const std::string bytes = Bytes({
      0x00, 0x01, 'g',                                 // group_id: "g"
      0xff, 0xff, 0xff, 0xff,                          // generation_id: -1
      0x00, 0x00,                                      // member_id: ""
      0x00, 0x00, 0x00, 0x00, 0x05, 0x26, 0x5c, 0x00,  // retention_time_ms: 86400000 (v2-4)
      0x00, 0x00, 0x00, 0x01,                          // topics: 1 entry
      0x00, 0x01, 't',                                 //   name: "t"
      0x00, 0x00, 0x00, 0x01,                          //   partitions: 1 entry
      0x00, 0x00, 0x00, 0x02,                          //     partition_index: 2
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,  //     committed_offset: 7
                                                       //     (no leader epoch before v6)
      0x00, 0x00,                                      //     committed_metadata: ""
  });
  OffsetCommitRequest m{.group_id = "g",
                        .generation_id = -1,
                        .member_id = "",
                        .group_instance_id = std::nullopt,
                        .retention_time_ms = 86400000,
                        .topics = {{"t",
                                    {{.partition_index = 2,
                                      .committed_offset = 7,
                                      .committed_leader_epoch = -1,
                                      .committed_metadata = ""}}}}};
  ExpectGolden(m, 2, bytes);
}

TEST(GroupGoldenTest, OffsetFetchV6Request) {
  const std::string bytes = Bytes({
      0x02, 'g',               // group_id: compact length 1 + 1
      0x02,                    // topics: compact length 1 + 1
      0x02, 't',               //   name: "t"
      0x03,                    //   partition_indexes: compact length 2 + 1
      0x00, 0x00, 0x00, 0x00,  //     0
      0x00, 0x00, 0x00, 0x01,  //     1
      0x00,                    //   topic tagged fields: none
                               // (no require_stable before v7)
      0x00,                    // tagged fields: none
  });
  using Topic = OffsetFetchRequest::OffsetFetchRequestTopic;
  OffsetFetchRequest m{
      .group_id = "g", .topics = std::vector<Topic>{{"t", {0, 1}}}, .require_stable = false};
  ExpectGolden(m, 6, bytes);
}

TEST(GroupGoldenTest, OffsetFetchV6RequestAllTopics) {
  const std::string bytes = Bytes({
      0x02, 'g',  // group_id: "g"
      0x00,       // topics: null (compact 0): every topic with a committed offset
      0x00,       // tagged fields: none
  });
  OffsetFetchRequest m{.group_id = "g", .topics = std::nullopt, .require_stable = false};
  ExpectGolden(m, 6, bytes);
}

TEST(GroupGoldenTest, OffsetFetchV7Request) {
  const std::string bytes = Bytes({
      0x02, 'g',  // group_id: "g"
      0x01,       // topics: empty (compact 0 + 1)
      0x01,       // require_stable: true (v7+)
      0x00,       // tagged fields: none
  });
  OffsetFetchRequest m{.group_id = "g",
                       .topics = std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>{},
                       .require_stable = true};
  ExpectGolden(m, 7, bytes);
}

TEST(GroupGoldenTest, OffsetFetchV6Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms: 0
      0x02,                                            // topics: compact length 1 + 1
      0x02, 't',                                       //   name: "t"
      0x03,                                            //   partitions: compact length 2 + 1
      0x00, 0x00, 0x00, 0x00,                          //     partition_index: 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  //     committed_offset: 42
      0x00, 0x00, 0x00, 0x03,                          //     committed_leader_epoch: 3
      0x01,                                            //     metadata: "" (compact 0 + 1)
      0x00, 0x00,                                      //     error_code: 0
      0x00,                                            //     partition tagged fields: none
      0x00, 0x00, 0x00, 0x01,                          //     partition_index: 1
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //     committed_offset: -1 (none)
      0xff, 0xff, 0xff, 0xff,                          //     committed_leader_epoch: -1
      0x00,                                            //     metadata: null (compact 0)
      0x00, 0x00,                                      //     error_code: 0
      0x00,                                            //     partition tagged fields: none
      0x00,                                            //   topic tagged fields: none
      0x00, 0x00,                                      // error_code: 0 (v2+)
      0x00,                                            // tagged fields: none
  });
  OffsetFetchResponse m{.throttle_time_ms = 0,
                        .topics = {{"t",
                                    {{.partition_index = 0,
                                      .committed_offset = 42,
                                      .committed_leader_epoch = 3,
                                      .metadata = "",
                                      .error_code = 0},
                                     {.partition_index = 1,
                                      .committed_offset = -1,
                                      .committed_leader_epoch = -1,
                                      .metadata = std::nullopt,
                                      .error_code = 0}}}},
                        .error_code = 0};
  ExpectGolden(m, 6, bytes);
}

TEST(GroupGoldenTest, OffsetFetchV1Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x01,                          // topics: 1 entry (INT32 length)
      0x00, 0x01, 't',                                 //   name: "t"
      0x00, 0x00, 0x00, 0x01,                          //   partitions: 1 entry
      0x00, 0x00, 0x00, 0x00,                          //     partition_index: 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  //     committed_offset: 5
      0x00, 0x01, 'x',                                 //     metadata: "x"
      0x00, 0x00,                                      //     error_code: 0
                                                       // no throttle (v3+), no error (v2+)
  });
  OffsetFetchResponse m{.throttle_time_ms = 0,
                        .topics = {{"t",
                                    {{.partition_index = 0,
                                      .committed_offset = 5,
                                      .committed_leader_epoch = -1,
                                      .metadata = "x",
                                      .error_code = 0}}}},
                        .error_code = 0};
  ExpectGolden(m, 1, bytes);
}

TEST(GroupGoldenTest, OffsetFetchV6ResponseFrameUsesHeaderV1) {
  // A flexible response carries response header v1: the correlation id plus an (empty)
  // tagged-field section.
  const int16_t key = static_cast<int16_t>(ApiKey::kOffsetFetch);
  Writer w;
  EncodeResponseHeader(w, 9, ResponseHeaderVersion(key, 6));
  OffsetFetchResponse m{.throttle_time_ms = 0, .topics = {}, .error_code = 16};
  m.Encode(w, 6);
  EXPECT_EQ(w.buffer(), Bytes({
                            0x00, 0x00, 0x00, 0x09,  // correlation_id: 9
                            0x00,                    // header tagged fields: none
                            0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0
                            0x01,                    // topics: empty
                            0x00, 0x10,              // error_code: 16 (NOT_COORDINATOR)
                            0x00,                    // tagged fields: none
                        }));
}

TEST(GroupGoldenTest, ListGroupsV3Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,                  // throttle_time_ms: 0
      0x00, 0x00,                              // error_code: 0
      0x03,                                    // groups: compact length 2 + 1
      0x02, 'g',                               //   group_id: "g"
      0x09,                                    //   protocol_type: compact length 8 + 1
      'c', 'o', 'n', 's', 'u', 'm', 'e', 'r',  //     "consumer"
      0x00,                                    //   group tagged fields: none
      0x03, 'h', '2',                          //   group_id: "h2"
      0x01,                                    //   protocol_type: ""
      0x00,                                    //   group tagged fields: none
                                               //   (no group_state before v4)
      0x00,                                    // tagged fields: none
  });
  ListGroupsResponse m{
      .throttle_time_ms = 0, .error_code = 0, .groups = {{"g", "consumer", ""}, {"h2", "", ""}}};
  ExpectGolden(m, 3, bytes);
}

TEST(GroupGoldenTest, ListGroupsV4Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x05,                 // throttle_time_ms: 5
      0x00, 0x00,                             // error_code: 0
      0x02,                                   // groups: compact length 1 + 1
      0x02, 'g',                              //   group_id: "g"
      0x01,                                   //   protocol_type: ""
      0x07, 'S',  't',  'a',  'b', 'l', 'e',  //   group_state: "Stable" (v4+)
      0x00,                                   //   group tagged fields: none
      0x00,                                   // tagged fields: none
  });
  ListGroupsResponse m{.throttle_time_ms = 5, .error_code = 0, .groups = {{"g", "", "Stable"}}};
  ExpectGolden(m, 4, bytes);
}

TEST(GroupGoldenTest, ListGroupsV3AndV4Requests) {
  // v3: nothing but the tagged-field section.
  ExpectGolden(ListGroupsRequest{}, 3, Bytes({0x00}));
  // v4: states_filter is a regular (untagged) compact array of compact strings (KIP-518).
  const std::string bytes = Bytes({
      0x02,                                // states_filter: compact length 1 + 1
      0x07, 'S', 't', 'a', 'b', 'l', 'e',  //   "Stable"
      0x00,                                // tagged fields: none
  });
  ExpectGolden(ListGroupsRequest{.states_filter = {"Stable"}}, 4, bytes);
  // v0-2: an empty body.
  ExpectGolden(ListGroupsRequest{}, 2, "");
}

TEST(GroupGoldenTest, FindCoordinatorV1Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0 (v1+, first field)
      0x00, 0x0f,              // error_code: 15 (COORDINATOR_NOT_AVAILABLE)
      0x00, 0x02, 'n',  'o',   // error_message: "no" (v1+, between error_code and node_id)
      0xff, 0xff, 0xff, 0xff,  // node_id: -1
      0x00, 0x00,              // host: ""
      0xff, 0xff, 0xff, 0xff,  // port: -1
  });
  FindCoordinatorResponse m{.throttle_time_ms = 0,
                            .error_code = 15,
                            .error_message = "no",
                            .node_id = -1,
                            .host = "",
                            .port = -1};
  ExpectGolden(m, 1, bytes);
}

TEST(GroupGoldenTest, FindCoordinatorV0Request) {
  // v0 has only the key; key_type arrives in v1.
  ExpectGolden(FindCoordinatorRequest{.key = "g", .key_type = 0}, 0, Bytes({0x00, 0x01, 'g'}));
  ExpectGolden(FindCoordinatorRequest{.key = "g", .key_type = 1}, 1,
               Bytes({0x00, 0x01, 'g', 0x01}));
}

TEST(GroupGoldenTest, DescribeGroupsV4Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,                  // throttle_time_ms: 0
      0x00, 0x00, 0x00, 0x01,                  // groups: 1 entry
      0x00, 0x00,                              //   error_code: 0
      0x00, 0x01, 'g',                         //   group_id: "g"
      0x00, 0x06, 'S',  't',  'a',  'b', 'l',  //   group_state: "Stable"
      'e',                                     //
      0x00, 0x08, 'c',  'o',  'n',  's', 'u',  //   protocol_type: "consumer"
      'm',  'e',  'r',                         //
      0x00, 0x05, 'r',  'a',  'n',  'g', 'e',  //   protocol_data: "range" (a string)
      0x00, 0x00, 0x00, 0x01,                  //   members: 1 entry
      0x00, 0x01, 'm',                         //     member_id: "m"
      0xff, 0xff,                              //     group_instance_id: null (v4+)
      0x00, 0x01, 'c',                         //     client_id: "c"
      0x00, 0x01, 'h',                         //     client_host: "h"
      0x00, 0x00, 0x00, 0x01, 0x01,            //     member_metadata: 1 byte
      0x00, 0x00, 0x00, 0x00,                  //     member_assignment: 0 bytes
      0x80, 0x00, 0x00, 0x00,                  //   authorized_operations: INT32_MIN (v3+)
  });
  using Member = DescribeGroupsResponse::DescribedGroupMember;
  DescribeGroupsResponse m{
      .throttle_time_ms = 0,
      .groups = {{.error_code = 0,
                  .group_id = "g",
                  .group_state = "Stable",
                  .protocol_type = "consumer",
                  .protocol_data = "range",
                  .members = {Member{.member_id = "m",
                                     .group_instance_id = std::nullopt,
                                     .client_id = "c",
                                     .client_host = "h",
                                     .member_metadata = "\x01",
                                     .member_assignment = ""}},
                  .authorized_operations = DescribeGroupsResponse::kAuthorizedOperationsOmitted}}};
  ExpectGolden(m, 4, bytes);
}

TEST(GroupGoldenTest, DeleteGroupsV0Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0 (present from v0)
      0x00, 0x00, 0x00, 0x01,  // results: 1 entry
      0x00, 0x01, 'g',         //   group_id: "g"
      0x00, 0x44,              //   error_code: 68 (NON_EMPTY_GROUP)
  });
  DeleteGroupsResponse m{.throttle_time_ms = 0,
                         .results = {{"g", ToWire(ErrorCode::kNonEmptyGroup)}}};
  ExpectGolden(m, 0, bytes);
}

TEST(GroupGoldenTest, OffsetDeleteV0Response) {
  const std::string bytes = Bytes({
      0x00, 0x00,              // error_code: 0 (before throttle_time_ms in this API)
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0
      0x00, 0x00, 0x00, 0x01,  // topics: 1 entry
      0x00, 0x01, 't',         //   name: "t"
      0x00, 0x00, 0x00, 0x01,  //   partitions: 1 entry
      0x00, 0x00, 0x00, 0x00,  //     partition_index: 0
      0x00, 0x56,              //     error_code: 86 (GROUP_SUBSCRIBED_TO_TOPIC)
  });
  OffsetDeleteResponse m{.error_code = 0,
                         .throttle_time_ms = 0,
                         .topics = {{"t", {{0, ToWire(ErrorCode::kGroupSubscribedToTopic)}}}}};
  ExpectGolden(m, 0, bytes);
}

TEST(GroupGoldenTest, GroupErrorCodesMatchKafka) {
  // Numbers from org.apache.kafka.common.protocol.Errors.
  EXPECT_EQ(ToWire(ErrorCode::kCoordinatorLoadInProgress), 14);
  EXPECT_EQ(ToWire(ErrorCode::kCoordinatorNotAvailable), 15);
  EXPECT_EQ(ToWire(ErrorCode::kNotCoordinator), 16);
  EXPECT_EQ(ToWire(ErrorCode::kIllegalGeneration), 22);
  EXPECT_EQ(ToWire(ErrorCode::kInconsistentGroupProtocol), 23);
  EXPECT_EQ(ToWire(ErrorCode::kInvalidGroupId), 24);
  EXPECT_EQ(ToWire(ErrorCode::kUnknownMemberId), 25);
  EXPECT_EQ(ToWire(ErrorCode::kInvalidSessionTimeout), 26);
  EXPECT_EQ(ToWire(ErrorCode::kRebalanceInProgress), 27);
  EXPECT_EQ(ToWire(ErrorCode::kInvalidCommitOffsetSize), 28);
  EXPECT_EQ(ToWire(ErrorCode::kGroupAuthorizationFailed), 30);
  EXPECT_EQ(ToWire(ErrorCode::kNonEmptyGroup), 68);
  EXPECT_EQ(ToWire(ErrorCode::kGroupIdNotFound), 69);
  EXPECT_EQ(ToWire(ErrorCode::kMemberIdRequired), 79);
  EXPECT_EQ(ToWire(ErrorCode::kGroupMaxSizeReached), 81);
  EXPECT_EQ(ToWire(ErrorCode::kFencedInstanceId), 82);
  EXPECT_EQ(ToWire(ErrorCode::kGroupSubscribedToTopic), 86);
  EXPECT_EQ(ToWire(ErrorCode::kUnstableOffsetCommit), 88);
}

}  // namespace
}  // namespace rill::broker::protocol
