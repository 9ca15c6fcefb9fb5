// The processor behind session-windowed aggregations of a grouped stream: Kafka Streams'
// KStreamSessionWindowAggregate (3.x, with EmitStrategy).
#pragma once

#include <algorithm>
#include <any>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streams/dsl/internal/change.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/dsl/windows.h"
#include "streams/processor/session_store.h"

namespace rill::streams::internal {

// For each record at timestamp t of key k:
//   1. stream time = max(stream time, t); close time = stream time - grace - gap;
//   2. every stored session of k overlapping [t - gap, t + gap] (end >= t - gap and
//      start <= t + gap) is merged with [t, t] into [min start, max end], their aggregates
//      combined with the merger, starting from the initializer;
//   3. if the merged session ends before the close time, the record is dropped and counted
//      as "window-expired" (nothing changes);
//   4. otherwise, unless the merged session is just [t, t], every merged session is removed
//      and (onWindowUpdate) forwarded as a tombstone Change(null, old) at its own end; the
//      record is aggregated in, the merged session put and forwarded as Change(agg, null)
//      at the merged session's end.
// A record inside an existing session therefore forwards that session's tombstone and then
// its new value, as Kafka Streams does with caching disabled (Rill's session stores have no
// record cache).
//
// onWindowClose: nothing is forwarded per record; after each record (at most once per emit
// interval of wall-clock time, when the close time advanced) every session whose end is in
// [max(0, last close time), close time - 1] is forwarded once, Change(agg, null) at the
// session's end, by (end, start, key). The last close time is not persisted: after a
// restart sessions still in the store may be emitted again (at-least-once); Kafka Streams
// keeps it in the commit metadata.
template <class K, class V, class VA>
class SessionWindowAggregateNode : public ProcessorNode {
 public:
  // The aggregate a new session starts from: the initializer (aggregate, count), or nullopt
  // (reduce: the first value becomes the aggregate).
  using InitFn = std::function<std::optional<VA>()>;
  // Adds a merged session's aggregate `other` into `agg` (Kafka Streams' Merger applied as
  // merger(key, agg, other)).
  using MergeFn = std::function<std::optional<VA>(const K&, const std::optional<VA>& agg,
                                                const VA& other)>;
  // Aggregates the record's value into `agg`.
  using AddFn = std::function<VA(const K&, const V&, const std::optional<VA>& agg)>;

  SessionWindowAggregateNode(std::string store, SessionWindows windows, InitFn init, MergeFn merge,
                             AddFn add, EmitStrategy emit)
      : store_name_(std::move(store)),
        windows_(windows),
        init_(std::move(init)),
        merge_(std::move(merge)),
        add_(std::move(add)),
        emit_(emit) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    StoreInstance* instance = context.task->GetStore(store_name_);
    if (instance == nullptr || instance->session_store == nullptr) {
      throw StreamsException("session store '" + store_name_ + "' missing in task");
    }
    store_.emplace(instance->session_store, std::any_cast<Serde<K>>(instance->spec->key_serde),
                   std::any_cast<Serde<VA>>(instance->spec->value_serde));
  }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    if (DropNullKeyOrValue(r, *context_)) return;
    const int64_t t = r.timestamp;
    const int64_t gap = windows_.inactivity_gap_ms();
    observed_stream_time_ = std::max(observed_stream_time_, t);
    const int64_t close_time = observed_stream_time_ - windows_.grace_ms() - gap;
    // Closed sessions are read before this record's put advances the store's retention;
    // the record cannot touch them (a merge that would reach one is dropped as late, and a
    // record that advances the close time is too far ahead to reach a closed session).
    if (emit_.on_window_close()) MaybeEmitClosed(close_time);

    const Window single{t, t};
    Window merged = single;
    std::optional<VA> agg = init_();
    std::vector<KeyValue<Windowed<K>, VA>> overlapping =
        store_->findSessions(r.key, SaturatingAdd(t, -gap), SaturatingAdd(t, gap));
    for (const auto& session : overlapping) {
      agg = merge_(r.key, agg, session.value);
      merged.start = std::min(merged.start, session.key.window.start);
      merged.end = std::max(merged.end, session.key.window.end);
    }
    if (merged.end < close_time) {
      context_->task->RecordDropped("window-expired");
      return;
    }
    if (merged != single) {
      for (auto& session : overlapping) {
        store_->remove(session.key);
        if (emit_.on_window_close()) continue;
        const int64_t end = session.key.window.end;
        Record<Windowed<K>, Change<VA>> out{std::move(session.key),
                                            Change<VA>{std::nullopt, std::move(session.value)},
                                            end, r.headers};
        context_->Forward(&out);
      }
    }
    VA next = add_(r.key, r.value, agg);
    Windowed<K> key{r.key, merged};
    store_->put(key, next);
    if (emit_.on_window_close()) return;
    Record<Windowed<K>, Change<VA>> out{std::move(key), Change<VA>{std::move(next), std::nullopt},
                                        merged.end, r.headers};
    context_->Forward(&out);
  }

 private:
  static int64_t SaturatingAdd(int64_t a, int64_t b) {
    int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out)) {
      return b < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    }
    return out;
  }

  // KStreamSessionWindowAggregate's shouldEmitFinal / fetchAndEmit: the throttle first,
  // then only when the close time advanced.
  void MaybeEmitClosed(int64_t close_time) {
    const int64_t now = context_->task->wall_clock_ms();
    if (next_emit_wall_ms_ && now < *next_emit_wall_ms_) return;
    next_emit_wall_ms_ = now + emit_.emit_interval_ms();
    if (last_emit_close_time_ && *last_emit_close_time_ >= close_time) return;
    // Sessions are inclusive of their end: the closed ones end at or before close time - 1.
    const int64_t upper = close_time - 1;
    if (upper < 0) return;  // nothing can have closed yet
    const int64_t lower = std::max<int64_t>(0, last_emit_close_time_.value_or(0));
    if (upper < lower) return;
    for (auto& [key, value] : store_->findSessionsByEnd(lower, upper)) {
      const int64_t end = key.window.end;
      Record<Windowed<K>, Change<VA>> out{std::move(key), Change<VA>{std::move(value), std::nullopt},
                                          end, {}};
      context_->Forward(&out);
    }
    last_emit_close_time_ = close_time;
  }

  std::string store_name_;
  SessionWindows windows_;
  InitFn init_;
  MergeFn merge_;
  AddFn add_;
  EmitStrategy emit_;
  std::optional<SessionStore<K, VA>> store_;
  std::optional<int64_t> last_emit_close_time_;
  std::optional<int64_t> next_emit_wall_ms_;
  // The largest timestamp this processor has seen (Kafka Streams' observedStreamTime).
  int64_t observed_stream_time_ = -1;
};

}  // namespace rill::streams::internal
