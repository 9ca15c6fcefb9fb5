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

std::optional<std::vector<CheckpointEntry>> ReadTaskCheckpoint(const std::string& task_dir) {
  std::ifstream in(task_dir + kFileName);
  int version = -1;
  size_t count = 0;
  if (!(in >> version >> count) || version != 0) return std::nullopt;
  std::vector<CheckpointEntry> entries;
  for (size_t i = 0; i < count; ++i) {
    CheckpointEntry e;
    if (!(in >> e.topic >> e.partition >> e.offset) || e.offset < 0) return std::nullopt;
    entries.push_back(std::move(e));
  }
  return entries;
}

std::optional<int64_t> ReadTaskOffsetSum(const std::string& task_dir) {
  auto entries = ReadTaskCheckpoint(task_dir);
  if (!entries) return std::nullopt;
  int64_t sum = 0;
  for (const CheckpointEntry& e : *entries) sum += e.offset;
  return sum;
}

}  // namespace rill::streams::internal
