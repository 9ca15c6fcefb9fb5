// Task checkpoint files (see task_checkpoint.h).
#include "streams/runtime/internal/task_checkpoint.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace rill::streams::internal {
namespace {

constexpr const char* kFileName = "/.checkpoint";

}  // namespace

absl::Status WriteTaskCheckpoint(const std::string& task_dir,
                                 const std::vector<CheckpointEntry>& entries) {
  const std::string path = task_dir + kFileName;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "0\n" << entries.size() << "\n";
    for (const CheckpointEntry& e : entries) {
      out << e.topic << ' ' << e.partition << ' ' << e.offset << "\n";
    }
    out.flush();
    if (!out) return absl::InternalError("writing " + tmp + " failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError("renaming " + tmp + " to " + path + " failed");
  }
  return absl::OkStatus();
}

std::optional<int64_t> ReadTaskOffsetSum(const std::string& task_dir) {
  std::ifstream in(task_dir + kFileName);
  int version = -1;
  size_t count = 0;
  if (!(in >> version >> count) || version != 0) return std::nullopt;
  int64_t sum = 0;
  for (size_t i = 0; i < count; ++i) {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    if (!(in >> topic >> partition >> offset) || offset < 0) return std::nullopt;
    sum += offset;
  }
  return sum;
}

}  // namespace rill::streams::internal
