#include "state/cache_budget.h"

namespace rill::state {

CacheBudget::CacheBudget(uint64_t max_bytes) : max_bytes_(max_bytes) {}

void CacheBudget::Reserve(uint64_t bytes) {
  used_bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

void CacheBudget::Release(uint64_t bytes) {
  used_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
}

}  // namespace rill::state
