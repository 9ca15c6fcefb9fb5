// StateDirectory: the on-disk home of one application's local state,
// <state.dir>/<application.id>/, with one subdirectory per task ("0_3") and, inside it,
// one RocksDB directory per store (rocksdb/<store>), as in Kafka Streams. Holding a
// StateDirectory holds an exclusive lock on it, so two Rill instances (processes, or two
// KafkaStreams objects in one process) never share, and corrupt, the same stores.
//
// Thread-safe: the path is immutable and the methods only touch the file system.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rill::state {

class StateDirectory {
 public:
  // Creates <state_dir>/<application_id>/ (with parents) and takes a non-blocking exclusive
  // flock(2) on its .lock file; the lock lasts until the object is destroyed (or the
  // process dies). Errors: FailedPrecondition "state directory <path> is in use by another
  // Rill instance" when another StateDirectory holds the lock, in this process or another;
  // InvalidArgument for an empty application id or one that is not a plain file name;
  // Internal on I/O failure.
  static absl::StatusOr<std::unique_ptr<StateDirectory>> Lock(std::string state_dir,
                                                              std::string application_id);
  ~StateDirectory();

  StateDirectory(const StateDirectory&) = delete;
  StateDirectory& operator=(const StateDirectory&) = delete;

  // <state_dir>/<application_id>
  const std::string& path() const { return path_; }

  // <path>/<task_name>, created if missing. On a creation failure (logged) the path is
  // still returned and opening a store in it reports the error.
  std::string TaskDirectory(std::string_view task_name);
  // <path>/<task_name>/rocksdb/<store_name>, created if missing (same failure handling).
  std::string StoreDirectory(std::string_view task_name, std::string_view store_name);
  // The task directories that exist (names like "0_3", sorted), whatever their contents:
  // the assignor prefers to give a task back to an instance that still has its state.
  std::vector<std::string> TaskNames();

 private:
  StateDirectory(std::string path, int lock_fd);

  const std::string path_;
  const int lock_fd_;
};

}  // namespace rill::state
