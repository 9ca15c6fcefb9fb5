// Task checkpoint files: Kafka Streams' OffsetCheckpoint text format, atomic replace, and
// the offset sum a rebalance reports (nothing for a missing or malformed file).
#include "streams/runtime/internal/task_checkpoint.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace rill::streams::internal {
namespace {

class TaskCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rill-checkpoint-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Contents() {
    std::ifstream in(dir_ + "/.checkpoint");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_;
};

TEST_F(TaskCheckpointTest, WritesKafkaStreamsFormatAndSumsOffsets) {
  ASSERT_TRUE(WriteTaskCheckpoint(dir_, {{"app-counts-changelog", 3, 41}, {"app-sums-changelog", 3, 9}}).ok());
  EXPECT_EQ(Contents(), "0\n2\napp-counts-changelog 3 41\napp-sums-changelog 3 9\n");
  EXPECT_EQ(ReadTaskOffsetSum(dir_), 50);
  // Replaced, not appended; no temporary file left behind.
  ASSERT_TRUE(WriteTaskCheckpoint(dir_, {{"app-counts-changelog", 3, 100}}).ok());
  EXPECT_EQ(ReadTaskOffsetSum(dir_), 100);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/.checkpoint.tmp"));
}

TEST_F(TaskCheckpointTest, MissingOrMalformedFilesGiveNoSum) {
  EXPECT_EQ(ReadTaskOffsetSum(dir_), std::nullopt);
  for (const char* bad : {"1\n1\nt 0 5\n", "0\n2\nt 0 5\n", "0\n1\nt 0 -3\n", "garbage"}) {
    std::ofstream(dir_ + "/.checkpoint", std::ios::trunc) << bad;
    EXPECT_EQ(ReadTaskOffsetSum(dir_), std::nullopt) << bad;
  }
  EXPECT_FALSE(WriteTaskCheckpoint(dir_ + "/no/such/dir", {{"t", 0, 1}}).ok());
}

}  // namespace
}  // namespace rill::streams::internal
