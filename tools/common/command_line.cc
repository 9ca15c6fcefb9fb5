// Flag-name normalisation and repeatable key=value flags (see command_line.h).
#include "tools/common/command_line.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rill::tools {

absl::StatusOr<std::pair<std::string, std::string>> ParseKeyValue(const std::string& flag,
                                                                  const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " expects key=value, got '", text, "'"));
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

absl::StatusOr<std::vector<char*>> PreprocessArgs(int argc, char** argv,
                                                  const std::set<std::string>& key_value_flags,
                                                  std::vector<KeyValueFlag>* key_values,
                                                  std::vector<std::string>* storage) {
  // Rewritten flags are stored first and pointed to afterwards, because growing the
  // vector would move the strings the pointers refer to.
  storage->clear();
  storage->reserve(argc);
  std::vector<int> kept;  // index into argv, or -(1 + index into storage)
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      kept.push_back(i);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      kept.push_back(i);
      continue;
    }
    const size_t dashes = arg[1] == '-' ? 2 : 1;
    const size_t eq = arg.find('=');
    std::string name =
        arg.substr(dashes, eq == std::string::npos ? std::string::npos : eq - dashes);
    if (key_value_flags.contains(name)) {
      const std::string flag = std::string(dashes, '-') + name;
      std::string value;
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat(flag, " needs a key=value argument"));
      }
      auto kv = ParseKeyValue(flag, value);
      if (!kv.ok()) return kv.status();
      key_values->push_back({name, std::move(kv->first), std::move(kv->second)});
      continue;
    }
    for (char& c : name) {
      if (c == '-') c = '_';
    }
    std::string rewritten = std::string(dashes, '-') + name;
    if (eq != std::string::npos) rewritten += arg.substr(eq);
    storage->push_back(std::move(rewritten));
    kept.push_back(-static_cast<int>(storage->size()));
  }
  std::vector<char*> out = {argv[0]};
  for (int k : kept) out.push_back(k >= 0 ? argv[k] : (*storage)[-k - 1].data());
  return out;
}

}  // namespace rill::tools
