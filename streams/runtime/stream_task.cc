// StreamTask: record queues, timestamp-ordered processing, stores and their layers.
#include "streams/runtime/stream_task.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"
#include "state/cache_budget.h"
#include "state/caching_key_value_store.h"
#include "state/change_logging_key_value_store.h"
#include "state/change_logging_session_store.h"
#include "state/change_logging_window_store.h"
#include "streams/serde/windowed_serde.h"

namespace rill::streams::internal {

// Writes a store's changes to its changelog partition (= the task's partition) with the
// timestamp of the record being processed, or, for a timestamped store, the value's own
// timestamp (its first 8 bytes, which the changelog value leaves out, as Kafka Streams').
class StreamTask::TaskChangelogWriter : public state::ChangelogWriter {
 public:
  TaskChangelogWriter(StreamTask* task, std::string topic, bool timestamped)
      : task_(task), topic_(std::move(topic)), timestamped_(timestamped) {}
  void Send(std::string_view key, std::optional<std::string_view> value) override {
    std::optional<std::string> v;
    int64_t timestamp = task_->current_timestamp_;
    if (value && timestamped_ && value->size() >= 8) {
      timestamp = static_cast<int64_t>(serde_internal::ReadBigEndian64(*value));
      v.emplace(value->substr(8));
    } else if (value) {
      v.emplace(*value);
    }
    task_->env_.collector->Send(topic_, task_->id_.partition, std::string(key), v, timestamp, {});
  }

 private:
  StreamTask* task_;
  std::string topic_;
  bool timestamped_;
};

state::StateStore* StreamTask::Store::lifecycle() const {
  if (outer) return outer.get();
  if (session_outer) return session_outer.get();
  return window_outer.get();
}

StreamTask::StreamTask(const Topology& topology, TaskId id, TaskEnvironment env)
    : topology_(topology), id_(id), env_(std::move(env)) {}

StreamTask::~StreamTask() { Close(); }

absl::StatusOr<std::unique_ptr<StreamTask>> StreamTask::Create(const Topology& topology,
                                                              TaskId id, TaskEnvironment env) {
  std::unique_ptr<StreamTask> task(new StreamTask(topology, id, std::move(env)));
  if (absl::Status s = task->Build(); !s.ok()) return s;
  return task;
}

absl::Status StreamTask::Build() {
  if (id_.subtopology < 0 ||
      id_.subtopology >= static_cast<int32_t>(topology_.subtopologies().size())) {
    return absl::InvalidArgumentError(absl::StrCat("task ", id_.ToString(),
                                                   ": no such sub-topology"));
  }
  const Subtopology& sub = topology_.subtopologies()[id_.subtopology];
  // Stores first: nodes find them in Init().
  for (const std::string& store_name : sub.stores) {
    const StoreSpec& spec = topology_.stores().at(store_name);
    Store& store = stores_[store_name];
    if (spec.logging) {
      store.changelog_topic = env_.resolve_topic(Topology::ChangelogTopic(store_name), true);
      store.writer =
          std::make_unique<TaskChangelogWriter>(this, store.changelog_topic, spec.timestamped);
    }
    auto open_error = [&](const absl::Status& s) {
      return absl::Status(s.code(), absl::StrCat("task ", id_.ToString(), ": opening store '",
                                                 store_name, "': ", s.message()));
    };
    store.instance.spec = &spec;
    store.instance.flush_listener = &store.listener;
    if (spec.kind == StoreKind::kSession) {
      if (!env_.open_session_store) {
        return open_error(absl::UnimplementedError("no session stores here"));
      }
      auto inner = env_.open_session_store(spec, id_);
      if (!inner.ok()) return open_error(inner.status());
      std::unique_ptr<state::SessionStore> layered = std::move(*inner);
      if (spec.logging) {
        layered = state::NewChangeLoggingSessionStore(std::move(layered), store.writer.get());
      }
      store.session_outer = std::move(layered);
      store.instance.session_store = store.session_outer.get();
      continue;
    }
    if (spec.kind == StoreKind::kWindow) {
      if (!env_.open_window_store) return open_error(absl::UnimplementedError("no window stores here"));
      auto inner = env_.open_window_store(spec, id_);
      if (!inner.ok()) return open_error(inner.status());
      std::unique_ptr<state::WindowStore> layered = std::move(*inner);
      if (spec.logging) {
        layered = state::NewChangeLoggingWindowStore(std::move(layered), store.writer.get());
      }
      store.window_outer = std::move(layered);
      store.instance.window_store = store.window_outer.get();
      continue;
    }
    auto inner = env_.open_store(spec, id_);
    if (!inner.ok()) return open_error(inner.status());
    std::unique_ptr<state::KeyValueStore> layered = std::move(*inner);
    if (spec.logging) {
      layered = state::NewChangeLoggingKeyValueStore(std::move(layered), store.writer.get());
    }
    if (spec.caching && env_.cache) {
      Store* self = &store;
      layered = state::NewCachingKeyValueStore(
          std::move(layered), env_.cache, [this] { return current_timestamp_; },
          [self](const state::CacheFlushEntry& e) {
            if (self->listener) self->listener(e);
          });
    }
    store.outer = std::move(layered);
    store.instance.store = store.outer.get();
  }
  // Nodes in creation order: parents come before children.
  std::map<std::string, ProcessorNode*> by_name;
  for (const std::string& name : sub.nodes) {
    const NodeSpec& spec = *topology_.FindNode(name);
    std::unique_ptr<ProcessorNode> node = spec.factory();
    auto context = std::make_unique<NodeContext>();
    context->name = name;
    context->task = this;
    by_name[name] = node.get();
    nodes_.push_back(std::move(node));
    contexts_.push_back(std::move(context));
    if (spec.kind == NodeKind::kSource) {
      for (const std::string& topic : spec.topics) {
        std::string resolved = env_.resolve_topic(topic, spec.internal_topics);
        int index = QueueIndex(resolved);
        if (index < 0) {
          index = static_cast<int>(queues_.size());
          queues_.emplace_back();
        }
        Queue& q = queues_[index];
        q.topic = resolved;
        q.source = nodes_.back().get();
        input_topics_.push_back(resolved);
      }
    }
  }
  for (size_t i = 0; i < contexts_.size(); ++i) {
    for (const std::string& parent : topology_.FindNode(contexts_[i]->name)->parents) {
      for (auto& ctx : contexts_) {
        if (ctx->name == parent) {
          ctx->children.push_back(nodes_[i].get());
          ctx->child_names.push_back(contexts_[i]->name);
        }
      }
    }
  }
  return absl::OkStatus();
}

std::vector<StreamTask::StoreEntry> StreamTask::Stores() const {
  std::vector<StoreEntry> out;
  for (const auto& [name, store] : stores_) {
    out.push_back({name, store.changelog_topic, store.lifecycle(), store.instance.spec->timestamped});
  }
  return out;
}

bool StreamTask::StoresWantCommit() const {
  for (const auto& [name, store] : stores_) {
    if (store.lifecycle()->WantsCommit()) return true;
  }
  return false;
}

StoreInstance* StreamTask::FindStore(std::string_view name) {
  auto it = stores_.find(name);
  return it == stores_.end() ? nullptr : &it->second.instance;
}

absl::Status StreamTask::Initialize() {
  if (initialized_) return absl::OkStatus();
  try {
    for (size_t i = 0; i < nodes_.size(); ++i) nodes_[i]->Init(*contexts_[i]);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("task ", id_.ToString(), ": init: ", e.what()));
  }
  initialized_ = true;
  return absl::OkStatus();
}

int StreamTask::QueueIndex(std::string_view topic) const {
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (queues_[i].topic == topic) return static_cast<int>(i);
  }
  return -1;
}

void StreamTask::AddRecord(const std::string& topic, int32_t partition, int64_t offset,
                           RawRecord record) {
  int index = QueueIndex(topic);
  if (index < 0 || partition != id_.partition) {
    spdlog::warn("task {}: record for {}-{} which it does not read; dropped", id_.ToString(),
                 topic, partition);
    return;
  }
  AddRecord(index, offset, std::move(record));
}

void StreamTask::AddRecord(int queue, int64_t offset, RawRecord record) {
  queues_[queue].records.emplace_back(offset, std::move(record));
  queues_[queue].at_end = false;
  ++buffered_;
}

// Kafka Streams' PartitionGroup#readyToProcess: with an input empty, a record of another
// one may be processed only once the empty one is known to have nothing more (else a
// stream record could be joined before the table record that precedes it in time), and
// then only after max.task.idle.ms more.
bool StreamTask::ReadyToProcess() {
  waiting_for_input_ = false;
  if (env_.max_task_idle_ms < 0 || queues_.size() < 2 || buffered_ == 0) return true;
  bool empty = false;
  for (const Queue& q : queues_) {
    if (!q.records.empty()) continue;
    if (!q.at_end) {
      idle_since_ms_ = -1;
      waiting_for_input_ = true;
      return false;
    }
    empty = true;
  }
  if (!empty) {
    idle_since_ms_ = -1;
    return true;
  }
  if (env_.max_task_idle_ms == 0) return true;
  const int64_t now = env_.wall_clock_ms();
  if (idle_since_ms_ < 0) idle_since_ms_ = now;
  if (now - idle_since_ms_ >= env_.max_task_idle_ms) return true;
  waiting_for_input_ = true;
  return false;
}

bool StreamTask::ProcessOne() {
  if (!ReadyToProcess()) return false;
  Queue* next = nullptr;
  int64_t best = std::numeric_limits<int64_t>::max();
  for (Queue& q : queues_) {
    if (!q.records.empty() && q.records.front().second.timestamp < best) {
      best = q.records.front().second.timestamp;
      next = &q;
    }
  }
  if (next == nullptr) return false;
  auto [offset, record] = std::move(next->records.front());
  next->records.pop_front();
  --buffered_;
  next->next_offset = offset + 1;
  processed_since_commit_ = true;
  current_queue_ = next;
  current_offset_ = offset;
  metadata_.reset();
  current_timestamp_ = record.timestamp;
  if (record.timestamp > stream_time_) stream_time_ = record.timestamp;
  current_raw_ = &record;
  try {
    next->source->Process(&record);
    current_raw_ = nullptr;
  } catch (const DeserializationFailure&) {
    // The deserialization handler said fail: not the processing handler's to skip.
    current_raw_ = nullptr;
    throw;
  } catch (const std::exception& e) {
    current_raw_ = nullptr;
    std::string where = absl::StrCat(next->topic, "-", id_.partition, "@", offset);
    if (env_.processing_policy == ExceptionPolicy::kFail) {
      throw StreamsException(absl::StrCat("task ", id_.ToString(), ": processing ", where,
                                          " failed: ", e.what()));
    }
    spdlog::warn("task {}: processing {} failed, skipped: {}", id_.ToString(), where, e.what());
    if (env_.dead_letter) env_.dead_letter(record, *record_metadata(), e.what());
    RecordDropped("processing-error");
  }
  ++processed_count_;
  // Stream-time punctuation runs after the record that moved stream time past its mark.
  current_queue_ = nullptr;
  metadata_.reset();
  Punctuate(PunctuationType::kStreamTime, stream_time_);
  return true;
}

const std::optional<RecordMetadata>& StreamTask::record_metadata() const {
  if (current_queue_ != nullptr && !metadata_) {
    metadata_ = RecordMetadata{current_queue_->topic, id_.partition, current_offset_};
  }
  return metadata_;
}

void StreamTask::PunctuateWallClock(int64_t now_ms) {
  current_queue_ = nullptr;
  metadata_.reset();
  Punctuate(PunctuationType::kWallClockTime, now_ms);
}

// As Kafka Streams' PunctuationQueue: a due punctuation fires once with the current time,
// and missed intervals are skipped rather than fired in a burst.
void StreamTask::Punctuate(PunctuationType type, int64_t now) {
  // By index: a callback may schedule another punctuation (appended, due later).
  for (size_t i = 0; i < punctuations_.size(); ++i) {
    Punctuation& p = punctuations_[i];
    if (p.type != type || now < p.next) continue;
    current_timestamp_ = now;
    p.callback(now);
    int64_t interval = p.interval.count();
    p.next += ((now - p.next) / interval + 1) * interval;
  }
}

void StreamTask::Schedule(std::chrono::milliseconds interval, PunctuationType type,
                          std::function<void(int64_t)> callback) {
  if (interval.count() < 1) throw StreamsException("punctuation interval must be >= 1 ms");
  // Stream time: aligned to 0, due as soon as there is data. Wall-clock time: one interval
  // from now (Kafka Streams' schedule()).
  int64_t first = type == PunctuationType::kStreamTime ? 0 : wall_clock_ms() + interval.count();
  punctuations_.push_back({interval, type, std::move(callback), first});
}

void StreamTask::RecordDropped(std::string_view reason) {
  if (env_.on_dropped) env_.on_dropped(id_, reason);
}

void StreamTask::OnDeserializationError(std::string_view node, const std::string& error) {
  std::string where =
      record_metadata() ? absl::StrCat(metadata_->topic, "-", metadata_->partition, "@", metadata_->offset)
                : std::string("?");
  if (env_.deserialization_policy == ExceptionPolicy::kFail) {
    throw DeserializationFailure(absl::StrCat("task ", id_.ToString(), ": cannot deserialize ",
                                              where, " at ", std::string(node), ": ", error));
  }
  spdlog::warn("task {}: skipping record {} that {} cannot deserialize: {}", id_.ToString(), where,
               node, error);
  if (env_.dead_letter && current_raw_ != nullptr && record_metadata()) {
    env_.dead_letter(*current_raw_, *metadata_, error);
  }
  RecordDropped("deserialization-error");
}

absl::Status StreamTask::FlushStores() {
  for (auto& [name, store] : stores_) {
    // A flush may forward cached updates downstream: they are records of this task too.
    absl::Status s = store.lifecycle()->Flush();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status StreamTask::CommitStores(const std::map<std::string, int64_t>& changelog_offsets) {
  for (auto& [name, store] : stores_) {
    std::optional<int64_t> offset;
    if (!store.changelog_topic.empty()) {
      auto it = changelog_offsets.find(store.changelog_topic);
      if (it != changelog_offsets.end()) offset = it->second;
    }
    absl::Status s = store.lifecycle()->Commit(offset);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

std::map<std::pair<std::string, int32_t>, int64_t> StreamTask::ConsumedOffsets() const {
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  for (const Queue& q : queues_) {
    if (q.next_offset >= 0) out[{q.topic, id_.partition}] = q.next_offset;
  }
  return out;
}

void StreamTask::Close() {
  if (closed_) return;
  closed_ = true;
  if (initialized_) {
    for (auto& node : nodes_) {
      try {
        node->Close();
      } catch (const std::exception& e) {
        spdlog::warn("task {}: close: {}", id_.ToString(), e.what());
      }
    }
  }
  for (auto& [name, store] : stores_) {
    if (store.lifecycle() != nullptr) (void)store.lifecycle()->Close();
  }
}

}  // namespace rill::streams::internal
