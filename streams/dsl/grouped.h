// Grouped<K, V>: serdes and name for a grouping (the name names the repartition topic
// "<application.id>-<name>-repartition" when one is needed).
#pragma once

#include <string>

#include "streams/serde/serde.h"

namespace rill::streams {

template <class K, class V>
struct Grouped {
  std::string name;
  Serde<K> key_serde;
  Serde<V> value_serde;

  static Grouped as(std::string n) { return Grouped{std::move(n), {}, {}}; }
  static Grouped with(Serde<K> k, Serde<V> v) { return Grouped{{}, std::move(k), std::move(v)}; }
  Grouped withName(std::string n) const {
    Grouped g = *this;
    g.name = std::move(n);
    return g;
  }
  Grouped withKeySerde(Serde<K> k) const {
    Grouped g = *this;
    g.key_serde = std::move(k);
    return g;
  }
  Grouped withValueSerde(Serde<V> v) const {
    Grouped g = *this;
    g.value_serde = std::move(v);
    return g;
  }
};

}  // namespace rill::streams
