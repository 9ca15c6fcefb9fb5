#include "state/in_memory_session_store.h"

#include <utility>

#include "state/internal/in_memory_segmented_store.h"
#include "state/internal/segmented_session_store.h"
#include "state/internal/segments.h"
#include "state/session_key_schema.h"

namespace rill::state {

absl::StatusOr<std::unique_ptr<SessionStore>> NewInMemorySessionStore(
    std::string name, int64_t retention_ms, int64_t segment_interval_ms) {
  constexpr char kKind[] = "in-memory session store";
  absl::StatusOr<int64_t> interval =
      internal::ResolveSegmentInterval(name, retention_ms, segment_interval_ms);
  if (!interval.ok()) return interval.status();
  auto engine = std::make_unique<internal::InMemorySegmentedStore>(
      kKind, std::move(name), &CompareSessionKeys, retention_ms, *interval);
  return std::make_unique<internal::SegmentedSessionStore<internal::InMemorySegmentedStore>>(
      std::move(engine), /*persistent=*/false, kKind);
}

}  // namespace rill::state
