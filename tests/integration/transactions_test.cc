// Transactions end to end with librdkafka: a consume-transform-produce copier (like
// Kafka's TransactionalMessageCopier) is killed with SIGKILL again and again, or the
// broker under it is, and the output still equals the input exactly; plus commit/abort
// visibility for read_committed and read_uncommitted, fencing of a second producer with
// the same transactional id, the transaction timeout, and the late-EndTxn guard.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "broker/broker.h"
#include "broker/cluster/topic_manager.h"
#include "broker/embedded_cluster.h"
#include "broker/protocol/messages/join_group.h"
#include "broker/protocol/messages/offset_fetch.h"
#include "broker/protocol/messages/sync_group.h"
#include "broker/protocol/messages/txn_offset_commit.h"
#include "broker/txn/transaction_coordinator.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

using namespace std::chrono_literals;
constexpr int kPartitions = 3;

// The copier as a child process.
class Copier {
 public:
  Copier(const std::string& bootstrap, const std::string& name) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string in = name + "-in", out = name + "-out";
      ::execl(RILL_TXN_COPIER_BIN, RILL_TXN_COPIER_BIN, "--bootstrap", bootstrap.c_str(),
              "--input", in.c_str(), "--output", out.c_str(), "--group", (name + "-g").c_str(),
              "--transactional-id", (name + "-txn").c_str(), "--transaction-size", "300",
              nullptr);
      ::_exit(127);
    }
  }
  ~Copier() { Kill(); }
  void Kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  // Waits for the copier to exit; returns its exit status (-1 on timeout, after killing it).
  int Wait(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      }
      std::this_thread::sleep_for(50ms);  // polling a child's exit
    }
    Kill();
    return -1;
  }

 private:
  pid_t pid_ = -1;
};

void ProduceInput(const std::string& bootstrap, const std::string& topic, int count) {
  testing::Producer producer({{"bootstrap.servers", bootstrap}, {"enable.idempotence", "true"},
                              {"linger.ms", "5"}});
  for (int i = 0; i < count; ++i) {
    int p = i % kPartitions;
    producer.Send(topic, p, std::nullopt, "p" + std::to_string(p) + "-" + std::to_string(i));
  }
  ASSERT_TRUE(producer.Flush());
}

// Reads `topic` with read_committed up to its end and returns the values per partition.
std::map<int32_t, std::vector<std::string>> ReadCommitted(const std::string& bootstrap,
                                                          const std::string& topic,
                                                          size_t expected) {
  testing::Consumer consumer({{"bootstrap.servers", bootstrap},
                              {"isolation.level", "read_committed"}});
  consumer.Assign(topic, {0, 1, 2});
  std::map<int32_t, std::vector<std::string>> out;
  for (auto& m : consumer.ReadN(expected, 120s)) out[m.partition].push_back(*m.value);
  // Nothing beyond the expected count (a duplicate would show here).
  if (auto extra = consumer.ReadOne(1s)) out[extra->partition].push_back(*extra->value);
  return out;
}

std::map<int32_t, std::vector<std::string>> ExpectedInput(int count) {
  std::map<int32_t, std::vector<std::string>> out;
  for (int i = 0; i < count; ++i) {
    int p = i % kPartitions;
    out[p].push_back("p" + std::to_string(p) + "-" + std::to_string(i));
  }
  return out;
}

// Waits until the committed output of `topic` (its last stable offsets) passes `at_least`.
bool AwaitOutputProgress(const std::string& bootstrap, const std::string& topic,
                         int64_t at_least, std::chrono::seconds timeout) {
  testing::Consumer probe({{"bootstrap.servers", bootstrap},
                           {"isolation.level", "read_committed"}});
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int64_t total = 0;
    for (int p = 0; p < kPartitions; ++p) {
      int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(probe.handle(), topic.c_str(), p, &low, &high, 5000) ==
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        total += high;
      }
    }
    if (total >= at_least) return true;
    std::this_thread::sleep_for(50ms);  // polling a condition
  }
  return false;
}

class TransactionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker::EmbeddedClusterOptions options;
    options.node_template.group.initial_rebalance_delay_ms = 0;
    options.node_template.group.min_session_timeout_ms = 1000;
    cluster_ = std::make_unique<broker::EmbeddedCluster>(options);
    ASSERT_TRUE(cluster_->Start().ok());
  }
  std::string bootstrap() const { return cluster_->bootstrap_servers(); }

  void CreateTopics(const std::string& name) {
    ASSERT_EQ(testing::CreateTopic(bootstrap(), name + "-in", kPartitions), "");
    ASSERT_EQ(testing::CreateTopic(bootstrap(), name + "-out", kPartitions), "");
  }

  std::unique_ptr<broker::EmbeddedCluster> cluster_;
};

TEST_F(TransactionsTest, CopierKilledRepeatedlyCopiesExactlyOnce) {
  constexpr int kRecords = 100000;
  CreateTopics("copy");
  ProduceInput(bootstrap(), "copy-in", kRecords);
  for (int round = 1; round <= 4; ++round) {
    Copier copier(bootstrap(), "copy");
    // Let it commit some transactions, then kill it mid-flight.
    ASSERT_TRUE(AwaitOutputProgress(bootstrap(), "copy-out", round * 15000, 120s))
        << "copier made no progress in round " << round;
    copier.Kill();
  }
  Copier last(bootstrap(), "copy");
  ASSERT_EQ(last.Wait(240s), 0);
  auto output = ReadCommitted(bootstrap(), "copy-out", kRecords);
  auto expected = ExpectedInput(kRecords);
  for (int p = 0; p < kPartitions; ++p) {
    ASSERT_EQ(output[p].size(), expected[p].size()) << "partition " << p;
    EXPECT_TRUE(output[p] == expected[p]) << "partition " << p << " differs from the input";
  }
}

TEST(TransactionsBrokerKillTest, BrokerKilledRepeatedlyCopierStillExactlyOnce) {
  constexpr int kRecords = 30000;
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("rill-txn-kill9-" + std::to_string(::getpid())))
                        .string();
  std::filesystem::remove_all(dir);
  const int port = testing::FreePort();
  const std::vector<std::string> flags = {"--group-initial-rebalance-delay-ms", "0",
                                          "--group-min-session-timeout-ms", "1000"};
  auto broker = std::make_unique<testing::BrokerProcess>(dir, port, flags);
  const std::string address = broker->Start();
  ASSERT_FALSE(address.empty());
  ASSERT_EQ(testing::CreateTopic(address, "bk-in", kPartitions), "");
  ASSERT_EQ(testing::CreateTopic(address, "bk-out", kPartitions), "");
  ProduceInput(address, "bk-in", kRecords);
  for (int round = 1; round <= 3; ++round) {
    Copier copier(address, "bk");
    ASSERT_TRUE(AwaitOutputProgress(address, "bk-out", round * 5000, 120s)) << round;
    broker->Kill(SIGKILL);
    broker = std::make_unique<testing::BrokerProcess>(dir, port, flags);
    ASSERT_EQ(broker->Start(), address);
    // The copier either rides through the restart or dies of it; either way it is
    // replaced in the next round.
    copier.Kill();
  }
  Copier last(address, "bk");
  ASSERT_EQ(last.Wait(240s), 0);
  auto output = ReadCommitted(address, "bk-out", kRecords);
  auto expected = ExpectedInput(kRecords);
  for (int p = 0; p < kPartitions; ++p) {
    ASSERT_EQ(output[p].size(), expected[p].size()) << "partition " << p;
    EXPECT_TRUE(output[p] == expected[p]) << "partition " << p << " differs from the input";
  }
  broker->Kill(SIGTERM);
  std::filesystem::remove_all(dir);
}

// A transactional producer; every call must succeed unless said otherwise.
class TxnProducer {
 public:
  TxnProducer(const std::string& bootstrap, const std::string& id, int timeout_ms = 60000) {
    producer_ = std::make_unique<testing::Producer>(testing::Config{
        {"bootstrap.servers", bootstrap},
        {"transactional.id", id},
        {"transaction.timeout.ms", std::to_string(timeout_ms)}});
    Ok(rd_kafka_init_transactions(rk(), 30000));
  }
  rd_kafka_t* rk() { return producer_->handle(); }
  void Begin() { Ok(rd_kafka_begin_transaction(rk())); }
  void Send(const std::string& topic, const std::string& value) {
    producer_->Send(topic, 0, std::nullopt, value);
    ASSERT_TRUE(producer_->Flush());  // on the broker, not just queued
  }
  rd_kafka_error_t* Commit() { return rd_kafka_commit_transaction(rk(), 30000); }
  void Abort() { Ok(rd_kafka_abort_transaction(rk(), 30000)); }
  static void Ok(rd_kafka_error_t* e) {
    if (e) {
      ADD_FAILURE() << rd_kafka_error_string(e);
      rd_kafka_error_destroy(e);
    }
  }

 private:
  std::unique_ptr<testing::Producer> producer_;
};

int64_t LatestOffset(const std::string& bootstrap, const std::string& topic, bool committed) {
  testing::Consumer c({{"bootstrap.servers", bootstrap},
                       {"isolation.level", committed ? "read_committed" : "read_uncommitted"}});
  int64_t low = 0, high = -1;
  EXPECT_EQ(rd_kafka_query_watermark_offsets(c.handle(), topic.c_str(), 0, &low, &high, 10000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  return high;
}

std::vector<std::string> ReadAll(const std::string& bootstrap, const std::string& topic,
                                 bool committed) {
  testing::Consumer c({{"bootstrap.servers", bootstrap},
                       {"isolation.level", committed ? "read_committed" : "read_uncommitted"}});
  c.Assign(topic, {0});
  std::vector<std::string> out;
  while (auto m = c.ReadOne(2s)) out.push_back(*m->value);
  return out;
}

TEST_F(TransactionsTest, CommitAndAbortVisibility) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "vis", 1), "");
  TxnProducer p(bootstrap(), "vis-txn");
  p.Begin();
  p.Send("vis", "c1");
  p.Send("vis", "c2");
  // Open transaction: read_committed stops before it, read_uncommitted does not.
  EXPECT_EQ(LatestOffset(bootstrap(), "vis", /*committed=*/true), 0);
  EXPECT_EQ(LatestOffset(bootstrap(), "vis", /*committed=*/false), 2);
  TxnProducer::Ok(p.Commit());
  p.Begin();
  p.Send("vis", "a1");
  p.Abort();
  p.Begin();
  p.Send("vis", "c3");
  TxnProducer::Ok(p.Commit());
  EXPECT_EQ(ReadAll(bootstrap(), "vis", true), (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(ReadAll(bootstrap(), "vis", false),
            (std::vector<std::string>{"c1", "c2", "a1", "c3"}));
}

TEST_F(TransactionsTest, SecondProducerWithSameIdFencesTheFirst) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "fenced", 1), "");
  TxnProducer zombie(bootstrap(), "shared-id");
  zombie.Begin();
  zombie.Send("fenced", "zombie");
  TxnProducer fresh(bootstrap(), "shared-id");  // aborts the zombie's open transaction
  rd_kafka_error_t* e = zombie.Commit();
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(rd_kafka_error_is_fatal(e)) << rd_kafka_error_string(e);
  rd_kafka_error_destroy(e);
  fresh.Begin();
  fresh.Send("fenced", "fresh");
  TxnProducer::Ok(fresh.Commit());
  EXPECT_EQ(ReadAll(bootstrap(), "fenced", true), (std::vector<std::string>{"fresh"}));
}

TEST_F(TransactionsTest, TimedOutTransactionIsAborted) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "slow", 1), "");
  TxnProducer p(bootstrap(), "slow-txn", /*timeout_ms=*/1000);
  p.Begin();
  p.Send("slow", "never");
  // The coordinator aborts it after its timeout: the last stable offset moves past it.
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (LatestOffset(bootstrap(), "slow", true) < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);  // polling a condition
  }
  EXPECT_GE(LatestOffset(bootstrap(), "slow", true), 1);
  rd_kafka_error_t* e = p.Commit();
  EXPECT_NE(e, nullptr);
  if (e) rd_kafka_error_destroy(e);
  EXPECT_TRUE(ReadAll(bootstrap(), "slow", true).empty());
}

TEST_F(TransactionsTest, LateEndTxnDoesNotEndALaterTransaction) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "late", 1), "");
  auto& coordinator = cluster_->node(0).transactions();
  auto init = coordinator.InitProducerId("late-txn", 60000, -1, -1);
  ASSERT_EQ(init.error, broker::protocol::ErrorCode::kNone);
  auto first_sent = std::chrono::steady_clock::now();
  ASSERT_EQ(coordinator.AddPartitions("late-txn", init.producer_id, init.producer_epoch,
                                      {{"late", 0}})[0],
            broker::protocol::ErrorCode::kNone);
  ASSERT_EQ(coordinator.EndTxn("late-txn", init.producer_id, init.producer_epoch, true,
                               std::chrono::steady_clock::now()),
            broker::protocol::ErrorCode::kNone);
  // A second transaction begins...
  ASSERT_EQ(coordinator.AddPartitions("late-txn", init.producer_id, init.producer_epoch,
                                      {{"late", 0}})[0],
            broker::protocol::ErrorCode::kNone);
  // ...and an EndTxn that arrived before it began (a delayed duplicate of the first one)
  // must not end it.
  EXPECT_EQ(coordinator.EndTxn("late-txn", init.producer_id, init.producer_epoch, false,
                               first_sent),
            broker::protocol::ErrorCode::kInvalidTxnState);
  auto list = coordinator.ListTransactions();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].record.status, broker::txn::TxnStatus::kOngoing);
  // An EndTxn from an older epoch is fenced.
  EXPECT_EQ(coordinator.EndTxn("late-txn", init.producer_id, init.producer_epoch - 1, true,
                               std::chrono::steady_clock::now()),
            broker::protocol::ErrorCode::kProducerFenced);
}

}  // namespace
}  // namespace rill

namespace rill {
namespace {

namespace protocol = broker::protocol;

// KIP-447: TxnOffsetCommit carries the consumer's generation and member id; a zombie from an
// older generation (or an unknown member) is fenced, and transactional offsets are invisible
// until the transaction commits.
TEST_F(TransactionsTest, TxnOffsetCommitFencesZombiesAndStaysInvisibleUntilCommit) {
  ASSERT_EQ(testing::CreateTopic(bootstrap(), "src", 1), "");
  testing::RawClient c(bootstrap());
  protocol::JoinGroupRequest join;
  join.group_id = "kip447";
  join.session_timeout_ms = 10000;
  join.rebalance_timeout_ms = 10000;
  join.protocol_type = "consumer";
  join.protocols.push_back({"range", "meta"});
  protocol::JoinGroupResponse joined;
  ASSERT_TRUE(c.Call(join, 2, &joined));  // v2: no member-id round trip
  ASSERT_EQ(joined.error_code, 0);
  protocol::SyncGroupRequest sync;
  sync.group_id = "kip447";
  sync.generation_id = joined.generation_id;
  sync.member_id = joined.member_id;
  protocol::SyncGroupResponse synced;
  ASSERT_TRUE(c.Call(sync, 1, &synced));
  ASSERT_EQ(synced.error_code, 0);

  auto& coordinator = cluster_->node(0).transactions();
  auto init = coordinator.InitProducerId("kip447-txn", 60000, -1, -1);
  ASSERT_EQ(init.error, protocol::ErrorCode::kNone);
  ASSERT_EQ(coordinator.AddOffsets("kip447-txn", init.producer_id, init.producer_epoch, "kip447"),
            protocol::ErrorCode::kNone);

  auto txn_commit = [&](int32_t generation, const std::string& member) {
    protocol::TxnOffsetCommitRequest req;
    req.transactional_id = "kip447-txn";
    req.group_id = "kip447";
    req.producer_id = init.producer_id;
    req.producer_epoch = init.producer_epoch;
    req.generation_id = generation;
    req.member_id = member;
    req.topics.push_back({"src", {{0, 77, -1, std::nullopt}}});
    protocol::TxnOffsetCommitResponse out;
    EXPECT_TRUE(c.Call(req, 3, &out));
    return out.topics.at(0).partitions.at(0).error_code;
  };
  auto committed = [&] {
    protocol::OffsetFetchRequest req;
    req.group_id = "kip447";
    req.topics.emplace();
    req.topics->push_back({"src", {0}});
    protocol::OffsetFetchResponse out;
    EXPECT_TRUE(c.Call(req, 7, &out));
    return out.topics.at(0).partitions.at(0).committed_offset;
  };
  EXPECT_EQ(txn_commit(joined.generation_id - 1, joined.member_id),
            protocol::ToWire(protocol::ErrorCode::kIllegalGeneration));
  EXPECT_EQ(txn_commit(joined.generation_id, "zombie"),
            protocol::ToWire(protocol::ErrorCode::kUnknownMemberId));
  EXPECT_EQ(txn_commit(joined.generation_id, joined.member_id), 0);
  EXPECT_EQ(committed(), -1) << "a transactional offset was visible before the commit";
  ASSERT_EQ(coordinator.EndTxn("kip447-txn", init.producer_id, init.producer_epoch, true,
                               std::chrono::steady_clock::now()),
            protocol::ErrorCode::kNone);
  EXPECT_EQ(committed(), 77);
  // And it survives a restart (replayed with its commit marker).
  ASSERT_TRUE(cluster_->RestartNode(0).ok());
  testing::RawClient after(bootstrap());
  protocol::OffsetFetchRequest req;
  req.group_id = "kip447";
  req.topics.emplace();
  req.topics->push_back({"src", {0}});
  protocol::OffsetFetchResponse out;
  ASSERT_TRUE(after.Call(req, 7, &out));
  EXPECT_EQ(out.topics.at(0).partitions.at(0).committed_offset, 77);
}

}  // namespace
}  // namespace rill
