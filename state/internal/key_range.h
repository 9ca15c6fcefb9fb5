// KeyRange: a half-open byte-key interval [lower, upper_exclusive) that every store uses to
// turn the public inclusive Range(from, to) bounds and PrefixScan(prefix) into one shape,
// the one RocksDB's iterate_lower_bound / iterate_upper_bound take.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rill::state::internal {

struct KeyRange {
  std::optional<std::string> lower;            // inclusive; nullopt: unbounded
  std::optional<std::string> upper_exclusive;  // nullopt: unbounded
  bool empty = false;                          // from > to: nothing can match

  // [from, to], both inclusive. The smallest key above `to` is `to` + '\0', so the
  // inclusive bound becomes an exclusive one without losing any key.
  static KeyRange Inclusive(std::optional<std::string_view> from,
                            std::optional<std::string_view> to);
  // Every key starting with `prefix`.
  static KeyRange Prefix(std::string_view prefix);

  bool AboveLower(std::string_view key) const { return !lower || key >= *lower; }
  bool BelowUpper(std::string_view key) const { return !upper_exclusive || key < *upper_exclusive; }
  bool Contains(std::string_view key) const { return !empty && AboveLower(key) && BelowUpper(key); }
};

// The smallest key greater than every key starting with `prefix`, or nullopt when there
// is none (prefix empty or all 0xff bytes).
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

}  // namespace rill::state::internal
