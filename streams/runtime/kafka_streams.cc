// KafkaStreams: instance lifecycle, internal topics, instance state, interactive queries.
#include "streams/runtime/kafka_streams.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <thread>
#include <mutex>
#include <random>
#include <set>

#include "spdlog/spdlog.h"
#include "state/cache_budget.h"
#include "state/rocksdb_resources.h"
#include "state/session_store.h"
#include "state/state_directory.h"
#include "streams/query/http_query_server.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"
#include "streams/runtime/internal/kafka_clients.h"
#include "streams/runtime/global_stream_thread.h"
#include "streams/runtime/stream_thread.h"

namespace rill::streams {

using internal::StreamThread;
using StreamsState = KafkaStreams::State;

const char* KafkaStreams::StateName(StreamsState s) {
  switch (s) {
    case StreamsState::kCreated: return "CREATED";
    case StreamsState::kRebalancing: return "REBALANCING";
    case StreamsState::kRunning: return "RUNNING";
    case StreamsState::kPendingShutdown: return "PENDING_SHUTDOWN";
    case StreamsState::kNotRunning: return "NOT_RUNNING";
    case StreamsState::kError: return "ERROR";
  }
  return "?";
}

namespace {

std::string NewProcessId() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%08x", static_cast<unsigned long long>(gen()),
                static_cast<unsigned>(getpid()));
  return buf;
}

}  // namespace

struct KafkaStreams::Impl : public QuerySource {
  Topology topology;
  StreamsConfig config;
  std::string process_id = NewProcessId();
  std::unique_ptr<StreamsMetrics> metrics;
  std::unique_ptr<state::StateDirectory> state_dir;
  std::shared_ptr<state::RocksDbResources> rocksdb;
  std::shared_ptr<state::CacheBudget> cache;
  std::unique_ptr<internal::GlobalStreamThread> global;  // null without global tables
  std::vector<std::unique_ptr<StreamThread>> threads;
  std::unique_ptr<HttpQueryServer> http;

  mutable std::mutex mu;
  std::condition_variable cv;
  StreamsState state = StreamsState::kCreated;
  bool closing = false;
  std::function<void(StreamsState, StreamsState)> listener;
  std::function<void(const std::string&)> uncaught;
  bool uncaught_called = false;
  std::map<std::string, std::vector<TaskId>> active_by_host;
  int32_t generation = -1;

  void SetState(StreamsState next) {
    StreamsState old;
    std::function<void(StreamsState, StreamsState)> l;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (state == next) return;
      // Terminal states stay terminal.
      if (state == StreamsState::kNotRunning || (state == StreamsState::kError && next != StreamsState::kNotRunning &&
                                          next != StreamsState::kPendingShutdown)) {
        return;
      }
      old = state;
      state = next;
      l = listener;
    }
    cv.notify_all();
    spdlog::info("{}: state {} -> {}", config.application_id, StateName(old), StateName(next));
    if (l) l(next, old);
  }

  // Instance state from the threads' states.
  void OnThreadStateChange() {
    bool all_running = !threads.empty();
    bool any_error = false;
    std::string error;
    for (const auto& t : threads) {
      auto s = t->state();
      all_running &= s == StreamThread::State::kRunning;
      if (s == StreamThread::State::kError) {
        any_error = true;
        error = t->error();
      }
    }
    bool is_closing;
    {
      std::lock_guard<std::mutex> lock(mu);
      is_closing = closing;
    }
    if (any_error) {
      std::function<void(const std::string&)> handler;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!uncaught_called) {
          uncaught_called = true;
          handler = uncaught;
        }
      }
      if (handler) handler(error);
      SetState(StreamsState::kError);
      return;
    }
    if (is_closing) return;
    SetState(all_running ? StreamsState::kRunning : StreamsState::kRebalancing);
  }

  // Creates changelog and repartition topics with their partition counts.
  absl::Status CreateInternalTopics(std::vector<std::vector<std::string>>* sources) {
    std::map<std::string, std::string> settings = {{"bootstrap.servers", config.bootstrap_servers},
                                                   {"client.id", config.application_id + "-admin"}};
    auto admin = internal::NewKafkaClient(internal::ClientKind::kProducer, settings);
    if (!admin.ok()) return admin.status();
    auto counts = internal::PartitionCounts(admin->get(), 15000);
    if (!counts.ok()) return counts.status();
    auto resolve = [&](const std::string& t) {
      return topology.IsInternalTopic(t) ? config.application_id + "-" + t : t;
    };
    // Source partitions per sub-topology; repartition topics take the partition count of
    // the sub-topology that writes them (iterate: repartition chains).
    std::map<std::string, int32_t> known;
    for (const auto& sub : topology.subtopologies()) {
      for (const auto& t : sub.source_topics) {
        if (topology.IsInternalTopic(t)) continue;
        auto it = counts->find(t);
        if (it == counts->end()) {
          return absl::FailedPreconditionError("source topic '" + t +
                                               "' does not exist; create it before starting");
        }
        known[t] = it->second;
      }
    }
    // Joins need co-partitioned inputs: equal partition counts for the user topics, and
    // repartition topics feeding the join sized to match (Kafka Streams' copartition groups).
    for (const auto& sub : topology.subtopologies()) {
      if (!sub.copartitioned) continue;
      std::set<int32_t> distinct;
      std::string listing;
      for (const auto& t : sub.source_topics) {
        if (topology.IsInternalTopic(t)) continue;
        distinct.insert(known[t]);
        listing += (listing.empty() ? "" : ", ") + t + " (" + std::to_string(known[t]) +
                   " partitions)";
      }
      if (distinct.size() > 1) {
        return absl::FailedPreconditionError(
            "topics joined in sub-topology " + std::to_string(sub.id) +
            " are not co-partitioned: " + listing +
            "; give them the same number of partitions or repartition one side");
      }
      if (distinct.size() == 1) {
        for (const auto& t : sub.repartition_sources) known[t] = *distinct.begin();
      }
    }
    auto sub_partitions = [&](const internal::Subtopology& sub) {
      int32_t n = 0;
      for (const auto& t : sub.source_topics) {
        auto it = known.find(t);
        if (it == known.end()) return -1;
        n = std::max(n, it->second);
      }
      return n;
    };
    // A repartition topic takes the partition count of the sub-topology writing it; in a
    // join whose inputs are all repartition topics (e.g. a foreign-key join of an
    // aggregated table), they all take the largest of their counts, as Kafka Streams does.
    for (int round = 0; round < 100; ++round) {
      bool changed = false;
      for (const auto& sub : topology.subtopologies()) {
        if (sub.copartitioned && sub.repartition_sources.size() == sub.source_topics.size()) {
          // Sized once every input is: known, or written by this very sub-topology (a
          // foreign-key join of a table with itself feeds its own topics).
          int32_t most = 0;
          bool ready = true;
          for (const auto& t : sub.source_topics) {
            auto it = known.find(t);
            if (it != known.end()) {
              most = std::max(most, it->second);
            } else if (std::find(sub.sink_topics.begin(), sub.sink_topics.end(), t) ==
                       sub.sink_topics.end()) {
              ready = false;
            }
          }
          if (ready && most > 0) {
            for (const auto& t : sub.source_topics) {
              if (known[t] != most) {
                known[t] = most;
                changed = true;
              }
            }
          }
        }
        int32_t n = sub_partitions(sub);
        if (n <= 0) continue;
        for (const auto& sink : sub.sink_topics) {
          if (topology.IsInternalTopic(sink) && !known.count(sink)) {
            known[sink] = n;
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
    std::vector<internal::NewTopic> create;
    for (const auto& t : topology.internal_topics()) {
      int32_t partitions = -1;
      if (t.kind == internal::InternalTopic::Kind::kRepartition) {
        auto it = known.find(t.name);
        if (it == known.end()) {
          return absl::FailedPreconditionError("cannot size repartition topic " + t.name);
        }
        partitions = it->second;
      } else {
        std::string store = t.name.substr(0, t.name.size() - std::string("-changelog").size());
        for (const auto& sub : topology.subtopologies()) {
          if (std::find(sub.stores.begin(), sub.stores.end(), store) != sub.stores.end()) {
            partitions = sub_partitions(sub);
          }
        }
      }
      if (partitions <= 0) return absl::FailedPreconditionError("cannot size topic " + t.name);
      std::string name = resolve(t.name);
      auto existing = counts->find(name);
      if (existing != counts->end()) {
        if (existing->second != partitions) {
          return absl::FailedPreconditionError(
              "internal topic " + name + " has " + std::to_string(existing->second) +
              " partitions, the topology needs " + std::to_string(partitions));
        }
        continue;
      }
      create.push_back({name, partitions, config.replication_factor, t.configs});
    }
    if (absl::Status s = internal::CreateTopics(admin->get(), create, 15000); !s.ok()) return s;
    for (const auto& sub : topology.subtopologies()) {
      std::vector<std::string> resolved;
      for (const auto& t : sub.source_topics) resolved.push_back(resolve(t));
      sources->push_back(std::move(resolved));
    }
    return absl::OkStatus();
  }

  // --- QuerySource ---
  std::vector<std::string> StoreNames() override {
    std::vector<std::string> out;
    for (const auto& [name, spec] : topology.stores()) {
      if (spec.queryable) out.push_back(name);
    }
    return out;
  }

  absl::StatusOr<const internal::StoreSpec*> QueryableStore(std::string_view store) {
    auto it = topology.stores().find(std::string(store));
    if (it == topology.stores().end() || !it->second.queryable) {
      return absl::NotFoundError("no queryable store named '" + std::string(store) + "'");
    }
    return &it->second;
  }

  absl::StatusOr<nlohmann::json> Windows(std::string_view store, std::string_view key_text,
                                         int64_t from, int64_t to) override {
    auto spec = QueryableStore(store);
    if (!spec.ok()) return spec.status();
    if ((*spec)->kind == internal::StoreKind::kKeyValue) {
      return absl::InvalidArgumentError("store '" + std::string(store) +
                                        "' is a key-value store: query /keys/{key}");
    }
    auto key = (*spec)->key_text_to_bytes(key_text);
    if (!key.ok()) return key.status();
    nlohmann::json out = nlohmann::json::array();
    bool hosted = false;
    absl::Status error;
    // Session stores: the key's sessions overlapping [from, to] (end >= from, start <= to),
    // Kafka Streams' findSessions(key, from, to).
    for (auto& thread : threads) {
      thread->ForEachSessionStore(std::string(store), [&](const TaskId&, state::SessionStore* ss) {
        hosted = true;
        if (!error.ok()) return;
        auto it = ss->FindSessions(*key, from, to);
        for (; it->Valid(); it->Next()) {
          out.push_back({{"start", it->start()},
                         {"end", it->end()},
                         {"value", (*spec)->value_bytes_to_json(it->value())}});
        }
        if (!it->status().ok()) error = it->status();
      });
    }
    for (auto& thread : threads) {
      thread->ForEachWindowStore(std::string(store), [&](const TaskId&, state::WindowStore* ws) {
        hosted = true;
        if (!error.ok()) return;
        for (auto it = ws->Fetch(*key, from, to); it->Valid(); it->Next()) {
          const int64_t start = it->window_start();
          out.push_back({{"start", start},
                         {"end", start + (*spec)->window_size_ms},
                         {"value", (*spec)->value_bytes_to_json(it->value())}});
          if (!it->status().ok()) error = it->status();
        }
      });
    }
    if (!error.ok()) return absl::UnavailableError(std::string(error.message()));
    if (!hosted && state != StreamsState::kRunning) {
      return absl::UnavailableError("store '" + std::string(store) + "' is not available now (" +
                                    StateName(state) + ")");
    }
    return out;
  }

  // The local instances of key-value store `store`: the global store, or the store of every
  // active task that has it.
  void ForEachKeyValueStore(std::string_view store,
                            const std::function<void(state::KeyValueStore*)>& f) {
    if (global) {
      if (internal::StoreInstance* g = global->global_state().Find(store)) return f(g->store);
    }
    for (auto& thread : threads) {
      thread->ForEachStore(std::string(store),
                           [&](const TaskId&, state::KeyValueStore* kv) { f(kv); });
    }
  }

  absl::StatusOr<std::optional<nlohmann::json>> Get(std::string_view store,
                                                    std::string_view key_text) override {
    auto spec = QueryableStore(store);
    if (!spec.ok()) return spec.status();
    if ((*spec)->kind != internal::StoreKind::kKeyValue) {
      return absl::InvalidArgumentError("store '" + std::string(store) +
                                        "' is a window store: query /keys/{key}/windows");
    }
    auto key = (*spec)->key_text_to_bytes(key_text);
    if (!key.ok()) return key.status();
    std::optional<nlohmann::json> out;
    bool hosted = false;
    absl::Status error;
    ForEachKeyValueStore(store, [&](state::KeyValueStore* kv) {
      hosted = true;
      if (out || !error.ok()) return;
      auto value = kv->Get(*key);
      if (!value.ok()) {
        error = value.status();
      } else if (*value) {
        out = (*spec)->value_bytes_to_json(**value);
      }
    });
    if (!error.ok()) return absl::UnavailableError(std::string(error.message()));
    if (!hosted && state != StreamsState::kRunning) {
      return absl::UnavailableError("store '" + std::string(store) + "' is not available now (" +
                                    StateName(state) + ")");
    }
    return out;
  }

  absl::StatusOr<RangePage> Range(std::string_view store, const RangeQuery& query) override {
    auto spec = QueryableStore(store);
    if (!spec.ok()) return spec.status();
    if ((*spec)->kind != internal::StoreKind::kKeyValue) {
      return absl::InvalidArgumentError("store '" + std::string(store) +
                                        "' is a window store: query /keys/{key}/windows");
    }
    std::optional<std::string> from, to;
    if (query.from) {
      auto k = (*spec)->key_text_to_bytes(*query.from);
      if (!k.ok()) return k.status();
      from = *k;
    }
    if (query.to) {
      auto k = (*spec)->key_text_to_bytes(*query.to);
      if (!k.ok()) return k.status();
      to = *k;
    }
    // Each task holds a slice of the key space: take up to limit+1 from each, merge.
    std::map<std::string, std::string> merged;
    ForEachKeyValueStore(store, [&](state::KeyValueStore* kv) {
      auto it = kv->Range(from ? std::optional<std::string_view>(*from) : std::nullopt,
                          to ? std::optional<std::string_view>(*to) : std::nullopt);
      for (size_t n = 0; it->Valid() && n <= query.limit; it->Next(), ++n) {
        merged.emplace(std::string(it->key()), std::string(it->value()));
      }
    });
    RangePage page;
    size_t n = 0;
    for (const auto& [k, v] : merged) {
      if (n++ == query.limit) {
        page.next_from = (*spec)->key_bytes_to_text(k);
        break;
      }
      page.entries.push_back({{"key", (*spec)->key_bytes_to_text(k)},
                              {"value", (*spec)->value_bytes_to_json(v)}});
    }
    return page;
  }

  std::string TopologyDescription() override { return topology.describe(); }

  nlohmann::json Metadata() override {
    nlohmann::json out;
    out["application_id"] = config.application_id;
    out["application_server"] = config.application_server;
    out["state"] = StateName(state);
    nlohmann::json instances = nlohmann::json::array();
    std::lock_guard<std::mutex> lock(mu);
    out["generation"] = generation;
    for (const auto& [host, tasks] : active_by_host) {
      nlohmann::json t = nlohmann::json::array();
      for (const auto& id : tasks) t.push_back(id.ToString());
      instances.push_back({{"application_server", host}, {"active_tasks", t}});
    }
    out["instances"] = instances;
    nlohmann::json local = nlohmann::json::array();
    for (const auto& thread : threads) {
      nlohmann::json t = nlohmann::json::array();
      for (const auto& id : thread->ActiveTasks()) t.push_back(id.ToString());
      local.push_back({{"active_tasks", t}});
    }
    out["local_threads"] = local;
    out["stores"] = StoreNames();
    return out;
  }

  std::string State() override {
    std::lock_guard<std::mutex> lock(mu);
    return StateName(state);
  }
};

KafkaStreams::KafkaStreams(Topology topology, StreamsConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->topology = std::move(topology);
  impl_->config = std::move(config);
  impl_->metrics = std::make_unique<StreamsMetrics>(
      impl_->config.application_id,
      impl_->config.client_id.empty() ? impl_->config.application_id + "-" + impl_->process_id
                                      : impl_->config.client_id);
}

KafkaStreams::~KafkaStreams() { close(); }

void KafkaStreams::setStateListener(std::function<void(State, State)> listener) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->listener = std::move(listener);
}

void KafkaStreams::setUncaughtExceptionHandler(std::function<void(const std::string&)> handler) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->uncaught = std::move(handler);
}

absl::Status KafkaStreams::start() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->state != StreamsState::kCreated) {
      return absl::FailedPreconditionError("start() called twice (state " +
                                           std::string(StateName(impl_->state)) + ")");
    }
  }
  const StreamsConfig& c = impl_->config;
  if (absl::Status s = c.Validate(); !s.ok()) return s;
  auto dir = state::StateDirectory::Lock(c.state_dir, c.application_id);
  if (!dir.ok()) return dir.status();
  impl_->state_dir = std::move(*dir);
  std::vector<std::vector<std::string>> sources;
  if (absl::Status s = impl_->CreateInternalTopics(&sources); !s.ok()) return s;
  impl_->rocksdb = state::RocksDbResources::Create(
      {.block_cache_bytes = c.rocksdb_block_cache_bytes, .write_buffer_bytes = c.rocksdb_write_buffer_bytes});
  impl_->cache = std::make_shared<state::CacheBudget>(c.cache_max_bytes);
  if (!c.application_server.empty()) {
    auto http = HttpQueryServer::Start(c.application_server, impl_.get(), impl_->metrics.get());
    if (!http.ok()) return http.status();
    impl_->http = std::move(*http);
    // Port 0 picked a free port: advertise the real one to the group.
    std::string& server = impl_->config.application_server;
    if (server.substr(server.rfind(':') + 1) == "0") {
      server = server.substr(0, server.rfind(':') + 1) + std::to_string(impl_->http->port());
    }
  }
  impl_->SetState(StreamsState::kRebalancing);
  if (!impl_->topology.global_stores().empty()) {
    // As Kafka Streams: global tables are loaded before any task processes a record.
    auto global = internal::GlobalStreamThread::Create(impl_->topology, impl_->config,
                                                       *impl_->state_dir, impl_->rocksdb);
    if (!global.ok()) return global.status();
    if (absl::Status s = (*global)->Bootstrap(); !s.ok()) return s;
    (*global)->Start();
    impl_->global = std::move(*global);
  }
  Impl* impl = impl_.get();
  for (int i = 0; i < c.num_stream_threads; ++i) {
    StreamThread::Shared shared;
    shared.topology = &impl->topology;
    shared.config = &impl->config;
    shared.process_id = impl->process_id;
    shared.state_dir = impl->state_dir.get();
    shared.rocksdb = impl->rocksdb;
    shared.cache = impl->cache;
    shared.metrics = impl->metrics.get();
    shared.global = impl->global ? &impl->global->global_state() : nullptr;
    shared.subtopology_sources = sources;
    shared.on_state_change = [impl] { impl->OnThreadStateChange(); };
    shared.on_assignment = [impl](const MembershipAssignment& a) {
      std::lock_guard<std::mutex> lock(impl->mu);
      impl->active_by_host = a.active_by_host;
      impl->generation = a.generation;
    };
    impl->threads.push_back(std::make_unique<StreamThread>(i, std::move(shared)));
  }
  for (auto& t : impl->threads) t->Start();
  return absl::OkStatus();
}

bool KafkaStreams::close(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->state == StreamsState::kNotRunning) return true;
    impl_->closing = true;
  }
  if (impl_->state != StreamsState::kCreated) impl_->SetState(StreamsState::kPendingShutdown);
  for (auto& t : impl_->threads) t->RequestStop();
  // Join in the background so a timeout can be honoured.
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread joiner([impl = impl_.get(), done] {
    for (auto& t : impl->threads) t->Join();
    done->set_value();
  });
  bool ok = finished.wait_for(timeout) == std::future_status::ready;
  if (ok) {
    joiner.join();
  } else {
    joiner.detach();
    return false;
  }
  if (impl_->http) impl_->http->Stop();
  impl_->http.reset();
  impl_->threads.clear();
  if (impl_->global) impl_->global->Stop();
  impl_->global.reset();
  impl_->state_dir.reset();
  impl_->SetState(StreamsState::kNotRunning);
  return true;
}

KafkaStreams::State KafkaStreams::state() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->state;
}

const Topology& KafkaStreams::topology() const { return impl_->topology; }
int KafkaStreams::http_port() const { return impl_->http ? impl_->http->port() : -1; }
QuerySource& KafkaStreams::queries() { return *impl_; }
StreamsMetrics& KafkaStreams::metrics() { return *impl_->metrics; }

}  // namespace rill::streams
