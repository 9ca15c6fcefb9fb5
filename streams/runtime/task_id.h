// TaskId: one task = one (sub-topology, partition) pair, named "<subtopology>_<partition>"
// as in Kafka Streams (state directories, logs, metrics and assignment use the name).
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace rill::streams {

struct TaskId {
  int32_t subtopology = 0;
  int32_t partition = 0;

  auto operator<=>(const TaskId&) const = default;
  std::string ToString() const {
    return std::to_string(subtopology) + "_" + std::to_string(partition);
  }
};

}  // namespace rill::streams
