// Splits repeatable key=value flags out of argv and normalises dashed flag names so absl
// can parse the rest (see args.h).
#include "args.h"

#include "tools/common/command_line.h"

namespace rill::topics {

absl::StatusOr<std::vector<char*>> PreprocessArgs(int argc, char** argv, RepeatedArgs* repeated,
                                                  std::vector<std::string>* storage) {
  std::vector<tools::KeyValueFlag> flags;
  auto args = tools::PreprocessArgs(argc, argv, {"X", "config"}, &flags, storage);
  for (auto& f : flags) {
    (f.flag == "X" ? repeated->kafka_props : repeated->configs)
        .emplace_back(std::move(f.key), std::move(f.value));
  }
  return args;
}

}  // namespace rill::topics
