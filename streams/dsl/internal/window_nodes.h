// The processor behind windowed aggregations of a grouped stream over TimeWindows (tumbling
// and hopping): Kafka Streams' KStreamWindowAggregate; and the onWindowClose bookkeeping it
// shares with the sliding-window aggregation (sliding_window_nodes.h).
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

// When an onWindowClose aggregation scans its window store for closed windows, and which
// window starts the scan covers (Kafka Streams' AbstractKStreamTimeWindowAggregateProcessor
// emit bookkeeping). A window closes once its end is past the close time (stream time -
// grace): at or before it when the end is exclusive (time windows), strictly before it when
// the end is inclusive (sliding windows). Each scan covers the windows that closed since the
// previous one, and runs only when the close time advanced and at most once per emit
// interval of wall-clock time. After a restart the last close time is unknown and the scan
// starts at 0, so closed windows still in the store are emitted again (at-least-once);
// Kafka Streams keeps it in the commit metadata.
class WindowCloseEmitter {
 public:
  WindowCloseEmitter(EmitStrategy emit, int64_t window_size_ms, bool end_inclusive)
      : emit_(emit), size_(window_size_ms), end_inclusive_(end_inclusive) {}

  bool enabled() const { return emit_.on_window_close(); }

  // The window starts [first, second] to forward now, both inclusive, or nullopt when no
  // scan is due.
  std::optional<std::pair<int64_t, int64_t>> NextRange(int64_t close_time, int64_t now_ms) {
    if (last_close_time_ && close_time <= *last_close_time_) return std::nullopt;
    if (last_wall_ms_ && now_ms - *last_wall_ms_ < emit_.emit_interval_ms()) return std::nullopt;
    const int64_t lower = last_close_time_ ? LastClosedStart(*last_close_time_) + 1 : 0;
    const int64_t upper = LastClosedStart(close_time);
    last_close_time_ = close_time;
    last_wall_ms_ = now_ms;
    if (upper < lower) return std::nullopt;
    return std::make_pair(lower, upper);
  }

 private:
  // The latest start of a window that is closed at `close_time`.
  int64_t LastClosedStart(int64_t close_time) const {
    return close_time - size_ - (end_inclusive_ ? 1 : 0);
  }

  EmitStrategy emit_;
  int64_t size_;
  bool end_inclusive_;
  std::optional<int64_t> last_close_time_;
  std::optional<int64_t> last_wall_ms_;
};

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

  // `value_serde`: the aggregate's; the store holds [timestamp][aggregate].
  TimeWindowAggregateNode(std::string store, TimeWindows windows, Update update,
                          Serde<VA> value_serde, EmitStrategy emit = EmitStrategy::onWindowUpdate())
      : store_name_(std::move(store)),
        windows_(windows),
        update_(std::move(update)),
        value_serde_(std::move(value_serde)),
        emitter_(emit, windows.size_ms(), /*end_inclusive=*/false) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    StoreInstance* instance = context.task->GetStore(store_name_);
    if (instance == nullptr || instance->window_store == nullptr) {
      throw StreamsException("window store '" + store_name_ + "' missing in task");
    }
    store_.emplace(instance->window_store, std::any_cast<Serde<K>>(instance->spec->key_serde),
                   TimestampedSerde(value_serde_), windows_.size_ms());
  }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    if (DropNullKeyOrValue(r, *context_)) return;
    observed_stream_time_ = std::max(observed_stream_time_, r.timestamp);
    const int64_t close_time = observed_stream_time_ - windows_.grace_ms();
    // Closed windows first: the record cannot change them (it is dropped for them), and
    // they are read before the record's puts advance the store's retention past them.
    if (emitter_.enabled()) MaybeEmitClosed(close_time);
    for (const Window& window : windows_.windowsFor(r.timestamp)) {
      if (window.end <= close_time) {
        context_->task->RecordDropped("window-expired");
        continue;
      }
      std::optional<ValueAndTimestamp<VA>> stored = store_->fetch(r.key, window.start);
      // Kafka Streams' KStreamWindowAggregate: the window's largest record timestamp.
      const int64_t timestamp = AggregateTimestamp(stored, r.timestamp);
      std::optional<VA> old = ValueOf(std::move(stored));
      VA next = update_(r.key, r.value, old);
      store_->put(r.key, ValueAndTimestamp<VA>{next, timestamp}, window.start);
      if (emitter_.enabled()) continue;
      Record<Windowed<K>, Change<VA>> out{Windowed<K>{r.key, window},
                                          Change<VA>{std::move(next), std::move(old)},
                                          timestamp, r.headers};
      context_->Forward(&out);
    }
  }

 private:
  // Forwards each window that closed since the last emit, once: the windows whose end is
  // at or before stream time - grace (KStreamWindowAggregate's ON_WINDOW_CLOSE).
  void MaybeEmitClosed(int64_t close_time) {
    auto range = emitter_.NextRange(close_time, context_->task->wall_clock_ms());
    if (!range) return;
    for (auto& [key, value] : store_->fetchAll(range->first, range->second)) {
      // At the aggregate's timestamp, as Kafka Streams.
      Record<Windowed<K>, Change<VA>> out{std::move(key),
                                          Change<VA>{std::move(value.value), std::nullopt},
                                          value.timestamp, {}};
      context_->Forward(&out);
    }
  }

  std::string store_name_;
  TimeWindows windows_;
  Update update_;
  Serde<VA> value_serde_;
  WindowCloseEmitter emitter_;
  std::optional<WindowStore<K, ValueAndTimestamp<VA>>> store_;
  // The largest timestamp this processor has seen (Kafka Streams' observedStreamTime).
  int64_t observed_stream_time_ = -1;
};

}  // namespace rill::streams::internal
