// VectorKeyValueIterator: iterates a materialized, already ordered copy of key-value pairs.
// The in-memory store hands these out so that an iterator never touches the live map
// while the stream thread keeps writing; closed stores hand out an empty one carrying the
// error.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "state/key_value_store.h"

namespace rill::state::internal {

class VectorKeyValueIterator final : public KeyValueIterator {
 public:
  // `entries` must already be in iteration order.
  explicit VectorKeyValueIterator(std::vector<std::pair<std::string, std::string>> entries,
                                  absl::Status status = absl::OkStatus())
      : entries_(std::move(entries)), status_(std::move(status)) {}

  bool Valid() const override { return status_.ok() && index_ < entries_.size(); }
  void Next() override { ++index_; }
  std::string_view key() const override { return entries_[index_].first; }
  std::string_view value() const override { return entries_[index_].second; }
  absl::Status status() const override { return status_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  size_t index_ = 0;
  absl::Status status_;
};

// An iterator with nothing in it: for empty ranges (status OK) and closed stores.
inline std::unique_ptr<KeyValueIterator> NewEmptyIterator(absl::Status status = absl::OkStatus()) {
  return std::make_unique<VectorKeyValueIterator>(
      std::vector<std::pair<std::string, std::string>>{}, std::move(status));
}

}  // namespace rill::state::internal
