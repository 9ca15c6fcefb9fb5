#include "state/caching_key_value_store.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "state/internal/key_range.h"
#include "state/internal/merged_key_value_iterator.h"
#include "state/internal/vector_key_value_iterator.h"

namespace rill::state {
namespace {

using internal::KeyRange;

// Hashes and compares keys as std::string_view, so lookups by the std::string_view the
// store API passes in neither copy the key nor convert it to Debian Abseil's own
// absl::string_view at every call site.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(key.data(), key.size()));
  }
};
struct KeyEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

std::optional<std::string_view> View(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  return std::string_view(*value);
}

class CachingKeyValueStore final : public KeyValueStore {
 public:
  CachingKeyValueStore(std::unique_ptr<KeyValueStore> inner, std::shared_ptr<CacheBudget> budget,
                       std::function<int64_t()> record_timestamp, CacheFlushListener listener)
      : inner_(std::move(inner)),
        budget_(std::move(budget)),
        record_timestamp_(std::move(record_timestamp)),
        listener_(std::move(listener)) {}

  ~CachingKeyValueStore() override {
    std::lock_guard<std::mutex> lock(mu_);
    DropAllLocked();
  }

  const std::string& name() const override { return inner_->name(); }
  bool persistent() const override { return inner_->persistent(); }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return ClosedError();
      auto it = entries_.find(key);
      if (it != entries_.end()) return it->second.value;
    }
    // A flush writes the inner store before it drops the entry here, so a miss above
    // cannot skip a value that is in neither place.
    return inner_->Get(key);
  }

  absl::Status Put(std::string_view key, std::optional<std::string_view> value) override {
    const int64_t timestamp = Now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return ClosedError();
      WriteLocked(key, value, timestamp);
    }
    return MaybeEvict();
  }

  absl::StatusOr<std::optional<std::string>> PutIfAbsent(std::string_view key,
                                                         std::string_view value) override {
    absl::StatusOr<std::optional<std::string>> existing = Get(key);
    if (!existing.ok() || existing->has_value()) return existing;
    absl::Status s = Put(key, value);
    if (!s.ok()) return s;
    return std::nullopt;
  }

  absl::Status PutAll(const KeyValueEntries& entries) override {
    const int64_t timestamp = Now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return ClosedError();
      for (const auto& [key, value] : entries) WriteLocked(key, View(value), timestamp);
    }
    return MaybeEvict();
  }

  absl::StatusOr<std::optional<std::string>> Delete(std::string_view key) override {
    absl::StatusOr<std::optional<std::string>> old = Get(key);
    // Deleting an absent key changes nothing: no tombstone for the layers below.
    if (!old.ok() || !old->has_value()) return old;
    absl::Status s = Put(key, std::nullopt);
    if (!s.ok()) return s;
    return old;
  }

  std::unique_ptr<KeyValueIterator> Range(std::optional<std::string_view> from,
                                          std::optional<std::string_view> to,
                                          bool reverse) override {
    KeyRange range = KeyRange::Inclusive(from, to);
    if (range.empty) return internal::NewEmptyIterator();
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return internal::NewEmptyIterator(ClosedError());
    return MergeLocked(inner_->Range(from, to, reverse), range, reverse);
  }

  std::unique_ptr<KeyValueIterator> PrefixScan(std::string_view prefix) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return internal::NewEmptyIterator(ClosedError());
    return MergeLocked(inner_->PrefixScan(prefix), KeyRange::Prefix(prefix), /*reverse=*/false);
  }

  // The inner store's estimate plus the cached values (some may already be counted there).
  uint64_t ApproximateNumEntries() override {
    uint64_t cached = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [key, entry] : entries_) {
        if (entry.value) ++cached;
      }
    }
    return inner_->ApproximateNumEntries() + cached;
  }

  absl::Status Flush() override {
    {
      std::lock_guard<std::recursive_mutex> flush_lock(flush_mu_);
      // Called from this store's own listener: the running flush picks up what is left.
      if (flushing_) return absl::OkStatus();
      // Writes the listener makes to this store land behind the snapshot; loop until none.
      while (true) {
        std::vector<Pending> pending;
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (closed_) return ClosedError();
          if (oldest_ == nullptr) break;
          pending.reserve(entries_.size());
          for (const Entry* e = oldest_; e != nullptr; e = e->newer) {
            pending.push_back(PendingLocked(*e));
          }
        }
        absl::Status s = WriteDown(pending);
        if (!s.ok()) return s;
      }
    }
    return inner_->Flush();
  }

  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    absl::Status s = Flush();
    if (!s.ok()) return s;
    return inner_->Commit(changelog_offset);
  }

  std::optional<int64_t> CommittedOffset() override { return inner_->CommittedOffset(); }

  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    absl::Status s = inner_->Restore(records, last_offset);
    std::lock_guard<std::mutex> lock(mu_);
    // The restored values are newer than anything cached for those keys.
    for (const ChangelogRecord& record : records) {
      auto it = entries_.find(record.key);
      if (it != entries_.end()) EraseLocked(it);
    }
    return s;
  }

  absl::Status Close() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      // Dirty entries are uncommitted writes: dropped, like the inner store's.
      DropAllLocked();
      closed_ = true;
    }
    return inner_->Close();
  }

 private:
  // A dirty key. Entries live in the nodes of a node_hash_map, so their addresses are
  // stable and the write order can be a list threaded through them: moving a rewritten
  // entry to the newest end, or unlinking the oldest, is O(1) and allocates nothing (a
  // std::map keyed by seq cost a node free and allocation per write). The hash map makes
  // a lookup one hash and usually one key compare instead of a string compare per tree
  // level. Range/PrefixScan lose the sorted order and sort the matching keys instead; they
  // serve interactive queries, rare next to the per-record Get/Put. (A flat_hash_map of
  // unique_ptr<Entry>, the other pointer-stable layout, measured a few percent slower.)
  struct Entry {
    std::optional<std::string> value;  // nullopt: deleted
    int64_t timestamp = 0;
    uint64_t seq = 0;    // bumped by every write: tells a flush whether the entry changed since
    uint64_t bytes = 0;  // reserved in the budget
    const std::string* key = nullptr;  // this entry's key in entries_
    Entry* older = nullptr;            // write-order neighbours; nullptr at the ends
    Entry* newer = nullptr;
  };
  using EntryMap = absl::node_hash_map<std::string, Entry, KeyHash, KeyEq>;

  // A copy of an entry being flushed, so the inner store and the listener run unlocked.
  struct Pending {
    std::string key;
    std::optional<std::string> value;
    int64_t timestamp;
    uint64_t seq;
  };

  absl::Status ClosedError() const {
    return absl::FailedPreconditionError(absl::StrCat("caching store ", name(), " is closed"));
  }

  int64_t Now() const { return record_timestamp_ ? record_timestamp_() : 0; }

  void WriteLocked(std::string_view key, std::optional<std::string_view> value, int64_t timestamp) {
    const uint64_t bytes = CacheBudget::EntryBytes(key.size(), value ? value->size() : 0);
    auto [it, inserted] = entries_.try_emplace(key);
    Entry& entry = it->second;
    if (inserted) {
      entry.key = &it->first;
      budget_->Reserve(bytes);
      LinkNewestLocked(&entry);
    } else {
      // Only the difference: an overwrite of the same size, a counter's, touches no atomic.
      if (bytes > entry.bytes) budget_->Reserve(bytes - entry.bytes);
      if (bytes < entry.bytes) budget_->Release(entry.bytes - bytes);
      if (&entry != newest_) {
        UnlinkLocked(&entry);
        LinkNewestLocked(&entry);
      }
    }
    // Assigning keeps the old value's buffer, so an overwrite does not allocate.
    if (!value) {
      entry.value.reset();
    } else if (entry.value) {
      entry.value->assign(value->data(), value->size());
    } else {
      entry.value.emplace(*value);
    }
    entry.timestamp = timestamp;
    entry.seq = next_seq_++;
    entry.bytes = bytes;
  }

  void LinkNewestLocked(Entry* entry) {
    entry->older = newest_;
    entry->newer = nullptr;
    (newest_ != nullptr ? newest_->newer : oldest_) = entry;
    newest_ = entry;
  }

  void UnlinkLocked(Entry* entry) {
    (entry->older != nullptr ? entry->older->newer : oldest_) = entry->newer;
    (entry->newer != nullptr ? entry->newer->older : newest_) = entry->older;
  }

  void EraseLocked(EntryMap::iterator it) {
    UnlinkLocked(&it->second);
    budget_->Release(it->second.bytes);
    entries_.erase(it);
  }

  void DropAllLocked() {
    uint64_t bytes = 0;
    for (const auto& [key, entry] : entries_) bytes += entry.bytes;
    budget_->Release(bytes);
    entries_.clear();
    oldest_ = newest_ = nullptr;
  }

  static Pending PendingLocked(const Entry& entry) {
    return Pending{*entry.key, entry.value, entry.timestamp, entry.seq};
  }

  // Evicts this store's oldest entries while the shared budget is exceeded.
  absl::Status MaybeEvict() {
    if (!budget_->Exceeded()) return absl::OkStatus();
    std::lock_guard<std::recursive_mutex> flush_lock(flush_mu_);
    if (flushing_) return absl::OkStatus();  // a write from our listener; see Flush()
    while (budget_->Exceeded()) {
      std::vector<Pending> pending;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (oldest_ == nullptr) break;  // the rest of the budget is other stores' to give back
        pending.push_back(PendingLocked(*oldest_));
      }
      absl::Status s = WriteDown(pending);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Writes `pending` to the inner store in order, calling the listener after each, then
  // drops the written entries from the cache unless they were rewritten meanwhile. Runs
  // under flush_mu_, without mu_.
  absl::Status WriteDown(const std::vector<Pending>& pending) {
    // Cleans up on every exit, a throwing listener included, so no entry is flushed twice
    // and the store does not stay marked as flushing.
    struct Cleanup {
      CachingKeyValueStore* store;
      const std::vector<Pending>& pending;
      size_t written = 0;
      ~Cleanup() {
        store->flushing_ = false;
        std::lock_guard<std::mutex> lock(store->mu_);
        for (size_t i = 0; i < written; ++i) {
          auto it = store->entries_.find(pending[i].key);
          if (it != store->entries_.end() && it->second.seq == pending[i].seq) {
            store->EraseLocked(it);
          }
        }
      }
    } cleanup{this, pending};
    flushing_ = true;

    for (const Pending& p : pending) {
      std::optional<std::string> old_value;
      if (listener_) {
        absl::StatusOr<std::optional<std::string>> old = inner_->Get(p.key);
        if (!old.ok()) return old.status();
        old_value = std::move(*old);
      }
      absl::Status s = inner_->Put(p.key, View(p.value));
      if (!s.ok()) return s;
      ++cleanup.written;
      if (listener_ && (p.value || old_value)) {
        listener_(CacheFlushEntry{p.key, View(p.value), View(old_value), p.timestamp});
      }
    }
    return absl::OkStatus();
  }

  // The cached entries in `range`, in iteration order, laid over `base`. A full pass over
  // the cache plus a sort of the hits: see Entry for why that trade is right.
  std::unique_ptr<KeyValueIterator> MergeLocked(std::unique_ptr<KeyValueIterator> base,
                                                const KeyRange& range, bool reverse) {
    std::vector<const EntryMap::value_type*> hits;
    for (const auto& kv : entries_) {
      if (range.AboveLower(kv.first) && range.BelowUpper(kv.first)) hits.push_back(&kv);
    }
    if (hits.empty()) return base;
    // Bytewise, like the inner stores: std::string_view compares as unsigned char.
    std::sort(hits.begin(), hits.end(), [reverse](const auto* a, const auto* b) {
      return reverse ? std::string_view(b->first) < std::string_view(a->first)
                     : std::string_view(a->first) < std::string_view(b->first);
    });
    internal::Overlay overlay;
    overlay.reserve(hits.size());
    for (const auto* kv : hits) overlay.emplace_back(kv->first, kv->second.value);
    return std::make_unique<internal::MergedKeyValueIterator>(std::move(base), std::move(overlay),
                                                              reverse);
  }

  std::unique_ptr<KeyValueStore> inner_;
  std::shared_ptr<CacheBudget> budget_;
  std::function<int64_t()> record_timestamp_;
  CacheFlushListener listener_;

  std::mutex mu_;  // guards everything below up to flush_mu_
  EntryMap entries_;
  Entry* oldest_ = nullptr;  // write order, through Entry::older/newer; every entry is in it
  Entry* newest_ = nullptr;
  uint64_t next_seq_ = 0;
  bool closed_ = false;

  // Serializes flushes and evictions; recursive so a listener writing to this store can
  // re-enter (and find flushing_ set) instead of deadlocking.
  std::recursive_mutex flush_mu_;
  bool flushing_ = false;  // guarded by flush_mu_
};

}  // namespace

std::unique_ptr<KeyValueStore> NewCachingKeyValueStore(std::unique_ptr<KeyValueStore> inner,
                                                       std::shared_ptr<CacheBudget> budget,
                                                       std::function<int64_t()> record_timestamp,
                                                       CacheFlushListener listener) {
  return std::make_unique<CachingKeyValueStore>(std::move(inner), std::move(budget),
                                                std::move(record_timestamp), std::move(listener));
}

}  // namespace rill::state
