// rill-perf's command line, validated once into PerfOptions so workloads can trust it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "streams_windows_bench.h"
#include "workload.h"

namespace rill::perf {

enum class Mode {
  kProduce,
  kConsume,
  kLatency,
  kGroup,
  kTxn,
  kStreams,
  kStreamsWindows,
  kMockCluster
};

struct PerfOptions {
  Mode mode = Mode::kProduce;
  std::string mode_name;
  std::string bootstrap;  // run against this broker (empty with --mock; streams: embedded)
  bool mock = false;      // run against an in-process mock cluster
  std::string compare;    // run against the mock and this broker, and print ours/mock
  int mock_brokers = 1;
  int repeat = 1;  // produce/consume: passes summed into one result
  Workload workload;
  GroupWorkload group;      // group mode only
  int txn_ms = 100;         // txn mode: commit a transaction this often
  StreamsWorkload streams;  // streams mode only
  StreamsWindowsWorkload streams_windows;  // streams-windows mode only
};

// The usage text shown by --help and after a flag error.
const char* UsageText();

// Reads the absl flags plus the positional arguments left by absl::ParseCommandLine
// (argv[0] first, then the mode). `props` are the -X pairs split out beforehand.
absl::StatusOr<PerfOptions> OptionsFromFlags(const std::vector<char*>& positional,
                                             KafkaProps props);

}  // namespace rill::perf
