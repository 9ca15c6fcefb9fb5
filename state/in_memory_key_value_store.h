// The non-persistent inner store: a sorted map in memory (Kafka Streams'
// InMemoryKeyValueStore). Nothing survives a restart, so CommittedOffset() only reports the
// last Commit()/Restore() of this object and a new instance restores from the start of the
// changelog. Writes are visible at once; Commit() has nothing to make durable.
//
// Keys order bytewise (unsigned). Thread-safe (one mutex). Range and PrefixScan copy the
// matching entries under the lock, so iterators never race the writer; that costs
// O(range) memory per scan, acceptable for a store that already lives in memory.
#pragma once

#include <memory>
#include <string>

#include "state/key_value_store.h"

namespace rill::state {

std::unique_ptr<KeyValueStore> NewInMemoryKeyValueStore(std::string name);

}  // namespace rill::state
