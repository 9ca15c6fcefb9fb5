// max.task.idle.ms in StreamTask (Kafka Streams' KIP-695 rule): a task with an empty input
// that may still have data on the broker holds its other records back; once every empty
// input is known to be at its end it waits max.task.idle.ms more; -1 never waits.
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/runtime/stream_task.h"

namespace rill::streams::internal {
namespace {

class RecordingCollector : public RecordCollector {
 public:
  void Send(const std::string&, int32_t, const std::optional<std::string>&,
            const std::optional<std::string>& value, int64_t, const Headers&) override {
    values.push_back(value.value_or(""));
  }
  std::vector<std::string> values;
};

class TaskIdlingTest : public ::testing::Test {
 protected:
  std::unique_ptr<StreamTask> Task(int64_t max_task_idle_ms) {
    StreamsBuilder builder;
    builder.stream<std::string, std::string>("a")
        .merge(builder.stream<std::string, std::string>("b"))
        .to("out");
    topology_.emplace(builder.build());
    TaskEnvironment env;
    env.application_id = "idle-test";
    env.collector = &collector_;
    env.wall_clock_ms = [this] { return now_ms_; };
    env.resolve_topic = [](const std::string& topic, bool) { return topic; };
    env.max_task_idle_ms = max_task_idle_ms;
    auto task = StreamTask::Create(*topology_, TaskId{0, 0}, env);
    EXPECT_TRUE(task.ok()) << task.status();
    EXPECT_TRUE((*task)->Initialize().ok());
    return std::move(*task);
  }
  static RawRecord Rec(const std::string& value, int64_t ts) {
    return RawRecord{std::string("k"), value, ts, {}};
  }

  std::optional<Topology> topology_;
  RecordingCollector collector_;
  int64_t now_ms_ = 1000;
};

TEST_F(TaskIdlingTest, AnEmptyInputNotFetchedToItsEndHoldsTheOthersBack) {
  auto task = Task(0);
  task->AddRecord("a", 0, 0, Rec("a1", 20));
  EXPECT_FALSE(task->ProcessOne()) << "b may still hold older records";
  EXPECT_TRUE(task->waiting_for_input());
  // The record of b that was on its way arrives: timestamp order decides.
  task->AddRecord("b", 0, 0, Rec("b1", 10));
  EXPECT_TRUE(task->ProcessOne());
  EXPECT_EQ(collector_.values, (std::vector<std::string>{"b1"}));
  EXPECT_FALSE(task->ProcessOne()) << "b is empty again and not known to be at its end";
  task->MarkEndOfPartition(task->QueueIndex("b"));
  EXPECT_TRUE(task->ProcessOne());
  EXPECT_FALSE(task->waiting_for_input());
  EXPECT_EQ(collector_.values, (std::vector<std::string>{"b1", "a1"}));
  // A new record clears the end mark.
  task->AddRecord("b", 0, 1, Rec("b2", 30));
  task->AddRecord("a", 0, 1, Rec("a2", 40));
  EXPECT_TRUE(task->ProcessOne());
  EXPECT_FALSE(task->ProcessOne()) << "b was emptied by b2 and has not reported its end";
}

TEST_F(TaskIdlingTest, APositiveIdleTimeWaitsThatLongForProducers) {
  auto task = Task(100);
  task->MarkEndOfPartition(task->QueueIndex("b"));
  task->AddRecord("a", 0, 0, Rec("a1", 20));
  EXPECT_FALSE(task->ProcessOne());
  now_ms_ += 99;
  EXPECT_FALSE(task->ProcessOne());
  now_ms_ += 1;
  EXPECT_TRUE(task->ProcessOne());
  EXPECT_EQ(collector_.values, (std::vector<std::string>{"a1"}));
}

TEST_F(TaskIdlingTest, MinusOneNeverWaits) {
  auto task = Task(-1);
  task->AddRecord("a", 0, 0, Rec("a1", 20));
  EXPECT_TRUE(task->ProcessOne());
  EXPECT_FALSE(task->waiting_for_input());
}

}  // namespace
}  // namespace rill::streams::internal
