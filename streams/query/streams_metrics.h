// StreamsMetrics: the Prometheus metrics of one streams client (one application instance),
// served as text by HttpQueryServer on GET /metrics. Every series carries the constant labels
// application_id and client_id so that several instances scraped into one Prometheus stay
// apart. Thread-safe. Hot paths take a handle once (per task) and then only do an atomic add,
// never a lookup or a lock.
//
// Metrics:
//   rill_stream_records_processed_total{task}        counter: records a task has processed.
//   rill_stream_dropped_records_total{task,reason}   counter: records a task skipped instead of
//       processing (reason: "deserialization-error", "null-key", "late", ...), so data loss
//       under a log-and-continue policy is visible rather than silent.
//   rill_stream_commit_latency_seconds               histogram: time of one commit (flush
//       stores and producer, commit offsets or the transaction).
//   rill_stream_tasks                                gauge: active tasks this client runs.
//   rill_state_store_entries{store,task}             gauge: approximate entries in one store of
//       one task, as last reported by the runtime.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace rill::streams {

// One counter series resolved to its cell. Copyable and cheap to copy. A handle outlives the
// removal of its series (RemoveTask): increments then go nowhere instead of touching freed
// memory, so a task torn down in a different order than its metrics cannot crash the process.
class CounterHandle {
 public:
  // A detached handle: increments are dropped. Lets callers hold one before metrics exist.
  CounterHandle() = default;

  // Counters only go up; non-positive and NaN amounts are ignored rather than corrupting the
  // series for rate().
  void Increment(double amount = 1.0) const {
    if (cell_ != nullptr && amount > 0) cell_->fetch_add(amount, std::memory_order_relaxed);
  }
  double Value() const { return cell_ == nullptr ? 0 : cell_->load(std::memory_order_relaxed); }

 private:
  friend class StreamsMetrics;
  explicit CounterHandle(std::shared_ptr<std::atomic<double>> cell) : cell_(std::move(cell)) {}

  std::shared_ptr<std::atomic<double>> cell_;
};

class StreamsMetrics {
 public:
  // Standard reasons for DroppedRecords, so dashboards can rely on the label values.
  static constexpr std::string_view kDeserializationError = "deserialization-error";
  static constexpr std::string_view kNullKey = "null-key";
  static constexpr std::string_view kLate = "late";

  StreamsMetrics(std::string application_id, std::string client_id);
  ~StreamsMetrics();
  StreamsMetrics(const StreamsMetrics&) = delete;
  StreamsMetrics& operator=(const StreamsMetrics&) = delete;

  // rill_stream_records_processed_total{task}. Creates the series (at 0) on first use; take
  // it once when the task is created and keep the handle.
  CounterHandle RecordsProcessed(std::string_view task);

  // rill_stream_dropped_records_total{task,reason}. Same handle rules as RecordsProcessed.
  CounterHandle DroppedRecords(std::string_view task, std::string_view reason);

  // rill_stream_commit_latency_seconds. Negative, NaN and infinite durations are ignored.
  void ObserveCommitLatency(double seconds);

  // rill_stream_tasks.
  void SetTaskCount(int tasks);

  // rill_state_store_entries{store,task}.
  void SetStoreEntries(std::string_view store, std::string_view task, double entries);

  // Drops every series labelled with this task (it was revoked or closed), so a long-running
  // client does not export the stale series of every task it ever ran. Handles taken earlier
  // stay safe to use; their increments are lost.
  void RemoveTask(std::string_view task);

  // All metrics in the Prometheus text exposition format (version 0.0.4).
  std::string Serialize() const;

  const std::string& application_id() const;
  const std::string& client_id() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rill::streams
