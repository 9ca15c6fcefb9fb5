// Per-target orchestration of rill-perf runs (see runner.h).
#include "runner.h"

#include <fmt/core.h>

#include <memory>
#include <optional>
#include <variant>

#include "consume.h"
#include "group_bench.h"
#include "latency.h"
#include "mock_cluster.h"
#include "produce.h"
#include "streams_bench.h"
#include "streams_windows_bench.h"
#include "topic_setup.h"
#include "txn_bench.h"

namespace rill::perf {
namespace {

using Result = std::variant<ThroughputResult, LatencyResult, GroupResult, TxnResult>;

// Runs a produce or consume workload o.repeat times and sums the passes, so a short
// workload (the mock only retains ~5 MiB per partition for consuming) still yields a
// measurement long enough to trust.
absl::StatusOr<Result> RunThroughput(const Target& target, const PerfOptions& o, int partitions) {
  ThroughputResult total;
  for (int pass = 0; pass < o.repeat; ++pass) {
    auto r = o.mode == Mode::kProduce
                 ? RunProduce(target, o.workload, o.workload.messages, Partitioning::kDefault,
                              /*quiet=*/pass > 0)
                 : RunConsume(target, o.workload, partitions, /*quiet=*/pass > 0);
    if (!r.ok()) return r.status();
    if (pass == 0) {
      total = *r;
    } else {
      total.messages += r->messages;
      total.payload_bytes += r->payload_bytes;
      total.seconds += r->seconds;
      if (total.errors == 0) total.first_error = r->first_error;
      total.errors += r->errors;
    }
  }
  return total;
}

absl::StatusOr<Result> RunOn(const Target& target, const PerfOptions& o) {
  if (o.mode == Mode::kGroup) {
    fmt::print("[{}] group on {} topic={} partitions={} assignor={} session.timeout.ms={}\n",
               target.label, target.bootstrap, o.workload.topic, o.workload.partitions,
               o.group.assignor, o.group.session_timeout_ms);
  } else {
    fmt::print("[{}] {} on {} topic={} partitions={} size={} acks={} compression={}\n",
               target.label, o.mode_name, target.bootstrap, o.workload.topic,
               o.workload.partitions, o.workload.size, o.workload.acks,
               o.workload.compression.empty() ? "default" : o.workload.compression);
  }
  auto partitions = PrepareTopic(target, o.workload);
  if (!partitions.ok()) return partitions.status();
  switch (o.mode) {
    case Mode::kProduce:
    case Mode::kConsume:
      return RunThroughput(target, o, *partitions);
    case Mode::kLatency:
      return RunLatency(target, o.workload, *partitions);
    case Mode::kGroup:
      return RunGroup(target, o.workload, o.group, *partitions);
    case Mode::kTxn:
      return RunTxn(target, o.workload, o.txn_ms);
    case Mode::kStreams:  // RunBenchmark hands it to RunStreamsBench
    case Mode::kStreamsWindows:  // ... and this one to RunStreamsWindowsBench
    case Mode::kMockCluster:
      break;
  }
  return absl::InternalError("mode has no workload");
}

// Runs on one target and prints the outcome; nullopt on failure (already reported).
std::optional<Result> RunAndPrint(const Target& target, const PerfOptions& o) {
  auto result = RunOn(target, o);
  if (!result.ok()) {
    fmt::print(stderr, "rill-perf: [{}] {}\n", target.label,
               std::string(result.status().message()));
    return std::nullopt;
  }
  if (auto* t = std::get_if<ThroughputResult>(&*result)) PrintThroughput(*t);
  if (auto* l = std::get_if<LatencyResult>(&*result)) PrintLatency(*l);
  if (auto* g = std::get_if<GroupResult>(&*result)) PrintGroup(*g);
  if (auto* x = std::get_if<TxnResult>(&*result)) PrintTxn(*x);
  return *std::move(result);
}

std::optional<Result> RunOnMock(const PerfOptions& o) {
  auto mock = MockCluster::Start(o.mock_brokers);
  if (!mock.ok()) {
    fmt::print(stderr, "rill-perf: {}\n", std::string(mock.status().message()));
    return std::nullopt;
  }
  // The mock is torn down before anything else runs so its thread costs the next run nothing.
  return RunAndPrint(Target{"mock", (*mock)->bootstrap(), mock->get()}, o);
}

bool Clean(const Result& r) {
  if (auto* t = std::get_if<ThroughputResult>(&r)) return t->errors == 0;
  if (auto* g = std::get_if<GroupResult>(&r)) return g->errors == 0;
  if (auto* x = std::get_if<TxnResult>(&r)) return x->errors == 0;
  return std::get<LatencyResult>(r).errors == 0;
}

}  // namespace

int RunBenchmark(const PerfOptions& o) {
  if (o.mode == Mode::kStreams) return RunStreamsBench(o.bootstrap, o.workload, o.streams);
  if (o.mode == Mode::kStreamsWindows) {
    return RunStreamsWindowsBench(o.bootstrap, o.workload, o.streams_windows);
  }
  if (!o.compare.empty()) {
    auto mock = RunOnMock(o);
    auto ours = RunAndPrint(Target{"broker", o.compare, nullptr}, o);
    if (!mock || !ours) return 1;
    if (auto* t = std::get_if<ThroughputResult>(&*ours)) {
      PrintThroughputRatio(*t, std::get<ThroughputResult>(*mock));
    } else if (auto* g = std::get_if<GroupResult>(&*ours)) {
      PrintGroupRatio(*g, std::get<GroupResult>(*mock));
    } else {
      PrintLatencyRatio(std::get<LatencyResult>(*ours), std::get<LatencyResult>(*mock));
    }
    return Clean(*mock) && Clean(*ours) ? 0 : 1;
  }
  auto result = o.mock ? RunOnMock(o) : RunAndPrint(Target{"broker", o.bootstrap, nullptr}, o);
  return result && Clean(*result) ? 0 : 1;
}

}  // namespace rill::perf
