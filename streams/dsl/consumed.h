// Consumed<K, V>: how a source reads its topic — key and value serdes, processor name.
// Consumed::with(key_serde, value_serde) deduces K and V, so a serde of the wrong type for
// builder.stream<K, V>() is a compile-time error.
#pragma once

#include <string>

#include "streams/serde/serde.h"

namespace rill::streams {

template <class K, class V>
struct Consumed {
  Serde<K> key_serde;
  Serde<V> value_serde;
  std::string name;

  static Consumed with(Serde<K> k, Serde<V> v) { return Consumed{std::move(k), std::move(v), {}}; }
  Consumed withName(std::string n) const {
    Consumed c = *this;
    c.name = std::move(n);
    return c;
  }
};
template <class K, class V>
Consumed(Serde<K>, Serde<V>) -> Consumed<K, V>;

}  // namespace rill::streams
