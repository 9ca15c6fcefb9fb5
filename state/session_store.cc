#include "state/session_store.h"

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

#include "state/internal/session_iterators.h"

namespace rill::state {

std::unique_ptr<SessionStoreIterator> SessionStore::FindSessionsByEnd(int64_t earliest_end,
                                                                      int64_t latest_end) {
  // The stores keep sessions by key first; closed sessions are few per emit, so sorting
  // them by end is cheaper than a second, time-ordered index on every write.
  std::vector<internal::SessionEntry> entries;
  SessionRange range;
  range.earliest_end = earliest_end;
  range.latest_end = latest_end;
  std::unique_ptr<SessionStoreIterator> it = Find(range);
  for (; it->Valid(); it->Next()) {
    entries.push_back(internal::SessionEntry{std::string(it->key()), it->start(), it->end(),
                                             std::string(it->value())});
  }
  if (!it->status().ok()) return internal::NewVectorSessionStoreIterator({}, it->status());
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.end, a.start, a.key) < std::tie(b.end, b.start, b.key);
  });
  return internal::NewVectorSessionStoreIterator(std::move(entries));
}

}  // namespace rill::state
