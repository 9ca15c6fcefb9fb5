#include "state/state_directory.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::TempDir;

TEST(StateDirectoryTest, CreatesTheApplicationDirectory) {
  TempDir dir;
  auto state = StateDirectory::Lock(dir.path() + "/state", "app");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ((*state)->path(), dir.path() + "/state/app");
  EXPECT_TRUE(std::filesystem::is_directory((*state)->path()));
  EXPECT_TRUE(std::filesystem::exists((*state)->path() + "/.lock"));
}

TEST(StateDirectoryTest, SecondLockFailsUntilTheFirstIsReleased) {
  TempDir dir;
  auto first = StateDirectory::Lock(dir.path(), "app");
  ASSERT_TRUE(first.ok()) << first.status();

  auto second = StateDirectory::Lock(dir.path(), "app");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(second.status().message(),
            "state directory " + dir.path() + "/app is in use by another Rill instance");

  // Another application id is another directory.
  EXPECT_TRUE(StateDirectory::Lock(dir.path(), "other-app").ok());

  first->reset();
  EXPECT_TRUE(StateDirectory::Lock(dir.path(), "app").ok());
}

TEST(StateDirectoryTest, AnotherProcessCannotLock) {
  TempDir dir;
  auto state = StateDirectory::Lock(dir.path(), "app");
  ASSERT_TRUE(state.ok()) << state.status();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto child = StateDirectory::Lock(dir.path(), "app");
    _exit(!child.ok() && child.status().code() == absl::StatusCode::kFailedPrecondition ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
}

TEST(StateDirectoryTest, TaskAndStoreDirectories) {
  TempDir dir;
  auto state = StateDirectory::Lock(dir.path(), "app");
  ASSERT_TRUE(state.ok()) << state.status();
  StateDirectory& sd = **state;
  EXPECT_TRUE(sd.TaskNames().empty());

  std::string task = sd.TaskDirectory("0_3");
  EXPECT_EQ(task, sd.path() + "/0_3");
  EXPECT_TRUE(std::filesystem::is_directory(task));
  std::string store = sd.StoreDirectory("1_0", "counts");
  EXPECT_EQ(store, sd.path() + "/1_0/rocksdb/counts");
  EXPECT_TRUE(std::filesystem::is_directory(store));
  EXPECT_EQ(sd.TaskDirectory("0_3"), task);  // idempotent

  sd.TaskDirectory("0_10");
  std::ofstream(sd.path() + "/not-a-task-file") << "x";
  std::filesystem::create_directory(sd.path() + "/.hidden");
  EXPECT_EQ(sd.TaskNames(), (std::vector<std::string>{"0_10", "0_3", "1_0"}));
}

TEST(StateDirectoryTest, TaskNamesSurviveARestart) {
  TempDir dir;
  {
    auto state = StateDirectory::Lock(dir.path(), "app");
    ASSERT_TRUE(state.ok());
    (*state)->StoreDirectory("2_1", "s");
  }
  auto state = StateDirectory::Lock(dir.path(), "app");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ((*state)->TaskNames(), (std::vector<std::string>{"2_1"}));
}

TEST(StateDirectoryTest, RejectsApplicationIdsThatAreNotNames) {
  TempDir dir;
  for (const char* id : {"", ".", "..", "a/b"}) {
    auto state = StateDirectory::Lock(dir.path(), id);
    EXPECT_EQ(state.status().code(), absl::StatusCode::kInvalidArgument) << id;
  }
}

}  // namespace
}  // namespace rill::state
