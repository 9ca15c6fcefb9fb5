// The processor behind windowed aggregations of a grouped stream over TimeWindows (tumbling
// and hopping): Kafka Streams' KStreamWindowAggregate.
#pragma once

#include <algorithm>
#include <any>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "streams/dsl/internal/change.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/dsl/windows.h"
#include "streams/processor/window_store.h"

namespace rill::streams::internal {

// For each record, every window it falls into is updated in the window store and the new
// aggregate is forwarded as Record<Windowed<K>, Change<VA>>. A window that has closed —
// its end at or before the observed stream time minus the grace period — is not updated:
// the record is dropped for it and counted as "window-expired" (Kafka Streams' dropped
// records sensor), as KStreamWindowAggregate does.
template <class K, class V, class VA>
class TimeWindowAggregateNode : public ProcessorNode {
 public:
  // The window's new aggregate from the record and the window's current aggregate (nullopt
  // for a new window): aggregate() starts from its initializer, reduce() from the value.
  using Update = std::function<VA(const K&, const V&, const std::optional<VA>&)>;

  TimeWindowAggregateNode(std::string store, TimeWindows windows, Update update)
      : store_name_(std::move(store)), windows_(windows), update_(std::move(update)) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    StoreInstance* instance = context.task->GetStore(store_name_);
    if (instance == nullptr || instance->window_store == nullptr) {
      throw StreamsException("window store '" + store_name_ + "' missing in task");
    }
    store_.emplace(instance->window_store, std::any_cast<Serde<K>>(instance->spec->key_serde),
                   std::any_cast<Serde<VA>>(instance->spec->value_serde), windows_.size_ms());
  }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    if (DropNullKeyOrValue(r, *context_)) return;
    observed_stream_time_ = std::max(observed_stream_time_, r.timestamp);
    const int64_t close_time = observed_stream_time_ - windows_.grace_ms();
    for (const Window& window : windows_.windowsFor(r.timestamp)) {
      if (window.end <= close_time) {
        context_->task->RecordDropped("window-expired");
        continue;
      }
      std::optional<VA> old = store_->fetch(r.key, window.start);
      VA next = update_(r.key, r.value, old);
      store_->put(r.key, next, window.start);
      Record<Windowed<K>, Change<VA>> out{Windowed<K>{r.key, window},
                                          Change<VA>{std::move(next), std::move(old)},
                                          r.timestamp, r.headers};
      context_->Forward(&out);
    }
  }

 private:
  std::string store_name_;
  TimeWindows windows_;
  Update update_;
  std::optional<WindowStore<K, VA>> store_;
  // The largest timestamp this processor has seen (Kafka Streams' observedStreamTime).
  int64_t observed_stream_time_ = -1;
};

}  // namespace rill::streams::internal
