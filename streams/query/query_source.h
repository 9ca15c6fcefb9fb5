// QuerySource: what the interactive-query HTTP server (HttpQueryServer) asks the running
// application. The runtime implements it (answering from local stores or forwarding to the
// instance that hosts a key, DESIGN.md §4); tests implement it with a map. Keeping the server
// behind this interface lets it be tested without brokers, tasks or RocksDB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rill::streams {

// A key-range scan over one store. Bounds are key texts (parsed by the runtime with the
// store's key type), both inclusive; absent means unbounded on that side.
struct RangeQuery {
  std::optional<std::string> from;
  std::optional<std::string> to;
  size_t limit = 100;
};

// One page of a range scan. Paging by key (rather than by offset) keeps a page stable while
// the store changes underneath: the next request resumes at `next_from`, inclusive.
struct RangePage {
  nlohmann::json entries = nlohmann::json::array();  // [{"key": ..., "value": ...}, ...]
  std::optional<std::string> next_from;              // Absent when the scan is complete.
};

// Implementations must be thread-safe: the server calls them from several worker threads at
// once, concurrently with stream processing.
class QuerySource {
 public:
  virtual ~QuerySource() = default;

  virtual std::vector<std::string> StoreNames() = 0;

  // The value of a key given as text (the runtime parses it with the store's key type);
  // nullopt when the key is absent. Status codes: NotFound = unknown store, InvalidArgument =
  // the key text does not parse, Unavailable = the store cannot be queried now (rebalancing,
  // restoring). The HTTP server maps them to 404, 400 and 503.
  virtual absl::StatusOr<std::optional<nlohmann::json>> Get(std::string_view store,
                                                            std::string_view key_text) = 0;

  // Same status codes as Get.
  virtual absl::StatusOr<RangePage> Range(std::string_view store, const RangeQuery& query) = 0;

  // The windows of a key in a window store whose start is in [from, to] (ms), oldest first:
  // [{"start": ms, "end": ms, "value": ...}, ...]. Same status codes as Get, plus
  // InvalidArgument when the store is not a window store. A session store answers the key's
  // sessions that overlap [from, to] (end >= from and start <= to), by session end, with
  // each session's own start and end.
  virtual absl::StatusOr<nlohmann::json> Windows(std::string_view store, std::string_view key_text,
                                                 int64_t from, int64_t to) {
    (void)key_text;
    (void)from;
    (void)to;
    return absl::InvalidArgumentError("store '" + std::string(store) + "' has no windows");
  }

  // Kafka Streams-style Topology::describe() text.
  virtual std::string TopologyDescription() = 0;

  // The instances of the application, their application.server, tasks and stores.
  virtual nlohmann::json Metadata() = 0;

  // "CREATED", "REBALANCING", "RUNNING", "PENDING_SHUTDOWN", "NOT_RUNNING" or "ERROR".
  virtual std::string State() = 0;
};

}  // namespace rill::streams
