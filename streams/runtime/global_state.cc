// GlobalState (see global_state.h).
#include "streams/runtime/global_state.h"

#include "streams/runtime/internal/task_checkpoint.h"

namespace rill::streams::internal {

absl::StatusOr<std::unique_ptr<GlobalState>> GlobalState::Open(const Topology& topology,
                                                                const OpenStore& open,
                                                                std::string directory) {
  std::unique_ptr<GlobalState> g(new GlobalState());
  g->directory_ = std::move(directory);
  for (const GlobalStore& global : topology.global_stores()) {
    auto spec = topology.stores().find(global.store);
    if (spec == topology.stores().end()) {
      return absl::InternalError("global store '" + global.store + "' has no specification");
    }
    auto store = open(spec->second);
    if (!store.ok()) return store.status();
    Store& s = g->stores_[global.store];
    s.store = std::move(*store);
    s.instance.spec = &spec->second;
    s.instance.store = s.store.get();
    g->by_topic_[global.topic] = &s;
  }
  bool all_persistent = true;
  for (auto& [name, s] : g->stores_) all_persistent &= s.store->persistent();
  if (!g->directory_.empty() && all_persistent) {
    if (auto entries = ReadTaskCheckpoint(g->directory_)) {
      for (const CheckpointEntry& e : *entries) {
        g->next_offsets_[{e.topic, e.partition}] = e.offset;
      }
    }
  }
  return g;
}

GlobalState::~GlobalState() { Close(); }

std::vector<std::string> GlobalState::topics() const {
  std::vector<std::string> out;
  for (const auto& [topic, store] : by_topic_) out.push_back(topic);
  return out;
}

absl::Status GlobalState::Apply(const std::string& topic, int32_t partition, int64_t offset,
                                std::optional<std::string_view> key,
                                std::optional<std::string_view> value) {
  auto it = by_topic_.find(topic);
  if (it == by_topic_.end()) {
    return absl::InvalidArgumentError("topic '" + topic + "' feeds no global store");
  }
  next_offsets_[{topic, partition}] = offset + 1;
  dirty_ = true;
  if (!key) return absl::OkStatus();
  return it->second->store->Put(*key, value);
}

std::optional<int64_t> GlobalState::NextOffset(const std::string& topic, int32_t partition) const {
  auto it = next_offsets_.find({topic, partition});
  if (it == next_offsets_.end()) return std::nullopt;
  return it->second;
}

absl::Status GlobalState::Commit() {
  if (!dirty_) return absl::OkStatus();
  for (auto& [name, s] : stores_) {
    if (absl::Status st = s.store->Flush(); !st.ok()) return st;
    if (absl::Status st = s.store->Commit(std::nullopt); !st.ok()) return st;
  }
  dirty_ = false;
  // In-memory stores start empty: a checkpoint would make them skip what they lost.
  bool all_persistent = true;
  for (auto& [name, s] : stores_) all_persistent &= s.store->persistent();
  if (directory_.empty() || !all_persistent) return absl::OkStatus();
  std::vector<CheckpointEntry> entries;
  for (const auto& [tp, offset] : next_offsets_) entries.push_back({tp.first, tp.second, offset});
  return WriteTaskCheckpoint(directory_, entries);
}

StoreInstance* GlobalState::Find(std::string_view name) {
  auto it = stores_.find(name);
  return it == stores_.end() ? nullptr : &it->second.instance;
}

void GlobalState::Close() {
  for (auto& [name, s] : stores_) {
    if (s.store) (void)s.store->Close();
  }
}

}  // namespace rill::streams::internal
