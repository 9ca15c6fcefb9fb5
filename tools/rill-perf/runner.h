// Runs the chosen workload against each target (broker, mock, or both for --compare) and
// prints the results and ratios.
#pragma once

#include "options.h"

namespace rill::perf {

// Returns the process exit code: 0 only if every run completed with no errors.
int RunBenchmark(const PerfOptions& options);

}  // namespace rill::perf
