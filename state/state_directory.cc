#include "state/state_directory.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace rill::state {
namespace {

constexpr char kLockFileName[] = ".lock";

bool IsPlainName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

std::string CreateDirectory(std::string path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) spdlog::error("state directory: cannot create {}: {}", path, ec.message());
  return path;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StateDirectory>> StateDirectory::Lock(std::string state_dir,
                                                                     std::string application_id) {
  if (!IsPlainName(application_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("application id \"", application_id, "\" is not a valid directory name"));
  }
  std::string path = (std::filesystem::path(state_dir) / application_id).string();
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create state directory ", path, ": ", ec.message()));
  }
  std::string lock_path = path + "/" + kLockFileName;
  // Each Lock() opens its own file description, and flock locks belong to the description:
  // a second StateDirectory in this same process conflicts just like another process.
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", lock_path, ": ", strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("state directory ", path, " is in use by another Rill instance"));
    }
    return absl::InternalError(absl::StrCat("cannot lock ", lock_path, ": ", strerror(error)));
  }
  return std::unique_ptr<StateDirectory>(new StateDirectory(std::move(path), fd));
}

StateDirectory::StateDirectory(std::string path, int lock_fd)
    : path_(std::move(path)), lock_fd_(lock_fd) {}

// Closing the descriptor releases the flock.
StateDirectory::~StateDirectory() { close(lock_fd_); }

std::string StateDirectory::TaskDirectory(std::string_view task_name) {
  return CreateDirectory(path_ + "/" + std::string(task_name));
}

std::string StateDirectory::StoreDirectory(std::string_view task_name,
                                           std::string_view store_name) {
  return CreateDirectory(path_ + "/" + std::string(task_name) + "/rocksdb/" +
                         std::string(store_name));
}

std::vector<std::string> StateDirectory::TaskNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path_, ec)) {
    std::string name = entry.path().filename().string();
    std::error_code type_ec;
    // Hidden entries (.lock, editor or backup leftovers) are never tasks.
    if (name.empty() || name[0] == '.' || !entry.is_directory(type_ec)) continue;
    names.push_back(std::move(name));
  }
  if (ec) spdlog::warn("state directory: cannot list {}: {}", path_, ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace rill::state
