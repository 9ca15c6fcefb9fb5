// The transaction API codecs (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
// TxnOffsetCommit, WriteTxnMarkers) at every supported version: encode -> decode gives the
// same value and consumes every byte, re-encoding gives the same bytes, fields a version lacks
// are neither written nor read (they come back as Kafka's defaults), every truncation fails to
// decode, and versions outside the range are refused.
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

TEST(TxnMessagesTest, InitProducerIdRequest) {
  RoundTripEveryVersion<InitProducerIdRequest>(
      [] {
        return InitProducerIdRequest{.transactional_id = "app-0_1",
                                     .transaction_timeout_ms = 60000,
                                     .producer_id = 1LL << 33,
                                     .producer_epoch = 7};
      },
      [](InitProducerIdRequest& m, int16_t v) {
        if (v < 3) {
          m.producer_id = -1;
          m.producer_epoch = -1;
        }
      });
}

TEST(TxnMessagesTest, InitProducerIdRequestIdempotentOnly) {
  // An idempotent producer: null transactional id, which stays distinct from "".
  for (const auto& id :
       {std::optional<std::string>(std::nullopt), std::optional<std::string>("")}) {
    RoundTripEveryVersion<InitProducerIdRequest>(
        [&id] {
          return InitProducerIdRequest{.transactional_id = id,
                                       .transaction_timeout_ms = -1,
                                       .producer_id = -1,
                                       .producer_epoch = -1};
        },
        [](InitProducerIdRequest&, int16_t) {});
  }
}

TEST(TxnMessagesTest, InitProducerIdResponse) {
  RoundTripEveryVersion<InitProducerIdResponse>(
      [] {
        return InitProducerIdResponse{
            .throttle_time_ms = 3, .error_code = 51, .producer_id = 4000, .producer_epoch = 32767};
      },
      [](InitProducerIdResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// AddPartitionsToTxn

TEST(TxnMessagesTest, AddPartitionsToTxnRequest) {
  RoundTripEveryVersion<AddPartitionsToTxnRequest>(
      [] {
        return AddPartitionsToTxnRequest{
            .transactional_id = "app-0_1",
            .producer_id = 1000,
            .producer_epoch = 2,
            .topics = {{"t", {0, 1, 5}}, {"u", {}}, {"", {2}}},
        };
      },
      [](AddPartitionsToTxnRequest&, int16_t) {});
}

TEST(TxnMessagesTest, AddPartitionsToTxnResponse) {
  RoundTripEveryVersion<AddPartitionsToTxnResponse>(
      [] {
        return AddPartitionsToTxnResponse{
            .throttle_time_ms = 9,
            .results = {{"t", {{0, 0}, {1, 3}, {5, 55}}}, {"u", {}}},
        };
      },
      [](AddPartitionsToTxnResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// AddOffsetsToTxn

TEST(TxnMessagesTest, AddOffsetsToTxnRequest) {
  RoundTripEveryVersion<AddOffsetsToTxnRequest>(
      [] {
        return AddOffsetsToTxnRequest{.transactional_id = "app-0_1",
                                      .producer_id = -2,
                                      .producer_epoch = 1,
                                      .group_id = "app"};
      },
      [](AddOffsetsToTxnRequest&, int16_t) {});
}

TEST(TxnMessagesTest, AddOffsetsToTxnResponse) {
  RoundTripEveryVersion<AddOffsetsToTxnResponse>(
      [] { return AddOffsetsToTxnResponse{.throttle_time_ms = 1, .error_code = 48}; },
      [](AddOffsetsToTxnResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// EndTxn

TEST(TxnMessagesTest, EndTxnRequest) {
  for (bool committed : {true, false}) {
    RoundTripEveryVersion<EndTxnRequest>(
        [committed] {
          return EndTxnRequest{.transactional_id = "app-0_1",
                               .producer_id = 1000,
                               .producer_epoch = 3,
                               .committed = committed};
        },
        [](EndTxnRequest&, int16_t) {});
  }
}

TEST(TxnMessagesTest, EndTxnResponse) {
  RoundTripEveryVersion<EndTxnResponse>(
      [] { return EndTxnResponse{.throttle_time_ms = 2, .error_code = 47}; },
      [](EndTxnResponse&, int16_t) {});
}

TEST(TxnMessagesTest, EndTxnReadsAnyNonZeroByteAsCommit) {
  // Kafka decodes a boolean as "byte != 0"; so do we, and we write it back as 1.
  const std::string bytes =
      Raw("\x00\x01x"                         // transactional_id
          "\x00\x00\x00\x00\x00\x00\x00\x01"  // producer_id
          "\x00\x00"                          // producer_epoch
          "\x02");                            // committed: 2
  Reader r(bytes);
  EndTxnRequest m;
  ASSERT_TRUE(m.Decode(r, 1)) << r.error();
  EXPECT_TRUE(m.committed);
  EXPECT_EQ(static_cast<uint8_t>(Encode(m, 1).back()), 1);
}

// ---------------------------------------------------------------------------------------
// TxnOffsetCommit

TEST(TxnMessagesTest, TxnOffsetCommitRequest) {
  RoundTripEveryVersion<TxnOffsetCommitRequest>(
      [] {
        return TxnOffsetCommitRequest{
            .transactional_id = "app-0_1",
            .group_id = "app",
            .producer_id = 1000,
            .producer_epoch = 4,
            .generation_id = 12,
            .member_id = "m-1",
            .group_instance_id = "static-1",
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
      [](TxnOffsetCommitRequest& m, int16_t v) {
        if (v < 3) {
          m.generation_id = -1;
          m.member_id.clear();
          m.group_instance_id.reset();
        }
        for (auto& t : m.topics) {
          for (auto& p : t.partitions) {
            if (v < 2) p.committed_leader_epoch = -1;
          }
        }
      });
}

TEST(TxnMessagesTest, TxnOffsetCommitRequestWithoutGroupMembership) {
  // A producer that does not consume through a group: v3 defaults, no topics.
  RoundTripEveryVersion<TxnOffsetCommitRequest>(
      [] {
        return TxnOffsetCommitRequest{.transactional_id = "",
                                      .group_id = "",
                                      .producer_id = -1,
                                      .producer_epoch = -1,
                                      .generation_id = -1,
                                      .member_id = "",
                                      .group_instance_id = std::nullopt,
                                      .topics = {}};
      },
      [](TxnOffsetCommitRequest&, int16_t) {});
}

TEST(TxnMessagesTest, TxnOffsetCommitResponse) {
  RoundTripEveryVersion<TxnOffsetCommitResponse>(
      [] {
        return TxnOffsetCommitResponse{
            .throttle_time_ms = 11,
            .topics = {{"t", {{0, 0}, {1, 22}, {2, 82}}}, {"u", {}}},
        };
      },
      [](TxnOffsetCommitResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// WriteTxnMarkers

TEST(TxnMessagesTest, WriteTxnMarkersRequest) {
  using Marker = WriteTxnMarkersRequest::WritableTxnMarker;
  RoundTripEveryVersion<WriteTxnMarkersRequest>(
      [] {
        return WriteTxnMarkersRequest{
            .markers = {Marker{.producer_id = 1000,
                               .producer_epoch = 4,
                               .transaction_result = true,
                               .topics = {{"t", {0, 2}}, {"__consumer_offsets", {17}}},
                               .coordinator_epoch = 3},
                        Marker{.producer_id = 1001,
                               .producer_epoch = 0,
                               .transaction_result = false,
                               .topics = {},
                               .coordinator_epoch = 0}},
        };
      },
      [](WriteTxnMarkersRequest&, int16_t) {});
}

TEST(TxnMessagesTest, WriteTxnMarkersResponse) {
  RoundTripEveryVersion<WriteTxnMarkersResponse>(
      [] {
        return WriteTxnMarkersResponse{
            .markers = {{1000, {{"t", {{0, 0}, {2, 52}}}, {"u", {}}}}, {1001, {}}},
        };
      },
      [](WriteTxnMarkersResponse&, int16_t) {});
}

// ---------------------------------------------------------------------------------------
// Cross-cutting checks

TEST(TxnMessagesTest, FlexibleRangesAgreeWithTheHeaderTable) {
  // The codecs switch to compact encodings at the version the header table calls flexible;
  // if either moves, this fails until both agree.
  struct Range {
    ApiKey key;
    int16_t max_version;
    int16_t first_flexible;  // -1: none within the range
  };
  const Range ranges[] = {
      {InitProducerIdRequest::kApiKey, InitProducerIdRequest::kMaxVersion, 2},
      {AddPartitionsToTxnRequest::kApiKey, AddPartitionsToTxnRequest::kMaxVersion, -1},
      {AddOffsetsToTxnRequest::kApiKey, AddOffsetsToTxnRequest::kMaxVersion, -1},
      {EndTxnRequest::kApiKey, EndTxnRequest::kMaxVersion, -1},
      {TxnOffsetCommitRequest::kApiKey, TxnOffsetCommitRequest::kMaxVersion, 3},
      {WriteTxnMarkersRequest::kApiKey, WriteTxnMarkersRequest::kMaxVersion, 1},
  };
  for (const Range& range : ranges) {
    const int16_t key = static_cast<int16_t>(range.key);
    SCOPED_TRACE("api key " + std::to_string(key));
    for (int16_t v = 0; v <= range.max_version; ++v) {
      EXPECT_EQ(IsFlexibleVersion(key, v), range.first_flexible >= 0 && v >= range.first_flexible)
          << "version " << v;
    }
  }
  EXPECT_EQ(static_cast<int16_t>(ApiKey::kWriteTxnMarkers), 27);
}

TEST(TxnMessagesTest, ResponseAndRequestRangesMatch) {
  EXPECT_EQ(InitProducerIdResponse::kMaxVersion, InitProducerIdRequest::kMaxVersion);
  EXPECT_EQ(AddPartitionsToTxnResponse::kMaxVersion, AddPartitionsToTxnRequest::kMaxVersion);
  EXPECT_EQ(AddOffsetsToTxnResponse::kMaxVersion, AddOffsetsToTxnRequest::kMaxVersion);
  EXPECT_EQ(EndTxnResponse::kMaxVersion, EndTxnRequest::kMaxVersion);
  EXPECT_EQ(TxnOffsetCommitResponse::kMaxVersion, TxnOffsetCommitRequest::kMaxVersion);
  EXPECT_EQ(WriteTxnMarkersResponse::kMaxVersion, WriteTxnMarkersRequest::kMaxVersion);
}

TEST(TxnMessagesTest, ErrorCodesMatchKafka) {
  // Numbers from org.apache.kafka.common.protocol.Errors.
  EXPECT_EQ(ToWire(ErrorCode::kInvalidProducerEpoch), 47);
  EXPECT_EQ(ToWire(ErrorCode::kInvalidTxnState), 48);
  EXPECT_EQ(ToWire(ErrorCode::kInvalidProducerIdMapping), 49);
  EXPECT_EQ(ToWire(ErrorCode::kInvalidTransactionTimeout), 50);
  EXPECT_EQ(ToWire(ErrorCode::kConcurrentTransactions), 51);
  EXPECT_EQ(ToWire(ErrorCode::kTransactionCoordinatorFenced), 52);
  EXPECT_EQ(ToWire(ErrorCode::kTransactionalIdAuthorizationFailed), 53);
  EXPECT_EQ(ToWire(ErrorCode::kOperationNotAttempted), 55);
  EXPECT_EQ(ToWire(ErrorCode::kUnknownProducerId), 59);
  EXPECT_EQ(ToWire(ErrorCode::kProducerFenced), 90);
}

TEST(TxnMessagesTest, UnknownTaggedFieldsAreSkipped) {
  {
    // InitProducerId v4 request with a tagged field at the top level.
    const std::string bytes =
        Raw("\x02t"                             // transactional_id
            "\x00\x00\x03\xe8"                  // timeout 1000
            "\xff\xff\xff\xff\xff\xff\xff\xff"  // producer_id -1
            "\xff\xff"                          // producer_epoch -1
            "\x01\x09\x03zzz");                 // tag 9, 3 bytes
    Reader r(bytes);
    InitProducerIdRequest m;
    ASSERT_TRUE(m.Decode(r, 4)) << r.error();
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(m, (InitProducerIdRequest{.transactional_id = "t",
                                        .transaction_timeout_ms = 1000,
                                        .producer_id = -1,
                                        .producer_epoch = -1}));
  }
  {
    // TxnOffsetCommit v3 request with tagged fields in the partition, the topic and the top.
    const std::string bytes =
        Raw("\x02x"                             // transactional_id
            "\x02g"                             // group_id
            "\x00\x00\x00\x00\x00\x00\x00\x05"  // producer_id 5
            "\x00\x01"                          // producer_epoch 1
            "\x00\x00\x00\x02"                  // generation_id 2
            "\x02m"                             // member_id
            "\x00"                              // group_instance_id null
            "\x02"                              // topics: 1
            "\x02t"                             //   name
            "\x02"                              //   partitions: 1
            "\x00\x00\x00\x00"                  //     partition_index 0
            "\x00\x00\x00\x00\x00\x00\x00\x07"  //     committed_offset 7
            "\xff\xff\xff\xff"                  //     leader epoch -1
            "\x00"                              //     metadata null
            "\x01\x00\x01z"                     //     tag 0, 1 byte
            "\x01\x03\x00"                      //   tag 3, empty
            "\x02\x01\x00\x02\x01y");           // tags 1 and 2
    Reader r(bytes);
    TxnOffsetCommitRequest m;
    ASSERT_TRUE(m.Decode(r, 3)) << r.error();
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(m, (TxnOffsetCommitRequest{.transactional_id = "x",
                                         .group_id = "g",
                                         .producer_id = 5,
                                         .producer_epoch = 1,
                                         .generation_id = 2,
                                         .member_id = "m",
                                         .group_instance_id = std::nullopt,
                                         .topics = {{"t",
                                                     {{.partition_index = 0,
                                                       .committed_offset = 7,
                                                       .committed_leader_epoch = -1,
                                                       .committed_metadata = std::nullopt}}}}}));
  }
}

TEST(TxnMessagesTest, NullWhereKafkaForbidsItFails) {
  {
    // AddPartitionsToTxn v1: a null transactional id (only InitProducerId allows one).
    const std::string bytes =
        Raw("\xff\xff"                          // transactional_id null
            "\x00\x00\x00\x00\x00\x00\x00\x01"  // producer_id
            "\x00\x00"                          // producer_epoch
            "\x00\x00\x00\x00");                // topics: empty
    Reader r(bytes);
    AddPartitionsToTxnRequest m;
    EXPECT_FALSE(m.Decode(r, 1));
  }
  {
    // AddPartitionsToTxn v0: a null partitions array.
    const std::string bytes =
        Raw("\x00\x01x"                         // transactional_id
            "\x00\x00\x00\x00\x00\x00\x00\x01"  // producer_id
            "\x00\x00"                          // producer_epoch
            "\x00\x00\x00\x01"                  // topics: 1
            "\x00\x01t"                         //   name
            "\xff\xff\xff\xff");                //   partitions null
    Reader r(bytes);
    AddPartitionsToTxnRequest m;
    EXPECT_FALSE(m.Decode(r, 0));
  }
  {
    // TxnOffsetCommit v3: a null member id (compact length 0).
    const std::string bytes =
        Raw("\x02x\x02g"
            "\x00\x00\x00\x00\x00\x00\x00\x05\x00\x01"
            "\x00\x00\x00\x02"  // generation_id
            "\x00"              // member_id null: not allowed
            "\x00\x01\x00");
    Reader r(bytes);
    TxnOffsetCommitRequest m;
    EXPECT_FALSE(m.Decode(r, 3));
  }
  {
    // WriteTxnMarkers v1 response: a null markers array.
    const std::string bytes = Raw("\x00\x00");
    Reader r(bytes);
    WriteTxnMarkersResponse m;
    EXPECT_FALSE(m.Decode(r, 1));
  }
}

TEST(TxnMessagesTest, HostileArrayLengthIsRejectedWithoutAllocating) {
  // WriteTxnMarkers v0 request claiming 2^31-1 markers in a 4-byte body.
  const std::string bytes = Raw("\x7f\xff\xff\xff");
  Reader r(bytes);
  WriteTxnMarkersRequest m;
  EXPECT_FALSE(m.Decode(r, 0));
  EXPECT_EQ(m.markers.capacity(), 0u);
}

}  // namespace
}  // namespace rill::broker::protocol
