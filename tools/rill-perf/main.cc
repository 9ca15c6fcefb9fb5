// rill-perf: produce / consume / latency benchmarks on librdkafka against our broker, the
// librdkafka mock cluster, or both (--compare) — the source of docs/PERFORMANCE.md numbers.
#include <fmt/core.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "kafka_props.h"
#include "options.h"
#include "runner.h"
#include "serve_mock.h"

int main(int argc, char** argv) {
  // Line-buffered even into a pipe, so a watching script sees each result as it happens.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  absl::SetProgramUsageMessage(rill::perf::UsageText());
  // --help lists the flags of files whose path matches; ours live in options.cc, not main.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view path) {
    return absl::StrContains(path, "rill-perf/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  rill::perf::KafkaProps props;
  std::vector<std::string> storage;
  auto args = rill::perf::PreprocessArgs(argc, argv, &props, &storage);
  if (!args.ok()) {
    fmt::print(stderr, "rill-perf: {}\n", std::string(args.status().message()));
    return 2;
  }
  // absl reports unknown or malformed flags itself and exits.
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args->size()), args->data());
  auto options = rill::perf::OptionsFromFlags(positional, std::move(props));
  if (!options.ok()) {
    fmt::print(stderr, "rill-perf: {}\n\n{}\n(--help lists every flag)\n",
               std::string(options.status().message()), rill::perf::UsageText());
    return 2;
  }
  if (options->mode == rill::perf::Mode::kMockCluster) {
    return rill::perf::ServeMockCluster(options->mock_brokers, options->workload.topic,
                                        options->workload.partitions);
  }
  return rill::perf::RunBenchmark(*options);
}
