// Command-line plumbing shared by Rill's tools on top of absl flags: Kafka-style dashed flag
// names (`--bootstrap-servers`, `--data-dir`) mapped onto absl's identifier names, and
// repeatable `key=value` flags (`-X k=v`, `--config k=v`), of which absl would keep only
// the last occurrence.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace rill::tools {

// (flag name without dashes, key, value), in command-line order.
struct KeyValueFlag {
  std::string flag;
  std::string key;
  std::string value;
};

// Removes every occurrence of the flags named in `key_value_flags` (`-F k=v`, `-F=k=v`,
// `--F k=v`, `--F=k=v`) from argv into *key_values, and rewrites dashes in the other flag
// names to underscores; arguments after a bare `--` are left alone. Returns the arguments
// for absl::ParseCommandLine; they point into argv and *storage, which must outlive them.
absl::StatusOr<std::vector<char*>> PreprocessArgs(int argc, char** argv,
                                                  const std::set<std::string>& key_value_flags,
                                                  std::vector<KeyValueFlag>* key_values,
                                                  std::vector<std::string>* storage);

// Parses "key=value"; the value may itself contain '='. `flag` names the flag in errors.
absl::StatusOr<std::pair<std::string, std::string>> ParseKeyValue(const std::string& flag,
                                                                  const std::string& text);

}  // namespace rill::tools
