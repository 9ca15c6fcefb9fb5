// Throughput consumer over librdkafka's simple (group-less) consumer API (see consume.h).
#include "consume.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kafka_client.h"
#include "produce.h"

namespace rill::perf {

KafkaProps ConsumerSettings() {
  // The simple consumer API (consume_start per partition) works without group.id; offsets
  // are never stored or committed since there is no group to store them in.
  return {{"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"}};
}

absl::StatusOr<ThroughputResult> RunConsume(const Target& target, const Workload& w, int partitions,
                                            bool quiet) {
  ClientSpec spec;
  spec.type = RD_KAFKA_CONSUMER;
  spec.bootstrap = target.bootstrap;
  spec.settings = ConsumerSettings();
  spec.user_props = w.user_props;
  auto rk = NewClient(spec);
  if (!rk.ok()) return rk.status();

  auto available = CountMessages(rk->get(), w.topic, partitions, w.timeout_ms);
  if (!available.ok()) return available.status();
  if (*available < w.messages) {
    if (!w.fill) {
      return absl::FailedPreconditionError(absl::StrCat(
          "topic ", w.topic, " holds ", *available, " messages, fewer than --messages ", w.messages,
          "; produce first or drop --nofill"));
    }
    fmt::print("[{}] filling {}: producing {} messages first (not timed)\n", target.label, w.topic,
               w.messages - *available);
    auto filled = RunProduce(target, w, w.messages - *available, Partitioning::kRoundRobin,
                             /*quiet=*/true);
    if (!filled.ok()) return filled.status();
    if (filled->errors > 0) {
      return absl::InternalError(absl::StrCat("filling the topic: ", filled->errors,
                                              " delivery errors, first: ", filled->first_error));
    }
    available = CountMessages(rk->get(), w.topic, partitions, w.timeout_ms);
    if (!available.ok()) return available.status();
    if (*available < w.messages) {
      // The librdkafka mock keeps at most 5 MiB (or 100000 batches) per partition.
      return absl::FailedPreconditionError(absl::StrCat(
          "topic ", w.topic, " retains only ", *available, " of ", w.messages,
          " messages after filling (the librdkafka mock keeps ~5 MiB per partition); lower "
          "--messages and use --repeat for a longer measurement"));
    }
  }

  if (!quiet) {
    std::vector<std::pair<std::string, std::string>> shown;
    for (const char* key : {"fetch.wait.max.ms", "fetch.min.bytes", "fetch.max.bytes",
                            "max.partition.fetch.bytes", "queued.min.messages"}) {
      shown.emplace_back(key, EffectiveConfig(rk->get(), key));
    }
    PrintSettings(target.label, "consumer", shown);
  }

  TopicPtr rkt(rd_kafka_topic_new(rk->get(), w.topic.c_str(), nullptr));
  // Metadata for this topic handle first: without known leaders the fetchers would start
  // on a retry timer (500 ms) and the run would measure that wait.
  if (auto s = WarmUpTopic(rk->get(), rkt.get(), w.timeout_ms); !s.ok()) return s;
  QueuePtr queue(rd_kafka_queue_new(rk->get()));
  ThroughputResult result;
  result.label = target.label;
  result.mode = "consume";
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::milliseconds(w.timeout_ms);
  for (int p = 0; p < partitions; ++p) {
    if (rd_kafka_consume_start_queue(rkt.get(), p, RD_KAFKA_OFFSET_BEGINNING, queue.get()) == -1) {
      return absl::InternalError(absl::StrCat("consume_start ", w.topic, "/", p, ": ",
                                              rd_kafka_err2str(rd_kafka_last_error())));
    }
  }
  std::vector<rd_kafka_message_t*> batch(4096);
  while (result.messages < w.messages && std::chrono::steady_clock::now() < deadline) {
    // The batch call waits until the array is full or the timeout passes, so never ask for
    // more than are still missing: the last batch would otherwise add the whole timeout.
    const size_t want = static_cast<size_t>(
        std::min<int64_t>(static_cast<int64_t>(batch.size()), w.messages - result.messages));
    const ssize_t n = rd_kafka_consume_batch_queue(queue.get(), 100, batch.data(), want);
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* msg = batch[i];
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (result.messages < w.messages) {
          ++result.messages;
          result.payload_bytes += static_cast<int64_t>(msg->len);
        }
      } else if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (result.errors++ == 0) result.first_error = rd_kafka_message_errstr(msg);
      }
      rd_kafka_message_destroy(msg);
    }
  }
  const auto end = std::chrono::steady_clock::now();
  result.seconds = std::chrono::duration<double>(end - start).count();
  for (int p = 0; p < partitions; ++p) rd_kafka_consume_stop(rkt.get(), p);
  if (result.messages < w.messages) {
    return absl::DeadlineExceededError(absl::StrCat(
        "consume: read ", result.messages, " of ", w.messages, " messages before the timeout (",
        result.errors, " errors", result.errors > 0 ? ", first: " + result.first_error : "", ")"));
  }
  return result;
}

}  // namespace rill::perf
