// DecodingScan: the core of the window and session store iterators — walks raw store
// entries, decodes each key with the store's schema and stops at those the scan matches
// (a key range over a segmented store also holds non-matches). A key that does not decode
// ends the walk with DataLoss.
#pragma once

#include <memory>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "state/key_value_store.h"

namespace rill::state::internal {

// Decode: absl::StatusOr<Decoded>(std::string_view); Scan::Matches(const Decoded&).
template <class Decoded, class Scan, absl::StatusOr<Decoded> (*Decode)(std::string_view)>
class DecodingScan {
 public:
  DecodingScan(std::unique_ptr<KeyValueIterator> entries, Scan scan)
      : entries_(std::move(entries)), scan_(std::move(scan)) {
    Settle();
  }

  bool Valid() const { return valid_; }
  void Next() {
    entries_->Next();
    Settle();
  }
  const Decoded& current() const { return current_; }  // views into the entry's key
  std::string_view value() const { return entries_->value(); }
  absl::Status status() const { return status_.ok() ? entries_->status() : status_; }

 private:
  void Settle() {
    valid_ = false;
    for (; entries_->Valid(); entries_->Next()) {
      absl::StatusOr<Decoded> decoded = Decode(entries_->key());
      if (!decoded.ok()) {
        status_ = absl::DataLossError(decoded.status().message());
        return;
      }
      if (scan_.Matches(*decoded)) {
        current_ = *decoded;
        valid_ = true;
        return;
      }
    }
  }

  std::unique_ptr<KeyValueIterator> entries_;
  Scan scan_;
  Decoded current_;
  bool valid_ = false;
  absl::Status status_;
};

}  // namespace rill::state::internal
