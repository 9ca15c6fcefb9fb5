// Change<V>: what a KTable forwards — the new and the old value of a key (nullopt: absent).
// Downstream table operators need the old value (KGroupedTable subtracts it).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "streams/serde/serde.h"

namespace rill::streams::internal {

template <class V>
struct Change {
  std::optional<V> new_value;
  std::optional<V> old_value;
};

// Serde for Change<V> in a repartition topic (KTable groupBy): a flags byte (1: new present,
// 2: old present), then for each present value its 4-byte big-endian length and bytes.
template <class V>
class ChangeSerdeImpl : public Serde<Change<V>>::Impl {
 public:
  explicit ChangeSerdeImpl(Serde<V> inner) : inner_(std::move(inner)) {}
  bool Serialize(const Change<V>& c, std::string& out) const override {
    out.push_back(static_cast<char>((c.new_value ? 1 : 0) | (c.old_value ? 2 : 0)));
    for (const auto* v : {&c.new_value, &c.old_value}) {
      if (!*v) continue;
      std::string bytes;
      inner_.serialize(**v, bytes);
      uint32_t n = static_cast<uint32_t>(bytes.size());
      for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(n >> (8 * i)));
      out += bytes;
    }
    return true;
  }
  absl::StatusOr<Change<V>> Deserialize(std::optional<std::string_view> bytes) const override {
    if (!bytes || bytes->empty()) return absl::InvalidArgumentError("empty change record");
    std::string_view rest = bytes->substr(1);
    uint8_t flags = static_cast<uint8_t>((*bytes)[0]);
    Change<V> c;
    for (int which = 0; which < 2; ++which) {
      if (!(flags & (1 << which))) continue;
      if (rest.size() < 4) return absl::InvalidArgumentError("truncated change record");
      uint32_t n = 0;
      for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(rest[i]);
      rest.remove_prefix(4);
      if (rest.size() < n) return absl::InvalidArgumentError("truncated change record");
      auto v = inner_.deserialize(rest.substr(0, n));
      if (!v.ok()) return v.status();
      rest.remove_prefix(n);
      (which == 0 ? c.new_value : c.old_value) = std::move(*v);
    }
    return c;
  }

 private:
  Serde<V> inner_;
};

}  // namespace rill::streams::internal
