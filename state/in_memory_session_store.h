// The non-persistent session store (Kafka Streams' InMemorySessionStore), with the
// semantics and iteration order of session_store.h, on the in-memory segmented engine the
// in-memory window store uses (segments of session ends, freed as soon as a Put() expires
// them). Nothing survives a restart: a new instance restores from the start of the
// changelog.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "state/session_store.h"

namespace rill::state {

// retention_ms > 0; segment_interval_ms > 0, or 0 for the default max(retention / 2, 60 s).
// Errors: InvalidArgument for other values.
absl::StatusOr<std::unique_ptr<SessionStore>> NewInMemorySessionStore(std::string name,
                                                                      int64_t retention_ms,
                                                                      int64_t segment_interval_ms);

}  // namespace rill::state
