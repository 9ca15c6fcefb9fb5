// Compile-time checks and adapters for the lambdas users pass to DSL operators, so a
// lambda of the wrong signature fails with a message that names the operator.
#pragma once

#include <ranges>
#include <type_traits>
#include <optional>
#include <utility>

#include "streams/processor/record.h"

namespace rill::streams::internal {

// Value-only lambdas (v) or key-and-value lambdas (k, v): mapValues, flatMapValues.
template <class F, class K, class V>
inline constexpr bool kValueOnly = std::is_invocable_v<const F&, const V&>;
template <class F, class K, class V>
inline constexpr bool kKeyAndValue = std::is_invocable_v<const F&, const K&, const V&>;

template <class F, class K, class V>
decltype(auto) CallValueMapper(const F& f, const K& k, const V& v) {
  if constexpr (kValueOnly<F, K, V>) {
    (void)k;
    return f(v);
  } else {
    return f(k, v);
  }
}

template <class F, class K, class V, class = void>
struct ValueMapperResult {
  using type = void;
};
template <class F, class K, class V>
struct ValueMapperResult<F, K, V, std::enable_if_t<kValueOnly<F, K, V>>> {
  using type = std::decay_t<std::invoke_result_t<const F&, const V&>>;
};
template <class F, class K, class V>
struct ValueMapperResult<F, K, V,
                         std::enable_if_t<!kValueOnly<F, K, V> && kKeyAndValue<F, K, V>>> {
  using type = std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>;
};

// KeyValue<K, V> or std::pair<K, V>: the key and value types.
template <class T>
struct PairTypes {
  static constexpr bool kValid = false;
};
template <class A, class B>
struct PairTypes<KeyValue<A, B>> {
  static constexpr bool kValid = true;
  using Key = A;
  using Value = B;
  static const A& key(const KeyValue<A, B>& p) { return p.key; }
  static const B& value(const KeyValue<A, B>& p) { return p.value; }
};
template <class A, class B>
struct PairTypes<std::pair<A, B>> {
  static constexpr bool kValid = true;
  using Key = A;
  using Value = B;
  static const A& key(const std::pair<A, B>& p) { return p.first; }
  static const B& value(const std::pair<A, B>& p) { return p.second; }
};

}  // namespace rill::streams::internal

namespace rill::streams::internal {
template <class T>
inline constexpr bool kIsOptional = false;
template <class T>
inline constexpr bool kIsOptional<std::optional<T>> = true;
}  // namespace rill::streams::internal
