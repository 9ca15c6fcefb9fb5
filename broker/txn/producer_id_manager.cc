#include "broker/txn/producer_id_manager.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace rill::broker::txn {

ProducerIdManager::ProducerIdManager(std::string path) : path_(std::move(path)) {}

absl::Status ProducerIdManager::ReserveBlock() {
  if (!loaded_) {
    std::ifstream in(path_);
    int64_t persisted = 0;
    if (in >> persisted) next_ = persisted;
    loaded_ = true;
  }
  const int64_t end = next_ + kBlockSize;
  const std::string tmp = path_ + ".tmp";
  const std::string text = std::to_string(end) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError("cannot create " + tmp);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) {
    return absl::InternalError("cannot persist producer id block to " + path_);
  }
  block_end_ = end;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ProducerIdManager::NextId() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!loaded_ || next_ >= block_end_) {
    if (absl::Status s = ReserveBlock(); !s.ok()) return s;
  }
  return next_++;
}

}  // namespace rill::broker::txn
