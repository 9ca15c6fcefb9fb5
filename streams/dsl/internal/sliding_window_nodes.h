// The processor behind windowed aggregations of a grouped stream over SlidingWindows: Kafka
// Streams' KStreamSlidingWindowAggregate, step for step.
//
// Sliding windows are defined by the records: both ends inclusive, end = start + time
// difference. Each record at t has a "left window" [t - difference, t] (it is the window's
// latest record) and, once a later record falls into it, a "right window"
// [t + 1, t + 1 + difference]. A window exists only if one of those definitions makes it
// exist, so the store holds exactly the distinct windows with at least one record. Records
// earlier than the time difference (t < difference) would have a left window starting
// before 0: they all share the window [0, difference] instead (Kafka Streams'
// processEarly).
//
// Each stored aggregate carries the largest timestamp of its records
// (value_and_timestamp.h): the algorithm needs it to tell whether a window holds records
// after the current one, and it is the timestamp of every result forwarded for the window.
#pragma once

#include <algorithm>
#include <any>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "streams/dsl/internal/change.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/dsl/internal/value_and_timestamp.h"
#include "streams/dsl/internal/window_nodes.h"
#include "streams/dsl/windows.h"
#include "streams/processor/window_store.h"

namespace rill::streams::internal {

// For each record: updates every existing window that contains it, creates its left window
// (seeded with the aggregate of the records already in it, read from the latest window that
// ends before the record), creates the right window of the record before it when the
// record falls into it, and its own right window (copied from the window holding the
// records after it). New and updated windows are forwarded as Record<Windowed<K>,
// Change<VA>> with the window's largest record timestamp. A window whose end is before the
// close time (stream time - grace) is closed: the record is dropped for it, and a record
// whose right window would be closed is dropped altogether; each counts as
// "window-expired" (Kafka Streams' dropped-records sensor).
//
// The old value forwarded for a window this record creates is nullopt. (Kafka Streams
// forwards, when a downstream operator asks for old values, the aggregate it seeded the
// window with: the initializer's value, or the aggregate of the records already in it.)
template <class K, class V, class VA>
class SlidingWindowAggregateNode : public ProcessorNode {
 public:
  // The window's new aggregate from the record and the aggregate of the window's other
  // records (nullopt for none): aggregate() starts from its initializer, reduce() from the
  // value.
  using Update = std::function<VA(const K&, const V&, const std::optional<VA>&)>;

  // `value_serde`: the aggregate's serde (the store's registered serde hides timestamps).
  SlidingWindowAggregateNode(std::string store, SlidingWindows windows, Update update,
                             Serde<VA> value_serde,
                             EmitStrategy emit = EmitStrategy::onWindowUpdate())
      : store_name_(std::move(store)),
        windows_(windows),
        update_(std::move(update)),
        value_serde_(std::move(value_serde)),
        emitter_(emit, windows.time_difference_ms(), /*end_inclusive=*/true) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    StoreInstance* instance = context.task->GetStore(store_name_);
    if (instance == nullptr || instance->window_store == nullptr) {
      throw StreamsException("window store '" + store_name_ + "' missing in task");
    }
    store_.emplace(instance->window_store, std::any_cast<Serde<K>>(instance->spec->key_serde),
                   TimestampedSerde(value_serde_), windows_.time_difference_ms());
  }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    if (DropNullKeyOrValue(r, *context_)) return;
    const int64_t t = r.timestamp;
    observed_stream_time_ = std::max(observed_stream_time_, t);
    const int64_t close_time = observed_stream_time_ - windows_.grace_ms();
    // Even the record's right window (the latest window it could create) is closed.
    if (t + 1 + difference() <= close_time) {
      context_->task->RecordDropped("window-expired");
      return;
    }
    // Closed windows first: the record cannot change them (every window it touches ends at
    // or after the close time), and they are read before the record's puts advance the
    // store's retention past them.
    if (emitter_.enabled()) MaybeEmitClosed(close_time);
    if (t < difference()) {
      ProcessEarly(r, close_time);
    } else {
      ProcessReverse(r, close_time);
    }
  }

 private:
  using Stored = ValueAndTimestamp<VA>;

  int64_t difference() const { return windows_.time_difference_ms(); }

  // KStreamSlidingWindowAggregate.processReverse: walks the key's windows that can hold
  // the record or seed its windows (starts in [t - 2 * difference, t + 1]), latest first.
  void ProcessReverse(const Record<K, V>& r, int64_t close_time) {
    const int64_t t = r.timestamp;
    std::unordered_set<int64_t> starts;
    // The aggregate of the records before t in its left window, and after t in its right
    // window (if they need creating).
    std::optional<Stored> left_agg;
    std::optional<Stored> right_agg;
    bool left_exists = false;
    bool right_exists = false;
    // The latest record before t, when known and needed for its right window.
    std::optional<int64_t> previous;
    for (auto& [start, stored] :
         store_->backwardFetch(r.key, std::max<int64_t>(0, t - 2 * difference()), t + 1)) {
      starts.insert(start);
      const int64_t end = start + difference();
      if (start == t + 1) {
        right_exists = true;
      } else if (end > t) {
        if (!right_agg) right_agg = stored;
        UpdateAndForward(start, stored, std::nullopt, r, close_time);
      } else if (end == t) {
        left_exists = true;
        UpdateAndForward(start, stored, std::nullopt, r, close_time);
        if (stored.timestamp < t) {
          previous = stored.timestamp;
        } else {
          // A record at t came before: every window this one needs exists already.
          return;
        }
      } else {
        left_agg = stored;
        previous = stored.timestamp;
        break;
      }
    }
    CreateWindows(r, close_time, starts, right_agg, left_agg, left_exists, right_exists,
                  previous);
  }

  // KStreamSlidingWindowAggregate.processEarly: a record at 0 <= t < difference goes into
  // [0, difference], which stands for the left windows of all such records.
  void ProcessEarly(const Record<K, V>& r, int64_t close_time) {
    const int64_t t = r.timestamp;
    if (t < 0) {
      throw StreamsException("sliding windows: record timestamp " + std::to_string(t) +
                             " is negative");
    }
    std::optional<Stored> combined;
    std::optional<Stored> right_agg;
    bool right_exists = false;
    std::unordered_set<int64_t> starts;
    std::optional<int64_t> previous;
    for (auto& [start, stored] : store_->fetch(r.key, 0, t + 1)) {
      starts.insert(start);
      if (start == 0) {
        combined = stored;
        // When the combined window holds a record at or after t, the right window of the
        // record before t exists already.
        if (stored.timestamp < t) previous = stored.timestamp;
      } else if (start <= t) {
        right_agg = stored;
        UpdateAndForward(start, stored, std::nullopt, r, close_time);
      } else {
        right_exists = true;  // start == t + 1
      }
    }
    // No window starts in (0, t]: the combined window's records after t are exactly the
    // right window's (a record before t as well would have created one).
    if (!right_agg && combined && combined->timestamp > t) right_agg = combined;
    if (!right_exists && right_agg && right_agg->timestamp > t) {
      CreateRightWindow(r, *right_agg);
    }
    if (previous && !starts.count(*previous + 1)) {
      UpdateAndForward(*previous + 1, std::nullopt, std::nullopt, r, close_time);
    }
    UpdateAndForward(0, combined, std::nullopt, r, close_time);
  }

  // KStreamSlidingWindowAggregate.createWindows.
  void CreateWindows(const Record<K, V>& r, int64_t close_time,
                     const std::unordered_set<int64_t>& starts,
                     const std::optional<Stored>& right_agg, const std::optional<Stored>& left_agg,
                     bool left_exists, bool right_exists, std::optional<int64_t> previous) {
    const int64_t t = r.timestamp;
    // The previous record's right window, when the record falls into it.
    if (previous) {
      const int64_t start = *previous + 1;
      if (!starts.count(start) && start + difference() >= t) {
        UpdateAndForward(start, std::nullopt, std::nullopt, r, close_time);
      }
    }
    if (!left_exists) {
      // Seeded with the records before t when the previous one is within the difference.
      std::optional<VA> seed;
      if (previous && t - difference() <= *previous) seed = left_agg->value;
      UpdateAndForward(t - difference(), std::nullopt, seed, r, close_time);
    }
    if (!right_exists && right_agg && right_agg->timestamp > t) CreateRightWindow(r, *right_agg);
  }

  // The record's right window holds the later records only: stored as found, not updated.
  void CreateRightWindow(const Record<K, V>& r, const Stored& agg) {
    const int64_t start = r.timestamp + 1;
    store_->put(r.key, agg, start);
    Forward(r, start, agg.value, std::nullopt, agg.timestamp);
  }

  // KStreamSlidingWindowAggregate.updateWindowAndForward: adds the record to the window
  // starting at `start` — its `stored` entry, or for a new window the `seed` aggregate
  // (nullopt: no records yet) — unless the window is closed.
  void UpdateAndForward(int64_t start, const std::optional<Stored>& stored,
                        const std::optional<VA>& seed, const Record<K, V>& r,
                        int64_t close_time) {
    if (start + difference() < close_time) {
      context_->task->RecordDropped("window-expired");
      return;
    }
    std::optional<VA> old = stored ? std::optional<VA>(stored->value) : std::nullopt;
    VA next = update_(r.key, r.value, stored ? old : seed);
    const int64_t timestamp = stored ? std::max(r.timestamp, stored->timestamp) : r.timestamp;
    store_->put(r.key, Stored{next, timestamp}, start);
    Forward(r, start, std::move(next), std::move(old), timestamp);
  }

  void Forward(const Record<K, V>& r, int64_t start, VA value, std::optional<VA> old,
               int64_t timestamp) {
    if (emitter_.enabled()) return;
    Record<Windowed<K>, Change<VA>> out{Windowed<K>{r.key, Window{start, start + difference()}},
                                        Change<VA>{std::move(value), std::move(old)}, timestamp,
                                        r.headers};
    context_->Forward(&out);
  }

  // Forwards each window that closed since the last emit, once: the windows whose
  // (inclusive) end is before stream time - grace, with their largest record timestamp.
  void MaybeEmitClosed(int64_t close_time) {
    auto range = emitter_.NextRange(close_time, context_->task->wall_clock_ms());
    if (!range) return;
    for (auto& [key, stored] : store_->fetchAll(range->first, range->second)) {
      Record<Windowed<K>, Change<VA>> out{std::move(key),
                                          Change<VA>{std::move(stored.value), std::nullopt},
                                          stored.timestamp, {}};
      context_->Forward(&out);
    }
  }

  std::string store_name_;
  SlidingWindows windows_;
  Update update_;
  Serde<VA> value_serde_;
  WindowCloseEmitter emitter_;
  std::optional<WindowStore<K, Stored>> store_;
  // The largest timestamp this processor has seen (Kafka Streams' observedStreamTime).
  int64_t observed_stream_time_ = -1;
};

}  // namespace rill::streams::internal
