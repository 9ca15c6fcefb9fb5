// Bad input never takes the broker down: malformed frames, absurd sizes, unknown APIs and
// versions, truncated bodies, corrupt or oversized batches and invalid topic names or
// configs each get Kafka's documented error or a closed connection for that client only,
// while a bystander connection keeps being served.
#include <unistd.h>

#include "broker/embedded_cluster.h"
#include "broker/protocol/api_keys.h"
#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/request_header.h"
#include "broker/protocol/wire.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

using namespace std::chrono_literals;
namespace protocol = broker::protocol;
using protocol::ApiKey;

// Frames `body` behind a request header for (key, version, correlation id).
template <typename Request>
std::string Frame(const Request& request, int16_t version, int32_t correlation_id) {
  std::string out;
  protocol::Writer w(&out);
  size_t at = w.ReserveInt32();
  protocol::EncodeRequestHeader(
      w, {static_cast<int16_t>(Request::kApiKey), version, correlation_id, "bad-input-test"});
  request.Encode(w, version);
  w.PatchInt32(at, static_cast<int32_t>(out.size() - 4));
  return out;
}

std::string RawFrame(const std::string& payload) {
  std::string out;
  protocol::Writer w(&out);
  w.Int32(static_cast<int32_t>(payload.size()));
  w.Raw(payload);
  return out;
}

std::string HeaderOnly(int16_t key, int16_t version, int32_t correlation_id) {
  std::string out;
  protocol::Writer w(&out);
  protocol::EncodeRequestHeader(w, {key, version, correlation_id, "bad-input-test"});
  return out;
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok());
    bystander_ = testing::ConnectRaw(bootstrap());
    ASSERT_GE(bystander_, 0);
  }
  void TearDown() override {
    // The bystander, connected before the bad input, is still served.
    ExpectServes(bystander_);
    ::close(bystander_);
    // And so is a new client.
    int fd = testing::ConnectRaw(bootstrap());
    ExpectServes(fd);
    ::close(fd);
  }
  std::string bootstrap() const { return cluster_.bootstrap_servers(); }

  void ExpectServes(int fd) {
    ASSERT_TRUE(testing::WriteAll(fd, Frame(protocol::ApiVersionsRequest{}, 0, 4242)));
    auto frame = testing::ReadFrame(fd, 10s);
    ASSERT_TRUE(frame.has_value()) << "broker stopped serving";
    protocol::Reader r(*frame);
    EXPECT_EQ(r.Int32(), 4242);
    protocol::ApiVersionsResponse response;
    ASSERT_TRUE(response.Decode(r, 0));
    EXPECT_EQ(response.error_code, 0);
  }

  // Sends `bytes` on a fresh connection and expects the broker to close it.
  void ExpectClosed(const std::string& bytes) {
    int fd = testing::ConnectRaw(bootstrap());
    ASSERT_GE(fd, 0);
    testing::WriteAll(fd, bytes);
    EXPECT_TRUE(testing::WaitForClose(fd, 10s));
    ::close(fd);
  }

  // Produces one raw batch to topic/partition 0 and returns the partition error code.
  int16_t ProduceRaw(const std::string& topic, const std::string& batch) {
    protocol::ProduceRequest request;
    request.acks = -1;
    request.timeout_ms = 10000;
    request.topics.push_back({topic, {{0, std::string_view(batch)}}});
    int fd = testing::ConnectRaw(bootstrap());
    EXPECT_TRUE(testing::WriteAll(fd, Frame(request, 7, 9)));
    auto frame = testing::ReadFrame(fd, 10s);
    ::close(fd);
    if (!frame) {
      ADD_FAILURE() << "no produce response";
      return -999;
    }
    protocol::Reader r(*frame);
    EXPECT_EQ(r.Int32(), 9);
    protocol::ProduceResponse response;
    EXPECT_TRUE(response.Decode(r, 7));
    return response.responses.at(0).partitions.at(0).error_code;
  }

  broker::EmbeddedCluster cluster_;
  int bystander_ = -1;
};

TEST_F(BadInputTest, AbsurdSizePrefixClosesConnection) {
  ExpectClosed(std::string("\x7f\xff\xff\xff", 4) + "garbage");
}

TEST_F(BadInputTest, NegativeSizePrefixClosesConnection) { ExpectClosed(std::string("\xff\xff\xff\xfe", 4)); }

TEST_F(BadInputTest, TinyFrameClosesConnection) { ExpectClosed(RawFrame("ab")); }

TEST_F(BadInputTest, UnknownApiKeyClosesConnection) {
  ExpectClosed(RawFrame(HeaderOnly(999, 0, 1) + "body"));
}

TEST_F(BadInputTest, UnsupportedVersionClosesConnection) {
  ExpectClosed(RawFrame(HeaderOnly(static_cast<int16_t>(ApiKey::kMetadata), 77, 1)));
}

TEST_F(BadInputTest, TruncatedBodyClosesConnection) {
  // Metadata v1 claiming 5 topics and carrying none.
  std::string body = HeaderOnly(static_cast<int16_t>(ApiKey::kMetadata), 1, 1);
  body += std::string("\x00\x00\x00\x05", 4);
  ExpectClosed(RawFrame(body));
}

TEST_F(BadInputTest, TruncatedHeaderClosesConnection) {
  ExpectClosed(RawFrame(std::string("\x00\x03\x00\x01\x00\x00\x00\x07\x00\x40xy", 12)));
}

TEST_F(BadInputTest, UnknownApiVersionsVersionGetsUnsupportedVersionAndOurRanges) {
  int fd = testing::ConnectRaw(bootstrap());
  // A future ApiVersions version: the body layout is unknown to us, the answer is v0.
  ASSERT_TRUE(testing::WriteAll(
      fd, RawFrame(HeaderOnly(static_cast<int16_t>(ApiKey::kApiVersions), 99, 77) + "\x00")));
  auto frame = testing::ReadFrame(fd, 10s);
  ASSERT_TRUE(frame.has_value());
  protocol::Reader r(*frame);
  EXPECT_EQ(r.Int32(), 77);
  protocol::ApiVersionsResponse response;
  ASSERT_TRUE(response.Decode(r, 0));
  EXPECT_EQ(response.error_code, protocol::ToWire(protocol::ErrorCode::kUnsupportedVersion));
  bool has_produce = false;
  for (const auto& v : response.api_keys) {
    if (v.api_key == 0) has_produce = v.min_version == 3 && v.max_version == 7;
  }
  EXPECT_TRUE(has_produce);
  ::close(fd);
}

TEST_F(BadInputTest, PipelinedRequestsAnsweredInOrder) {
  int fd = testing::ConnectRaw(bootstrap());
  protocol::MetadataRequest metadata;
  std::string burst;
  for (int i = 0; i < 20; ++i) {
    burst += i % 2 ? Frame(metadata, 4, 1000 + i) : Frame(protocol::ApiVersionsRequest{}, 3, 1000 + i);
  }
  ASSERT_TRUE(testing::WriteAll(fd, burst));
  for (int i = 0; i < 20; ++i) {
    auto frame = testing::ReadFrame(fd, 10s);
    ASSERT_TRUE(frame.has_value());
    protocol::Reader r(*frame);
    EXPECT_EQ(r.Int32(), 1000 + i);
  }
  ::close(fd);
}

TEST_F(BadInputTest, CorruptCrcGetsCorruptMessage) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "crc", 1), "");
  std::string batch = protocol::RecordBatchBuilder().Add("k", "v", 1000).Build();
  batch[batch.size() - 1] ^= 0x55;  // inside the CRC-covered records
  EXPECT_EQ(ProduceRaw("crc", batch), protocol::ToWire(protocol::ErrorCode::kCorruptMessage));
  // Nothing was appended.
  std::string good = protocol::RecordBatchBuilder().Add("k", "v", 1000).Build();
  EXPECT_EQ(ProduceRaw("crc", good), 0);
}

TEST_F(BadInputTest, OldMagicGetsUnsupportedForMessageFormat) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "magic", 1), "");
  std::string batch = protocol::RecordBatchBuilder().Add("k", "v", 1000).Build();
  batch[16] = 1;  // the magic byte
  EXPECT_EQ(ProduceRaw("magic", batch),
            protocol::ToWire(protocol::ErrorCode::kUnsupportedForMessageFormat));
}

TEST_F(BadInputTest, TruncatedBatchGetsCorruptMessage) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "torn", 1), "");
  std::string batch = protocol::RecordBatchBuilder().Add("k", "v", 1000).Build();
  EXPECT_EQ(ProduceRaw("torn", batch.substr(0, batch.size() - 3)),
            protocol::ToWire(protocol::ErrorCode::kCorruptMessage));
}

TEST_F(BadInputTest, OversizedBatchGetsMessageTooLarge) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "small", 1, {{"max.message.bytes", "1000"}}), "");
  std::string big(5000, 'x');
  std::string batch = protocol::RecordBatchBuilder().Add("k", big, 1000).Build();
  EXPECT_EQ(ProduceRaw("small", batch), protocol::ToWire(protocol::ErrorCode::kMessageTooLarge));
  // Through librdkafka too: the delivery report carries the broker's error.
  testing::Producer producer({{"bootstrap.servers", bootstrap()}});
  producer.Send("small", 0, std::nullopt, big);
  ASSERT_TRUE(producer.Flush());
  ASSERT_EQ(producer.deliveries().size(), 1u);
  EXPECT_EQ(producer.deliveries()[0].err, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
}

TEST_F(BadInputTest, TwoBatchesOrAControlBatchGetInvalidRecord) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "strict", 1), "");
  std::string one = protocol::RecordBatchBuilder().Add("k", "v", 1000).Build();
  EXPECT_EQ(ProduceRaw("strict", one + one), protocol::ToWire(protocol::ErrorCode::kInvalidRecord));
  std::string control =
      protocol::RecordBatchBuilder().set_control(true).Add("k", "v", 1000).Build();
  EXPECT_EQ(ProduceRaw("strict", control), protocol::ToWire(protocol::ErrorCode::kInvalidRecord));
  EXPECT_EQ(ProduceRaw("strict", one), 0);
}

TEST_F(BadInputTest, ProduceToUnknownPartitionGetsUnknownTopicOrPartition) {
  std::string batch = protocol::RecordBatchBuilder().Add("k", "v", 1000).Build();
  EXPECT_EQ(ProduceRaw("no-such-topic", batch),
            protocol::ToWire(protocol::ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(BadInputTest, InvalidTopicNameGetsInvalidTopicException) {
  std::string err = testing::CreateTopic(bootstrap(), "bad/name", 1);
  EXPECT_NE(err.find("TOPIC_EXCEPTION"), std::string::npos) << err;
  err = testing::CreateTopic(bootstrap(), std::string(300, 'a'), 1);
  EXPECT_NE(err.find("TOPIC_EXCEPTION"), std::string::npos) << err;
}

TEST_F(BadInputTest, InvalidConfigGetsInvalidConfig) {
  std::string err = testing::CreateTopic(bootstrap(), "cfg", 1, {{"retention.ms", "soon"}});
  EXPECT_NE(err.find("INVALID_CONFIG"), std::string::npos) << err;
  err = testing::CreateTopic(bootstrap(), "cfg", 1, {{"no.such.config", "1"}});
  EXPECT_NE(err.find("INVALID_CONFIG"), std::string::npos) << err;
  err = testing::CreateTopic(bootstrap(), "cfg", 1, {}, 3);
  EXPECT_NE(err.find("INVALID_REPLICATION_FACTOR"), std::string::npos) << err;
  // None of the failed attempts created the topic.
  EXPECT_EQ(testing::CreateTopic(bootstrap(), "cfg", 1), "");
}

}  // namespace
}  // namespace rill
