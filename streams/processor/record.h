// Record<K, V>: one key-value record flowing through a topology, with its timestamp and
// headers (Kafka Streams' api.Record). RecordMetadata says where the record being processed
// came from (absent for records a punctuation forwards).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rill::streams {

struct Header {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const Header&) const = default;
};
using Headers = std::vector<Header>;

template <class K, class V>
struct Record {
  K key{};
  V value{};
  int64_t timestamp = 0;
  Headers headers;

  template <class K2>
  Record<K2, V> withKey(K2 new_key) const {
    return Record<K2, V>{std::move(new_key), value, timestamp, headers};
  }
  template <class V2>
  Record<K, V2> withValue(V2 new_value) const {
    return Record<K, V2>{key, std::move(new_value), timestamp, headers};
  }
  Record withTimestamp(int64_t new_timestamp) const {
    return Record{key, value, new_timestamp, headers};
  }
};

struct RecordMetadata {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// A key-value pair (flatMap results, store iteration).
template <class K, class V>
struct KeyValue {
  K key;
  V value;
  bool operator==(const KeyValue&) const = default;
};

// Exceptions thrown by Rill's typed APIs (store errors, misuse); user code may throw
// anything, the runtime routes it to the processing exception handler.
class StreamsException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rill::streams
