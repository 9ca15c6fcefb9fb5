// Command-line plumbing rill-topics needs beyond absl flags: repeatable `--config k=v` and
// `-X k=v` (absl keeps only a flag's last occurrence) and Kafka-style dashed flag names
// (`--bootstrap-servers`) mapped onto absl's identifier names.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace rill::topics {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct RepeatedArgs {
  KeyValues configs;      // --config k=v: topic configs for `create`
  KeyValues kafka_props;  // -X k=v: librdkafka client properties
};

// Removes every `--config`/`-X` occurrence (`--config k=v` or `--config=k=v`, one or two
// dashes) from argv into *repeated, and rewrites dashes in the other flag names to
// underscores; arguments after a bare `--` are left alone. Returns the arguments for
// absl::ParseCommandLine; they point into argv and *storage.
absl::StatusOr<std::vector<char*>> PreprocessArgs(int argc, char** argv, RepeatedArgs* repeated,
                                                  std::vector<std::string>* storage);

}  // namespace rill::topics
