// Human-readable and script-readable output of rill-perf results (see report.h).
#include "report.h"

#include <fmt/core.h>

#include <cstdio>

namespace rill::perf {
namespace {

double Ratio(double ours, double base) { return base > 0 ? ours / base : 0; }

}  // namespace

void PrintThroughput(const ThroughputResult& r) {
  fmt::print(
      "[{}] {}: {} msgs, {:.1f} MB payload in {:.3f} s: {:.0f} msgs/s, {:.2f} MB/s, {} errors\n",
      r.label, r.mode, r.messages, r.payload_bytes / 1e6, r.seconds, r.msgs_per_sec(),
      r.mb_per_sec(), r.errors);
  if (r.errors > 0) fmt::print("[{}] first error: {}\n", r.label, r.first_error);
  fmt::print(
      "result target={} mode={} messages={} bytes={} seconds={:.3f} msgs_per_sec={:.0f} "
      "mb_per_sec={:.2f} errors={}\n",
      r.label, r.mode, r.messages, r.payload_bytes, r.seconds, r.msgs_per_sec(), r.mb_per_sec(),
      r.errors);
  std::fflush(stdout);
}

void PrintLatency(const LatencyResult& r) {
  fmt::print(
      "[{}] latency: sent {} received {} in {:.1f} s, {} errors; end-to-end ms: p50 {:.2f} "
      "p90 {:.2f} p99 {:.2f} p99.9 {:.2f} max {:.2f}\n",
      r.label, r.sent, r.received, r.seconds, r.errors, r.p50_ms, r.p90_ms, r.p99_ms, r.p999_ms,
      r.max_ms);
  if (r.errors > 0) fmt::print("[{}] first error: {}\n", r.label, r.first_error);
  fmt::print(
      "result target={} mode=latency sent={} received={} errors={} p50_ms={:.3f} "
      "p90_ms={:.3f} p99_ms={:.3f} p999_ms={:.3f} max_ms={:.3f}\n",
      r.label, r.sent, r.received, r.errors, r.p50_ms, r.p90_ms, r.p99_ms, r.p999_ms, r.max_ms);
  std::fflush(stdout);
}

void PrintGroup(const GroupResult& r) {
  for (const GroupTiming& t : r.timings) {
    fmt::print("[{}] group {} with {} member(s): {:.1f} ms, {} assignment callback(s)\n", r.label,
               t.scenario, t.members, t.ms, t.assign_events);
  }
  if (r.errors > 0) {
    fmt::print("[{}] consumers reported {} error(s), first: {}\n", r.label, r.errors,
               r.first_error);
  }
  for (const GroupTiming& t : r.timings) {
    fmt::print("result target={} mode=group scenario={} members={} ms={:.1f} assign_events={}\n",
               r.label, t.scenario, t.members, t.ms, t.assign_events);
  }
  std::fflush(stdout);
}

void PrintSettings(const std::string& label, const std::string& client,
                   const std::vector<std::pair<std::string, std::string>>& settings) {
  std::string line;
  for (const auto& [k, v] : settings) line += fmt::format(" {}={}", k, v);
  fmt::print("[{}] {} config:{}\n", label, client, line);
}

void PrintThroughputRatio(const ThroughputResult& ours, const ThroughputResult& mock) {
  fmt::print("ratio {} ({}/{}): msgs/s {:.2f}, MB/s {:.2f}\n", ours.mode, ours.label, mock.label,
             Ratio(ours.msgs_per_sec(), mock.msgs_per_sec()),
             Ratio(ours.mb_per_sec(), mock.mb_per_sec()));
  fmt::print("result target=ratio mode={} msgs_per_sec={:.3f} mb_per_sec={:.3f}\n", ours.mode,
             Ratio(ours.msgs_per_sec(), mock.msgs_per_sec()),
             Ratio(ours.mb_per_sec(), mock.mb_per_sec()));
}

void PrintLatencyRatio(const LatencyResult& ours, const LatencyResult& mock) {
  fmt::print("ratio latency ({}/{}, above 1 is slower): p50 {:.2f}, p99 {:.2f}\n", ours.label,
             mock.label, Ratio(ours.p50_ms, mock.p50_ms), Ratio(ours.p99_ms, mock.p99_ms));
  fmt::print("result target=ratio mode=latency p50_ms={:.3f} p99_ms={:.3f}\n",
             Ratio(ours.p50_ms, mock.p50_ms), Ratio(ours.p99_ms, mock.p99_ms));
}

void PrintGroupRatio(const GroupResult& ours, const GroupResult& mock) {
  for (const GroupTiming& o : ours.timings) {
    for (const GroupTiming& m : mock.timings) {
      if (o.scenario != m.scenario || o.members != m.members) continue;
      fmt::print("ratio group {} with {} member(s) ({}/{}, above 1 is slower): {:.2f}\n",
                 o.scenario, o.members, ours.label, mock.label, Ratio(o.ms, m.ms));
      fmt::print("result target=ratio mode=group scenario={} members={} ms={:.3f}\n", o.scenario,
                 o.members, Ratio(o.ms, m.ms));
    }
  }
}

}  // namespace rill::perf
