// Golden byte vectors for the transaction API codecs, derived by hand from Kafka's message
// schemas (clients/src/main/resources/common/message/*.json) with one comment per field, so
// the codecs are checked against the wire format itself rather than against each other.
// Each vector is both encoded (bytes must match) and decoded (value must match).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"
#include "broker/protocol/messages/add_offsets_to_txn.h"
#include "broker/protocol/messages/add_partitions_to_txn.h"
#include "broker/protocol/messages/end_txn.h"
#include "broker/protocol/messages/init_producer_id.h"
#include "broker/protocol/messages/txn_offset_commit.h"
#include "broker/protocol/messages/write_txn_markers.h"
#include "broker/protocol/request_header.h"
#include "broker/protocol/wire.h"
#include "tests/unit/broker/protocol/codec_test_util.h"

namespace rill::broker::protocol {
namespace {

using namespace ::rill::broker::protocol::testing;

// ---------------------------------------------------------------------------------------
// InitProducerId

TEST(TxnGoldenTest, InitProducerIdV0RequestIdempotent) {
  const std::string bytes = Bytes({
      0xff, 0xff,              // transactional_id: null (INT16 -1): idempotent only
      0x00, 0x00, 0xea, 0x60,  // transaction_timeout_ms: 60000
                               // (no producer_id / producer_epoch before v3)
  });
  InitProducerIdRequest m{.transactional_id = std::nullopt,
                          .transaction_timeout_ms = 60000,
                          .producer_id = -1,
                          .producer_epoch = -1};
  ExpectGolden(m, 0, bytes);
}

TEST(TxnGoldenTest, InitProducerIdV2RequestNullIsCompactZero) {
  const std::string bytes = Bytes({
      0x00,                    // transactional_id: null (compact length 0)
      0x00, 0x00, 0x03, 0xe8,  // transaction_timeout_ms: 1000
                               // (no producer_id / producer_epoch before v3)
      0x00,                    // tagged fields: none
  });
  InitProducerIdRequest m{.transactional_id = std::nullopt,
                          .transaction_timeout_ms = 1000,
                          .producer_id = -1,
                          .producer_epoch = -1};
  ExpectGolden(m, 2, bytes);
}

TEST(TxnGoldenTest, InitProducerIdV4Request) {
  const std::string bytes = Bytes({
      0x03, 't', 'x',                                  // transactional_id: compact 2 + 1
      0x00, 0x00, 0xea, 0x60,                          // transaction_timeout_ms: 60000
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  // producer_id: 1000 (v3+)
      0x00, 0x05,                                      // producer_epoch: 5 (v3+)
      0x00,                                            // tagged fields: none
  });
  InitProducerIdRequest m{.transactional_id = "tx",
                          .transaction_timeout_ms = 60000,
                          .producer_id = 1000,
                          .producer_epoch = 5};
  ExpectGolden(m, 4, bytes);
}

TEST(TxnGoldenTest, InitProducerIdV4Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms: 0
      0x00, 0x00,                                      // error_code: 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  // producer_id: 1000
      0x00, 0x06,                                      // producer_epoch: 6
      0x00,                                            // tagged fields: none
  });
  InitProducerIdResponse m{
      .throttle_time_ms = 0, .error_code = 0, .producer_id = 1000, .producer_epoch = 6};
  ExpectGolden(m, 4, bytes);
}

TEST(TxnGoldenTest, InitProducerIdV1Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms: 0
      0x00, 0x33,                                      // error_code: 51 (CONCURRENT_TRANSACTIONS)
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // producer_id: -1
      0xff, 0xff,                                      // producer_epoch: -1
                                                       // (no tagged fields before v2)
  });
  InitProducerIdResponse m{
      .throttle_time_ms = 0, .error_code = 51, .producer_id = -1, .producer_epoch = -1};
  ExpectGolden(m, 1, bytes);
}

TEST(TxnGoldenTest, InitProducerIdV4RequestFrameUsesHeaderV2) {
  // A flexible request carries request header v2, whose client_id is still a classic INT16
  // string; only the tagged-field section is new.
  Writer w;
  EncodeRequestHeader(w, RequestHeader{.api_key = static_cast<int16_t>(ApiKey::kInitProducerId),
                                       .api_version = 4,
                                       .correlation_id = 1,
                                       .client_id = "c"});
  InitProducerIdRequest m{.transactional_id = std::nullopt,
                          .transaction_timeout_ms = 0,
                          .producer_id = -1,
                          .producer_epoch = -1};
  m.Encode(w, 4);
  EXPECT_EQ(w.buffer(), Bytes({
                            0x00, 0x16,              // api_key: 22
                            0x00, 0x04,              // api_version: 4
                            0x00, 0x00, 0x00, 0x01,  // correlation_id: 1
                            0x00, 0x01, 'c',         // client_id: "c"
                            0x00,                    // header tags: none
                            0x00,                    // transactional_id: null
                            0x00, 0x00, 0x00, 0x00,  // timeout: 0
                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // producer_id: -1
                            0xff, 0xff,                                      // producer_epoch: -1
                            0x00,                                            // tagged fields: none
                        }));
}

// ---------------------------------------------------------------------------------------
// AddPartitionsToTxn

TEST(TxnGoldenTest, AddPartitionsToTxnV1Request) {
  const std::string bytes = Bytes({
      0x00, 0x02, 't',  'x',                           // transactional_id: "tx"
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  // producer_id: 1000
      0x00, 0x00,                                      // producer_epoch: 0
      0x00, 0x00, 0x00, 0x01,                          // topics: 1 entry (INT32 length)
      0x00, 0x01, 't',                                 //   name: "t"
      0x00, 0x00, 0x00, 0x02,                          //   partitions: 2 entries
      0x00, 0x00, 0x00, 0x00,                          //     0
      0x00, 0x00, 0x00, 0x03,                          //     3
  });
  AddPartitionsToTxnRequest m{.transactional_id = "tx",
                              .producer_id = 1000,
                              .producer_epoch = 0,
                              .topics = {{"t", {0, 3}}}};
  ExpectGolden(m, 1, bytes);
}

TEST(TxnGoldenTest, AddPartitionsToTxnV1Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0
      0x00, 0x00, 0x00, 0x01,  // results: 1 entry
      0x00, 0x01, 't',         //   name: "t"
      0x00, 0x00, 0x00, 0x02,  //   results: 2 entries
      0x00, 0x00, 0x00, 0x00,  //     partition_index: 0
      0x00, 0x03,              //     error_code: 3 (UNKNOWN_TOPIC_OR_PARTITION)
      0x00, 0x00, 0x00, 0x03,  //     partition_index: 3
      0x00, 0x37,              //     error_code: 55 (OPERATION_NOT_ATTEMPTED)
  });
  AddPartitionsToTxnResponse m{.throttle_time_ms = 0, .results = {{"t", {{0, 3}, {3, 55}}}}};
  ExpectGolden(m, 1, bytes);
}

// ---------------------------------------------------------------------------------------
// AddOffsetsToTxn

TEST(TxnGoldenTest, AddOffsetsToTxnV1Request) {
  const std::string bytes = Bytes({
      0x00, 0x02, 't', 'x',                            // transactional_id: "tx"
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  // producer_id: 1000
      0x00, 0x01,                                      // producer_epoch: 1
      0x00, 0x01, 'g',                                 // group_id: "g"
  });
  AddOffsetsToTxnRequest m{
      .transactional_id = "tx", .producer_id = 1000, .producer_epoch = 1, .group_id = "g"};
  ExpectGolden(m, 1, bytes);
}

// ---------------------------------------------------------------------------------------
// EndTxn

TEST(TxnGoldenTest, EndTxnV1Request) {
  const std::string bytes = Bytes({
      0x00, 0x02, 't', 'x',                            // transactional_id: "tx"
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  // producer_id: 1000
      0x00, 0x02,                                      // producer_epoch: 2
      0x01,                                            // committed: true (commit)
  });
  EndTxnRequest m{
      .transactional_id = "tx", .producer_id = 1000, .producer_epoch = 2, .committed = true};
  ExpectGolden(m, 1, bytes);
}

TEST(TxnGoldenTest, EndTxnV0Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0
      0x00, 0x30,              // error_code: 48 (INVALID_TXN_STATE)
  });
  EndTxnResponse m{.throttle_time_ms = 0, .error_code = 48};
  ExpectGolden(m, 0, bytes);
}

// ---------------------------------------------------------------------------------------
// TxnOffsetCommit

TEST(TxnGoldenTest, TxnOffsetCommitV3Request) {
  const std::string bytes = Bytes({
      0x03, 't',  'x',                                 // transactional_id: compact 2 + 1
      0x02, 'g',                                       // group_id: "g"
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  // producer_id: 1000
      0x00, 0x00,                                      // producer_epoch: 0
      0x00, 0x00, 0x00, 0x07,                          // generation_id: 7 (v3+)
      0x04, 'm',  '-',  '1',                           // member_id: "m-1" (v3+)
      0x00,                                            // group_instance_id: null (v3+)
      0x02,                                            // topics: compact length 1 + 1
      0x02, 't',                                       //   name: "t"
      0x03,                                            //   partitions: compact length 2 + 1
      0x00, 0x00, 0x00, 0x00,                          //     partition_index: 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  //     committed_offset: 42
      0x00, 0x00, 0x00, 0x03,                          //     committed_leader_epoch: 3
      0x01,                                            //     committed_metadata: ""
      0x00,                                            //     partition tagged fields: none
      0x00, 0x00, 0x00, 0x01,                          //     partition_index: 1
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //     committed_offset: 0
      0xff, 0xff, 0xff, 0xff,                          //     committed_leader_epoch: -1
      0x00,                                            //     committed_metadata: null
      0x00,                                            //     partition tagged fields: none
      0x00,                                            //   topic tagged fields: none
      0x00,                                            // tagged fields: none
  });
  TxnOffsetCommitRequest m{.transactional_id = "tx",
                           .group_id = "g",
                           .producer_id = 1000,
                           .producer_epoch = 0,
                           .generation_id = 7,
                           .member_id = "m-1",
                           .group_instance_id = std::nullopt,
                           .topics = {{"t",
                                       {{.partition_index = 0,
                                         .committed_offset = 42,
                                         .committed_leader_epoch = 3,
                                         .committed_metadata = ""},
                                        {.partition_index = 1,
                                         .committed_offset = 0,
                                         .committed_leader_epoch = -1,
                                         .committed_metadata = std::nullopt}}}}};
  ExpectGolden(m, 3, bytes);
}

TEST(TxnGoldenTest, TxnOffsetCommitV2Request) {
  const std::string bytes = Bytes({
      0x00, 0x02, 't', 'x',                            // transactional_id: "tx"
      0x00, 0x01, 'g',                                 // group_id: "g"
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  // producer_id: 1000
      0x00, 0x00,                                      // producer_epoch: 0
                                                       // (no generation / member before v3)
      0x00, 0x00, 0x00, 0x01,                          // topics: 1 entry
      0x00, 0x01, 't',                                 //   name: "t"
      0x00, 0x00, 0x00, 0x01,                          //   partitions: 1 entry
      0x00, 0x00, 0x00, 0x02,                          //     partition_index: 2
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  //     committed_offset: 9
      0x00, 0x00, 0x00, 0x04,                          //     committed_leader_epoch: 4 (v2+)
      0xff, 0xff,                                      //     committed_metadata: null
  });
  TxnOffsetCommitRequest m{.transactional_id = "tx",
                           .group_id = "g",
                           .producer_id = 1000,
                           .producer_epoch = 0,
                           .generation_id = -1,
                           .member_id = "",
                           .group_instance_id = std::nullopt,
                           .topics = {{"t",
                                       {{.partition_index = 2,
                                         .committed_offset = 9,
                                         .committed_leader_epoch = 4,
                                         .committed_metadata = std::nullopt}}}}};
  ExpectGolden(m, 2, bytes);
}

TEST(TxnGoldenTest, TxnOffsetCommitV3Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0
      0x02,                    // topics: compact length 1 + 1
      0x02, 't',               //   name: "t"
      0x02,                    //   partitions: compact length 1 + 1
      0x00, 0x00, 0x00, 0x00,  //     partition_index: 0
      0x00, 0x16,              //     error_code: 22 (ILLEGAL_GENERATION)
      0x00,                    //     partition tagged fields: none
      0x00,                    //   topic tagged fields: none
      0x00,                    // tagged fields: none
  });
  TxnOffsetCommitResponse m{.throttle_time_ms = 0, .topics = {{"t", {{0, 22}}}}};
  ExpectGolden(m, 3, bytes);
}

// ---------------------------------------------------------------------------------------
// WriteTxnMarkers

TEST(TxnGoldenTest, WriteTxnMarkersV1Request) {
  const std::string bytes = Bytes({
      0x02,                                            // markers: compact length 1 + 1
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  //   producer_id: 1000
      0x00, 0x00,                                      //   producer_epoch: 0
      0x01,                                            //   transaction_result: COMMIT
      0x02,                                            //   topics: compact length 1 + 1
      0x02, 't',                                       //     name: "t"
      0x02,                                            //     partition_indexes: 1 + 1
      0x00, 0x00, 0x00, 0x00,                          //       0
      0x00,                                            //     topic tagged fields: none
      0x00, 0x00, 0x00, 0x02,                          //   coordinator_epoch: 2 (after topics)
      0x00,                                            //   marker tagged fields: none
      0x00,                                            // tagged fields: none
  });
  WriteTxnMarkersRequest m{.markers = {{.producer_id = 1000,
                                        .producer_epoch = 0,
                                        .transaction_result = true,
                                        .topics = {{"t", {0}}},
                                        .coordinator_epoch = 2}}};
  ExpectGolden(m, 1, bytes);
}

TEST(TxnGoldenTest, WriteTxnMarkersV0Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x01,                          // markers: 1 entry (no throttle time)
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,  //   producer_id: 1000
      0x00, 0x00, 0x00, 0x01,                          //   topics: 1 entry
      0x00, 0x01, 't',                                 //     name: "t"
      0x00, 0x00, 0x00, 0x01,                          //     partitions: 1 entry
      0x00, 0x00, 0x00, 0x00,                          //       partition_index: 0
      0x00, 0x34,                                      //       error_code: 52 (COORDINATOR_FENCED)
  });
  WriteTxnMarkersResponse m{.markers = {{1000, {{"t", {{0, 52}}}}}}};
  ExpectGolden(m, 0, bytes);
}

}  // namespace
}  // namespace rill::broker::protocol
