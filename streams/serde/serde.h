// Serde<T>: how a key or value of type T becomes bytes and back. Built-in serdes are
// byte-compatible with Kafka's Java serializers (big-endian integers, IEEE-754 doubles,
// UTF-8 strings), so Java consumers and Kafka Streams applications read what Rill writes.
//
// Null bytes (a Kafka tombstone) are explicit: a Serde<T> for a plain T refuses them with an
// error; Serdes::Nullable(serde) makes a Serde<std::optional<T>> that maps null <-> nullopt.
// A failed deserialization is an absl::Status routed to the deserialization exception
// handler, never undefined behaviour.
//
// Serde objects are cheap to copy (a shared immutable implementation) and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace google::protobuf {
class Message;
}

namespace rill::streams {

// Raw bytes as a value type (Kafka's byte[] / Bytes).
using Bytes = std::vector<uint8_t>;

template <class T>
class Serde {
 public:
  using Type = T;

  // Implement this to write a serde of your own.
  class Impl {
   public:
    virtual ~Impl() = default;
    // Appends the bytes of `value` to `out`. Returns false when the value serializes to
    // null (a tombstone); then `out` is left unchanged.
    virtual bool Serialize(const T& value, std::string& out) const = 0;
    // `bytes` nullopt is a null key or value on the wire.
    virtual absl::StatusOr<T> Deserialize(std::optional<std::string_view> bytes) const = 0;
  };

  Serde() = default;  // empty: "use the default serde for T"
  explicit Serde(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  bool serialize(const T& value, std::string& out) const { return impl_->Serialize(value, out); }
  absl::StatusOr<T> deserialize(std::optional<std::string_view> bytes) const {
    return impl_->Deserialize(bytes);
  }
  explicit operator bool() const { return impl_ != nullptr; }

 private:
  std::shared_ptr<const Impl> impl_;
};

namespace serde_internal {
absl::Status NullNotAllowed(std::string_view type_name);
std::shared_ptr<const Serde<std::string>::Impl> StringImpl();
std::shared_ptr<const Serde<Bytes>::Impl> BytesImpl();
std::shared_ptr<const Serde<int32_t>::Impl> Int32Impl();
std::shared_ptr<const Serde<int64_t>::Impl> Int64Impl();
std::shared_ptr<const Serde<double>::Impl> DoubleImpl();
std::shared_ptr<const Serde<float>::Impl> FloatImpl();
std::shared_ptr<const Serde<nlohmann::json>::Impl> JsonImpl();
bool SerializeProtobuf(const google::protobuf::Message& message, std::string& out);
absl::Status ParseProtobuf(std::string_view bytes, google::protobuf::Message& message);

template <class T>
class NullableImpl : public Serde<std::optional<T>>::Impl {
 public:
  explicit NullableImpl(Serde<T> inner) : inner_(std::move(inner)) {}
  bool Serialize(const std::optional<T>& value, std::string& out) const override {
    return value.has_value() && inner_.serialize(*value, out);
  }
  absl::StatusOr<std::optional<T>> Deserialize(
      std::optional<std::string_view> bytes) const override {
    if (!bytes) return std::optional<T>();
    auto value = inner_.deserialize(bytes);
    if (!value.ok()) return value.status();
    return std::optional<T>(std::move(*value));
  }

 private:
  Serde<T> inner_;
};

template <class M>
class ProtobufImpl : public Serde<M>::Impl {
 public:
  bool Serialize(const M& value, std::string& out) const override {
    return SerializeProtobuf(value, out);
  }
  absl::StatusOr<M> Deserialize(std::optional<std::string_view> bytes) const override {
    if (!bytes) return NullNotAllowed(M::descriptor()->full_name());
    M message;
    if (absl::Status s = ParseProtobuf(*bytes, message); !s.ok()) return s;
    return message;
  }
};
}  // namespace serde_internal

// Factories of the built-in serdes (Kafka's Serdes.String(), Serdes.Long(), ...).
struct Serdes {
  static Serde<std::string> String() { return Serde<std::string>(serde_internal::StringImpl()); }
  static Serde<Bytes> ByteArray() { return Serde<Bytes>(serde_internal::BytesImpl()); }
  static Serde<int32_t> Int32() { return Serde<int32_t>(serde_internal::Int32Impl()); }
  static Serde<int64_t> Int64() { return Serde<int64_t>(serde_internal::Int64Impl()); }
  static Serde<int64_t> Long() { return Int64(); }
  static Serde<double> Double() { return Serde<double>(serde_internal::DoubleImpl()); }
  static Serde<float> Float() { return Serde<float>(serde_internal::FloatImpl()); }
  static Serde<nlohmann::json> Json() { return Serde<nlohmann::json>(serde_internal::JsonImpl()); }
  template <class M>
  static Serde<M> Protobuf() {
    static_assert(std::is_base_of_v<google::protobuf::Message, M>,
                  "Serdes::Protobuf<M>: M must be a generated protobuf message class");
    return Serde<M>(std::make_shared<serde_internal::ProtobufImpl<M>>());
  }
  template <class T>
  static Serde<std::optional<T>> Nullable(Serde<T> inner) {
    return Serde<std::optional<T>>(
        std::make_shared<serde_internal::NullableImpl<T>>(std::move(inner)));
  }
};

// The serde used when none is given. Defined for the built-in types, protobuf messages and
// std::optional of those; any other type needs an explicit serde (a compile-time error
// says so).
template <class T>
struct DefaultSerdeFor {
  static constexpr bool kDefined = false;
};
template <>
struct DefaultSerdeFor<std::string> {
  static constexpr bool kDefined = true;
  static Serde<std::string> Get() { return Serdes::String(); }
};
template <>
struct DefaultSerdeFor<Bytes> {
  static constexpr bool kDefined = true;
  static Serde<Bytes> Get() { return Serdes::ByteArray(); }
};
template <>
struct DefaultSerdeFor<int32_t> {
  static constexpr bool kDefined = true;
  static Serde<int32_t> Get() { return Serdes::Int32(); }
};
template <>
struct DefaultSerdeFor<int64_t> {
  static constexpr bool kDefined = true;
  static Serde<int64_t> Get() { return Serdes::Int64(); }
};
template <>
struct DefaultSerdeFor<double> {
  static constexpr bool kDefined = true;
  static Serde<double> Get() { return Serdes::Double(); }
};
template <>
struct DefaultSerdeFor<float> {
  static constexpr bool kDefined = true;
  static Serde<float> Get() { return Serdes::Float(); }
};
template <>
struct DefaultSerdeFor<nlohmann::json> {
  static constexpr bool kDefined = true;
  static Serde<nlohmann::json> Get() { return Serdes::Json(); }
};
template <class T>
struct DefaultSerdeFor<std::optional<T>> {
  static constexpr bool kDefined = DefaultSerdeFor<T>::kDefined;
  static Serde<std::optional<T>> Get() { return Serdes::Nullable(DefaultSerdeFor<T>::Get()); }
};

template <class T>
inline constexpr bool kHasDefaultSerde =
    DefaultSerdeFor<T>::kDefined || std::is_base_of_v<google::protobuf::Message, T>;

template <class T>
Serde<T> DefaultSerde() {
  static_assert(kHasDefaultSerde<T>,
                "Rill has no default serde for this type: pass one explicitly, e.g. "
                "Consumed<K, V>::with(key_serde, value_serde), Produced<K, V>::with(...), "
                "Grouped<K, V>::with(...) or Materialized<K, V>::as(name).withValueSerde(...)");
  if constexpr (std::is_base_of_v<google::protobuf::Message, T>) {
    return Serdes::Protobuf<T>();
  } else {
    return DefaultSerdeFor<T>::Get();
  }
}

// `serde` when set, else the default serde of T.
// (Types without a default serde must get one explicitly; Topology building reports a
// missing one naming the node.)
template <class T>
Serde<T> OrDefault(const Serde<T>& serde) {
  if constexpr (kHasDefaultSerde<T>) {
    if (!serde) return DefaultSerde<T>();
  }
  return serde;
}

}  // namespace rill::streams
