// Idempotent versus transactional produce of the same data (see txn_bench.h).
#include "txn_bench.h"

#include <fmt/core.h>

#include <chrono>
#include <string>

#include "kafka_client.h"
#include "produce.h"

namespace rill::perf {
namespace {

using Clock = std::chrono::steady_clock;

struct Counts {
  int64_t delivered = 0;
  int64_t errors = 0;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* c = static_cast<Counts*>(opaque);
  if (m->err) {
    ++c->errors;
  } else {
    ++c->delivered;
  }
}

// Produces w.messages messages round-robin over the partitions; with `txn_ms` > 0 inside
// transactions committed every txn_ms. Returns seconds from the first send to the last
// acknowledgement (or commit).
absl::StatusOr<double> ProduceAll(const Target& target, const Workload& w, int txn_ms,
                                  const std::string& transactional_id, Counts* counts,
                                  int64_t* transactions) {
  ClientSpec spec;
  spec.bootstrap = target.bootstrap;
  spec.settings = ProducerSettings(w);
  spec.settings.emplace_back("enable.idempotence", "true");
  spec.settings.emplace_back("acks", "all");
  if (txn_ms > 0) spec.settings.emplace_back("transactional.id", transactional_id);
  spec.user_props = w.user_props;
  spec.customize = [counts](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, counts);
  };
  auto producer = NewClient(spec);
  if (!producer.ok()) return producer.status();
  rd_kafka_t* rk = producer->get();
  auto check = [](rd_kafka_error_t* e, const char* what) -> absl::Status {
    if (e == nullptr) return absl::OkStatus();
    std::string m = std::string(what) + ": " + rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    return absl::InternalError(m);
  };
  if (txn_ms > 0) {
    if (auto s = check(rd_kafka_init_transactions(rk, w.timeout_ms), "init_transactions");
        !s.ok()) {
      return s;
    }
  }
  const std::string payload(static_cast<size_t>(w.size), 'x');
  auto start = Clock::now();
  auto txn_started = start;
  bool in_txn = false;
  for (int64_t i = 0; i < w.messages; ++i) {
    if (txn_ms > 0 && !in_txn) {
      if (auto s = check(rd_kafka_begin_transaction(rk), "begin_transaction"); !s.ok()) return s;
      in_txn = true;
      txn_started = Clock::now();
    }
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(w.topic.c_str()),
                RD_KAFKA_V_PARTITION(static_cast<int32_t>(i % w.partitions)),
                RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 1);
    }
    if (err) return absl::InternalError(std::string("produce: ") + rd_kafka_err2str(err));
    rd_kafka_poll(rk, 0);
    if (in_txn && Clock::now() - txn_started >= std::chrono::milliseconds(txn_ms)) {
      if (auto s = check(rd_kafka_commit_transaction(rk, w.timeout_ms), "commit_transaction");
          !s.ok()) {
        return s;
      }
      in_txn = false;
      ++*transactions;
    }
  }
  if (in_txn) {
    if (auto s = check(rd_kafka_commit_transaction(rk, w.timeout_ms), "commit_transaction");
        !s.ok()) {
      return s;
    }
    ++*transactions;
  }
  if (rd_kafka_flush(rk, w.timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError("not every message was acknowledged in time");
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

absl::StatusOr<TxnResult> RunTxn(const Target& target, const Workload& w, int txn_ms) {
  TxnResult r;
  r.label = target.label;
  Counts idempotent, transactional;
  int64_t ignored = 0;
  auto plain = ProduceAll(target, w, 0, "", &idempotent, &ignored);
  if (!plain.ok()) return plain.status();
  auto txn = ProduceAll(target, w, txn_ms, "rill-perf-txn-" + w.topic, &transactional,
                        &r.transactions);
  if (!txn.ok()) return txn.status();
  const double mb = static_cast<double>(w.messages) * w.size / 1e6;
  r.idempotent_msgs_per_sec = static_cast<double>(w.messages) / *plain;
  r.transactional_msgs_per_sec = static_cast<double>(w.messages) / *txn;
  r.payload_mb_per_sec_idempotent = mb / *plain;
  r.payload_mb_per_sec_transactional = mb / *txn;
  r.errors = idempotent.errors + transactional.errors;
  return r;
}

void PrintTxn(const TxnResult& r) {
  const double overhead =
      100.0 * (1.0 - r.transactional_msgs_per_sec / r.idempotent_msgs_per_sec);
  fmt::print("[{}] idempotent: {:.0f} msgs/s, {:.2f} MB/s\n", r.label, r.idempotent_msgs_per_sec,
             r.payload_mb_per_sec_idempotent);
  fmt::print("[{}] transactional: {:.0f} msgs/s, {:.2f} MB/s in {} transactions\n", r.label,
             r.transactional_msgs_per_sec, r.payload_mb_per_sec_transactional, r.transactions);
  fmt::print("[{}] transaction overhead: {:.1f}% (transactional/idempotent = {:.3f})\n", r.label,
             overhead, r.transactional_msgs_per_sec / r.idempotent_msgs_per_sec);
  fmt::print(
      "result target={} mode=txn idempotent_msgs_per_sec={:.0f} transactional_msgs_per_sec={:.0f} "
      "transactions={} overhead_pct={:.1f} errors={}\n",
      r.label, r.idempotent_msgs_per_sec, r.transactional_msgs_per_sec, r.transactions, overhead,
      r.errors);
}

}  // namespace rill::perf
