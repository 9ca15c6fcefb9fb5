// TopologyTestDriver: StreamTasks driven in-process, with in-memory topics.
#include "streams/testing/topology_test_driver.h"

#include <filesystem>

#include "state/in_memory_session_store.h"
#include "state/in_memory_window_store.h"
#include "state/rocksdb_session_store.h"
#include "state/rocksdb_window_store.h"
#include "state/cache_budget.h"
#include "state/in_memory_key_value_store.h"
#include "state/rocksdb_key_value_store.h"
#include "state/rocksdb_resources.h"
#include "streams/runtime/global_state.h"
#include "streams/runtime/stream_task.h"

namespace rill::streams {

using internal::RawRecord;
using internal::StreamTask;

// Sinks write here. Every record is kept for TestOutputTopic (as Kafka Streams' driver
// captures repartition and changelog topics too); records for a topic the topology reads
// (repartition topics, or a user topic both written and read) also loop back into the
// reading task.
class TopologyTestDriver::Collector : public internal::RecordCollector {
 public:
  explicit Collector(TopologyTestDriver* driver) : driver_(driver) {}
  void Send(const std::string& topic, int32_t, const std::optional<std::string>& key,
            const std::optional<std::string>& value, int64_t timestamp,
            const Headers& headers) override;
  std::map<std::string, int64_t> next_offset;  // per topic (one partition each)

 private:
  TopologyTestDriver* driver_;
};

struct TopologyTestDriver::Impl {
  Topology topology;
  TestDriverConfig config;
  std::string state_dir;
  std::shared_ptr<state::RocksDbResources> rocksdb;
  std::shared_ptr<state::CacheBudget> cache;
  std::unique_ptr<Collector> collector;
  int64_t wall_clock_ms = 0;
  std::unique_ptr<internal::GlobalState> global;
  std::vector<std::unique_ptr<StreamTask>> tasks;  // index = sub-topology
  std::map<std::string, int32_t> resolved_topic_to_subtopology;

  std::string Resolve(const std::string& topic, bool internal) const {
    return internal ? config.application_id + "-" + topic : topic;
  }
};

void TopologyTestDriver::Collector::Send(const std::string& topic, int32_t,
                                         const std::optional<std::string>& key,
                                         const std::optional<std::string>& value,
                                         int64_t timestamp, const Headers& headers) {
  int64_t offset = next_offset[topic]++;
  RawRecord record{key, value, timestamp, headers};
  driver_->outputs_[topic].push_back(record);
  if (driver_->impl_->global->Reads(topic)) {
    absl::Status s = driver_->impl_->global->Apply(topic, 0, offset, key, value);
    if (!s.ok()) throw StreamsException(std::string(s.message()));
  }
  auto it = driver_->impl_->resolved_topic_to_subtopology.find(topic);
  if (it != driver_->impl_->resolved_topic_to_subtopology.end()) {
    driver_->impl_->tasks[it->second]->AddRecord(topic, 0, offset, std::move(record));
  }
}

TopologyTestDriver::TopologyTestDriver(Topology topology, TestDriverConfig config)
    : impl_(std::make_unique<Impl>()) {
  impl_->topology = std::move(topology);
  impl_->config = std::move(config);
  impl_->wall_clock_ms = impl_->config.initial_wall_clock_ms;
  std::string tmpl = (std::filesystem::temp_directory_path() / "rill-ttd-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw StreamsException("cannot create a state directory");
  impl_->state_dir = tmpl;
  impl_->rocksdb = state::RocksDbResources::Create({.block_cache_bytes = 8 << 20,
                                                    .write_buffer_bytes = 8 << 20});
  impl_->cache = std::make_shared<state::CacheBudget>(impl_->config.cache_max_bytes);
  impl_->collector = std::make_unique<Collector>(this);
  const Topology& t = impl_->topology;
  for (const auto& [topic, sub] : t.topic_to_subtopology()) {
    impl_->resolved_topic_to_subtopology[impl_->Resolve(topic, t.IsInternalTopic(topic))] = sub;
  }
  Impl* impl = impl_.get();
  internal::TaskEnvironment env;
  env.application_id = impl_->config.application_id;
  env.collector = impl_->collector.get();
  env.open_store = [impl](const internal::StoreSpec& spec, const TaskId& task)
      -> absl::StatusOr<std::unique_ptr<state::KeyValueStore>> {
    if (!spec.persistent) return state::NewInMemoryKeyValueStore(spec.name);
    std::filesystem::path dir =
        std::filesystem::path(impl->state_dir) / task.ToString() / "rocksdb" / spec.name;
    std::filesystem::create_directories(dir);
    return state::OpenRocksDbKeyValueStore(spec.name, dir.string(), impl->rocksdb);
  };
  env.open_window_store = [impl](const internal::StoreSpec& spec, const TaskId& task)
      -> absl::StatusOr<std::unique_ptr<state::WindowStore>> {
    if (!spec.persistent) {
      return state::NewInMemoryWindowStore(spec.name, spec.retention_ms, 0, spec.retain_duplicates);
    }
    std::filesystem::path dir =
        std::filesystem::path(impl->state_dir) / task.ToString() / "rocksdb" / spec.name;
    std::filesystem::create_directories(dir);
    return state::OpenRocksDbWindowStore(spec.name, dir.string(), impl->rocksdb, spec.retention_ms,
                                         0, spec.retain_duplicates);
  };
  env.open_session_store = [impl](const internal::StoreSpec& spec, const TaskId& task)
      -> absl::StatusOr<std::unique_ptr<state::SessionStore>> {
    if (!spec.persistent) return state::NewInMemorySessionStore(spec.name, spec.retention_ms, 0);
    std::filesystem::path dir =
        std::filesystem::path(impl->state_dir) / task.ToString() / "rocksdb" / spec.name;
    std::filesystem::create_directories(dir);
    return state::OpenRocksDbSessionStore(spec.name, dir.string(), impl->rocksdb,
                                          spec.retention_ms, 0);
  };
  // Global stores live beside the tasks' directories, as in the runtime.
  auto global = internal::GlobalState::Open(
      t,
      [impl](const internal::StoreSpec& spec)
          -> absl::StatusOr<std::unique_ptr<state::KeyValueStore>> {
        if (!spec.persistent) return state::NewInMemoryKeyValueStore(spec.name);
        std::filesystem::path dir = std::filesystem::path(impl->state_dir) / "global" / "rocksdb" / spec.name;
        std::filesystem::create_directories(dir);
        return state::OpenRocksDbKeyValueStore(spec.name, dir.string(), impl->rocksdb);
      },
      "");
  if (!global.ok()) throw StreamsException(std::string(global.status().message()));
  impl_->global = std::move(*global);
  internal::GlobalState* global_state = impl_->global.get();
  env.global_store = [global_state](std::string_view name) { return global_state->Find(name); };
  env.cache = impl_->cache;
  env.wall_clock_ms = [impl] { return impl->wall_clock_ms; };
  env.resolve_topic = [impl](const std::string& topic, bool internal) {
    return impl->Resolve(topic, internal);
  };
  env.deserialization_policy = impl_->config.deserialization_handler == "fail"
                                   ? internal::ExceptionPolicy::kFail
                                   : internal::ExceptionPolicy::kLogAndContinue;
  env.processing_policy = impl_->config.processing_handler == "log-and-continue"
                              ? internal::ExceptionPolicy::kLogAndContinue
                              : internal::ExceptionPolicy::kFail;
  env.on_dropped = [this](const TaskId&, std::string_view reason) {
    ++dropped_[std::string(reason)];
  };
  for (const auto& sub : t.subtopologies()) {
    auto task = StreamTask::Create(t, TaskId{sub.id, 0}, env);
    if (!task.ok()) throw StreamsException(std::string(task.status().message()));
    impl_->tasks.push_back(std::move(*task));
  }
  for (auto& task : impl_->tasks) {
    absl::Status s = task->Initialize();
    if (!s.ok()) throw StreamsException(std::string(s.message()));
  }
}

TopologyTestDriver::~TopologyTestDriver() {
  for (auto& task : impl_->tasks) task->Close();
  impl_->tasks.clear();
  impl_->global.reset();
  std::error_code ec;
  std::filesystem::remove_all(impl_->state_dir, ec);
}

void TopologyTestDriver::PipeRaw(const std::string& topic, RawRecord record) {
  if (impl_->global->Reads(topic)) {
    // A global table's topic: the store takes it at once, as the global thread would.
    int64_t offset = impl_->collector->next_offset[topic]++;
    absl::Status s = impl_->global->Apply(topic, 0, offset, record.key, record.value);
    if (s.ok()) s = impl_->global->Commit();
    if (!s.ok()) throw StreamsException(std::string(s.message()));
    return;
  }
  auto it = impl_->resolved_topic_to_subtopology.find(topic);
  if (it == impl_->resolved_topic_to_subtopology.end()) {
    throw StreamsException("topic '" + topic + "' is not an input of the topology");
  }
  // One offset sequence per topic, shared with what sinks write to it.
  int64_t offset = impl_->collector->next_offset[topic]++;
  impl_->tasks[it->second]->AddRecord(topic, 0, offset, std::move(record));
  ProcessAll();
  Commit();
}

void TopologyTestDriver::ProcessAll() {
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto& task : impl_->tasks) {
      while (task->ProcessOne()) progress = true;
    }
  }
}

void TopologyTestDriver::Commit() {
  // Flushing caches forwards records, which may feed repartition topics: repeat until quiet.
  for (int round = 0; round < 100; ++round) {
    for (auto& task : impl_->tasks) {
      absl::Status s = task->FlushStores();
      if (!s.ok()) throw StreamsException(std::string(s.message()));
    }
    bool pending = false;
    for (auto& task : impl_->tasks) pending |= task->buffered() > 0;
    if (!pending) break;
    ProcessAll();
  }
  std::map<std::string, int64_t> changelog_offsets;
  for (const auto& [topic, next] : impl_->collector->next_offset) {
    changelog_offsets[topic] = next - 1;
  }
  for (auto& task : impl_->tasks) {
    absl::Status s = task->CommitStores(changelog_offsets);
    if (!s.ok()) throw StreamsException(std::string(s.message()));
  }
}

void TopologyTestDriver::advanceWallClockTime(std::chrono::milliseconds by) {
  impl_->wall_clock_ms += by.count();
  for (auto& task : impl_->tasks) task->PunctuateWallClock(impl_->wall_clock_ms);
  ProcessAll();
  Commit();
}

internal::StoreInstance* TopologyTestDriver::FindStore(const std::string& name) {
  for (auto& task : impl_->tasks) {
    if (internal::StoreInstance* store = task->FindStore(name)) return store;
  }
  if (internal::StoreInstance* store = impl_->global->Find(name)) return store;
  throw StreamsException("no store named '" + name + "' in the topology");
}

}  // namespace rill::streams
