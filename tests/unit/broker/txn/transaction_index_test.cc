// Partition-level transaction state on a real PartitionLog: the last stable offset, the
// aborted-transaction index, markers (and the late-marker fence), and recovery of all of
// it by replaying the log on Open.
#include "broker/txn/transaction_index.h"

#include <memory>

#include "broker/cluster/partition.h"
#include "broker/log/partition_log.h"
#include "broker/protocol/control_batch.h"
#include "broker/protocol/record_batch.h"
#include "gtest/gtest.h"
#include "tests/unit/broker/log/log_test_util.h"

namespace rill::broker::txn {
namespace {

using protocol::ErrorCode;

class PartitionTxnTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    if (partition_) {
      ASSERT_TRUE(partition_->log().Close().ok());
      partition_.reset();
    }
    auto log = log::PartitionLog::Open(dir_.path(), log::LogConfig{});
    ASSERT_TRUE(log.ok()) << log.status();
    auto p = Partition::Open("t", 0, std::move(*log));
    ASSERT_TRUE(p.ok()) << p.status();
    partition_ = *p;
  }

  // Appends `count` records of producer `pid`; transactional unless told otherwise.
  // Returns the base offset (or -1 on error).
  int64_t Data(int64_t pid, int16_t epoch, int count, bool transactional = true) {
    protocol::RecordBatchBuilder b;
    b.set_producer(pid, epoch, seq_[pid]).set_transactional(transactional);
    for (int i = 0; i < count; ++i) b.Add(std::nullopt, "v", 1000);
    PartitionAppend r = partition_->Append(b.Build(), 1000);
    if (r.error != ErrorCode::kNone) return -1;
    seq_[pid] += count;
    return r.base_offset;
  }
  int64_t Plain(int count) {
    protocol::RecordBatchBuilder b;
    for (int i = 0; i < count; ++i) b.Add(std::nullopt, "v", 1000);
    return partition_->Append(b.Build(), 1000).base_offset;
  }
  PartitionAppend Marker(int64_t pid, int16_t epoch, bool commit) {
    return partition_->WriteMarker(pid, epoch, commit, /*coordinator_epoch=*/3, 2000);
  }

  log::testing::TempDir dir_;
  std::shared_ptr<Partition> partition_;
  std::map<int64_t, int32_t> seq_;
};

TEST(ControlBatchTest, RoundTripsAndHasKafkasLayout) {
  std::string batch = protocol::BuildControlBatch(42, 7, /*commit=*/true, 9, 1234);
  auto h = protocol::ParseRecordBatchHeader(batch);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->is_control());
  EXPECT_TRUE(h->is_transactional());
  EXPECT_EQ(h->producer_id, 42);
  EXPECT_EQ(h->producer_epoch, 7);
  EXPECT_EQ(h->base_sequence, -1);
  EXPECT_EQ(h->records_count, 1);
  EXPECT_EQ(protocol::ValidateBatches(batch, 1 << 20).error, ErrorCode::kNone);
  auto records = protocol::DecodeRecords(batch);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(*(*records)[0].key, std::string("\0\0\0\1", 4));
  EXPECT_EQ(*(*records)[0].value, std::string("\0\0\0\0\0\x09", 6));
  EXPECT_EQ((*records)[0].timestamp_delta, 0);
  EXPECT_EQ(h->base_timestamp, 1234);

  auto m = protocol::ParseControlMarker(batch);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->producer_id, 42);
  EXPECT_EQ(m->producer_epoch, 7);
  EXPECT_TRUE(m->commit);
  EXPECT_EQ(m->coordinator_epoch, 9);

  auto abort = protocol::ParseControlMarker(protocol::BuildControlBatch(1, 0, false, -1, 0));
  ASSERT_TRUE(abort);
  EXPECT_FALSE(abort->commit);
  EXPECT_EQ(abort->coordinator_epoch, -1);
  // A data batch is not a marker.
  EXPECT_FALSE(protocol::ParseControlMarker(log::testing::MakeBatch(1, 0)));
}

TEST(TransactionIndexTest, AbortedRangeQueries) {
  TransactionIndex idx;
  // A: [0, marker 10], B: [5, marker 20], C: [30, marker 40]; D committed.
  idx.OnTransactionalBatch(1, 0);
  idx.OnTransactionalBatch(2, 5);
  idx.OnTransactionalBatch(4, 7);
  idx.OnMarker(1, false, 10);
  idx.OnMarker(4, true, 12);
  idx.OnMarker(2, false, 20);
  idx.OnTransactionalBatch(3, 30);
  EXPECT_EQ(idx.LastStableOffset(35), 30);
  idx.OnMarker(3, false, 40);
  EXPECT_EQ(idx.LastStableOffset(41), 41);
  const AbortedTxn a{1, 0, 10}, b{2, 5, 20}, c{3, 30, 40};
  using V = std::vector<AbortedTxn>;
  EXPECT_EQ(idx.AbortedTransactions(0, 41), (V{a, b, c}));
  EXPECT_EQ(idx.AbortedTransactions(0, 5), (V{a}));
  EXPECT_EQ(idx.AbortedTransactions(0, 6), (V{a, b}));
  // B began inside [0, 6) though A's marker lies past the range: still reported.
  EXPECT_EQ(idx.AbortedTransactions(3, 6), (V{a, b}));
  EXPECT_EQ(idx.AbortedTransactions(10, 11), (V{a, b}));
  EXPECT_EQ(idx.AbortedTransactions(11, 30), (V{b}));
  EXPECT_EQ(idx.AbortedTransactions(21, 30), V{});
  EXPECT_EQ(idx.AbortedTransactions(21, 31), (V{c}));
  EXPECT_EQ(idx.AbortedTransactions(41, 100), V{});
}

TEST_F(PartitionTxnTest, OpenTransactionHoldsTheLsoUntilCommit) {
  EXPECT_EQ(Plain(2), 0);
  EXPECT_EQ(partition_->last_stable_offset(), 2);
  EXPECT_EQ(Data(100, 0, 3), 2);  // opens a transaction at 2
  EXPECT_EQ(partition_->OpenTransaction(100), 2);
  EXPECT_EQ(Plain(4), 5);
  EXPECT_EQ(Data(100, 0, 1), 9);  // same transaction: first offset unchanged
  EXPECT_EQ(partition_->high_watermark(), 10);
  EXPECT_EQ(partition_->last_stable_offset(), 2);

  PartitionAppend commit = Marker(100, 0, true);
  ASSERT_EQ(commit.error, ErrorCode::kNone);
  EXPECT_EQ(commit.base_offset, 10);
  EXPECT_EQ(partition_->high_watermark(), 11);
  EXPECT_EQ(partition_->last_stable_offset(), 11);
  EXPECT_FALSE(partition_->OpenTransaction(100));
  EXPECT_TRUE(partition_->AbortedTransactions(0, 11).empty());

  // The next transactional batch opens a new transaction.
  EXPECT_EQ(Data(100, 0, 1), 11);
  EXPECT_EQ(partition_->last_stable_offset(), 11);
}

TEST_F(PartitionTxnTest, AbortAddsAnIndexEntryAndAdvancesTheLso) {
  EXPECT_EQ(Data(7, 0, 2), 0);
  EXPECT_EQ(Plain(1), 2);
  EXPECT_EQ(partition_->last_stable_offset(), 0);
  PartitionAppend abort = Marker(7, 0, false);
  ASSERT_EQ(abort.error, ErrorCode::kNone);
  EXPECT_EQ(abort.base_offset, 3);
  EXPECT_EQ(partition_->last_stable_offset(), 4);
  EXPECT_EQ(partition_->AbortedTransactions(0, 4), (std::vector<AbortedTxn>{{7, 0, 3}}));
  EXPECT_EQ(partition_->AbortedTransactions(4, 10), std::vector<AbortedTxn>{});
}

TEST_F(PartitionTxnTest, InterleavedTransactionsOfTwoProducers) {
  EXPECT_EQ(Data(1, 0, 1), 0);
  EXPECT_EQ(Data(2, 0, 1), 1);
  EXPECT_EQ(Data(1, 0, 1), 2);
  EXPECT_EQ(Data(2, 0, 1), 3);
  EXPECT_EQ(partition_->last_stable_offset(), 0);
  // Producer 2 commits first: producer 1 still pins the LSO.
  ASSERT_EQ(Marker(2, 0, true).base_offset, 4);
  EXPECT_EQ(partition_->last_stable_offset(), 0);
  EXPECT_EQ(Data(2, 0, 1), 5);  // producer 2's next transaction
  ASSERT_EQ(Marker(1, 0, false).base_offset, 6);
  EXPECT_EQ(partition_->last_stable_offset(), 5);
  ASSERT_EQ(Marker(2, 0, false).base_offset, 7);
  EXPECT_EQ(partition_->last_stable_offset(), 8);
  EXPECT_EQ(partition_->AbortedTransactions(0, 8), (std::vector<AbortedTxn>{{1, 0, 6}, {2, 5, 7}}));
  EXPECT_EQ(partition_->AbortedTransactions(3, 5), (std::vector<AbortedTxn>{{1, 0, 6}}));
}

TEST_F(PartitionTxnTest, LateMarkerWithAnOldEpochIsRefused) {
  EXPECT_EQ(Data(9, 0, 1), 0);
  ASSERT_EQ(Marker(9, 0, false).error, ErrorCode::kNone);
  // The producer moves to epoch 1 and starts another transaction...
  seq_[9] = 0;
  EXPECT_EQ(Data(9, 1, 2), 2);
  // ...which a delayed marker of epoch 0 must not end.
  EXPECT_EQ(Marker(9, 0, true).error, ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(partition_->high_watermark(), 4);
  EXPECT_EQ(partition_->OpenTransaction(9), 2);
  EXPECT_EQ(partition_->last_stable_offset(), 2);
  // A marker from a newer epoch (the coordinator fenced the producer) does end it.
  ASSERT_EQ(Marker(9, 2, false).error, ErrorCode::kNone);
  EXPECT_EQ(partition_->last_stable_offset(), 5);
  // Data of the fenced epoch is refused from then on.
  EXPECT_EQ(Data(9, 1, 1), -1);
}

TEST_F(PartitionTxnTest, MarkerWithoutAnOpenTransactionIsWrittenButChangesNothing) {
  EXPECT_EQ(Plain(1), 0);
  PartitionAppend m = Marker(5, 0, false);
  ASSERT_EQ(m.error, ErrorCode::kNone);
  EXPECT_EQ(m.base_offset, 1);
  EXPECT_EQ(partition_->high_watermark(), 2);
  EXPECT_EQ(partition_->last_stable_offset(), 2);
  EXPECT_TRUE(partition_->AbortedTransactions(0, 2).empty());
}

TEST_F(PartitionTxnTest, NonTransactionalWriteInsideATransactionIsRefused) {
  EXPECT_EQ(Data(3, 0, 1), 0);
  protocol::RecordBatchBuilder b;
  b.set_producer(3, 0, 1).Add(std::nullopt, "v", 1000);
  EXPECT_EQ(partition_->Append(b.Build(), 1000).error, ErrorCode::kInvalidTxnState);
}

TEST_F(PartitionTxnTest, RestartRestoresOpenTransactionsLsoAndAbortedIndex) {
  EXPECT_EQ(Data(1, 0, 2), 0);  // aborted below
  EXPECT_EQ(Data(2, 0, 1), 2);  // committed below
  EXPECT_EQ(Data(3, 0, 1), 3);  // left open
  ASSERT_EQ(Marker(1, 0, false).base_offset, 4);
  ASSERT_EQ(Marker(2, 0, true).base_offset, 5);
  EXPECT_EQ(Plain(1), 6);
  EXPECT_EQ(partition_->last_stable_offset(), 3);

  Reopen();
  EXPECT_EQ(partition_->high_watermark(), 7);
  EXPECT_EQ(partition_->last_stable_offset(), 3);
  EXPECT_EQ(partition_->OpenTransaction(3), 3);
  EXPECT_FALSE(partition_->OpenTransaction(1));
  EXPECT_FALSE(partition_->OpenTransaction(2));
  EXPECT_EQ(partition_->AbortedTransactions(0, 7), (std::vector<AbortedTxn>{{1, 0, 4}}));
  // The restored state keeps working: the late-marker fence included.
  seq_[3] = 1;
  EXPECT_EQ(Data(3, 0, 1), 7);
  ASSERT_EQ(Marker(3, 0, false).base_offset, 8);
  EXPECT_EQ(partition_->last_stable_offset(), 9);

  Reopen();
  EXPECT_EQ(partition_->last_stable_offset(), 9);
  EXPECT_EQ(partition_->AbortedTransactions(0, 9), (std::vector<AbortedTxn>{{1, 0, 4}, {3, 3, 8}}));
  EXPECT_EQ(partition_->AbortedTransactions(5, 9), (std::vector<AbortedTxn>{{3, 3, 8}}));
}

}  // namespace
}  // namespace rill::broker::txn
