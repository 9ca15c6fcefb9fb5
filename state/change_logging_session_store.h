// The change-logging layer of session stores (Kafka Streams'
// ChangeLoggingSessionBytesStore): every write the inner store applies is also sent to the
// store's changelog topic, keyed by the session key layout [key][8-byte BE end][8-byte BE
// start] (session_key_schema.h), which restoration (SessionStore::Restore) replays.
// Removes are sent as tombstones. Puts the inner store dropped (expired sessions) are not
// sent, as in the window layer: restoration would drop them again. Reads, Flush, Commit,
// CommittedOffset, Restore and Close go to the inner store.
#pragma once

#include <memory>

#include "state/changelog_writer.h"
#include "state/session_store.h"

namespace rill::state {

// `writer` is not owned and must outlive the returned store.
std::unique_ptr<SessionStore> NewChangeLoggingSessionStore(std::unique_ptr<SessionStore> inner,
                                                           ChangelogWriter* writer);

}  // namespace rill::state
