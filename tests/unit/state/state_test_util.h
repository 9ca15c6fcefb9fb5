// Helpers shared by the state-store tests: a temporary directory per test, iterator
// draining, and a ChangelogWriter that records into a vector.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/changelog_writer.h"
#include "state/key_value_store.h"

namespace rill::state::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/rill_state_test_XXXXXX";
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Drains `it`; an iterator error becomes a pair ("<error>", message) so tests see it.
inline Pairs Drain(std::unique_ptr<KeyValueIterator> it) {
  Pairs out;
  for (; it->Valid(); it->Next()) out.emplace_back(it->key(), it->value());
  if (!it->status().ok()) out.emplace_back("<error>", it->status().ToString());
  return out;
}

inline std::vector<std::string> Keys(std::unique_ptr<KeyValueIterator> it) {
  std::vector<std::string> out;
  for (auto& [key, value] : Drain(std::move(it))) out.push_back(key);
  return out;
}

struct SentRecord {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const SentRecord&) const = default;
};

class VectorChangelogWriter : public ChangelogWriter {
 public:
  void Send(std::string_view key, std::optional<std::string_view> value) override {
    sent.push_back(
        SentRecord{std::string(key), value ? std::optional<std::string>(*value) : std::nullopt});
  }
  std::vector<SentRecord> sent;
};

inline void PrintTo(const SentRecord& r, std::ostream* os) {
  *os << "{" << r.key << ", " << (r.value ? *r.value : std::string("<tombstone>")) << "}";
}

}  // namespace rill::state::testing
