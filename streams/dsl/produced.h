// Produced<K, V>: how a sink writes — key and value serdes, processor name.
#pragma once

#include <string>

#include "streams/serde/serde.h"

namespace rill::streams {

template <class K, class V>
struct Produced {
  Serde<K> key_serde;
  Serde<V> value_serde;
  std::string name;

  static Produced with(Serde<K> k, Serde<V> v) { return Produced{std::move(k), std::move(v), {}}; }
  Produced withName(std::string n) const {
    Produced p = *this;
    p.name = std::move(n);
    return p;
  }
};
template <class K, class V>
Produced(Serde<K>, Serde<V>) -> Produced<K, V>;

}  // namespace rill::streams
