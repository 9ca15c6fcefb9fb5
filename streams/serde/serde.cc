// Built-in serdes, byte-compatible with Kafka's Java serializers.
#include "streams/serde/serde.h"

#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"

namespace rill::streams::serde_internal {
namespace {

class StringSerde final : public Serde<std::string>::Impl {
 public:
  bool Serialize(const std::string& value, std::string& out) const override {
    out.append(value);
    return true;
  }
  absl::StatusOr<std::string> Deserialize(std::optional<std::string_view> bytes) const override {
    if (!bytes) return NullNotAllowed("std::string");
    return std::string(*bytes);
  }
};

class BytesSerde final : public Serde<Bytes>::Impl {
 public:
  bool Serialize(const Bytes& value, std::string& out) const override {
    out.append(reinterpret_cast<const char*>(value.data()), value.size());
    return true;
  }
  absl::StatusOr<Bytes> Deserialize(std::optional<std::string_view> bytes) const override {
    if (!bytes) return NullNotAllowed("Bytes");
    return Bytes(bytes->begin(), bytes->end());
  }
};

// Fixed-width big-endian numbers: Kafka's IntegerSerializer, LongSerializer,
// DoubleSerializer (IEEE-754 bits) and FloatSerializer.
template <class T, class Bits>
class BigEndianSerde final : public Serde<T>::Impl {
 public:
  explicit BigEndianSerde(const char* type_name) : type_name_(type_name) {}
  bool Serialize(const T& value, std::string& out) const override {
    Bits bits = std::bit_cast<Bits>(value);
    char buf[sizeof(Bits)];
    for (size_t i = 0; i < sizeof(Bits); ++i) {
      buf[i] = static_cast<char>(bits >> (8 * (sizeof(Bits) - 1 - i)));
    }
    out.append(buf, sizeof(Bits));
    return true;
  }
  absl::StatusOr<T> Deserialize(std::optional<std::string_view> bytes) const override {
    if (!bytes) return NullNotAllowed(type_name_);
    if (bytes->size() != sizeof(Bits)) {
      return absl::InvalidArgumentError(absl::StrCat("size of data received by the ", type_name_,
                                                     " deserializer is ", bytes->size(),
                                                     ", not ", sizeof(Bits)));
    }
    Bits bits = 0;
    for (size_t i = 0; i < sizeof(Bits); ++i) {
      bits = static_cast<Bits>((bits << 8) | static_cast<uint8_t>((*bytes)[i]));
    }
    return std::bit_cast<T>(bits);
  }

 private:
  const char* type_name_;
};

class JsonSerde final : public Serde<nlohmann::json>::Impl {
 public:
  bool Serialize(const nlohmann::json& value, std::string& out) const override {
    out.append(value.dump());
    return true;
  }
  absl::StatusOr<nlohmann::json> Deserialize(
      std::optional<std::string_view> bytes) const override {
    if (!bytes) return NullNotAllowed("json");
    nlohmann::json parsed = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid JSON (", bytes->size(), " bytes)"));
    }
    return parsed;
  }
};

}  // namespace

absl::Status NullNotAllowed(std::string_view type_name) {
  return absl::InvalidArgumentError(
      absl::StrCat("null bytes for a non-nullable ", std::string(type_name),
                   " (use Serdes::Nullable or std::optional to accept tombstones)"));
}

std::shared_ptr<const Serde<std::string>::Impl> StringImpl() {
  static const auto impl = std::make_shared<StringSerde>();
  return impl;
}
std::shared_ptr<const Serde<Bytes>::Impl> BytesImpl() {
  static const auto impl = std::make_shared<BytesSerde>();
  return impl;
}
std::shared_ptr<const Serde<int32_t>::Impl> Int32Impl() {
  static const auto impl = std::make_shared<BigEndianSerde<int32_t, uint32_t>>("int32");
  return impl;
}
std::shared_ptr<const Serde<int64_t>::Impl> Int64Impl() {
  static const auto impl = std::make_shared<BigEndianSerde<int64_t, uint64_t>>("int64");
  return impl;
}
std::shared_ptr<const Serde<double>::Impl> DoubleImpl() {
  static const auto impl = std::make_shared<BigEndianSerde<double, uint64_t>>("double");
  return impl;
}
std::shared_ptr<const Serde<float>::Impl> FloatImpl() {
  static const auto impl = std::make_shared<BigEndianSerde<float, uint32_t>>("float");
  return impl;
}
std::shared_ptr<const Serde<nlohmann::json>::Impl> JsonImpl() {
  static const auto impl = std::make_shared<JsonSerde>();
  return impl;
}

bool SerializeProtobuf(const google::protobuf::Message& message, std::string& out) {
  return message.AppendToString(&out);
}

absl::Status ParseProtobuf(std::string_view bytes, google::protobuf::Message& message) {
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrCat("cannot parse ", bytes.size(),
                                                   " bytes as protobuf ",
                                                   message.GetTypeName()));
  }
  return absl::OkStatus();
}

}  // namespace rill::streams::serde_internal
