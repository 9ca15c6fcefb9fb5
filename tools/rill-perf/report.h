// Results of a rill-perf run and how they are printed: a human line per target, a
// `result key=value ...` line per target for scripts (bench/run_perf.sh), and the
// ours/mock ratio when comparing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rill::perf {

struct ThroughputResult {
  std::string label;  // target label: "mock" or "broker"
  std::string mode;   // "produce" or "consume"
  int64_t messages = 0;
  int64_t payload_bytes = 0;
  double seconds = 0;
  int64_t errors = 0;  // delivery / consume errors; a valid run has none
  std::string first_error;

  double msgs_per_sec() const { return seconds > 0 ? messages / seconds : 0; }
  // MB = 10^6 bytes of message payload (keys, headers and protocol overhead excluded).
  double mb_per_sec() const { return seconds > 0 ? payload_bytes / seconds / 1e6 : 0; }
};

struct LatencyResult {
  std::string label;
  int64_t sent = 0;
  int64_t received = 0;
  int64_t errors = 0;
  std::string first_error;
  double seconds = 0;  // production time
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};

// One group scenario: how long until every member held its share of the partitions again.
struct GroupTiming {
  std::string scenario;   // "join", "leave" or "kill"
  int members = 0;        // group size when the scenario started
  double ms = 0;          // from the trigger (first subscribe, close, kill) to full coverage
  int assign_events = 0;  // ASSIGN_PARTITIONS callbacks in that time (1 per member: 1 round)
};

struct GroupResult {
  std::string label;
  std::vector<GroupTiming> timings;
  int64_t errors = 0;  // errors the consumers reported while polling
  std::string first_error;
};

void PrintThroughput(const ThroughputResult& r);
void PrintLatency(const LatencyResult& r);
void PrintGroup(const GroupResult& r);

// Prints one `key=value` line per effective client setting, so a reader knows which
// librdkafka defaults a number was measured with.
void PrintSettings(const std::string& label, const std::string& client,
                   const std::vector<std::pair<std::string, std::string>>& settings);

// Ratios are ours/mock: above 1 means higher throughput (or, for latency, slower) than the mock.
void PrintThroughputRatio(const ThroughputResult& ours, const ThroughputResult& mock);
void PrintLatencyRatio(const LatencyResult& ours, const LatencyResult& mock);
// Per scenario present in both; above 1 means our broker took longer.
void PrintGroupRatio(const GroupResult& ours, const GroupResult& mock);

}  // namespace rill::perf
