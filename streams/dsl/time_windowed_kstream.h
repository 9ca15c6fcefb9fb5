// TimeWindowedKStream<K, V>: a grouped stream cut into tumbling or hopping windows
// (KGroupedStream::windowedBy(TimeWindows)), ready for count / reduce / aggregate into a
// KTable<Windowed<K>, VA> backed by a window store and its changelog.
//
// Every update of a window is forwarded downstream (Kafka Streams with caching disabled;
// the window store has no record cache yet). Records for windows that closed — window end
// <= observed stream time - grace — are dropped and counted as "window-expired".
// The window store keeps windows for Materialized::withRetention, default size + grace.
#pragma once

#include <memory>
#include <string>

#include "streams/dsl/internal/window_nodes.h"
#include "streams/dsl/internal/windowed_aggregations.h"

namespace rill::streams {

template <class K, class V>
class TimeWindowedKStream
    : public internal::WindowedAggregations<TimeWindowedKStream<K, V>, K, V> {
  using Base = internal::WindowedAggregations<TimeWindowedKStream<K, V>, K, V>;

 public:
  TimeWindowedKStream(KGroupedStream<K, V> grouped, TimeWindows windows)
      : Base(std::move(grouped)), windows_(windows) {}

 private:
  friend Base;

  internal::WindowStoreShape StoreShape() const {
    return {windows_.size_ms() + windows_.grace_ms(), "the window size plus the grace period",
            windows_.size_ms(), windows_.grace_ms()};
  }
  template <class VA>
  typename Base::template NodeFactory<VA> MakeNode() const {
    TimeWindows windows = windows_;
    return [windows](const std::string& store, typename Base::template Update<VA> update,
                     Serde<VA> value_serde,
                     EmitStrategy emit) -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::TimeWindowAggregateNode<K, V, VA>>(
          store, windows, std::move(update), std::move(value_serde), emit);
    };
  }

  TimeWindows windows_;
};

}  // namespace rill::streams
