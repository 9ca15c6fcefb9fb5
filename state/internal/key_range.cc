#include "state/internal/key_range.h"

namespace rill::state::internal {

KeyRange KeyRange::Inclusive(std::optional<std::string_view> from,
                             std::optional<std::string_view> to) {
  KeyRange range;
  if (from && to && *from > *to) {
    range.empty = true;
    return range;
  }
  if (from) range.lower = std::string(*from);
  if (to) {
    range.upper_exclusive = std::string(*to);
    range.upper_exclusive->push_back('\0');
  }
  return range;
}

KeyRange KeyRange::Prefix(std::string_view prefix) {
  KeyRange range;
  if (!prefix.empty()) range.lower = std::string(prefix);
  range.upper_exclusive = PrefixSuccessor(prefix);
  return range;
}

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string successor(prefix);
  // Trailing 0xff bytes cannot be incremented: drop them and carry into the byte before.
  while (!successor.empty() && static_cast<unsigned char>(successor.back()) == 0xff) {
    successor.pop_back();
  }
  if (successor.empty()) return std::nullopt;
  successor.back() = static_cast<char>(static_cast<unsigned char>(successor.back()) + 1);
  return successor;
}

}  // namespace rill::state::internal
