// ForwardingStore<Interface>: a store layer (change-logging, ...) that hands the StateStore
// lifecycle — name, persistence, flush, commit, restore, close — to the store it wraps, so
// each layer only writes what it adds.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "state/state_store.h"

namespace rill::state::internal {

template <class Interface>
class ForwardingStore : public Interface {
 public:
  explicit ForwardingStore(std::unique_ptr<Interface> inner) : inner_(std::move(inner)) {}

  const std::string& name() const override { return inner_->name(); }
  bool persistent() const override { return inner_->persistent(); }
  uint64_t ApproximateNumEntries() override { return inner_->ApproximateNumEntries(); }
  absl::Status Flush() override { return inner_->Flush(); }
  bool WantsCommit() override { return inner_->WantsCommit(); }
  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    return inner_->Commit(changelog_offset);
  }
  std::optional<int64_t> CommittedOffset() override { return inner_->CommittedOffset(); }
  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    return inner_->Restore(records, last_offset);
  }
  absl::Status Close() override { return inner_->Close(); }

 protected:
  std::unique_ptr<Interface> inner_;
};

}  // namespace rill::state::internal
