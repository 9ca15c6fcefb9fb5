// Command-line plumbing rill-perf needs beyond absl flags: repeatable `-X key=value`
// librdkafka properties (absl keeps only the last occurrence of a flag) and Kafka-style
// dashed flag names (`--bootstrap-servers`) mapped onto absl's identifier names.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace rill::perf {

// librdkafka configuration properties in the order given; later entries win.
using KafkaProps = std::vector<std::pair<std::string, std::string>>;

// Removes every `-X k=v`, `-X=k=v`, `--X k=v` and `--X=k=v` from argv, appending the pairs
// to *props, and rewrites dashes in the remaining flag names to underscores. Arguments after
// a bare `--` are left alone. Returns the arguments to hand to absl::ParseCommandLine (the
// pointers stay valid as long as argv and the returned strings in *storage do).
absl::StatusOr<std::vector<char*>> PreprocessArgs(int argc, char** argv, KafkaProps* props,
                                                  std::vector<std::string>* storage);

// Parses one "key=value" property; the value may itself contain '='.
absl::StatusOr<std::pair<std::string, std::string>> ParseProp(const std::string& text);

}  // namespace rill::perf
