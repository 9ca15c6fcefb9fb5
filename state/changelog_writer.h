// ChangelogWriter: where the change-logging store layer sends each write. The streams
// runtime implements it with the task's producer (topic <application.id>-<store>-changelog,
// the task's partition, the current record's timestamp); tests implement it with a vector.
#pragma once

#include <optional>
#include <string_view>

namespace rill::state {

class ChangelogWriter {
 public:
  virtual ~ChangelogWriter() = default;
  // Sends one change (value nullopt: a tombstone). Asynchronous: the runtime flushes the
  // producer at commit and learns the offsets the records got.
  virtual void Send(std::string_view key, std::optional<std::string_view> value) = 0;
};

}  // namespace rill::state
