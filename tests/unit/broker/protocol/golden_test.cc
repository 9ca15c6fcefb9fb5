// Golden byte vectors hand-derived from Kafka's message schemas (one comment per field), so
// the codecs are checked against the wire format itself rather than against each other.
#include <gtest/gtest.h>

#include <string>

#include "broker/protocol/api_keys.h"
#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/request_header.h"
#include "broker/protocol/wire.h"
#include "tests/unit/broker/protocol/codec_test_util.h"

namespace rill::broker::protocol {
namespace {

using namespace ::rill::broker::protocol::testing;

TEST(GoldenTest, ApiVersionsV0Request) {
  // Versions 0-2 of the request have no fields at all.
  EXPECT_EQ(Encode(ApiVersionsRequest{}, 0), "");
  DecodeOrDie<ApiVersionsRequest>("", 0);
}

TEST(GoldenTest, ApiVersionsV3Request) {
  const std::string bytes = Bytes({
      0x0b,                                              // client_software_name: length 10 + 1
      'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a',  //
      0x06,                                              // client_software_version: length 5 + 1
      '2', '.', '0', '.', '2',                           //
      0x00,                                              // tagged fields: none
  });
  ApiVersionsRequest m{.client_software_name = "librdkafka", .client_software_version = "2.0.2"};
  EXPECT_EQ(Encode(m, 3), bytes);
  EXPECT_EQ(DecodeOrDie<ApiVersionsRequest>(bytes, 3), m);
}

TEST(GoldenTest, ApiVersionsV3RequestFrame) {
  // What a flexible client puts on the wire: size, request header v2, body.
  const std::string frame = Bytes({
      0x00, 0x00, 0x00, 0x19,  // frame size: 25
      0x00, 0x12,              // api_key: 18
      0x00, 0x03,              // api_version: 3
      0x00, 0x00, 0x00, 0x01,  // correlation_id: 1
      0x00, 0x04,              // client_id: classic INT16 length 4
      'k',  'c',  'a',  't',   //
      0x00,                    // header tagged fields: none
      0x05,                    // client_software_name: length 4 + 1
      'k',  'c',  'a',  't',   //
      0x04,                    // client_software_version: length 3 + 1
      '1',  '.',  '7',         //
      0x00,                    // body tagged fields: none
  });
  Reader r(std::string_view(frame).substr(4));
  RequestHeader h;
  ASSERT_TRUE(DecodeRequestHeader(r, &h));
  EXPECT_EQ(h, (RequestHeader{18, 3, 1, "kcat"}));
  ApiVersionsRequest m;
  ASSERT_TRUE(m.Decode(r, h.api_version));
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(m.client_software_name, "kcat");
  EXPECT_EQ(m.client_software_version, "1.7");

  Writer w;
  size_t size_at = w.ReserveInt32();
  EncodeRequestHeader(w, h);
  m.Encode(w, h.api_version);
  w.PatchInt32(size_at, static_cast<int32_t>(w.size() - 4));
  EXPECT_EQ(w.buffer(), frame);
}

TEST(GoldenTest, ApiVersionsV0Response) {
  const std::string bytes = Bytes({
      0x00, 0x00,              // error_code: 0
      0x00, 0x00, 0x00, 0x02,  // api_keys: 2 entries (INT32 length)
      0x00, 0x00,              //   api_key: 0 (Produce)
      0x00, 0x03,              //   min_version: 3
      0x00, 0x07,              //   max_version: 7
      0x00, 0x12,              //   api_key: 18 (ApiVersions)
      0x00, 0x00,              //   min_version: 0
      0x00, 0x03,              //   max_version: 3
                               // no throttle_time_ms before v1
  });
  ApiVersionsResponse m{.error_code = 0, .api_keys = {{0, 3, 7}, {18, 0, 3}}};
  EXPECT_EQ(Encode(m, 0), bytes);
  EXPECT_EQ(DecodeOrDie<ApiVersionsResponse>(bytes, 0), m);
}

TEST(GoldenTest, ApiVersionsV3Response) {
  const std::string bytes = Bytes({
      0x00, 0x00,              // error_code: 0
      0x03,                    // api_keys: compact length 2 + 1
      0x00, 0x00,              //   api_key: 0 (Produce)
      0x00, 0x03,              //   min_version: 3
      0x00, 0x07,              //   max_version: 7
      0x00,                    //   entry tagged fields: none
      0x00, 0x12,              //   api_key: 18 (ApiVersions)
      0x00, 0x00,              //   min_version: 0
      0x00, 0x03,              //   max_version: 3
      0x00,                    //   entry tagged fields: none
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0
      0x00,                    // tagged fields: none
  });
  ApiVersionsResponse m{.error_code = 0, .api_keys = {{0, 3, 7}, {18, 0, 3}}};
  EXPECT_EQ(Encode(m, 3), bytes);
  EXPECT_EQ(DecodeOrDie<ApiVersionsResponse>(bytes, 3), m);
}

TEST(GoldenTest, ApiVersionsV3ResponseFrameUsesHeaderV0) {
  const int16_t key = static_cast<int16_t>(ApiKey::kApiVersions);
  Writer w;
  EncodeResponseHeader(w, 7, ResponseHeaderVersion(key, 3));
  ApiVersionsResponse unsupported;
  unsupported.error_code = 35;
  unsupported.Encode(w, 3);
  EXPECT_EQ(w.buffer(), Bytes({
                            0x00, 0x00, 0x00, 0x07,  // correlation_id: 7, and no header tags
                            0x00, 0x23,              // error_code: 35 (UNSUPPORTED_VERSION)
                            0x01,                    // api_keys: empty (compact 0 + 1)
                            0x00, 0x00, 0x00, 0x00,  // throttle_time_ms: 0
                            0x00,                    // tagged fields: none
                        }));
}

TEST(GoldenTest, ApiVersionsV3ResponseSkipsTaggedFeatures) {
  const std::string bytes = Bytes({
      0x00, 0x00,                                      // error_code: 0
      0x01,                                            // api_keys: empty
      0x00, 0x00, 0x00, 0x0a,                          // throttle_time_ms: 10
      0x01,                                            // one tagged field
      0x01,                                            //   tag 1: FinalizedFeaturesEpoch
      0x08,                                            //   size 8
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  //   epoch 5 (ignored)
  });
  ApiVersionsResponse m = DecodeOrDie<ApiVersionsResponse>(bytes, 3);
  EXPECT_EQ(m.throttle_time_ms, 10);
  EXPECT_TRUE(m.api_keys.empty());
}

TEST(GoldenTest, MetadataV0Request) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x02,  // topics: 2 entries
      0x00, 0x03,              //   name: length 3
      'f', 'o', 'o',           //
      0x00, 0x03,              //   name: length 3
      'b', 'a', 'r',           //
  });
  MetadataRequest m{.topics = {{{"foo"}, {"bar"}}}};
  EXPECT_EQ(Encode(m, 0), bytes);
  EXPECT_EQ(DecodeOrDie<MetadataRequest>(bytes, 0), m);
}

TEST(GoldenTest, MetadataV4RequestAllTopics) {
  const std::string bytes = Bytes({
      0xff, 0xff, 0xff, 0xff,  // topics: null (all topics)
      0x00,                    // allow_auto_topic_creation: false
  });
  MetadataRequest m{.topics = std::nullopt, .allow_auto_topic_creation = false};
  EXPECT_EQ(Encode(m, 4), bytes);
  EXPECT_EQ(DecodeOrDie<MetadataRequest>(bytes, 4), m);
}

TEST(GoldenTest, ProduceV3Request) {
  const std::string bytes = Bytes({
      0xff, 0xff,              // transactional_id: null
      0xff, 0xff,              // acks: -1
      0x00, 0x00, 0x75, 0x30,  // timeout_ms: 30000
      0x00, 0x00, 0x00, 0x01,  // topics: 1 entry
      0x00, 0x04,              //   name: length 4
      't',  'e',  's',  't',   //
      0x00, 0x00, 0x00, 0x01,  //   partitions: 1 entry
      0x00, 0x00, 0x00, 0x02,  //     index: 2
      0x00, 0x00, 0x00, 0x05,  //     records: 5 bytes (opaque here)
      'h',  'e',  'l',  'l',  'o',
  });
  ProduceRequest m{
      .transactional_id = std::nullopt,
      .acks = -1,
      .timeout_ms = 30000,
      .topics = {{"test", {{2, std::string_view("hello")}}}},
  };
  EXPECT_EQ(Encode(m, 3), bytes);
  ProduceRequest decoded = DecodeOrDie<ProduceRequest>(bytes, 3);
  EXPECT_EQ(decoded, m);
  // The records view points into `bytes`, right after its length.
  EXPECT_EQ(decoded.topics[0].partitions[0].records->data(), bytes.data() + 30);
}

TEST(GoldenTest, ProduceV5Response) {
  const std::string bytes = Bytes({
      0x00, 0x00, 0x00, 0x01,                          // responses: 1 entry
      0x00, 0x01, 't',                                 //   name: "t"
      0x00, 0x00, 0x00, 0x01,                          //   partitions: 1 entry
      0x00, 0x00, 0x00, 0x00,                          //     index: 0
      0x00, 0x00,                                      //     error_code: 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  //     base_offset: 42
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //     log_append_time_ms: -1
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //     log_start_offset: 0 (v5+)
      0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms: 0
  });
  ProduceResponse m{.responses = {{"t", {{0, 0, 42, -1, 0}}}}};
  EXPECT_EQ(Encode(m, 5), bytes);
  EXPECT_EQ(DecodeOrDie<ProduceResponse>(bytes, 5), m);
}

}  // namespace
}  // namespace rill::broker::protocol
