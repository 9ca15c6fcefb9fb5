// The change-logging layer of window stores (Kafka Streams' ChangeLoggingWindowBytesStore):
// every write the inner store applies is also sent to the store's changelog topic, keyed
// by the window store key layout [key][8-byte BE window start][4-byte BE seqnum]
// (window_key_schema.h), which is what restoration (WindowStore::Restore) and standby
// tasks replay.
//
// The sequence number is the one the inner store gave the write (WindowPutResult), so the
// changelog holds exactly the store's keys even when it retains duplicates; Kafka Streams
// keeps a second counter in this layer for that. Puts the inner store dropped (expired
// windows, deletes in a store that retains duplicates) are not sent: Kafka Streams sends
// them, but restoration would drop them again, so the changelog only loses dead weight.
// A write the inner store refused is not sent either. Restore() is not sent (the records
// come from the changelog). Reads, Flush, Commit, CommittedOffset and Close go to the
// inner store.
//
// Thread-safe as far as the inner store and the writer are; the writer is called from the
// writing thread, after the inner store applied the write.
#pragma once

#include <memory>

#include "state/changelog_writer.h"
#include "state/window_store.h"

namespace rill::state {

// `writer` is not owned and must outlive the returned store.
std::unique_ptr<WindowStore> NewChangeLoggingWindowStore(std::unique_ptr<WindowStore> inner,
                                                         ChangelogWriter* writer);

}  // namespace rill::state
