// The non-persistent window store (Kafka Streams' InMemoryWindowStore), with the semantics
// and iteration order of window_store.h. Entries live in sorted maps, one per segment of
// window starts, so expired windows are freed a segment at a time as soon as a Put()
// advances the observed stream time; reads hide single expired windows before that.
// Nothing survives a restart: CommittedOffset() only reports this object's last
// Commit()/Restore(), and a new instance restores from the start of the changelog.
//
// Thread-safe (one mutex). Iterators copy the matching entries under the lock, so they
// never race the writer; O(result) memory per scan, fine for a store already in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "state/window_store.h"

namespace rill::state {

// retention_ms > 0; segment_interval_ms > 0, or 0 for Kafka Streams' default
// max(retention / 2, 60 s). Errors: InvalidArgument for other values.
absl::StatusOr<std::unique_ptr<WindowStore>> NewInMemoryWindowStore(std::string name,
                                                                    int64_t retention_ms,
                                                                    int64_t segment_interval_ms,
                                                                    bool retain_duplicates);

}  // namespace rill::state
