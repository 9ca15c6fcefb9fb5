// StreamThread: the poll / process / commit loop, rebalances, restoration.
#include "streams/runtime/stream_thread.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "spdlog/spdlog.h"
#include "state/in_memory_key_value_store.h"
#include "state/in_memory_session_store.h"
#include "state/in_memory_window_store.h"
#include "state/rocksdb_session_store.h"
#include "state/rocksdb_window_store.h"
#include "state/rocksdb_key_value_store.h"
#include "state/state_directory.h"
#include "streams/query/streams_metrics.h"
#include "streams/runtime/global_state.h"
#include "streams/runtime/internal/kafka_clients.h"
#include "streams/runtime/internal/producer_collector.h"
#include "streams/runtime/internal/task_checkpoint.h"
#include "streams/serde/windowed_serde.h"

namespace rill::streams::internal {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int kFlushTimeoutMs = 60000;
constexpr int kAdminTimeoutMs = 10000;
// Stop polling while a task holds this many. Small: records wait in librdkafka's queue
// instead (queued.min.messages below); 50,000 per task made runs 10-30 % slower and erratic.
constexpr size_t kMaxBufferedPerTask = 5000;

}  // namespace

struct StreamThread::Clients {
  RdKafkaHandle consumer;
  rd_kafka_queue_t* consumer_queue = nullptr;  // the consumer's queue, for batched reads
  RdKafkaHandle restore_consumer;
  RdKafkaHandle producer;
  ProducerCollector collector;
  std::map<TaskId, CounterHandle> processed;
  std::map<std::string, CounterHandle> dropped;  // "task/reason"
};

StreamThread::StreamThread(int index, Shared shared)
    : index_(index), shared_(std::move(shared)), clients_(std::make_unique<Clients>()) {
  const StreamsConfig& c = *shared_.config;
  client_id_ = (c.client_id.empty() ? c.application_id + "-" + shared_.process_id : c.client_id) +
               "-StreamThread-" + std::to_string(index_ + 1);
}

StreamThread::~StreamThread() {
  RequestStop();
  Join();
}

void StreamThread::Start() { thread_ = std::thread([this] { Run(); }); }

void StreamThread::RequestStop() {
  stop_ = true;
  // Only a thread blocked joining the group needs waking; a running one sees stop_ within a
  // poll, and must keep its membership for the final commit.
  if (membership_ && state_ == State::kRebalancing) membership_->Abort();
}

void StreamThread::Join() {
  if (thread_.joinable()) thread_.join();
}

std::string StreamThread::error() const {
  std::lock_guard<std::mutex> lock(error_mu_);
  return error_;
}

void StreamThread::SetState(State s) {
  state_ = s;
  if (shared_.on_state_change) shared_.on_state_change();
}

std::vector<TaskId> StreamThread::ActiveTasks() {
  std::lock_guard<std::mutex> lock(tasks_mu_);
  std::vector<TaskId> out;
  for (const auto& [id, task] : tasks_) out.push_back(id);
  return out;
}

void StreamThread::ForEachStore(const std::string& name,
                                const std::function<void(const TaskId&, state::KeyValueStore*)>& f) {
  std::lock_guard<std::mutex> lock(tasks_mu_);
  for (auto& [id, task] : tasks_) {
    StoreInstance* store = task->FindStore(name);
    if (store != nullptr && store->store != nullptr) f(id, store->store);  // key-value stores
  }
}

void StreamThread::ForEachWindowStore(
    const std::string& name, const std::function<void(const TaskId&, state::WindowStore*)>& f) {
  std::lock_guard<std::mutex> lock(tasks_mu_);
  for (auto& [id, task] : tasks_) {
    StoreInstance* store = task->FindStore(name);
    if (store != nullptr && store->window_store != nullptr) f(id, store->window_store);
  }
}

void StreamThread::ForEachSessionStore(
    const std::string& name, const std::function<void(const TaskId&, state::SessionStore*)>& f) {
  std::lock_guard<std::mutex> lock(tasks_mu_);
  for (auto& [id, task] : tasks_) {
    StoreInstance* store = task->FindStore(name);
    if (store != nullptr && store->session_store != nullptr) f(id, store->session_store);
  }
}

absl::Status StreamThread::Setup() {
  const StreamsConfig& c = *shared_.config;
  std::map<std::string, std::string> consumer = {
      {"bootstrap.servers", c.bootstrap_servers},
      {"client.id", client_id_ + "-consumer"},
      // The consumer is not a group member (membership is Rill's own client); group.id is
      // set only because librdkafka's consumer API requires one.
      {"group.id", c.application_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      // End-of-partition events tell tasks that an empty input has nothing more to fetch
      // (max.task.idle.ms).
      {"enable.partition.eof", "true"},
      {"fetch.wait.max.ms", "100"},
      // All partitions share one consumer queue (poll_set_consumer); librdkafka 2.0.2 stops
      // fetching every partition once that queue holds queued.min.messages (default 100k)
      // and re-checks only once a second. Small repartition records hit it constantly:
      // measured 2.6x word-count throughput with this raised (docs/PERFORMANCE.md).
      {"queued.min.messages", "1000000"},
  };
  for (const auto& [k, v] : c.consumer_overrides) consumer[k] = v;
  auto main_consumer = NewKafkaClient(ClientKind::kConsumer, consumer);
  if (!main_consumer.ok()) return main_consumer.status();
  clients_->consumer = std::move(*main_consumer);
  rd_kafka_poll_set_consumer(clients_->consumer.get());
  clients_->consumer_queue = rd_kafka_queue_get_consumer(clients_->consumer.get());
  consumer["client.id"] = client_id_ + "-restore-consumer";
  consumer["enable.partition.eof"] = "false";
  auto restore = NewKafkaClient(ClientKind::kConsumer, consumer);
  if (!restore.ok()) return restore.status();
  clients_->restore_consumer = std::move(*restore);
  rd_kafka_poll_set_consumer(clients_->restore_consumer.get());

  std::map<std::string, std::string> producer = {
      {"bootstrap.servers", c.bootstrap_servers},
      {"client.id", client_id_ + "-producer"},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"linger.ms", "20"},
      {"partitioner", "murmur2_random"},  // Java's default: co-partitioning with Java apps
  };
  for (const auto& [k, v] : c.producer_overrides) producer[k] = v;
  auto p = NewKafkaClient(ClientKind::kProducer, producer, &clients_->collector,
                          &ProducerCollector::DeliveryReport);
  if (!p.ok()) return p.status();
  clients_->producer = std::move(*p);
  clients_->collector.set_producer(clients_->producer.get());

  GroupMembershipOptions options;
  options.bootstrap_servers = c.bootstrap_servers;
  options.group_id = c.application_id;
  options.client_id = client_id_;
  options.session_timeout_ms = c.session_timeout_ms;
  options.heartbeat_interval_ms = c.heartbeat_interval_ms;
  for (const auto& sources : shared_.subtopology_sources) {
    options.topics.insert(options.topics.end(), sources.begin(), sources.end());
  }
  membership_ = std::make_unique<GroupMembership>(
      options, [this](const std::vector<ClientSubscription>& members) { return LeaderAssign(members); });
  return absl::OkStatus();
}

std::map<std::string, TaskAssignment> StreamThread::LeaderAssign(
    const std::vector<ClientSubscription>& members) {
  AssignorInput input;
  input.members = members;
  auto counts = PartitionCounts(clients_->producer.get(), kAdminTimeoutMs);
  for (size_t sub = 0; sub < shared_.subtopology_sources.size(); ++sub) {
    int32_t partitions = 0;
    for (const auto& topic : shared_.subtopology_sources[sub]) {
      if (counts.ok()) {
        auto it = counts->find(topic);
        if (it != counts->end()) partitions = std::max(partitions, it->second);
      }
    }
    if (partitions == 0) {
      spdlog::error("{}: no partitions known for the sources of sub-topology {}", client_id_, sub);
    }
    for (int32_t p = 0; p < partitions; ++p) {
      input.all_tasks.push_back(TaskId{static_cast<int32_t>(sub), p});
    }
  }
  return AssignTasks(input);
}

TaskEnvironment StreamThread::MakeEnvironment() {
  const StreamsConfig& c = *shared_.config;
  TaskEnvironment env;
  env.application_id = c.application_id;
  env.collector = &clients_->collector;
  state::StateDirectory* dir = shared_.state_dir;
  auto rocksdb = shared_.rocksdb;
  env.open_store = [dir, rocksdb](const StoreSpec& spec, const TaskId& task)
      -> absl::StatusOr<std::unique_ptr<state::KeyValueStore>> {
    if (!spec.persistent) return state::NewInMemoryKeyValueStore(spec.name);
    return state::OpenRocksDbKeyValueStore(spec.name,
                                           dir->StoreDirectory(task.ToString(), spec.name), rocksdb);
  };
  env.open_window_store = [dir, rocksdb](const StoreSpec& spec, const TaskId& task)
      -> absl::StatusOr<std::unique_ptr<state::WindowStore>> {
    if (!spec.persistent) {
      return state::NewInMemoryWindowStore(spec.name, spec.retention_ms, 0, spec.retain_duplicates);
    }
    return state::OpenRocksDbWindowStore(spec.name, dir->StoreDirectory(task.ToString(), spec.name),
                                         rocksdb, spec.retention_ms, 0, spec.retain_duplicates);
  };
  env.open_session_store = [dir, rocksdb](const StoreSpec& spec, const TaskId& task)
      -> absl::StatusOr<std::unique_ptr<state::SessionStore>> {
    if (!spec.persistent) return state::NewInMemorySessionStore(spec.name, spec.retention_ms, 0);
    return state::OpenRocksDbSessionStore(
        spec.name, dir->StoreDirectory(task.ToString(), spec.name), rocksdb, spec.retention_ms, 0);
  };
  if (GlobalState* global = shared_.global) {
    env.global_store = [global](std::string_view name) { return global->Find(name); };
  }
  env.cache = shared_.cache;
  env.wall_clock_ms = [] { return WallMs(); };
  env.max_task_idle_ms = c.max_task_idle_ms;
  std::string app = c.application_id;
  env.resolve_topic = [app](const std::string& topic, bool internal) {
    return internal ? app + "-" + topic : topic;
  };
  env.deserialization_policy = c.deserialization_exception_handler == "fail"
                                   ? ExceptionPolicy::kFail
                                   : ExceptionPolicy::kLogAndContinue;
  env.processing_policy = c.processing_exception_handler == "fail"
                              ? ExceptionPolicy::kFail
                              : ExceptionPolicy::kLogAndContinue;
  StreamsMetrics* metrics = shared_.metrics;
  Clients* clients = clients_.get();
  env.on_dropped = [metrics, clients](const TaskId& task, std::string_view reason) {
    std::string key = task.ToString() + "/" + std::string(reason);
    auto it = clients->dropped.find(key);
    if (it == clients->dropped.end()) {
      it = clients->dropped.emplace(key, metrics->DroppedRecords(task.ToString(), reason)).first;
    }
    it->second.Increment();
  };
  if (!c.dead_letter_topic.empty()) {
    std::string dlq = c.dead_letter_topic;
    env.dead_letter = [clients, dlq](const RawRecord& raw, const RecordMetadata& where,
                                     const std::string& error) {
      Headers headers = raw.headers;
      headers.push_back({"rill.error", error});
      headers.push_back({"rill.source", where.topic + "-" + std::to_string(where.partition) +
                                            "@" + std::to_string(where.offset)});
      clients->collector.Send(dlq, -1, raw.key, raw.value, raw.timestamp, headers);
    };
  }
  return env;
}

void StreamThread::Run() {
  // Named like Kafka Streams' threads (within Linux's 15 characters) so top, perf and gdb
  // tell them apart from librdkafka's.
  pthread_setname_np(pthread_self(), ("StreamThread-" + std::to_string(index_ + 1)).substr(0, 15).c_str());
  absl::Status status = Setup();
  SetState(State::kRebalancing);
  bool need_join = true;
  last_commit_ms_ = NowMs();
  try {
    while (status.ok() && !stop_) {
      if (need_join || membership_->RebalanceNeeded()) {
        SetState(State::kRebalancing);
        status = Rebalance();
        if (!status.ok()) {
          if (stop_ || absl::IsCancelled(status)) {
            status = absl::OkStatus();
            break;
          }
          if (absl::IsDeadlineExceeded(status) || absl::IsUnavailable(status)) {
            spdlog::warn("{}: rebalance failed, retrying: {}", client_id_, status.ToString());
            status = absl::OkStatus();
            continue;
          }
          break;
        }
        need_join = false;
        SetState(State::kRunning);
      }
      PollOnce();
      ProcessSome();
      int64_t wall = WallMs();
      bool commit_requested = false;
      for (auto& [id, task] : tasks_) {
        task->PunctuateWallClock(wall);
        commit_requested |= task->commit_requested();
      }
      if (commit_requested || NowMs() - last_commit_ms_ >= shared_.config->commit_interval_ms) {
        status = Commit();
        if (absl::IsAborted(status)) {  // the group moved on: rejoin
          status = absl::OkStatus();
          need_join = true;
        }
      }
      // Serve delivery reports every 5 ms: left for the queue-full path they cost more, and
      // serving them every round took a lock the producer's thread contends for each time.
      if (int64_t now = NowMs(); now - last_delivery_poll_ms_ >= 5) {
        last_delivery_poll_ms_ = now;
        rd_kafka_poll(clients_->producer.get(), 0);
      }
    }
  } catch (const std::exception& e) {
    status = absl::InternalError(e.what());
  }
  if (status.ok()) {
    SetState(State::kPendingShutdown);
    try {
      // Drain what was fetched, then a final commit so a restart resumes exactly here.
      while (ProcessSome()) {
      }
      absl::Status s = Commit();
      if (!s.ok()) spdlog::warn("{}: final commit: {}", client_id_, s.ToString());
    } catch (const std::exception& e) {
      spdlog::warn("{}: final commit: {}", client_id_, e.what());
    }
  }
  CloseAll();
  if (membership_) membership_->Leave();
  if (clients_->consumer_queue != nullptr) {
    rd_kafka_queue_destroy(clients_->consumer_queue);
    clients_->consumer_queue = nullptr;
  }
  if (clients_->consumer) rd_kafka_consumer_close(clients_->consumer.get());
  if (clients_->restore_consumer) rd_kafka_consumer_close(clients_->restore_consumer.get());
  if (!status.ok()) {
    spdlog::error("{}: stopped by an error: {}", client_id_, status.ToString());
    {
      std::lock_guard<std::mutex> lock(error_mu_);
      error_ = std::string(status.message());
    }
    SetState(State::kError);
  } else {
    SetState(State::kDead);
  }
}

absl::Status StreamThread::Rebalance() {
  // Finish and commit what we have, so tasks can move without loss or replay.
  if (!tasks_.empty()) {
    while (ProcessSome()) {
    }
    absl::Status s = Commit();
    if (!s.ok() && !absl::IsAborted(s)) return s;
  }
  ClientSubscription self;
  self.process_id = shared_.process_id;
  self.application_server = shared_.config->application_server;
  for (const auto& [id, task] : tasks_) self.previous_active.push_back(id);
  for (const std::string& name : shared_.state_dir->TaskNames()) {
    size_t sep = name.find('_');
    if (sep == std::string::npos) continue;
    try {
      TaskId id{std::stoi(name.substr(0, sep)), std::stoi(name.substr(sep + 1))};
      // How much of the task's changelogs the local state holds (0: a directory, no
      // checkpoint yet); the assignor gives a task back where the most state is.
      self.task_offset_sums[id] =
          ReadTaskOffsetSum(shared_.state_dir->path() + "/" + name).value_or(0);
    } catch (const std::exception&) {
    }
  }
  auto assignment = membership_->Join(self, absl::Seconds(120));
  if (!assignment.ok()) return assignment.status();
  if (shared_.on_assignment) shared_.on_assignment(*assignment);
  std::set<TaskId> wanted(assignment->active.begin(), assignment->active.end());
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    for (auto it = tasks_.begin(); it != tasks_.end();) {
      if (wanted.count(it->first)) {
        ++it;
        continue;
      }
      it->second->Close();
      if (shared_.metrics) shared_.metrics->RemoveTask(it->first.ToString());
      clients_->processed.erase(it->first);
      it = tasks_.erase(it);
    }
  }
  for (const TaskId& id : wanted) {
    if (tasks_.count(id)) continue;
    absl::Status s = CreateTask(id);
    if (!s.ok()) return s;
  }
  if (shared_.metrics) shared_.metrics->SetTaskCount(static_cast<int>(tasks_.size()));
  spdlog::info("{}: generation {}: {} active task(s)", client_id_, assignment->generation,
               tasks_.size());
  return AssignConsumer();
}

absl::Status StreamThread::CreateTask(const TaskId& id) {
  auto task = StreamTask::Create(*shared_.topology, id, MakeEnvironment());
  // A task moving between two threads of this process: the other thread closes it (and
  // releases its RocksDB lock) only once its own rejoin returns. Retry, as Kafka Streams
  // does on its task-directory lock.
  int64_t give_up = NowMs() + 60000;
  while (!task.ok() && task.status().message().find("lock") != std::string::npos &&
         NowMs() < give_up && !stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // back-off, not sync
    task = StreamTask::Create(*shared_.topology, id, MakeEnvironment());
  }
  if (!task.ok()) return task.status();
  if (absl::Status s = Restore(**task); !s.ok()) return s;
  if (absl::Status s = (*task)->Initialize(); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(tasks_mu_);
  tasks_[id] = std::move(*task);
  return absl::OkStatus();
}

absl::Status StreamThread::Restore(StreamTask& task) {
  rd_kafka_t* rc = clients_->restore_consumer.get();
  for (const auto& entry : task.Stores()) {
    if (entry.changelog_topic.empty()) continue;
    int32_t partition = task.id().partition;
    auto marks = Watermarks(rc, entry.changelog_topic, partition, kAdminTimeoutMs);
    if (!marks.ok()) return marks.status();
    auto [low, high] = *marks;
    std::optional<int64_t> committed = entry.store->CommittedOffset();
    int64_t start = committed ? *committed + 1 : low;
    if (start < low) start = low;
    if (start >= high) continue;
    spdlog::info("{}: task {} restoring {} from {}-{} offsets {}..{}", client_id_,
                 task.id().ToString(), entry.name, entry.changelog_topic, partition, start, high - 1);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, entry.changelog_topic.c_str(), partition)->offset = start;
    rd_kafka_assign(rc, list);
    rd_kafka_topic_partition_list_destroy(list);
    std::vector<state::ChangelogRecord> batch;
    int64_t last = start - 1;
    int64_t deadline = NowMs() + 300000;
    while (last < high - 1) {
      if (stop_) break;
      if (NowMs() > deadline) {
        rd_kafka_assign(rc, nullptr);
        return absl::DeadlineExceededError("restoring " + entry.name + " timed out");
      }
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rc, 100);
      if (m == nullptr) continue;
      if (m->err) {
        std::string err = rd_kafka_message_errstr(m);
        rd_kafka_resp_err_t code = m->err;
        rd_kafka_message_destroy(m);
        if (code == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
        spdlog::warn("{}: restore consumer: {}", client_id_, err);
        continue;
      }
      state::ChangelogRecord r;
      r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload != nullptr) {
        r.value.emplace();
        if (entry.timestamped) {
          serde_internal::AppendBigEndian64(rd_kafka_message_timestamp(m, nullptr), *r.value);
        }
        r.value->append(static_cast<const char*>(m->payload), m->len);
      }
      last = m->offset;
      rd_kafka_message_destroy(m);
      batch.push_back(std::move(r));
      if (batch.size() >= 1000) {
        if (absl::Status s = entry.store->Restore(batch, last); !s.ok()) return s;
        batch.clear();
      }
    }
    if (!batch.empty()) {
      if (absl::Status s = entry.store->Restore(batch, last); !s.ok()) return s;
    }
    rd_kafka_assign(rc, nullptr);
  }
  return absl::OkStatus();
}

absl::Status StreamThread::AssignConsumer() {
  std::vector<std::pair<std::string, int32_t>> partitions;
  partition_to_task_.clear();
  for (auto& [id, task] : tasks_) {
    for (const std::string& topic : task->input_topics()) {
      partitions.emplace_back(topic, id.partition);
      partition_to_task_[{topic, id.partition}] = task.get();
    }
  }
  // Load metadata for the assigned topics first: otherwise librdkafka finds their leaders
  // only on its next 1 s metadata refresh, delaying the first fetch by up to a second.
  if (!partitions.empty()) (void)PartitionCounts(clients_->consumer.get(), kAdminTimeoutMs);
  topic_cache_.clear();
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions.size() + 1);
  if (!partitions.empty()) {
    auto committed = membership_->FetchCommittedOffsets(partitions);
    if (!committed.ok()) {
      rd_kafka_topic_partition_list_destroy(list);
      return committed.status();
    }
    rd_kafka_topic_partition_list_t* uncommitted = rd_kafka_topic_partition_list_new(1);
    for (const auto& tpo : *committed) {
      if (tpo.offset >= 0) {
        rd_kafka_topic_partition_list_add(list, tpo.topic.c_str(), tpo.partition)->offset =
            tpo.offset;
      } else {
        // ListOffsets' timestamp -2 asks for the log start offset.
        rd_kafka_topic_partition_list_add(uncommitted, tpo.topic.c_str(), tpo.partition)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
      }
    }
    // Start uncommitted partitions at the log start offset looked up here, in one request,
    // rather than assigning the logical BEGINNING: librdkafka 2.0.2 resolves that with an
    // offset query that, when it runs before the broker thread has taken the partition over,
    // finds "no current leader" and retries only after 500 ms (seen on every start).
    // auto.offset.reset=earliest covers a start offset purged meanwhile.
    if (uncommitted->cnt > 0 &&
        rd_kafka_offsets_for_times(clients_->consumer.get(), uncommitted, kAdminTimeoutMs) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < uncommitted->cnt; ++i) uncommitted->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    for (int i = 0; i < uncommitted->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = uncommitted->elems[i];
      rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)->offset =
          tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0 ? tp.offset
                                                                 : RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_topic_partition_list_destroy(uncommitted);
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(clients_->consumer.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(std::string("assign: ") + rd_kafka_err2str(err));
  }
  return absl::OkStatus();
}

// Reads what the consumer has buffered (up to ~2,000 records, or until a task's buffer is
// full) and queues it in the tasks. Batches come from rd_kafka_consume_batch_queue without
// waiting; only when neither librdkafka nor any task has a record does it block, briefly,
// in rd_kafka_consumer_poll (a batch call with a timeout would wait to fill the whole
// batch). Blocking while tasks still held records cost 20 ms per 1,000 of them.
void StreamThread::PollOnce() {
  bool tasks_idle = true;
  for (auto& [id, task] : tasks_) {
    // A task waiting for an empty input (max.task.idle.ms) needs the poll that fills it.
    if (task->waiting_for_input()) continue;
    if (task->buffered() > kMaxBufferedPerTask) return;
    if (task->buffered() > 0) tasks_idle = false;
  }
  constexpr int kBatch = 500;
  rd_kafka_message_t* batch[kBatch];
  for (int round = 0; round < 4; ++round) {
    ssize_t n = rd_kafka_consume_batch_queue(clients_->consumer_queue, 0, batch, kBatch);
    if (n <= 0 && round == 0 && tasks_idle) {
      batch[0] = rd_kafka_consumer_poll(clients_->consumer.get(), 20);
      n = batch[0] != nullptr ? 1 : 0;
    }
    if (n <= 0) return;
    bool full = false;
    for (ssize_t i = 0; i < n; ++i) {
      StreamTask* target = Route(batch[i]);
      rd_kafka_message_destroy(batch[i]);
      full |= target != nullptr && target->buffered() > kMaxBufferedPerTask;
    }
    if (full || n < kBatch) return;
  }
}

StreamTask* StreamThread::Route(rd_kafka_message_t* m) {
  const bool end_of_partition = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
  if (m->err && !end_of_partition) {
    spdlog::warn("{}: consumer: {}", client_id_, rd_kafka_message_errstr(m));
    return nullptr;
  }
  if (m->rkt == nullptr) return nullptr;
  // Resolve (topic handle, partition) -> (task, input queue) without building a string
  // per record; the cache is cleared on every assignment, while the handles it keys on
  // are referenced.
  auto& by_partition = topic_cache_[m->rkt];
  if (by_partition.empty()) {
    std::string name = rd_kafka_topic_name(m->rkt);
    for (const auto& [tp, task] : partition_to_task_) {
      if (tp.first != name) continue;
      if (by_partition.size() <= static_cast<size_t>(tp.second)) by_partition.resize(tp.second + 1);
      by_partition[tp.second] = {task, task->QueueIndex(name)};
    }
    if (by_partition.empty()) by_partition.push_back({});
  }
  StreamTask* target = nullptr;
  if (m->partition >= 0 && static_cast<size_t>(m->partition) < by_partition.size() &&
      by_partition[m->partition].queue >= 0) {
    target = by_partition[m->partition].task;
  }
  if (target != nullptr && end_of_partition) {
    target->MarkEndOfPartition(by_partition[m->partition].queue);
    return nullptr;
  }
  if (target != nullptr) {
    RawRecord r;
    if (m->key != nullptr) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
    rd_kafka_timestamp_type_t type;
    r.timestamp = rd_kafka_message_timestamp(m, &type);
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr &&
        rd_kafka_header_cnt(hdrs) > 0) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t idx = 0; rd_kafka_header_get_all(hdrs, idx, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
           ++idx) {
        Header h{name, std::nullopt};
        if (value != nullptr) h.value.emplace(static_cast<const char*>(value), size);
        r.headers.push_back(std::move(h));
      }
    }
    target->AddRecord(by_partition[m->partition].queue, m->offset, std::move(r));
  }
  return target;
}

bool StreamThread::ProcessSome() {
  bool any = false;
  for (auto& [id, task] : tasks_) {
    for (int i = 0; i < 1000 && task->ProcessOne(); ++i) any = true;
    if (task->StoresWantCommit()) task->RequestCommit();
    if (int64_t n = task->TakeProcessedCount(); n > 0) {
      auto it = clients_->processed.find(id);
      if (it == clients_->processed.end()) {
        it = clients_->processed.emplace(id, shared_.metrics->RecordsProcessed(id.ToString())).first;
      }
      it->second.Increment(static_cast<double>(n));
    }
  }
  return any;
}

absl::Status StreamThread::Commit() {
  int64_t start = NowMs();
  last_commit_ms_ = start;
  for (auto& [id, task] : tasks_) {
    task->ClearCommitRequest();
    if (absl::Status s = task->FlushStores(); !s.ok()) return s;
  }
  if (absl::Status s = clients_->collector.Flush(kFlushTimeoutMs); !s.ok()) return s;
  std::vector<std::string> errors = clients_->collector.TakeErrors();
  if (!errors.empty()) {
    if (shared_.config->production_exception_handler == "fail") {
      return absl::InternalError("producing failed: " + errors.front() + " (and " +
                                 std::to_string(errors.size() - 1) + " more)");
    }
    for (const auto& e : errors) spdlog::warn("{}: record not written, skipped: {}", client_id_, e);
  }
  std::vector<TopicPartitionOffset> offsets;
  std::map<std::pair<std::string, int32_t>, int64_t> purge;
  const auto acked = clients_->collector.acked_offsets();
  for (auto& [id, task] : tasks_) {
    std::map<std::string, int64_t> changelog_offsets;
    for (const auto& entry : task->Stores()) {
      auto it = acked.find({entry.changelog_topic, id.partition});
      if (it != acked.end()) changelog_offsets[entry.changelog_topic] = it->second;
    }
    if (absl::Status s = task->CommitStores(changelog_offsets); !s.ok()) return s;
    WriteCheckpoint(*task);
    if (!task->processed_since_commit()) continue;
    task->ClearProcessed();
    for (const auto& [tp, offset] : task->ConsumedOffsets()) {
      offsets.push_back({tp.first, tp.second, offset, ""});
      const std::string prefix = shared_.config->application_id + "-";
      if (tp.first.rfind(prefix, 0) == 0 &&
          shared_.topology->IsInternalTopic(tp.first.substr(prefix.size()))) {
        purge[tp] = offset;
      }
    }
  }
  if (!offsets.empty()) {
    absl::Status s = membership_->CommitOffsets(offsets);
    if (!s.ok()) return s;
  }
  // Repartition records are consumed once committed: purge them (Kafka Streams does the
  // same with repartition.purge.interval.ms).
  if (!purge.empty() && NowMs() - last_purge_ms_ >= 1000) {
    last_purge_ms_ = NowMs();
    absl::Status s = DeleteRecordsBefore(clients_->producer.get(), purge, kAdminTimeoutMs);
    if (!s.ok()) spdlog::debug("{}: purging repartition topics: {}", client_id_, s.ToString());
  }
  if (shared_.metrics) {
    shared_.metrics->ObserveCommitLatency(static_cast<double>(NowMs() - start) / 1000.0);
    for (auto& [id, task] : tasks_) {
      for (const auto& entry : task->Stores()) {
        shared_.metrics->SetStoreEntries(entry.name, id.ToString(),
                                         static_cast<double>(entry.store->ApproximateNumEntries()));
      }
    }
  }
  return absl::OkStatus();
}

void StreamThread::WriteCheckpoint(StreamTask& task) {
  std::vector<CheckpointEntry> entries;
  for (const auto& entry : task.Stores()) {
    if (entry.changelog_topic.empty() || !entry.store->persistent()) continue;
    std::optional<int64_t> offset = entry.store->CommittedOffset();
    if (offset) entries.push_back({entry.changelog_topic, task.id().partition, *offset});
  }
  if (entries.empty()) return;
  const std::string dir = shared_.state_dir->TaskDirectory(task.id().ToString());
  if (absl::Status s = WriteTaskCheckpoint(dir, entries); !s.ok()) {
    spdlog::warn("{}: task {}: {}", client_id_, task.id().ToString(), s.ToString());
  }
}

void StreamThread::CloseAll() {
  std::lock_guard<std::mutex> lock(tasks_mu_);
  for (auto& [id, task] : tasks_) {
    task->Close();
    if (shared_.metrics) shared_.metrics->RemoveTask(id.ToString());
  }
  tasks_.clear();
  partition_to_task_.clear();
}

}  // namespace rill::streams::internal
