// Tests of StreamsMetrics: series names and labels in the text format, handle semantics,
// task removal and thread safety.
#include "streams/query/streams_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace rill::streams {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kLabels[] = "application_id=\"app\",client_id=\"app-1\"";

std::string Series(const std::string& name, const std::string& extra_labels = "") {
  return name + "{" + kLabels + (extra_labels.empty() ? "" : "," + extra_labels) + "}";
}

TEST(StreamsMetricsTest, ExportsEveryMetricWithConstantLabels) {
  StreamsMetrics metrics("app", "app-1");
  EXPECT_EQ(metrics.application_id(), "app");
  EXPECT_EQ(metrics.client_id(), "app-1");
  CounterHandle processed = metrics.RecordsProcessed("0_0");
  processed.Increment();
  processed.Increment(9);
  metrics.DroppedRecords("0_0", StreamsMetrics::kDeserializationError).Increment(2);
  metrics.DroppedRecords("0_0", StreamsMetrics::kLate).Increment();
  metrics.ObserveCommitLatency(0.003);
  metrics.ObserveCommitLatency(2);
  metrics.SetTaskCount(3);
  metrics.SetStoreEntries("counts", "0_0", 1234);

  std::string text = metrics.Serialize();
  EXPECT_THAT(text, HasSubstr("# TYPE rill_stream_records_processed_total counter"));
  EXPECT_THAT(text, HasSubstr("# HELP rill_stream_records_processed_total "));
  EXPECT_THAT(text,
              HasSubstr(Series("rill_stream_records_processed_total", "task=\"0_0\"") + " 10"));
  EXPECT_THAT(text, HasSubstr("# TYPE rill_stream_dropped_records_total counter"));
  EXPECT_THAT(text, HasSubstr(Series("rill_stream_dropped_records_total",
                                     "reason=\"deserialization-error\",task=\"0_0\"") +
                              " 2"));
  EXPECT_THAT(
      text, HasSubstr(Series("rill_stream_dropped_records_total", "reason=\"late\",task=\"0_0\"") +
                      " 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE rill_stream_commit_latency_seconds histogram"));
  EXPECT_THAT(text, HasSubstr(Series("rill_stream_commit_latency_seconds_count") + " 2"));
  EXPECT_THAT(text, HasSubstr(Series("rill_stream_commit_latency_seconds_sum") + " 2.003"));
  EXPECT_THAT(
      text, HasSubstr(Series("rill_stream_commit_latency_seconds_bucket", "le=\"0.005\"") + " 1"));
  EXPECT_THAT(text,
              HasSubstr(Series("rill_stream_commit_latency_seconds_bucket", "le=\"+Inf\"") + " 2"));
  EXPECT_THAT(text, HasSubstr("# TYPE rill_stream_tasks gauge"));
  EXPECT_THAT(text, HasSubstr(Series("rill_stream_tasks") + " 3"));
  EXPECT_THAT(text, HasSubstr("# TYPE rill_state_store_entries gauge"));
  EXPECT_THAT(text, HasSubstr(Series("rill_state_store_entries", "store=\"counts\",task=\"0_0\"") +
                              " 1234"));
}

TEST(StreamsMetricsTest, HandlesForTheSameSeriesShareOneCounter) {
  StreamsMetrics metrics("app", "app-1");
  CounterHandle a = metrics.RecordsProcessed("1_2");
  CounterHandle b = metrics.RecordsProcessed("1_2");
  a.Increment(2);
  b.Increment(3);
  EXPECT_EQ(a.Value(), 5);
  EXPECT_EQ(metrics.DroppedRecords("1_2", "null-key").Value(), 0);
  // A new series starts at zero and is exported at once, so rate() has a starting point.
  EXPECT_THAT(metrics.Serialize(), HasSubstr(Series("rill_stream_dropped_records_total",
                                                    "reason=\"null-key\",task=\"1_2\"") +
                                             " 0"));
}

TEST(StreamsMetricsTest, CountersIgnoreNonPositiveAndNaN) {
  StreamsMetrics metrics("app", "app-1");
  CounterHandle counter = metrics.RecordsProcessed("0_0");
  counter.Increment(5);
  counter.Increment(-3);
  counter.Increment(0);
  counter.Increment(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(counter.Value(), 5);
  metrics.ObserveCommitLatency(-1);
  metrics.ObserveCommitLatency(std::numeric_limits<double>::quiet_NaN());
  metrics.ObserveCommitLatency(std::numeric_limits<double>::infinity());
  EXPECT_THAT(metrics.Serialize(),
              HasSubstr(Series("rill_stream_commit_latency_seconds_count") + " 0"));
}

TEST(StreamsMetricsTest, DetachedHandleIsANoOp) {
  CounterHandle handle;
  handle.Increment(10);
  EXPECT_EQ(handle.Value(), 0);
}

TEST(StreamsMetricsTest, RemoveTaskDropsItsSeriesOnly) {
  StreamsMetrics metrics("app", "app-1");
  CounterHandle gone = metrics.RecordsProcessed("0_0");
  gone.Increment(7);
  metrics.DroppedRecords("0_0", "late").Increment();
  metrics.SetStoreEntries("counts", "0_0", 1);
  metrics.RecordsProcessed("0_1").Increment(4);
  metrics.SetStoreEntries("counts", "0_1", 2);

  metrics.RemoveTask("0_0");
  std::string text = metrics.Serialize();
  EXPECT_THAT(text, Not(HasSubstr("task=\"0_0\"")));
  EXPECT_THAT(text,
              HasSubstr(Series("rill_stream_records_processed_total", "task=\"0_1\"") + " 4"));
  EXPECT_THAT(
      text, HasSubstr(Series("rill_state_store_entries", "store=\"counts\",task=\"0_1\"") + " 2"));

  // A handle that outlived its series stays usable; its increments are not exported.
  gone.Increment();
  EXPECT_THAT(metrics.Serialize(), Not(HasSubstr("task=\"0_0\"")));

  // The task coming back starts a fresh series.
  metrics.RecordsProcessed("0_0").Increment(1);
  EXPECT_THAT(metrics.Serialize(),
              HasSubstr(Series("rill_stream_records_processed_total", "task=\"0_0\"") + " 1"));
  metrics.RemoveTask("no-such-task");  // Harmless.
}

TEST(StreamsMetricsTest, ConcurrentUpdatesAndScrapes) {
  StreamsMetrics metrics("app", "app-1");
  constexpr int kThreads = 8;
  constexpr int kIncrements = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string own_task = "1_" + std::to_string(t);
      CounterHandle shared = metrics.RecordsProcessed("0_0");
      for (int i = 0; i < kIncrements; ++i) {
        shared.Increment();
        if (i % 1000 == 0) {
          // Churn: per-task series come and go while others increment and scrape.
          metrics.DroppedRecords(own_task, "late").Increment();
          metrics.SetStoreEntries("counts", own_task, i);
          metrics.ObserveCommitLatency(0.001 * t);
          metrics.SetTaskCount(t);
          EXPECT_FALSE(metrics.Serialize().empty());
          metrics.RemoveTask(own_task);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(metrics.RecordsProcessed("0_0").Value(), kThreads * kIncrements);
  EXPECT_THAT(metrics.Serialize(),
              HasSubstr(Series("rill_stream_records_processed_total", "task=\"0_0\"") + " " +
                        std::to_string(kThreads * kIncrements)));
  EXPECT_THAT(metrics.Serialize(), HasSubstr(Series("rill_stream_commit_latency_seconds_count") +
                                             " " + std::to_string(kThreads * kIncrements / 1000)));
}

TEST(StreamsMetricsTest, LabelValuesAreEscaped) {
  StreamsMetrics metrics("app", "app-1");
  metrics.RecordsProcessed("we\"ird\\task\n").Increment();
  EXPECT_THAT(metrics.Serialize(), HasSubstr("task=\"we\\\"ird\\\\task\\n\""));
}

}  // namespace
}  // namespace rill::streams
