// The clickstream topology: page clicks per user (key: user id, value: the page, record
// timestamp: when the click happened) counted in three windowed stores:
//   clicks-per-minute        tumbling one-minute windows, 10 s grace for late clicks
//   clicks-per-5min-hopping  five-minute windows advancing by one minute
//   sessions                 session windows closed by 5 minutes of inactivity
// Every store keeps 24 hours of windows, so the HTTP API answers for the last day:
//   GET /v1/stores/<store>/keys/<user>/windows?from=<ms>&to=<ms>
#pragma once

#include "streams/topology/topology.h"

namespace rill::examples {

inline constexpr const char* kClicksTopic = "clicks";
inline constexpr const char* kClicksPerMinuteStore = "clicks-per-minute";
inline constexpr const char* kClicksHoppingStore = "clicks-per-5min-hopping";
inline constexpr const char* kSessionsStore = "sessions";

streams::Topology BuildClickstreamTopology();

}  // namespace rill::examples
