// SlidingWindowedKStream<K, V>: a grouped stream cut into sliding windows
// (KGroupedStream::windowedBy(SlidingWindows)), ready for count / reduce / aggregate into a
// KTable<Windowed<K>, VA> backed by a window store and its changelog — Kafka Streams'
// SlidingWindowedKStreamImpl.
//
// A window is [start, start + time difference], both ends inclusive; windows exist where
// records define them (sliding_window_nodes.h). Every update of a window is forwarded, with
// the window's largest record timestamp, unless emitStrategy(onWindowClose()). Records for
// windows that closed — window end < observed stream time - grace — are dropped and counted
// as "window-expired". The window store keeps windows for Materialized::withRetention,
// default 2 * time difference + grace (the algorithm reads windows starting up to
// 2 * time difference before a record); a shorter retention is refused.
#pragma once

#include <memory>
#include <string>

#include "streams/dsl/internal/sliding_window_nodes.h"
#include "streams/dsl/internal/windowed_aggregations.h"

namespace rill::streams {

template <class K, class V>
class SlidingWindowedKStream
    : public internal::WindowedAggregations<SlidingWindowedKStream<K, V>, K, V> {
  using Base = internal::WindowedAggregations<SlidingWindowedKStream<K, V>, K, V>;

 public:
  SlidingWindowedKStream(KGroupedStream<K, V> grouped, SlidingWindows windows)
      : Base(std::move(grouped)), windows_(windows) {}

 private:
  friend Base;

  internal::WindowStoreShape StoreShape() const {
    const int64_t difference = windows_.time_difference_ms();
    return {2 * difference + windows_.grace_ms(),
            "2 * the time difference plus the grace period", difference, windows_.grace_ms()};
  }
  template <class VA>
  typename Base::template NodeFactory<VA> MakeNode() const {
    SlidingWindows windows = windows_;
    return [windows](const std::string& store, typename Base::template Update<VA> update,
                     Serde<VA> value_serde,
                     EmitStrategy emit) -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::SlidingWindowAggregateNode<K, V, VA>>(
          store, windows, std::move(update), std::move(value_serde), emit);
    };
  }

  SlidingWindows windows_;
};

}  // namespace rill::streams
