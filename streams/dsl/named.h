// Named: an explicit name for a DSL operator's processor node (Kafka Streams' Named).
// Explicit names keep node, store and internal-topic names stable when the topology changes.
#pragma once

#include <string>

namespace rill::streams {

struct Named {
  std::string name;
  static Named as(std::string name) { return Named{std::move(name)}; }
};

}  // namespace rill::streams
