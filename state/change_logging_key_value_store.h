// The change-logging layer (Kafka Streams' ChangeLoggingKeyValueBytesStore): every write
// that reaches the inner store is also sent to the store's changelog topic, which is what
// restoration and standby tasks replay. Sits between the inner store and the cache, so the
// cache's deduplication also dedupes the changelog.
//
// What is sent: Put (value nullopt as a tombstone), each entry of PutAll, PutIfAbsent only
// when it wrote, Delete always as a tombstone (as Kafka Streams does: harmless for an
// absent key, and the changelog never misses a delete). A write the inner store refused
// is not sent. Restore() is not sent (the records come from the changelog). Reads,
// Flush, Commit, CommittedOffset and Close go to the inner store.
//
// Thread-safe as far as the inner store and the writer are; the writer is called from the
// writing thread, after the inner store accepted the write.
#pragma once

#include <memory>

#include "state/changelog_writer.h"
#include "state/key_value_store.h"

namespace rill::state {

// `writer` is not owned and must outlive the returned store.
std::unique_ptr<KeyValueStore> NewChangeLoggingKeyValueStore(std::unique_ptr<KeyValueStore> inner,
                                                             ChangelogWriter* writer);

}  // namespace rill::state
