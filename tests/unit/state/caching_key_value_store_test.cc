#include "state/caching_key_value_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "state/cache_budget.h"
#include "state/change_logging_key_value_store.h"
#include "state/in_memory_key_value_store.h"
#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::Drain;
using testing::Keys;
using testing::Pairs;
using testing::SentRecord;
using testing::VectorChangelogWriter;

// A flush as the listener saw it, copied out of the views.
struct Flushed {
  std::string key;
  std::optional<std::string> new_value;
  std::optional<std::string> old_value;
  int64_t timestamp;
  bool operator==(const Flushed&) const = default;
};

void PrintTo(const Flushed& f, std::ostream* os) {
  *os << "{" << f.key << ", new=" << f.new_value.value_or("<none>")
      << ", old=" << f.old_value.value_or("<none>") << ", ts=" << f.timestamp << "}";
}

std::optional<std::string> Copy(std::optional<std::string_view> v) {
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

// Counts the Get calls reaching the inner store.
class CountingStore : public KeyValueStore {
 public:
  explicit CountingStore(std::unique_ptr<KeyValueStore> inner) : inner_(std::move(inner)) {}
  int gets = 0;

  const std::string& name() const override { return inner_->name(); }
  bool persistent() const override { return inner_->persistent(); }
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) override {
    ++gets;
    return inner_->Get(key);
  }
  absl::Status Put(std::string_view key, std::optional<std::string_view> value) override {
    return inner_->Put(key, value);
  }
  absl::StatusOr<std::optional<std::string>> PutIfAbsent(std::string_view key,
                                                         std::string_view value) override {
    return inner_->PutIfAbsent(key, value);
  }
  absl::Status PutAll(const KeyValueEntries& entries) override { return inner_->PutAll(entries); }
  absl::StatusOr<std::optional<std::string>> Delete(std::string_view key) override {
    return inner_->Delete(key);
  }
  std::unique_ptr<KeyValueIterator> Range(std::optional<std::string_view> from,
                                          std::optional<std::string_view> to,
                                          bool reverse) override {
    return inner_->Range(from, to, reverse);
  }
  std::unique_ptr<KeyValueIterator> PrefixScan(std::string_view prefix) override {
    return inner_->PrefixScan(prefix);
  }
  uint64_t ApproximateNumEntries() override { return inner_->ApproximateNumEntries(); }
  absl::Status Flush() override { return inner_->Flush(); }
  absl::Status Commit(std::optional<int64_t> offset) override { return inner_->Commit(offset); }
  std::optional<int64_t> CommittedOffset() override { return inner_->CommittedOffset(); }
  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last) override {
    return inner_->Restore(records, last);
  }
  absl::Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<KeyValueStore> inner_;
};

class CachingKeyValueStoreTest : public ::testing::Test {
 protected:
  // caching -> change-logging -> in-memory, as the runtime stacks them.
  void Build(uint64_t budget_bytes, bool with_listener = true) {
    budget_ = std::make_shared<CacheBudget>(budget_bytes);
    store_ = BuildOn(budget_, with_listener, &inner_, &writer_, &flushed_);
  }

  std::unique_ptr<KeyValueStore> BuildOn(std::shared_ptr<CacheBudget> budget, bool with_listener,
                                         KeyValueStore** inner, VectorChangelogWriter* writer,
                                         std::vector<Flushed>* flushed) {
    auto memory = NewInMemoryKeyValueStore("s");
    *inner = memory.get();
    CacheFlushListener listener;
    if (with_listener) {
      listener = [flushed](const CacheFlushEntry& e) {
        flushed->push_back(
            Flushed{std::string(e.key), Copy(e.new_value), Copy(e.old_value), e.timestamp});
      };
    }
    return NewCachingKeyValueStore(
        NewChangeLoggingKeyValueStore(std::move(memory), writer), std::move(budget),
        [this] { return now_; }, std::move(listener));
  }

  void Put(std::string_view key, std::optional<std::string_view> value) {
    ASSERT_TRUE(store_->Put(key, value).ok());
  }

  int64_t now_ = 0;
  std::shared_ptr<CacheBudget> budget_;
  KeyValueStore* inner_ = nullptr;  // the in-memory store at the bottom
  VectorChangelogWriter writer_;
  std::vector<Flushed> flushed_;
  std::unique_ptr<KeyValueStore> store_;
};

TEST_F(CachingKeyValueStoreTest, DedupesWritesToOneKey) {
  Build(1 << 20);
  ASSERT_TRUE(inner_->Put("k", "before").ok());
  for (int i = 1; i <= 10; ++i) {
    now_ = 100 + i;
    Put("k", "v" + std::to_string(i));
  }
  EXPECT_TRUE(flushed_.empty());
  EXPECT_TRUE(writer_.sent.empty());
  EXPECT_EQ(*inner_->Get("k"), "before");

  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(flushed_, (std::vector<Flushed>{{"k", "v10", "before", 110}}));
  EXPECT_EQ(writer_.sent, (std::vector<SentRecord>{{"k", "v10"}}));
  EXPECT_EQ(*inner_->Get("k"), "v10");
  EXPECT_EQ(budget_->used_bytes(), 0u);

  // Nothing dirty: a second flush sends nothing.
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(flushed_.size(), 1u);
}

TEST_F(CachingKeyValueStoreTest, FlushesInWriteOrder) {
  Build(1 << 20);
  Put("b", "1");
  Put("a", "1");
  Put("c", "1");
  Put("b", "2");  // rewritten: now the most recent
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_EQ(flushed_.size(), 3u);
  EXPECT_EQ(flushed_[0].key, "a");
  EXPECT_EQ(flushed_[1].key, "c");
  EXPECT_EQ(flushed_[2], (Flushed{"b", "2", std::nullopt, 0}));
}

TEST_F(CachingKeyValueStoreTest, TombstonesFlushAsDeletes) {
  Build(1 << 20);
  ASSERT_TRUE(inner_->Put("existing", "old").ok());
  now_ = 7;
  auto old = store_->Delete("existing");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*old, "old");
  EXPECT_EQ(*store_->Get("existing"), std::nullopt);  // the cached delete hides it
  EXPECT_EQ(*inner_->Get("existing"), "old");

  // Written and deleted between flushes: nothing to tell anyone but the inner store.
  Put("transient", "x");
  Put("transient", std::nullopt);
  // Deleting a key that exists nowhere writes nothing at all.
  auto absent = store_->Delete("absent");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, std::nullopt);

  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(flushed_, (std::vector<Flushed>{{"existing", std::nullopt, "old", 7}}));
  EXPECT_EQ(writer_.sent,
            (std::vector<SentRecord>{{"existing", std::nullopt}, {"transient", std::nullopt}}));
  EXPECT_EQ(*inner_->Get("existing"), std::nullopt);
}

TEST_F(CachingKeyValueStoreTest, ReadsSeeTheCacheFirst) {
  Build(1 << 20);
  ASSERT_TRUE(inner_->Put("a", "inner").ok());
  ASSERT_TRUE(inner_->Put("b", "inner").ok());
  Put("a", "cached");
  EXPECT_EQ(*store_->Get("a"), "cached");
  EXPECT_EQ(*store_->Get("b"), "inner");
  EXPECT_EQ(*inner_->Get("a"), "inner");

  auto existing = store_->PutIfAbsent("a", "x");
  ASSERT_TRUE(existing.ok());
  EXPECT_EQ(*existing, "cached");
  auto wrote = store_->PutIfAbsent("c", "new");
  ASSERT_TRUE(wrote.ok());
  EXPECT_EQ(*wrote, std::nullopt);
  EXPECT_EQ(*store_->Get("c"), "new");
  EXPECT_EQ(*inner_->Get("c"), std::nullopt);
}

TEST_F(CachingKeyValueStoreTest, RangeMergesCacheOverInner) {
  Build(1 << 20);
  ASSERT_TRUE(inner_->PutAll({{"a", "1"}, {"b", "2"}, {"c", "3"}, {"e", "5"}}).ok());
  Put("a", "10");
  Put("b", std::nullopt);
  Put("d", "4");
  Put("f", "6");
  Put("ab", std::nullopt);  // a tombstone for a key the inner store never had

  EXPECT_EQ(Drain(store_->All()),
            (Pairs{{"a", "10"}, {"c", "3"}, {"d", "4"}, {"e", "5"}, {"f", "6"}}));
  EXPECT_EQ(Keys(store_->All(/*reverse=*/true)),
            (std::vector<std::string>{"f", "e", "d", "c", "a"}));
  EXPECT_EQ(Keys(store_->Range("b", "e")), (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_EQ(Keys(store_->Range("b", "e", /*reverse=*/true)),
            (std::vector<std::string>{"e", "d", "c"}));
  EXPECT_EQ(Keys(store_->Range("d", "d")), (std::vector<std::string>{"d"}));
  EXPECT_EQ(Keys(store_->PrefixScan("a")), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Keys(store_->Range("e", "b")), (std::vector<std::string>{}));

  // After the flush the inner store alone gives the same answer.
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Drain(inner_->All()),
            (Pairs{{"a", "10"}, {"c", "3"}, {"d", "4"}, {"e", "5"}, {"f", "6"}}));
}

TEST_F(CachingKeyValueStoreTest, EvictsOldestEntriesWhenOverBudget) {
  // Room for two entries of a one-byte key and one-byte value.
  Build(2 * CacheBudget::EntryBytes(1, 1));
  now_ = 1;
  Put("a", "1");
  now_ = 2;
  Put("b", "2");
  EXPECT_TRUE(flushed_.empty());
  EXPECT_EQ(budget_->used_bytes(), 2 * CacheBudget::EntryBytes(1, 1));

  now_ = 3;
  Put("c", "3");  // over budget: "a", the least recently written, goes down
  EXPECT_EQ(flushed_, (std::vector<Flushed>{{"a", "1", std::nullopt, 1}}));
  EXPECT_EQ(writer_.sent, (std::vector<SentRecord>{{"a", "1"}}));
  EXPECT_EQ(*inner_->Get("a"), "1");
  EXPECT_EQ(*inner_->Get("b"), std::nullopt);
  EXPECT_LE(budget_->used_bytes(), budget_->max_bytes());

  Put("b", "22");  // bigger value: over budget again; "c" is now the oldest
  EXPECT_EQ(flushed_.back(), (Flushed{"c", "3", std::nullopt, 3}));
  EXPECT_LE(budget_->used_bytes(), budget_->max_bytes());
  EXPECT_EQ(*store_->Get("b"), "22");  // still cached, still readable
  EXPECT_EQ(*inner_->Get("b"), std::nullopt);
}

TEST_F(CachingKeyValueStoreTest, ZeroBudgetWritesThrough) {
  Build(0);
  ASSERT_TRUE(inner_->Put("k", "old").ok());
  now_ = 5;
  Put("k", "1");
  EXPECT_EQ(flushed_, (std::vector<Flushed>{{"k", "1", "old", 5}}));
  EXPECT_EQ(*inner_->Get("k"), "1");
  now_ = 6;
  Put("k", "2");
  ASSERT_TRUE(store_->Delete("k").ok());
  EXPECT_EQ(flushed_, (std::vector<Flushed>{
                          {"k", "1", "old", 5}, {"k", "2", "1", 6}, {"k", std::nullopt, "2", 6}}));
  EXPECT_EQ(writer_.sent.size(), 3u);
  EXPECT_EQ(budget_->used_bytes(), 0u);
}

TEST_F(CachingKeyValueStoreTest, CommitFlushesThenCommitsInner) {
  Build(1 << 20);
  Put("a", "1");
  Put("b", "2");
  ASSERT_TRUE(store_->Commit(42).ok());
  EXPECT_EQ(flushed_.size(), 2u);
  EXPECT_EQ(writer_.sent, (std::vector<SentRecord>{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(Drain(inner_->All()), (Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(inner_->CommittedOffset(), 42);
  EXPECT_EQ(store_->CommittedOffset(), 42);
}

TEST_F(CachingKeyValueStoreTest, OldValuesAreReadOnlyForAListener) {
  budget_ = std::make_shared<CacheBudget>(1 << 20);
  auto counting = std::make_unique<CountingStore>(NewInMemoryKeyValueStore("s"));
  CountingStore* inner = counting.get();
  auto store = NewCachingKeyValueStore(std::move(counting), budget_, nullptr, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->Put("k" + std::to_string(i), "v").ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(inner->gets, 0);
  EXPECT_EQ(*inner->Get("k3"), "v");
}

TEST_F(CachingKeyValueStoreTest, StoresShareTheBudgetButEvictOnlyTheirOwn) {
  const uint64_t entry = CacheBudget::EntryBytes(1, 1);
  Build(3 * entry);
  KeyValueStore* other_inner = nullptr;
  VectorChangelogWriter other_writer;
  std::vector<Flushed> other_flushed;
  auto other = BuildOn(budget_, true, &other_inner, &other_writer, &other_flushed);

  Put("a", "1");
  Put("b", "2");
  ASSERT_TRUE(other->Put("x", "9").ok());
  EXPECT_EQ(budget_->used_bytes(), 3 * entry);
  EXPECT_TRUE(flushed_.empty());

  // Over budget by the other store's write: the other store evicts its own oldest entry.
  ASSERT_TRUE(other->Put("y", "8").ok());
  EXPECT_TRUE(flushed_.empty());
  EXPECT_EQ(other_flushed, (std::vector<Flushed>{{"x", "9", std::nullopt, 0}}));
  EXPECT_EQ(budget_->used_bytes(), 3 * entry);

  // Too big to fit even alone: the other store evicts everything it has, itself included,
  // and leaves this store's entries dirty, although the budget stays exceeded meanwhile.
  ASSERT_TRUE(other->Put("w", std::string(4 * entry, 'w')).ok());
  ASSERT_EQ(other_flushed.size(), 3u);
  EXPECT_EQ(other_flushed[1].key, "y");
  EXPECT_EQ(other_flushed[2].key, "w");
  EXPECT_TRUE(flushed_.empty());
  EXPECT_EQ(budget_->used_bytes(), 2 * entry);
  EXPECT_EQ(Drain(other_inner->All()).size(), 3u);

  // Closing gives the bytes back.
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(budget_->used_bytes(), 0u);
  EXPECT_FALSE(store_->Put("z", "1").ok());
  EXPECT_EQ(budget_->used_bytes(), 0u);
}

TEST_F(CachingKeyValueStoreTest, RestoreGoesToInnerAndDropsCachedKeys) {
  Build(1 << 20);
  Put("a", "cached");
  Put("b", "cached");
  ASSERT_TRUE(store_->Restore({{"a", "restored"}, {"c", "restored"}}, 3).ok());
  EXPECT_EQ(*store_->Get("a"), "restored");
  EXPECT_EQ(*store_->Get("b"), "cached");
  EXPECT_EQ(store_->CommittedOffset(), 3);
  EXPECT_TRUE(writer_.sent.empty());  // restoration is not logged
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(flushed_, (std::vector<Flushed>{{"b", "cached", std::nullopt, 0}}));
}

TEST_F(CachingKeyValueStoreTest, CloseDropsDirtyEntries) {
  Build(1 << 20);
  Put("a", "1");
  EXPECT_GT(budget_->used_bytes(), 0u);
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(budget_->used_bytes(), 0u);
  EXPECT_TRUE(flushed_.empty());
  EXPECT_TRUE(writer_.sent.empty());
  EXPECT_FALSE(store_->Put("a", "2").ok());
  EXPECT_FALSE(store_->Flush().ok());
}

TEST_F(CachingKeyValueStoreTest, DestructionReleasesTheBudget) {
  Build(1 << 20);
  Put("a", "1");
  EXPECT_GT(budget_->used_bytes(), 0u);
  store_.reset();
  EXPECT_EQ(budget_->used_bytes(), 0u);
}

// A downstream processor may write back into the same store while its flush runs.
TEST_F(CachingKeyValueStoreTest, ListenerMayWriteToTheSameStore) {
  budget_ = std::make_shared<CacheBudget>(1 << 20);
  auto memory = NewInMemoryKeyValueStore("s");
  KeyValueStore* inner = memory.get();
  KeyValueStore* self = nullptr;
  std::vector<std::string> seen;
  auto store =
      NewCachingKeyValueStore(std::move(memory), budget_, nullptr, [&](const CacheFlushEntry& e) {
        seen.emplace_back(e.key);
        if (e.key == "a") {
          EXPECT_EQ(*self->Get("a"), "1");  // reading inside the listener does not deadlock
          ASSERT_TRUE(self->Put("derived", "from-a").ok());
        }
      });
  self = store.get();
  ASSERT_TRUE(store->Put("a", "1").ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "derived"}));
  EXPECT_EQ(*inner->Get("derived"), "from-a");
  EXPECT_EQ(budget_->used_bytes(), 0u);
}

TEST_F(CachingKeyValueStoreTest, ThrowingListenerLeavesTheStoreUsable) {
  budget_ = std::make_shared<CacheBudget>(1 << 20);
  auto memory = NewInMemoryKeyValueStore("s");
  KeyValueStore* inner = memory.get();
  std::vector<std::string> seen;
  auto store =
      NewCachingKeyValueStore(std::move(memory), budget_, nullptr, [&](const CacheFlushEntry& e) {
        seen.emplace_back(e.key);
        if (e.key == "b") throw std::runtime_error("boom");
      });
  ASSERT_TRUE(store->Put("a", "1").ok());
  ASSERT_TRUE(store->Put("b", "2").ok());
  ASSERT_TRUE(store->Put("c", "3").ok());
  EXPECT_THROW(store->Flush().IgnoreError(), std::runtime_error);
  EXPECT_EQ(*inner->Get("b"), "2");
  ASSERT_TRUE(store->Flush().ok());
  // "a" and "b" are not flushed twice; "c" is flushed now.
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(budget_->used_bytes(), 0u);
}

// The listener rewrites an entry that is still ahead in the running flush and the one it
// is being told about: both stay dirty and go down again, newest write last.
TEST_F(CachingKeyValueStoreTest, ListenerRewritesEntriesOfTheRunningFlush) {
  budget_ = std::make_shared<CacheBudget>(1 << 20);
  auto memory = NewInMemoryKeyValueStore("s");
  KeyValueStore* inner = memory.get();
  KeyValueStore* self = nullptr;
  std::vector<Flushed> seen;
  auto store =
      NewCachingKeyValueStore(std::move(memory), budget_, nullptr, [&](const CacheFlushEntry& e) {
        seen.push_back(Flushed{std::string(e.key), Copy(e.new_value), Copy(e.old_value), 0});
        if (e.key == "a" && e.new_value == "1") {
          ASSERT_TRUE(self->Put("b", "2").ok());
          ASSERT_TRUE(self->Put("a", "2").ok());
        }
      });
  self = store.get();
  ASSERT_TRUE(store->Put("a", "1").ok());
  ASSERT_TRUE(store->Put("b", "1").ok());
  ASSERT_TRUE(store->Put("c", "1").ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(seen, (std::vector<Flushed>{{"a", "1", std::nullopt, 0},
                                        {"b", "1", std::nullopt, 0},
                                        {"c", "1", std::nullopt, 0},
                                        {"b", "2", "1", 0},
                                        {"a", "2", "1", 0}}));
  EXPECT_EQ(Drain(inner->All()), (Pairs{{"a", "2"}, {"b", "2"}, {"c", "1"}}));
  EXPECT_EQ(budget_->used_bytes(), 0u);
}

// Random writes, deletes, reads, scans, flushes and evictions against a model of the
// documented behaviour. The cache keeps its keys unordered and its write order in a list,
// so this checks the flush and eviction order after rewrites (of the oldest, newest and
// middle entries) and that scans come out bytewise sorted, keys above 0x7f included.
TEST_F(CachingKeyValueStoreTest, MatchesAModelUnderRandomOperations) {
  const uint64_t max_bytes = 12 * CacheBudget::EntryBytes(2, 3);
  Build(max_bytes);
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) {
    names.emplace_back(1, static_cast<char>(0x50 + i * 4));
    if (i % 3 == 0) names.back() += 'x';
  }

  struct Cached {
    std::optional<std::string> value;
    int64_t timestamp;
  };
  std::map<std::string, Cached> cache;       // the dirty entries
  std::vector<std::string> order;            // their keys, oldest write first
  std::map<std::string, std::string> inner;  // what the inner store holds
  std::vector<Flushed> expected;
  uint64_t used = 0;
  auto bytes = [](const std::string& key, const std::optional<std::string>& value) {
    return CacheBudget::EntryBytes(key.size(), value ? value->size() : 0);
  };
  auto write_down_oldest = [&] {
    const std::string key = order.front();
    order.erase(order.begin());
    const Cached c = cache.at(key);
    std::optional<std::string> old;
    if (auto it = inner.find(key); it != inner.end()) old = it->second;
    if (c.value || old) expected.push_back(Flushed{key, c.value, old, c.timestamp});
    if (c.value) {
      inner[key] = *c.value;
    } else {
      inner.erase(key);
    }
    used -= bytes(key, c.value);
    cache.erase(key);
  };
  auto visible = [&] {
    std::map<std::string, std::string> all = inner;
    for (const auto& [key, c] : cache) {
      if (c.value) {
        all[key] = *c.value;
      } else {
        all.erase(key);
      }
    }
    return all;
  };

  std::mt19937 rng(11);
  for (int step = 1; step <= 4000; ++step) {
    now_ = step;
    const std::string& key = names[rng() % names.size()];
    const int op = static_cast<int>(rng() % 100);
    if (op < 3) {
      ASSERT_TRUE(store_->Flush().ok());
      while (!order.empty()) write_down_oldest();
    } else if (op < 20) {
      std::optional<std::string> want;
      if (auto it = cache.find(key); it != cache.end()) {
        want = it->second.value;
      } else if (auto in = inner.find(key); in != inner.end()) {
        want = in->second;
      }
      auto got = store_->Get(key);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(*got, want) << "step " << step;
    } else if (op < 24) {
      const std::string& to = names[rng() % names.size()];
      const bool reverse = rng() % 2 == 0;
      Pairs want;
      for (const auto& [k, v] : visible()) {
        if (k >= key && k <= to) want.emplace_back(k, v);
      }
      if (reverse) std::reverse(want.begin(), want.end());
      ASSERT_EQ(Drain(store_->Range(key, to, reverse)), want) << "step " << step;
      Pairs with_prefix;
      for (const auto& [k, v] : visible()) {
        if (k[0] == key[0]) with_prefix.emplace_back(k, v);
      }
      ASSERT_EQ(Drain(store_->PrefixScan(key.substr(0, 1))), with_prefix) << "step " << step;
    } else {
      std::optional<std::string> value;
      if (rng() % 5 != 0) value = std::to_string(step).substr(0, rng() % 6);
      if (auto it = cache.find(key); it != cache.end()) {
        used -= bytes(key, it->second.value);
        order.erase(std::find(order.begin(), order.end(), key));
      }
      cache[key] = Cached{value, step};
      order.push_back(key);
      used += bytes(key, value);
      Put(key, value);
      while (used > max_bytes && !order.empty()) write_down_oldest();
    }
    ASSERT_EQ(flushed_.size(), expected.size()) << "step " << step;
    ASSERT_EQ(budget_->used_bytes(), used) << "step " << step;
  }
  EXPECT_EQ(flushed_, expected);
  ASSERT_TRUE(store_->Flush().ok());
  while (!order.empty()) write_down_oldest();
  EXPECT_EQ(flushed_, expected);
  EXPECT_EQ(budget_->used_bytes(), 0u);
  Pairs want(inner.begin(), inner.end());
  EXPECT_EQ(Drain(inner_->All()), want);
}

}  // namespace
}  // namespace rill::state
