#include "streams/query/streams_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace rill::streams {
namespace {

constexpr char kRecordsProcessed[] = "rill_stream_records_processed_total";
constexpr char kDroppedRecords[] = "rill_stream_dropped_records_total";
constexpr char kCommitLatency[] = "rill_stream_commit_latency_seconds";
constexpr char kTasks[] = "rill_stream_tasks";
constexpr char kStoreEntries[] = "rill_state_store_entries";

using Cell = std::shared_ptr<std::atomic<double>>;
// (first, second) label values; std::map so that the output comes out sorted.
using LabelPair = std::pair<std::string, std::string>;

}  // namespace

struct StreamsMetrics::Impl {
  Impl(std::string app, std::string client)
      : application_id(std::move(app)),
        client_id(std::move(client)),
        const_labels{{"application_id", application_id}, {"client_id", client_id}} {
    // Commits range from a millisecond (small at-least-once flush) to many seconds (large
    // transactions, slow brokers); the buckets cover both ends.
    commit_latency = &prometheus::BuildHistogram()
                          .Name(kCommitLatency)
                          .Help(
                              "Time taken by one commit: flush stores and producer, then "
                              "commit offsets or the transaction.")
                          .Labels(const_labels)
                          .Register(registry)
                          .Add({}, prometheus::Histogram::BucketBoundaries{
                                       0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                       2.5, 5, 10, 30, 60});
    tasks = &prometheus::BuildGauge()
                 .Name(kTasks)
                 .Help("Active tasks this client runs.")
                 .Labels(const_labels)
                 .Register(registry)
                 .Add({});
    store_entries = &prometheus::BuildGauge()
                         .Name(kStoreEntries)
                         .Help("Approximate number of entries in one state store of one task.")
                         .Labels(const_labels)
                         .Register(registry);
  }

  // Per-task counters live outside the registry: prometheus-cpp frees a series on Remove,
  // and handles held by the runtime must not dangle (see CounterHandle).
  prometheus::MetricFamily CollectCounters(
      const std::string& name, const std::string& help, const std::vector<std::string>& label_names,
      const std::vector<std::pair<std::vector<std::string>, double>>& series) const {
    prometheus::MetricFamily family;
    family.name = name;
    family.help = help;
    family.type = prometheus::MetricType::Counter;
    for (const auto& [values, value] : series) {
      prometheus::ClientMetric metric;
      metric.label = {{"application_id", application_id}, {"client_id", client_id}};
      for (size_t i = 0; i < label_names.size(); ++i) {
        metric.label.push_back({label_names[i], values[i]});
      }
      std::sort(metric.label.begin(), metric.label.end());
      metric.counter.value = value;
      family.metric.push_back(std::move(metric));
    }
    return family;
  }

  const std::string application_id;
  const std::string client_id;
  const prometheus::Labels const_labels;

  prometheus::Registry registry;
  prometheus::Histogram* commit_latency = nullptr;
  prometheus::Gauge* tasks = nullptr;
  prometheus::Family<prometheus::Gauge>* store_entries = nullptr;

  // std::mutex rather than absl::Mutex: the prebuilt Abseil is invisible to ThreadSanitizer.
  mutable std::mutex mu;
  std::map<std::string, Cell, std::less<>> processed;    // By task.
  std::map<LabelPair, Cell> dropped;                     // By (task, reason).
  std::map<LabelPair, prometheus::Gauge*> store_gauges;  // (store, task).
};

StreamsMetrics::StreamsMetrics(std::string application_id, std::string client_id)
    : impl_(std::make_unique<Impl>(std::move(application_id), std::move(client_id))) {}

StreamsMetrics::~StreamsMetrics() = default;

CounterHandle StreamsMetrics::RecordsProcessed(std::string_view task) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->processed.find(task);
  if (it == impl_->processed.end()) {
    it =
        impl_->processed.emplace(std::string(task), std::make_shared<std::atomic<double>>(0)).first;
  }
  return CounterHandle(it->second);
}

CounterHandle StreamsMetrics::DroppedRecords(std::string_view task, std::string_view reason) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Cell& cell = impl_->dropped[LabelPair(task, reason)];
  if (cell == nullptr) cell = std::make_shared<std::atomic<double>>(0);
  return CounterHandle(cell);
}

void StreamsMetrics::ObserveCommitLatency(double seconds) {
  // NaN or infinity would poison the histogram's sum for the life of the process.
  if (!std::isfinite(seconds) || seconds < 0) return;
  impl_->commit_latency->Observe(seconds);
}

void StreamsMetrics::SetTaskCount(int tasks) { impl_->tasks->Set(tasks); }

void StreamsMetrics::SetStoreEntries(std::string_view store, std::string_view task,
                                     double entries) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  prometheus::Gauge*& gauge = impl_->store_gauges[LabelPair(store, task)];
  if (gauge == nullptr) {
    gauge =
        &impl_->store_entries->Add({{"store", std::string(store)}, {"task", std::string(task)}});
  }
  gauge->Set(entries);
}

void StreamsMetrics::RemoveTask(std::string_view task) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (auto it = impl_->processed.find(task); it != impl_->processed.end()) {
    impl_->processed.erase(it);
  }
  std::erase_if(impl_->dropped, [&](const auto& entry) { return entry.first.first == task; });
  for (auto it = impl_->store_gauges.begin(); it != impl_->store_gauges.end();) {
    if (it->first.second == task) {
      impl_->store_entries->Remove(it->second);
      it = impl_->store_gauges.erase(it);
    } else {
      ++it;
    }
  }
}

std::string StreamsMetrics::Serialize() const {
  std::vector<prometheus::MetricFamily> families = impl_->registry.Collect();
  {
    std::vector<std::pair<std::vector<std::string>, double>> processed;
    std::vector<std::pair<std::vector<std::string>, double>> dropped;
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      for (const auto& [task, cell] : impl_->processed) {
        processed.push_back({{task}, cell->load(std::memory_order_relaxed)});
      }
      for (const auto& [labels, cell] : impl_->dropped) {
        dropped.push_back({{labels.first, labels.second}, cell->load(std::memory_order_relaxed)});
      }
    }
    families.push_back(impl_->CollectCounters(kRecordsProcessed, "Records processed, per task.",
                                              {"task"}, processed));
    families.push_back(impl_->CollectCounters(
        kDroppedRecords,
        "Records skipped instead of processed, per task and reason (deserialization-error, "
        "null-key, late, ...).",
        {"task", "reason"}, dropped));
  }
  // prometheus-cpp keeps series in hash maps; sorting makes scrapes diffable and stable.
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& family : families) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
  }
  return prometheus::TextSerializer().Serialize(families);
}

const std::string& StreamsMetrics::application_id() const { return impl_->application_id; }
const std::string& StreamsMetrics::client_id() const { return impl_->client_id; }

}  // namespace rill::streams
