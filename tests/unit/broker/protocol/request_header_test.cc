// Request/response headers: header-version selection per API and golden byte layouts of
// request header v1 and v2 and response header v0 and v1.
#include "broker/protocol/request_header.h"

#include <gtest/gtest.h>

#include <string>

#include "broker/protocol/api_keys.h"
#include "broker/protocol/wire.h"
#include "tests/unit/broker/protocol/codec_test_util.h"

namespace rill::broker::protocol {
namespace {

using namespace ::rill::broker::protocol::testing;

int16_t Key(ApiKey k) { return static_cast<int16_t>(k); }

TEST(RequestHeaderTest, FirstFlexibleVersionOfEveryKnownApi) {
  // From "flexibleVersions" in Kafka's message schemas.
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kProduce)), 9);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kFetch)), 12);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kListOffsets)), 6);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kMetadata)), 9);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kOffsetCommit)), 8);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kOffsetFetch)), 6);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kFindCoordinator)), 3);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kJoinGroup)), 6);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kHeartbeat)), 4);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kLeaveGroup)), 4);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kSyncGroup)), 4);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kDescribeGroups)), 5);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kListGroups)), 3);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kSaslHandshake)), -1);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kApiVersions)), 3);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kCreateTopics)), 5);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kDeleteTopics)), 4);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kDeleteRecords)), 2);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kInitProducerId)), 2);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kAddPartitionsToTxn)), 3);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kAddOffsetsToTxn)), 3);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kEndTxn)), 3);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kWriteTxnMarkers)), 1);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kTxnOffsetCommit)), 3);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kDescribeConfigs)), 4);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kCreatePartitions)), 2);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kDeleteGroups)), 2);
  EXPECT_EQ(FirstFlexibleVersion(Key(ApiKey::kOffsetDelete)), -1);
  EXPECT_EQ(FirstFlexibleVersion(999), -1);
}

TEST(RequestHeaderTest, HeaderVersions) {
  EXPECT_EQ(RequestHeaderVersion(Key(ApiKey::kProduce), 8), 1);
  EXPECT_EQ(RequestHeaderVersion(Key(ApiKey::kProduce), 9), 2);
  EXPECT_EQ(ResponseHeaderVersion(Key(ApiKey::kProduce), 8), 0);
  EXPECT_EQ(ResponseHeaderVersion(Key(ApiKey::kProduce), 9), 1);
  EXPECT_EQ(RequestHeaderVersion(Key(ApiKey::kJoinGroup), 5), 1);
  EXPECT_EQ(RequestHeaderVersion(Key(ApiKey::kJoinGroup), 6), 2);
  EXPECT_EQ(ResponseHeaderVersion(Key(ApiKey::kJoinGroup), 6), 1);
  EXPECT_EQ(RequestHeaderVersion(Key(ApiKey::kSaslHandshake), 1), 1);
  EXPECT_EQ(ResponseHeaderVersion(Key(ApiKey::kOffsetDelete), 0), 0);
  // ApiVersions: flexible request header from v3, but the response header is always v0.
  EXPECT_EQ(RequestHeaderVersion(Key(ApiKey::kApiVersions), 2), 1);
  EXPECT_EQ(RequestHeaderVersion(Key(ApiKey::kApiVersions), 3), 2);
  EXPECT_EQ(ResponseHeaderVersion(Key(ApiKey::kApiVersions), 3), 0);
  EXPECT_EQ(ResponseHeaderVersion(Key(ApiKey::kApiVersions), 4), 0);
  // Unknown key: header v1, so the correlation id can still be read.
  EXPECT_EQ(RequestHeaderVersion(1000, 5), 1);
  EXPECT_EQ(ResponseHeaderVersion(1000, 5), 0);
}

TEST(RequestHeaderTest, GoldenV1) {
  const std::string bytes = Bytes({
      0x00,
      0x03,  // api_key: Metadata (3)
      0x00,
      0x04,  // api_version: 4
      0x00,
      0x00,
      0x00,
      0x2a,  // correlation_id: 42
      0x00,
      0x07,  // client_id length: 7 (classic INT16)
      'r',
      'd',
      'k',
      'a',
      'f',
      'k',
      'a',
  });
  Reader r(bytes);
  RequestHeader h;
  ASSERT_TRUE(DecodeRequestHeader(r, &h));
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(h, (RequestHeader{3, 4, 42, "rdkafka"}));

  Writer w;
  EncodeRequestHeader(w, h);
  EXPECT_EQ(w.buffer(), bytes);
}

TEST(RequestHeaderTest, GoldenV1NullClientId) {
  const std::string bytes = Bytes({
      0x00, 0x00,              // api_key: Produce (0)
      0x00, 0x07,              // api_version: 7
      0xff, 0xff, 0xff, 0xff,  // correlation_id: -1
      0xff, 0xff,              // client_id: null
  });
  Reader r(bytes);
  RequestHeader h;
  ASSERT_TRUE(DecodeRequestHeader(r, &h));
  EXPECT_EQ(h, (RequestHeader{0, 7, -1, std::nullopt}));
  Writer w;
  EncodeRequestHeader(w, h);
  EXPECT_EQ(w.buffer(), bytes);
}

TEST(RequestHeaderTest, GoldenV2) {
  const std::string bytes = Bytes({
      0x00, 0x12,              // api_key: ApiVersions (18)
      0x00, 0x03,              // api_version: 3 (flexible -> header v2)
      0x00, 0x00, 0x00, 0x01,  // correlation_id: 1
      0x00, 0x04,              // client_id length: 4, still classic INT16 in v2
      'k', 'c', 'a', 't',
      0x00,  // tagged fields: none
  });
  Reader r(bytes);
  RequestHeader h;
  ASSERT_TRUE(DecodeRequestHeader(r, &h));
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(h, (RequestHeader{18, 3, 1, "kcat"}));
  Writer w;
  EncodeRequestHeader(w, h);
  EXPECT_EQ(w.buffer(), bytes);
}

TEST(RequestHeaderTest, V2SkipsUnknownTaggedFields) {
  const std::string bytes = Bytes({
      0x00, 0x0b,              // api_key: JoinGroup (11)
      0x00, 0x06,              // api_version: 6 (flexible)
      0x00, 0x00, 0x00, 0x05,  // correlation_id: 5
      0xff, 0xff,              // client_id: null
      0x01,                    // one tagged field
      0x07, 0x02, 0xaa, 0xbb,  // tag 7, size 2, payload
      0x42,                    // first body byte
  });
  Reader r(bytes);
  RequestHeader h;
  ASSERT_TRUE(DecodeRequestHeader(r, &h));
  EXPECT_EQ(h.correlation_id, 5);
  EXPECT_EQ(r.Int8(), 0x42);
}

TEST(RequestHeaderTest, TruncationFailsButKeepsCorrelationId) {
  const std::string bytes =
      Bytes({0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x09, 0x00, 0x04, 'k', 'c', 'a', 't', 0x00});
  for (size_t n = 0; n < bytes.size(); ++n) {
    Reader r(std::string_view(bytes).substr(0, n));
    RequestHeader h;
    EXPECT_FALSE(DecodeRequestHeader(r, &h)) << n;
    if (n >= 8) {
      EXPECT_EQ(h.correlation_id, 9) << n;
    }
  }
}

TEST(RequestHeaderTest, GoldenResponseHeaders) {
  Writer v0;
  EncodeResponseHeader(v0, 258, 0);
  EXPECT_EQ(v0.buffer(), Bytes({0x00, 0x00, 0x01, 0x02}));  // correlation_id only
  Writer v1;
  EncodeResponseHeader(v1, 258, 1);
  EXPECT_EQ(v1.buffer(), Bytes({0x00, 0x00, 0x01, 0x02,  // correlation_id
                                0x00}));                 // tagged fields: none
}

}  // namespace
}  // namespace rill::broker::protocol
