// Fixed-rate end-to-end latency measurement (see latency.h).
#include "latency.h"

#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "consume.h"
#include "histogram.h"
#include "kafka_client.h"
#include "produce.h"

namespace rill::perf {
namespace {

constexpr uint64_t kMarker = 0x52494c4c50455246;  // "RILLPERF"

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

// Reads the run's messages from `queue` until told to stop, recording each latency.
struct Receiver {
  rd_kafka_queue_t* queue;
  uint64_t run_id;
  LatencyHistogram histogram;
  std::atomic<int64_t> received{0};
  std::atomic<bool> stop{false};
  int64_t errors = 0;
  std::string first_error;

  void Run() {
    // One message at a time: the batch call would hold messages back until its array fills
    // or its timeout passes, which would be measured as latency.
    while (!stop.load(std::memory_order_relaxed)) {
      rd_kafka_message_t* msg = rd_kafka_consume_queue(queue, 50);
      if (msg == nullptr) continue;
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        Record(*msg, NowNanos());
      } else if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (errors++ == 0) first_error = rd_kafka_message_errstr(msg);
      }
      rd_kafka_message_destroy(msg);
    }
  }

  void Record(const rd_kafka_message_t& msg, int64_t now) {
    if (msg.len < static_cast<size_t>(kLatencyHeaderBytes)) return;
    uint64_t marker = 0;
    uint64_t id = 0;
    int64_t sent = 0;
    const char* p = static_cast<const char*>(msg.payload);
    std::memcpy(&marker, p, 8);
    std::memcpy(&id, p + 8, 8);
    std::memcpy(&sent, p + 16, 8);
    if (marker != kMarker || id != run_id) return;  // someone else's message
    histogram.Record(now - sent);
    received.fetch_add(1, std::memory_order_relaxed);
  }
};

}  // namespace

absl::StatusOr<LatencyResult> RunLatency(const Target& target, const Workload& w, int partitions) {
  const int64_t total = static_cast<int64_t>(w.rate * w.seconds);
  const uint64_t run_id = std::random_device()() * 0x100000001ULL ^ NowNanos();

  ClientSpec consumer_spec;
  consumer_spec.type = RD_KAFKA_CONSUMER;
  consumer_spec.bootstrap = target.bootstrap;
  consumer_spec.settings = ConsumerSettings();
  consumer_spec.user_props = w.user_props;
  auto consumer = NewClient(consumer_spec);
  if (!consumer.ok()) return consumer.status();
  // Start exactly at the current ends, so no message of this run can be missed.
  auto ends = HighWatermarks(consumer->get(), w.topic, partitions, w.timeout_ms);
  if (!ends.ok()) return ends.status();

  DeliveryState delivery;
  ClientSpec producer_spec;
  producer_spec.type = RD_KAFKA_PRODUCER;
  producer_spec.bootstrap = target.bootstrap;
  producer_spec.settings = ProducerSettings(w);
  producer_spec.user_props = w.user_props;
  producer_spec.customize = [&delivery](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, &delivery);
  };
  auto producer = NewClient(producer_spec);
  if (!producer.ok()) return producer.status();
  if (auto ready = WaitForTopic(producer->get(), w.topic, w.timeout_ms); !ready.ok()) {
    return ready.status();
  }

  std::vector<std::pair<std::string, std::string>> shown;
  for (const char* key : {"acks", "compression.codec", "linger.ms", "batch.num.messages"}) {
    shown.emplace_back(key, EffectiveConfig(producer->get(), key));
  }
  PrintSettings(target.label, "producer", shown);
  shown.clear();
  for (const char* key : {"fetch.wait.max.ms", "fetch.min.bytes", "fetch.error.backoff.ms"}) {
    shown.emplace_back(key, EffectiveConfig(consumer->get(), key));
  }
  PrintSettings(target.label, "consumer", shown);
  if (target.mock != nullptr) {
    fmt::print(
        "[{}] note: the librdkafka mock answers a Fetch that finds no data only after "
        "fetch.wait.max.ms, never earlier when data arrives, so its latency mostly "
        "measures that wait\n",
        target.label);
  }

  TopicPtr consumer_topic(rd_kafka_topic_new(consumer->get(), w.topic.c_str(), nullptr));
  if (auto s = WarmUpTopic(consumer->get(), consumer_topic.get(), w.timeout_ms); !s.ok()) return s;
  QueuePtr queue(rd_kafka_queue_new(consumer->get()));
  for (int p = 0; p < partitions; ++p) {
    if (rd_kafka_consume_start_queue(consumer_topic.get(), p, (*ends)[p], queue.get()) == -1) {
      return absl::InternalError(absl::StrCat("consume_start ", w.topic, "/", p, ": ",
                                              rd_kafka_err2str(rd_kafka_last_error())));
    }
  }
  Receiver receiver;
  receiver.queue = queue.get();
  receiver.run_id = run_id;
  receiver.histogram.Reserve(total);
  std::thread receiver_thread([&receiver] { receiver.Run(); });
  auto stop_receiver = [&] {
    receiver.stop = true;
    receiver_thread.join();
    for (int p = 0; p < partitions; ++p) rd_kafka_consume_stop(consumer_topic.get(), p);
  };

  TopicPtr producer_topic(rd_kafka_topic_new(producer->get(), w.topic.c_str(), nullptr));
  std::vector<char> payload(w.size, 'x');
  std::memcpy(payload.data(), &kMarker, 8);
  std::memcpy(payload.data() + 8, &run_id, 8);
  const auto interval = std::chrono::duration<double>(1.0 / w.rate);
  const auto start = std::chrono::steady_clock::now();
  int64_t sent = 0;
  for (; sent < total; ++sent) {
    // Pace against an absolute schedule so an oversleep is caught up, not accumulated.
    const auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 interval * static_cast<double>(sent));
    std::this_thread::sleep_until(due);
    const int64_t now = NowNanos();
    std::memcpy(payload.data() + 16, &now, 8);
    if (rd_kafka_produce(producer_topic.get(), RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                         payload.data(), payload.size(), nullptr, 0, nullptr) == -1) {
      stop_receiver();
      return absl::InternalError(
          absl::StrCat("produce: ", rd_kafka_err2str(rd_kafka_last_error())));
    }
    rd_kafka_poll(producer->get(), 0);
  }
  const double produce_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rd_kafka_flush(producer->get(), w.timeout_ms);

  // Delivered messages must all arrive; wait for them with a bound, then stop the reader.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(w.timeout_ms);
  while (receiver.received.load() < delivery.delivered &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop_receiver();

  LatencyResult result;
  result.label = target.label;
  result.sent = sent;
  result.received = receiver.received.load();
  result.errors = delivery.errors + receiver.errors;
  result.first_error = !delivery.first_error.empty() ? delivery.first_error : receiver.first_error;
  result.seconds = produce_seconds;
  auto ms = [&](double q) { return receiver.histogram.Percentile(q) / 1e6; };
  result.p50_ms = ms(50);
  result.p90_ms = ms(90);
  result.p99_ms = ms(99);
  result.p999_ms = ms(99.9);
  result.max_ms = ms(100);
  if (result.received < delivery.delivered) {
    result.errors += delivery.delivered - result.received;
    if (result.first_error.empty()) {
      result.first_error = absl::StrCat(delivery.delivered - result.received,
                                        " delivered messages never reached the consumer");
    }
  }
  return result;
}

}  // namespace rill::perf
