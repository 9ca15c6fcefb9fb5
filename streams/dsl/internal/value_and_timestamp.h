// ValueAndTimestamp<V>: an aggregate and the largest timestamp of the records in it, as the
// sliding-window aggregation keeps it in its window store (Kafka Streams' ValueAndTimestamp
// in a TimestampedWindowStore). Its bytes are Kafka Streams' ValueAndTimestampSerializer
// layout: [timestamp: 8 bytes big-endian][value bytes].
//
// Two serdes over that layout: TimestampedSerde (the aggregation's own view) and
// ValueOnlySerde, the Serde<V> registered for the store so that everything reading the
// store by its declared types — TopologyTestDriver::getWindowStore<K, V>, interactive
// queries — sees plain values, as Kafka Streams' timestamped-store facades do. A value
// written through ValueOnlySerde gets the timestamp -1 (ConsumerRecord.NO_TIMESTAMP), as
// Kafka Streams' WindowStoreFacade.put does.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "streams/serde/serde.h"
#include "streams/serde/windowed_serde.h"

namespace rill::streams::internal {

template <class V>
struct ValueAndTimestamp {
  V value;
  int64_t timestamp = -1;
  bool operator==(const ValueAndTimestamp&) const = default;
};

// The value alone (nullopt stays nullopt).
template <class V>
std::optional<V> ValueOf(std::optional<ValueAndTimestamp<V>> v) {
  if (!v) return std::nullopt;
  return std::move(v->value);
}

namespace timestamped_internal {

inline absl::StatusOr<int64_t> Timestamp(std::optional<std::string_view> bytes) {
  if (!bytes) return absl::InvalidArgumentError("null bytes for a timestamped value");
  if (bytes->size() < 8) {
    return absl::InvalidArgumentError("timestamped value of " + std::to_string(bytes->size()) +
                                      " bytes is shorter than its 8-byte timestamp");
  }
  return serde_internal::ReadBigEndian64(*bytes);
}

// Appends [timestamp][value]; leaves `out` unchanged and returns false for a null value.
template <class V>
bool Append(const Serde<V>& inner, const V& value, int64_t timestamp, std::string& out) {
  const size_t size = out.size();
  serde_internal::AppendBigEndian64(timestamp, out);
  if (inner.serialize(value, out)) return true;
  out.resize(size);
  return false;
}

template <class V>
class TimestampedImpl final : public Serde<ValueAndTimestamp<V>>::Impl {
 public:
  explicit TimestampedImpl(Serde<V> inner) : inner_(std::move(inner)) {}
  bool Serialize(const ValueAndTimestamp<V>& v, std::string& out) const override {
    return Append(inner_, v.value, v.timestamp, out);
  }
  absl::StatusOr<ValueAndTimestamp<V>> Deserialize(
      std::optional<std::string_view> bytes) const override {
    absl::StatusOr<int64_t> timestamp = Timestamp(bytes);
    if (!timestamp.ok()) return timestamp.status();
    absl::StatusOr<V> value = inner_.deserialize(bytes->substr(8));
    if (!value.ok()) return value.status();
    return ValueAndTimestamp<V>{std::move(*value), *timestamp};
  }

 private:
  Serde<V> inner_;
};

template <class V>
class ValueOnlyImpl final : public Serde<V>::Impl {
 public:
  explicit ValueOnlyImpl(Serde<V> inner) : inner_(std::move(inner)) {}
  bool Serialize(const V& value, std::string& out) const override {
    return Append(inner_, value, -1, out);
  }
  absl::StatusOr<V> Deserialize(std::optional<std::string_view> bytes) const override {
    absl::StatusOr<int64_t> timestamp = Timestamp(bytes);
    if (!timestamp.ok()) return timestamp.status();
    return inner_.deserialize(bytes->substr(8));
  }

 private:
  Serde<V> inner_;
};

}  // namespace timestamped_internal

template <class V>
Serde<ValueAndTimestamp<V>> TimestampedSerde(Serde<V> inner) {
  return Serde<ValueAndTimestamp<V>>(
      std::make_shared<timestamped_internal::TimestampedImpl<V>>(std::move(inner)));
}

template <class V>
Serde<V> ValueOnlySerde(Serde<V> inner) {
  return Serde<V>(std::make_shared<timestamped_internal::ValueOnlyImpl<V>>(std::move(inner)));
}

}  // namespace rill::streams::internal
