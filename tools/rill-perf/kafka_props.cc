// Splits repeatable -X librdkafka properties out of argv and normalises dashed flag names
// so absl can parse the rest (see kafka_props.h).
#include "kafka_props.h"

#include "tools/common/command_line.h"

namespace rill::perf {

absl::StatusOr<std::pair<std::string, std::string>> ParseProp(const std::string& text) {
  return tools::ParseKeyValue("-X", text);
}

absl::StatusOr<std::vector<char*>> PreprocessArgs(int argc, char** argv, KafkaProps* props,
                                                  std::vector<std::string>* storage) {
  std::vector<tools::KeyValueFlag> flags;
  auto args = tools::PreprocessArgs(argc, argv, {"X"}, &flags, storage);
  for (auto& f : flags) props->emplace_back(std::move(f.key), std::move(f.value));
  return args;
}

}  // namespace rill::perf
