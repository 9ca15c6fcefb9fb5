// QueryCodec<T>: how interactive queries read a key of type T from URL text and show a
// value of type T as JSON. Covers the types that have default serdes; for other types
// nlohmann::json's to_json/from_json (ADL) are used when the type provides them, else
// keys are not queryable by text and values show as their size.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "streams/serde/serde.h"

namespace rill::streams {

namespace query_internal {
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
}  // namespace query_internal

template <class T>
struct QueryCodec {
  static absl::StatusOr<T> FromText(std::string_view text) {
    if constexpr (std::is_same_v<T, std::string>) {
      return std::string(text);
    } else if constexpr (std::is_integral_v<T>) {
      T value{};
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return absl::InvalidArgumentError(absl::StrCat("key '", std::string(text), "' is not an integer"));
      }
      return value;
    } else if constexpr (std::is_floating_point_v<T>) {
      try {
        size_t used = 0;
        double value = std::stod(std::string(text), &used);
        if (used != text.size()) throw std::invalid_argument("trailing");
        return static_cast<T>(value);
      } catch (const std::exception&) {
        return absl::InvalidArgumentError(absl::StrCat("key '", std::string(text), "' is not a number"));
      }
    } else if constexpr (std::is_same_v<T, nlohmann::json>) {
      auto parsed = nlohmann::json::parse(text, nullptr, false);
      if (parsed.is_discarded()) {
        return absl::InvalidArgumentError(absl::StrCat("key '", std::string(text), "' is not JSON"));
      }
      return parsed;
    } else if constexpr (query_internal::IsOptional<T>::value) {
      auto inner = QueryCodec<typename T::value_type>::FromText(text);
      if (!inner.ok()) return inner.status();
      return T(std::move(*inner));
    } else {
      return absl::InvalidArgumentError("keys of this store's type cannot be queried by text");
    }
  }

  static nlohmann::json ToJson(const T& value) {
    if constexpr (std::is_same_v<T, Bytes>) {
      return nlohmann::json::binary(value);
    } else if constexpr (query_internal::IsOptional<T>::value) {
      if (!value) return nullptr;
      return QueryCodec<typename T::value_type>::ToJson(*value);
    } else if constexpr (std::is_constructible_v<nlohmann::json, const T&>) {
      return nlohmann::json(value);
    } else if constexpr (requires { value.DebugString(); }) {
      return value.DebugString();
    } else {
      return nlohmann::json{{"type", "opaque"}, {"size", sizeof(T)}};
    }
  }
};

}  // namespace rill::streams
