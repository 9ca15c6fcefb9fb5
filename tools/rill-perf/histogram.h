// End-to-end latency samples and their percentiles. Keeps every sample (8 bytes each, a
// few MB for a minute at 10k msg/s) so percentiles are exact rather than bucketed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rill::perf {

// Not thread-safe: one thread records, and reads happen after recording stops.
class LatencyHistogram {
 public:
  void Reserve(size_t n) { samples_.reserve(n); }
  void Record(int64_t nanos) {
    samples_.push_back(nanos);
    sorted_ = false;
  }
  size_t count() const { return samples_.size(); }

  // Nearest-rank percentile in nanoseconds for q in [0, 100]; 0 when empty.
  int64_t Percentile(double q);
  int64_t Max() { return Percentile(100); }

 private:
  std::vector<int64_t> samples_;
  bool sorted_ = true;
};

}  // namespace rill::perf
