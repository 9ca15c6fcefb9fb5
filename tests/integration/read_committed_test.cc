// read_committed versus read_uncommitted against the partition-level transaction state:
// transactional batches produced over the wire by two producers, commit/abort markers
// written straight through Partition::WriteMarker (the coordinator comes later). A
// read_committed librdkafka consumer stops at the last stable offset while a transaction
// is open and never sees aborted records; read_uncommitted sees everything up to the
// high watermark; raw Fetch v11 reports the LSO and the aborted transactions exactly.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "broker/cluster/partition.h"
#include "broker/cluster/topic_manager.h"
#include "broker/embedded_cluster.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/init_producer_id.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/record_batch.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

namespace protocol = broker::protocol;
using namespace std::chrono_literals;
using protocol::FetchResponse;
using testing::Consumer;
using testing::RawClient;

constexpr char kTopic[] = "rc";

class ReadCommittedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok());
    ASSERT_EQ(testing::CreateTopic(bootstrap(), kTopic, 1), "");
  }
  std::string bootstrap() const { return cluster_.bootstrap_servers(); }

  int64_t NewProducerId(RawClient& c) {
    protocol::InitProducerIdRequest req;
    req.transaction_timeout_ms = 60000;
    protocol::InitProducerIdResponse out;
    EXPECT_TRUE(c.Call(req, 4, &out));
    EXPECT_EQ(out.error_code, 0);
    return out.producer_id;
  }

  // Produces `values` as one batch: transactional for pid >= 0, plain otherwise.
  // Returns the base offset (-1 on error).
  int64_t Send(RawClient& c, int64_t pid, const std::vector<std::string>& values) {
    protocol::RecordBatchBuilder builder;
    if (pid >= 0) builder.set_producer(pid, 0, seq_[pid]).set_transactional(true);
    for (const auto& v : values) builder.Add(std::nullopt, v, 1000);
    std::string batch = builder.Build();
    protocol::ProduceRequest req;
    req.acks = -1;
    req.timeout_ms = 10000;
    req.topics.push_back({kTopic, {{0, std::string_view(batch)}}});
    protocol::ProduceResponse out;
    EXPECT_TRUE(c.Call(req, 7, &out));
    const auto& p = out.responses.at(0).partitions.at(0);
    EXPECT_EQ(p.error_code, 0);
    if (p.error_code != 0) return -1;
    if (pid >= 0) seq_[pid] += static_cast<int32_t>(values.size());
    return p.base_offset;
  }

  int64_t Marker(int64_t pid, bool commit) {
    auto partition = cluster_.node(0).topics().GetPartition(kTopic, 0);
    EXPECT_TRUE(partition);
    broker::PartitionAppend r = partition->WriteMarker(pid, 0, commit, 0, 2000);
    EXPECT_EQ(r.error, protocol::ErrorCode::kNone);
    return r.base_offset;
  }

  FetchResponse::PartitionData Fetch(RawClient& c, int64_t offset, int8_t isolation) {
    protocol::FetchRequest req;
    req.max_wait_ms = 0;
    req.min_bytes = 0;
    req.isolation_level = isolation;
    req.topics.push_back({kTopic, {{0, -1, offset, -1, 1 << 20}}});
    FetchResponse out;
    EXPECT_TRUE(c.Call(req, 11, &out));
    EXPECT_EQ(out.responses.size(), 1u);
    if (out.responses.empty() || out.responses[0].partitions.empty()) return {};
    return out.responses[0].partitions[0];
  }

  static std::vector<std::string> Values(const std::vector<testing::Message>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(m.value.value_or("<null>"));
    return out;
  }

  broker::EmbeddedCluster cluster_;
  std::map<int64_t, int32_t> seq_;
};

TEST_F(ReadCommittedTest, CommittedDataOnlyAndTheLsoWhileATransactionIsOpen) {
  RawClient c(bootstrap());
  const int64_t p1 = NewProducerId(c);
  const int64_t p2 = NewProducerId(c);
  ASSERT_EQ(Send(c, p1, {"a0", "a1", "a2"}), 0);
  ASSERT_EQ(Send(c, p2, {"b0", "b1"}), 3);
  ASSERT_EQ(Send(c, -1, {"c0"}), 5);

  // Both transactions open: nothing is stable.
  auto f = Fetch(c, 0, 1);
  EXPECT_EQ(f.error_code, 0);
  EXPECT_EQ(f.high_watermark, 6);
  EXPECT_EQ(f.last_stable_offset, 0);
  EXPECT_TRUE(!f.records || f.records->empty());
  ASSERT_TRUE(f.aborted_transactions);
  EXPECT_TRUE(f.aborted_transactions->empty());

  Consumer committed({{"bootstrap.servers", bootstrap()}, {"isolation.level", "read_committed"}});
  committed.Assign(kTopic, {0});
  EXPECT_FALSE(committed.ReadOne(1s)) << "read past the LSO of an open transaction";

  // p1 commits: stable up to p2's open transaction at 3.
  ASSERT_EQ(Marker(p1, true), 6);
  f = Fetch(c, 0, 1);
  EXPECT_EQ(f.high_watermark, 7);
  EXPECT_EQ(f.last_stable_offset, 3);
  ASSERT_TRUE(f.aborted_transactions);
  EXPECT_TRUE(f.aborted_transactions->empty());
  EXPECT_EQ(Values(committed.ReadN(3, 30s)), (std::vector<std::string>{"a0", "a1", "a2"}));
  EXPECT_FALSE(committed.ReadOne(1s)) << "read into the open transaction of p2";

  // p2 aborts: everything is stable, and its records are reported as aborted.
  ASSERT_EQ(Marker(p2, false), 7);
  f = Fetch(c, 0, 1);
  EXPECT_EQ(f.high_watermark, 8);
  EXPECT_EQ(f.last_stable_offset, 8);
  ASSERT_TRUE(f.aborted_transactions);
  EXPECT_EQ(*f.aborted_transactions, (std::vector<FetchResponse::AbortedTransaction>{{p2, 3}}));
  // From inside the aborted transaction; and from past its marker, where nothing overlaps.
  f = Fetch(c, 4, 1);
  ASSERT_TRUE(f.aborted_transactions);
  EXPECT_EQ(*f.aborted_transactions, (std::vector<FetchResponse::AbortedTransaction>{{p2, 3}}));
  f = Fetch(c, 8, 1);
  ASSERT_TRUE(f.aborted_transactions);
  EXPECT_TRUE(f.aborted_transactions->empty());
  // read_uncommitted gets no aborted list at all.
  f = Fetch(c, 0, 0);
  EXPECT_EQ(f.last_stable_offset, 8);
  EXPECT_FALSE(f.aborted_transactions);

  // The committed consumer skips b0, b1 and the markers.
  const auto next = committed.ReadN(1, 30s);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].value, "c0");
  EXPECT_EQ(next[0].offset, 5);

  // A later committed transaction of p2 is visible after it.
  ASSERT_EQ(Send(c, p2, {"b2"}), 8);
  ASSERT_EQ(Marker(p2, true), 9);
  EXPECT_EQ(Values(committed.ReadN(1, 30s)), (std::vector<std::string>{"b2"}));

  // read_uncommitted sees every data record, aborted ones included.
  Consumer uncommitted(
      {{"bootstrap.servers", bootstrap()}, {"isolation.level", "read_uncommitted"}});
  uncommitted.Assign(kTopic, {0});
  EXPECT_EQ(Values(uncommitted.ReadN(7, 30s)),
            (std::vector<std::string>{"a0", "a1", "a2", "b0", "b1", "c0", "b2"}));
}

TEST_F(ReadCommittedTest, ReadUncommittedReadsToTheHighWatermarkOfAnOpenTransaction) {
  RawClient c(bootstrap());
  const int64_t p1 = NewProducerId(c);
  ASSERT_EQ(Send(c, -1, {"x"}), 0);
  ASSERT_EQ(Send(c, p1, {"t0", "t1"}), 1);

  {
    // Scoped: closed before the restart below.
    Consumer uncommitted(
        {{"bootstrap.servers", bootstrap()}, {"isolation.level", "read_uncommitted"}});
    uncommitted.Assign(kTopic, {0});
    EXPECT_EQ(Values(uncommitted.ReadN(3, 30s)), (std::vector<std::string>{"x", "t0", "t1"}));

    Consumer committed({{"bootstrap.servers", bootstrap()}, {"isolation.level", "read_committed"}});
    committed.Assign(kTopic, {0});
    EXPECT_EQ(Values(committed.ReadN(1, 30s)), (std::vector<std::string>{"x"}));
    EXPECT_FALSE(committed.ReadOne(1s));
  }

  // The state survives a restart: still open, LSO still at 1.
  ASSERT_TRUE(cluster_.RestartNode(0).ok());
  RawClient after(bootstrap());
  auto f = Fetch(after, 0, 1);
  EXPECT_EQ(f.high_watermark, 3);
  EXPECT_EQ(f.last_stable_offset, 1);
  ASSERT_EQ(Marker(p1, false), 3);
  f = Fetch(after, 0, 1);
  EXPECT_EQ(f.last_stable_offset, 4);
  ASSERT_TRUE(f.aborted_transactions);
  EXPECT_EQ(*f.aborted_transactions, (std::vector<FetchResponse::AbortedTransaction>{{p1, 1}}));
}

}  // namespace
}  // namespace rill
