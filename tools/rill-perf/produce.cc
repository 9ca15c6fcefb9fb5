// Throughput producer over librdkafka's C API (see produce.h).
#include "produce.h"

#include <fmt/core.h>

#include <chrono>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kafka_client.h"

namespace rill::perf {
namespace {

struct DeliveryState {
  int64_t delivered = 0;
  int64_t errors = 0;
  std::string first_error;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* state = static_cast<DeliveryState*>(opaque);
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (state->errors++ == 0) state->first_error = rd_kafka_err2str(msg->err);
  } else {
    ++state->delivered;
  }
}

// Random capital letters, like Kafka's producer-perf-test: compressible like text, and one
// buffer shared by every message so building payloads costs nothing during the run.
std::vector<char> MakePayload(int size) {
  std::vector<char> payload(size);
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> letter('A', 'Z');
  for (char& c : payload) c = static_cast<char>(letter(rng));
  return payload;
}

}  // namespace

KafkaProps ProducerSettings(const Workload& w) {
  KafkaProps settings = {{"acks", w.acks}};
  if (!w.compression.empty()) settings.emplace_back("compression.codec", w.compression);
  return settings;
}

absl::StatusOr<ThroughputResult> RunProduce(const Target& target, const Workload& w,
                                            int64_t messages, Partitioning partitioning,
                                            bool quiet) {
  // Declared before the client so it outlives every queued message that points into it.
  const std::vector<char> payload = MakePayload(w.size);
  DeliveryState state;
  ClientSpec spec;
  spec.type = RD_KAFKA_PRODUCER;
  spec.bootstrap = target.bootstrap;
  spec.settings = ProducerSettings(w);
  spec.user_props = w.user_props;
  spec.customize = [&state](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, &state);
  };
  auto rk = NewClient(spec);
  if (!rk.ok()) return rk.status();
  auto partitions = WaitForTopic(rk->get(), w.topic, w.timeout_ms);
  if (!partitions.ok()) return partitions.status();
  if (!quiet) {
    std::vector<std::pair<std::string, std::string>> shown;
    for (const char* key : {"acks", "compression.codec", "linger.ms", "batch.num.messages",
                            "batch.size", "enable.idempotence", "max.in.flight"}) {
      shown.emplace_back(key, EffectiveConfig(rk->get(), key));
    }
    PrintSettings(target.label, "producer", shown);
  }
  TopicPtr rkt(rd_kafka_topic_new(rk->get(), w.topic.c_str(), nullptr));

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(w.timeout_ms);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < messages; ++i) {
    // No RD_KAFKA_MSG_F_COPY: every message points at the shared payload.
    const int32_t partition = partitioning == Partitioning::kRoundRobin
                                  ? static_cast<int32_t>(i % *partitions)
                                  : RD_KAFKA_PARTITION_UA;
    while (rd_kafka_produce(rkt.get(), partition, 0, const_cast<char*>(payload.data()),
                            payload.size(), nullptr, 0, nullptr) == -1) {
      const rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return absl::InternalError(absl::StrCat("produce: ", rd_kafka_err2str(err)));
      }
      // The local queue is full: serve delivery reports until librdkafka has room.
      rd_kafka_poll(rk->get(), 10);
      if (std::chrono::steady_clock::now() > deadline) {
        return absl::DeadlineExceededError("produce: local queue stayed full until timeout");
      }
    }
    if ((i & 1023) == 0) rd_kafka_poll(rk->get(), 0);
  }
  const int64_t remaining_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   deadline - std::chrono::steady_clock::now())
                                   .count();
  const rd_kafka_resp_err_t flushed =
      rd_kafka_flush(rk->get(), static_cast<int>(std::max<int64_t>(remaining_ms, 1)));
  const auto end = std::chrono::steady_clock::now();
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError(absl::StrCat(
        "produce: ", rd_kafka_outq_len(rk->get()), " messages still undelivered at the timeout; ",
        state.delivered, " delivered, ", state.errors, " failed"));
  }
  ThroughputResult result;
  result.label = target.label;
  result.mode = "produce";
  result.messages = state.delivered;
  result.payload_bytes = state.delivered * static_cast<int64_t>(w.size);
  result.seconds = std::chrono::duration<double>(end - start).count();
  result.errors = state.errors;
  result.first_error = state.first_error;
  return result;
}

}  // namespace rill::perf
