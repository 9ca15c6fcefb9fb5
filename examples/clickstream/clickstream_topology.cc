// The clickstream topology in Rill's DSL: one grouping, three windowed counts.
#include "examples/clickstream/clickstream_topology.h"

#include <chrono>

#include "streams/dsl/streams_builder.h"

namespace rill::examples {

streams::Topology BuildClickstreamTopology() {
  using namespace rill::streams;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const auto day = std::chrono::hours(24);
  StreamsBuilder builder;
  auto clicks = builder.stream<std::string, std::string>(kClicksTopic).groupByKey();
  clicks.windowedBy(TimeWindows::ofSizeAndGrace(minutes(1), seconds(10)))
      .count(Materialized<std::string, int64_t>::as(kClicksPerMinuteStore).withRetention(day));
  clicks.windowedBy(TimeWindows::ofSizeWithNoGrace(minutes(5)).advanceBy(minutes(1)))
      .count(Materialized<std::string, int64_t>::as(kClicksHoppingStore).withRetention(day));
  clicks.windowedBy(SessionWindows::ofInactivityGapWithNoGrace(minutes(5)))
      .count(Materialized<std::string, int64_t>::as(kSessionsStore).withRetention(day));
  return builder.build();
}

}  // namespace rill::examples
