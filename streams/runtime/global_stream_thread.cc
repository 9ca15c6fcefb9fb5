// GlobalStreamThread (see global_stream_thread.h).
#include "streams/runtime/global_stream_thread.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <set>
#include <utility>

#include "state/in_memory_key_value_store.h"
#include "state/rocksdb_key_value_store.h"
#include "state/state_directory.h"
#include "streams/runtime/internal/kafka_clients.h"

namespace rill::streams::internal {
namespace {

constexpr int kAdminTimeoutMs = 30000;
constexpr int64_t kBootstrapTimeoutMs = 300000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct GlobalStreamThread::Clients {
  RdKafkaHandle consumer;
  // Partitions still loading during Bootstrap(), with the end offset each must reach.
  std::map<std::pair<std::string, int32_t>, int64_t> loading;
};

absl::StatusOr<std::unique_ptr<GlobalStreamThread>> GlobalStreamThread::Create(
    const Topology& topology, const StreamsConfig& config, state::StateDirectory& state_dir,
    std::shared_ptr<state::RocksDbResources> rocksdb) {
  std::unique_ptr<GlobalStreamThread> t(new GlobalStreamThread());
  t->config_ = &config;
  auto g = GlobalState::Open(
      topology,
      [&state_dir, rocksdb](const StoreSpec& spec)
          -> absl::StatusOr<std::unique_ptr<state::KeyValueStore>> {
        if (!spec.persistent) return state::NewInMemoryKeyValueStore(spec.name);
        return state::OpenRocksDbKeyValueStore(spec.name, state_dir.StoreDirectory("global", spec.name),
                                               rocksdb);
      },
      state_dir.TaskDirectory("global"));
  if (!g.ok()) return g.status();
  t->state_ = std::move(*g);
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", config.bootstrap_servers},
      {"client.id", config.application_id + "-global-consumer"},
      // Never joins a group (partitions are assigned by hand); librdkafka's consumer API
      // needs a group id all the same.
      {"group.id", config.application_id + "-global"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      // The end of a partition during bootstrap: with read_committed the consumer stops at
      // the last stable offset, which the high watermark alone cannot tell.
      {"enable.partition.eof", "true"},
      {"fetch.wait.max.ms", "100"},
  };
  for (const auto& [k, v] : config.consumer_overrides) settings[k] = v;
  t->clients_ = std::make_unique<Clients>();
  auto consumer = NewKafkaClient(ClientKind::kConsumer, settings);
  if (!consumer.ok()) return consumer.status();
  t->clients_->consumer = std::move(*consumer);
  rd_kafka_poll_set_consumer(t->clients_->consumer.get());
  return t;
}

GlobalStreamThread::~GlobalStreamThread() { Stop(); }

absl::Status GlobalStreamThread::Bootstrap() {
  rd_kafka_t* rk = clients_->consumer.get();
  auto counts = PartitionCounts(rk, kAdminTimeoutMs);
  if (!counts.ok()) return counts.status();
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(8);
  for (const std::string& topic : state_->topics()) {
    auto it = counts->find(topic);
    if (it == counts->end()) {
      rd_kafka_topic_partition_list_destroy(list);
      return absl::NotFoundError("the topic '" + topic +
                                 "' of a global table does not exist; create it first");
    }
    for (int32_t p = 0; p < it->second; ++p) {
      auto marks = Watermarks(rk, topic, p, kAdminTimeoutMs);
      if (!marks.ok()) {
        rd_kafka_topic_partition_list_destroy(list);
        return marks.status();
      }
      auto [low, high] = *marks;
      std::optional<int64_t> next = state_->NextOffset(topic, p);
      int64_t start = next ? std::max(*next, low) : low;
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = start;
      if (start < high) clients_->loading[{topic, p}] = high;
      spdlog::info("{}: global topic {}-{} loading offsets {}..{}", config_->application_id,
                   topic, p, start, high - 1);
    }
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err) return absl::InternalError(std::string("global consumer assign: ") + rd_kafka_err2str(err));
  const int64_t deadline = NowMs() + kBootstrapTimeoutMs;
  while (!clients_->loading.empty() && !stop_) {
    if (NowMs() > deadline) {
      return absl::DeadlineExceededError("loading global topic '" +
                                         clients_->loading.begin()->first.first + "' timed out");
    }
    if (absl::Status s = PollOnce(100); !s.ok()) return s;
  }
  return state_->Commit();
}

absl::Status GlobalStreamThread::PollOnce(int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(clients_->consumer.get(), timeout_ms);
  if (m == nullptr) return absl::OkStatus();
  std::string topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "";
  if (m->err) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      clients_->loading.erase({topic, m->partition});
    } else {
      spdlog::warn("{}: global consumer: {}", config_->application_id, rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
    return absl::OkStatus();
  }
  std::optional<std::string_view> key, value;
  if (m->key != nullptr) key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) value.emplace(static_cast<const char*>(m->payload), m->len);
  absl::Status s = state_->Apply(topic, m->partition, m->offset, key, value);
  auto loading = clients_->loading.find({topic, m->partition});
  if (loading != clients_->loading.end() && m->offset + 1 >= loading->second) {
    clients_->loading.erase(loading);
  }
  rd_kafka_message_destroy(m);
  return s;
}

void GlobalStreamThread::Start() {
  thread_ = std::thread([this] { Run(); });
}

void GlobalStreamThread::Run() {
  int64_t last_commit = NowMs();
  while (!stop_) {
    absl::Status s = PollOnce(100);
    if (s.ok() && NowMs() - last_commit >= config_->commit_interval_ms) {
      s = state_->Commit();
      last_commit = NowMs();
    }
    if (!s.ok()) {
      spdlog::error("{}: global thread stopped: {}", config_->application_id, std::string(s.message()));
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::string(s.message());
      return;
    }
  }
}

void GlobalStreamThread::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (clients_ && clients_->consumer) {
    rd_kafka_consumer_close(clients_->consumer.get());
    clients_->consumer.reset();
  }
  if (state_) {
    if (absl::Status s = state_->Commit(); !s.ok()) {
      spdlog::warn("{}: committing global stores: {}", config_->application_id, std::string(s.message()));
    }
    state_->Close();
  }
}

std::string GlobalStreamThread::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace rill::streams::internal
