// Idempotent producers: a retried batch is acknowledged with its original offset and not
// appended twice (also after a broker restart), a sequence gap gets
// OUT_OF_ORDER_SEQUENCE_NUMBER and an old epoch INVALID_PRODUCER_EPOCH; and librdkafka's
// idempotent producer, with its connections dropped again and again mid-flight, leaves
// every record in the log exactly once and in order.
#include <atomic>
#include <map>
#include <thread>

#include "broker/broker.h"
#include "broker/embedded_cluster.h"
#include "broker/protocol/messages/init_producer_id.h"
#include "broker/protocol/messages/list_offsets.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/record_batch.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

namespace protocol = broker::protocol;
using namespace std::chrono_literals;
using protocol::ErrorCode;
using protocol::ToWire;
using testing::RawClient;

class IdempotenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok());
    ASSERT_EQ(testing::CreateTopic(bootstrap(), "idem", 1), "");
  }
  std::string bootstrap() const { return cluster_.bootstrap_servers(); }

  int64_t NewProducerId(RawClient& c) {
    protocol::InitProducerIdRequest req;
    req.transaction_timeout_ms = 60000;
    protocol::InitProducerIdResponse out;
    EXPECT_TRUE(c.Call(req, 4, &out));
    EXPECT_EQ(out.error_code, 0);
    EXPECT_EQ(out.producer_epoch, 0);
    return out.producer_id;
  }

  // Produces `count` records as (pid, epoch, first sequence); returns (error, base offset).
  std::pair<int16_t, int64_t> Send(RawClient& c, int64_t pid, int16_t epoch, int32_t sequence,
                                   int count) {
    protocol::RecordBatchBuilder builder;
    builder.set_producer(pid, epoch, sequence);
    for (int i = 0; i < count; ++i) builder.Add(std::nullopt, "r" + std::to_string(sequence + i), 1000);
    std::string batch = builder.Build();
    protocol::ProduceRequest req;
    req.acks = -1;
    req.timeout_ms = 10000;
    req.topics.push_back({"idem", {{0, std::string_view(batch)}}});
    protocol::ProduceResponse out;
    EXPECT_TRUE(c.Call(req, 7, &out));
    const auto& p = out.responses.at(0).partitions.at(0);
    return {p.error_code, p.base_offset};
  }

  int64_t LogEnd(RawClient& c) {
    protocol::ListOffsetsRequest req;
    req.topics.push_back({"idem", {{0, -1}}});
    protocol::ListOffsetsResponse out;
    EXPECT_TRUE(c.Call(req, 2, &out));
    return out.topics.at(0).partitions.at(0).offset;
  }

  broker::EmbeddedCluster cluster_;
};

TEST_F(IdempotenceTest, ProducerIdsAreUniqueAndSurviveRestart) {
  RawClient c(bootstrap());
  int64_t a = NewProducerId(c);
  int64_t b = NewProducerId(c);
  EXPECT_NE(a, b);
  ASSERT_TRUE(cluster_.RestartNode(0).ok());
  RawClient after(bootstrap());
  int64_t d = NewProducerId(after);
  EXPECT_GT(d, b) << "a producer id was handed out twice across a restart";
}

TEST_F(IdempotenceTest, RetriedBatchIsAcknowledgedWithItsOriginalOffset) {
  RawClient c(bootstrap());
  const int64_t pid = NewProducerId(c);
  EXPECT_EQ(Send(c, pid, 0, 0, 5), std::make_pair(int16_t{0}, int64_t{0}));
  EXPECT_EQ(Send(c, pid, 0, 5, 5), std::make_pair(int16_t{0}, int64_t{5}));
  // Retries of either of the last batches: same offsets, nothing appended.
  EXPECT_EQ(Send(c, pid, 0, 0, 5), std::make_pair(int16_t{0}, int64_t{0}));
  EXPECT_EQ(Send(c, pid, 0, 5, 5), std::make_pair(int16_t{0}, int64_t{5}));
  EXPECT_EQ(LogEnd(c), 10);
  // Also after a restart: the producer state is rebuilt from the log.
  ASSERT_TRUE(cluster_.RestartNode(0).ok());
  RawClient after(bootstrap());
  EXPECT_EQ(Send(after, pid, 0, 5, 5), std::make_pair(int16_t{0}, int64_t{5}));
  EXPECT_EQ(LogEnd(after), 10);
  EXPECT_EQ(Send(after, pid, 0, 10, 1), std::make_pair(int16_t{0}, int64_t{10}));
}

TEST_F(IdempotenceTest, SequenceGapIsOutOfOrder) {
  RawClient c(bootstrap());
  const int64_t pid = NewProducerId(c);
  ASSERT_EQ(Send(c, pid, 0, 0, 3).first, 0);
  EXPECT_EQ(Send(c, pid, 0, 7, 1).first, ToWire(ErrorCode::kOutOfOrderSequenceNumber));
  EXPECT_EQ(Send(c, pid, 0, 2, 1).first, ToWire(ErrorCode::kOutOfOrderSequenceNumber));
  EXPECT_EQ(LogEnd(c), 3);
  EXPECT_EQ(Send(c, pid, 0, 3, 1).first, 0);
}

TEST_F(IdempotenceTest, OldEpochIsFenced) {
  RawClient c(bootstrap());
  const int64_t pid = NewProducerId(c);
  ASSERT_EQ(Send(c, pid, 0, 0, 2).first, 0);
  // A bumped epoch restarts the sequence at 0...
  EXPECT_EQ(Send(c, pid, 1, 5, 1).first, ToWire(ErrorCode::kOutOfOrderSequenceNumber));
  ASSERT_EQ(Send(c, pid, 1, 0, 1).first, 0);
  // ...and the old epoch is fenced from then on.
  EXPECT_EQ(Send(c, pid, 0, 2, 1).first, ToWire(ErrorCode::kInvalidProducerEpoch));
  EXPECT_EQ(LogEnd(c), 3);
}

TEST_F(IdempotenceTest, LibrdkafkaIdempotentProducerWithDroppedConnections) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "flaky", 3), "");
  constexpr int kRecords = 30000;
  std::atomic<bool> done{false};
  std::atomic<int> drops{0};
  std::thread chaos([&] {
    while (!done) {
      std::this_thread::sleep_for(30ms);  // fault-injection cadence, not synchronisation
      cluster_.node(0).DropConnections();
      ++drops;
    }
  });
  {
    testing::Producer producer({{"bootstrap.servers", bootstrap()},
                                {"enable.idempotence", "true"},
                                {"linger.ms", "1"},
                                {"batch.num.messages", "200"},
                                {"reconnect.backoff.ms", "1"},
                                {"reconnect.backoff.max.ms", "10"}});
    for (int i = 0; i < kRecords; ++i) {
      producer.Send("flaky", i % 3, std::nullopt, std::to_string(i));
      // Besides the background drops, drop every connection while this chunk is in flight.
      if (i % 3000 == 2999) {
        rd_kafka_poll(producer.handle(), 0);
        cluster_.node(0).DropConnections();
        ++drops;
      }
    }
    ASSERT_TRUE(producer.Flush(120s));
    done = true;
    chaos.join();
    ASSERT_EQ(producer.deliveries().size(), static_cast<size_t>(kRecords));
    for (const auto& d : producer.deliveries()) {
      ASSERT_EQ(d.err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(d.err);
    }
  }
  EXPECT_GE(drops.load(), 10);
  testing::Consumer consumer({{"bootstrap.servers", bootstrap()}});
  consumer.Assign("flaky", {0, 1, 2});
  auto got = consumer.ReadN(kRecords, 60s);
  ASSERT_EQ(got.size(), static_cast<size_t>(kRecords));
  // Nothing more arrives: no duplicates beyond the expected count.
  EXPECT_FALSE(consumer.ReadOne(1s).has_value());
  std::map<int32_t, int> last;
  for (const auto& m : got) {
    int v = std::stoi(*m.value);
    EXPECT_EQ(v % 3, m.partition);
    auto it = last.find(m.partition);
    EXPECT_EQ(v, it == last.end() ? m.partition : it->second + 3) << "gap or duplicate";
    last[m.partition] = v;
  }
}

}  // namespace
}  // namespace rill
