// Hands out producer ids that are never reused, even across crashes: ids are reserved in
// blocks whose end is written (fsync'd) to the data directory before any id of the block
// is given out. After a restart the next block starts past every id handed out before;
// at most one block of ids is skipped. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"

namespace rill::broker::txn {

class ProducerIdManager {
 public:
  static constexpr int64_t kBlockSize = 1000;

  // `path` holds the end of the last reserved block.
  explicit ProducerIdManager(std::string path);

  absl::StatusOr<int64_t> NextId();

 private:
  absl::Status ReserveBlock();

  const std::string path_;
  std::mutex mu_;
  bool loaded_ = false;
  int64_t next_ = 0;
  int64_t block_end_ = 0;
};

}  // namespace rill::broker::txn
