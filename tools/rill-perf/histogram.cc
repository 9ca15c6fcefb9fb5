// Nearest-rank percentiles over recorded latency samples (see histogram.h).
#include "histogram.h"

#include <algorithm>
#include <cmath>

namespace rill::perf {

int64_t LatencyHistogram::Percentile(double q) {
  if (samples_.empty()) return 0;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  // Nearest rank: the smallest sample with at least q% of samples at or below it.
  const double rank = std::ceil(q / 100.0 * static_cast<double>(samples_.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return samples_[std::min(index, samples_.size() - 1)];
}

}  // namespace rill::perf
