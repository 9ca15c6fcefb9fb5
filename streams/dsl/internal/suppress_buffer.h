// SuppressBuffer: the time-ordered buffer behind KTable::suppress (Kafka Streams'
// InMemoryTimeOrderedKeyValueChangeBuffer), on serialized keys and values.
//
// Entries are ordered by (buffer time, serialized key). Updating a buffered key replaces its
// values and record context but keeps its place (its first buffer time) and its prior value
// (the value downstream saw before the key was buffered, which the suppressed table's value
// getter answers). Every change is written through to a key-value store (with a changelog),
// so the buffer survives restarts: Load() rebuilds the ordering from the store.
//
// Not thread-safe: owned by one suppress node of one task.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "state/key_value_store.h"
#include "streams/processor/record.h"

namespace rill::streams::internal {

// One buffered key: its latest update (values serialized) and that update's record context.
struct BufferedChange {
  int64_t buffer_time = 0;
  int64_t timestamp = 0;
  std::optional<std::string> new_value;
  std::optional<std::string> old_value;
  // The value before the key was buffered: the first update's old value.
  std::optional<std::string> prior_value;
  // True while the prior value is the old value of the same (first) update: Kafka Streams
  // then counts the bytes once.
  bool prior_is_old = true;
  Headers headers;
  std::optional<RecordMetadata> source;  // absent for records a punctuation forwarded

  // Kafka Streams' estimate (BufferValue + ProcessorRecordContext, without the key).
  int64_t SizeEstimate() const;
  std::string Encode() const;
  static absl::StatusOr<BufferedChange> Decode(std::string_view bytes);
};

class SuppressBuffer {
 public:
  // `store` outlives the buffer; its current contents are the buffer (see Load()).
  explicit SuppressBuffer(state::KeyValueStore* store) : store_(store) {}

  // Rebuilds the in-memory order from the store (after restoration). Clears what was loaded.
  absl::Status Load();

  // Buffers an update of `key` (Kafka Streams' put()).
  absl::Status Put(int64_t buffer_time, const std::string& key,
                   std::optional<std::string> new_value, std::optional<std::string> old_value,
                   int64_t timestamp, const Headers& headers,
                   const std::optional<RecordMetadata>& source);

  bool empty() const { return order_.empty(); }
  int64_t num_records() const { return static_cast<int64_t>(order_.size()); }
  int64_t size_bytes() const { return size_bytes_; }
  // The smallest buffer time (INT64_MAX when empty).
  int64_t min_time() const;

  // Removes the oldest entry and returns it. Only when !empty().
  absl::StatusOr<std::pair<std::string, BufferedChange>> PopOldest();

  // The buffered entry of `key` as the store holds it (nullopt: not buffered). Reads the
  // store, so value getters of other nodes of the task can use it without the buffer.
  static absl::StatusOr<std::optional<BufferedChange>> Lookup(state::KeyValueStore* store,
                                                              std::string_view key);

 private:
  static int64_t RecordSize(const std::string& key, const BufferedChange& c) {
    return 8 + static_cast<int64_t>(key.size()) + c.SizeEstimate();
  }

  state::KeyValueStore* store_;
  // (buffer time, key) -> entry; key -> its buffer time.
  std::map<std::pair<int64_t, std::string>, BufferedChange> order_;
  std::map<std::string, int64_t, std::less<>> index_;
  int64_t size_bytes_ = 0;
};

}  // namespace rill::streams::internal
