// The KeyValueStore contract, run against both inner stores and against the layered stacks
// the streams runtime builds (caching -> change-logging -> inner).
#include "state/key_value_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "state/cache_budget.h"
#include "state/caching_key_value_store.h"
#include "state/change_logging_key_value_store.h"
#include "state/in_memory_key_value_store.h"
#include "state/rocksdb_key_value_store.h"
#include "state/rocksdb_resources.h"
#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::Drain;
using testing::Keys;
using testing::Pairs;
using testing::TempDir;
using testing::VectorChangelogWriter;

// What a store under test may need; owned by the fixture so it outlives the store.
struct StoreEnv {
  std::string dir;
  std::shared_ptr<RocksDbResources> resources;
  VectorChangelogWriter writer;
};

struct StoreKind {
  std::string name;
  std::function<std::unique_ptr<KeyValueStore>(StoreEnv&)> open;
};

std::unique_ptr<KeyValueStore> OpenRocksDb(StoreEnv& env) {
  auto store = OpenRocksDbKeyValueStore("store", env.dir, env.resources);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

const StoreKind kKinds[] = {
    {"InMemory", [](StoreEnv&) { return NewInMemoryKeyValueStore("store"); }},
    {"RocksDb", OpenRocksDb},
    {"CachingLoggingRocksDb",
     [](StoreEnv& env) {
       return NewCachingKeyValueStore(NewChangeLoggingKeyValueStore(OpenRocksDb(env), &env.writer),
                                      std::make_shared<CacheBudget>(1 << 20), nullptr, nullptr);
     }},
    // Budget 0: every write passes through the cache at once.
    {"CachingBudget0InMemory",
     [](StoreEnv&) {
       return NewCachingKeyValueStore(NewInMemoryKeyValueStore("store"),
                                      std::make_shared<CacheBudget>(0), nullptr,
                                      [](const CacheFlushEntry&) {});
     }},
};

void PrintTo(const StoreKind& kind, std::ostream* os) { *os << kind.name; }

class KeyValueStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    env_.dir = dir_.path() + "/store";
    env_.resources = RocksDbResources::Create(RocksDbResourceOptions{});
    store_ = GetParam().open(env_);
    ASSERT_NE(store_, nullptr);
  }

  void Put(std::string_view key, std::string_view value) {
    ASSERT_TRUE(store_->Put(key, value).ok());
  }
  std::optional<std::string> Get(std::string_view key) {
    auto value = store_->Get(key);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? *value : std::nullopt;
  }
  void PutKeys(const std::vector<std::string>& keys) {
    for (const std::string& key : keys) Put(key, "v" + key);
  }

  TempDir dir_;
  StoreEnv env_;
  std::unique_ptr<KeyValueStore> store_;
};

TEST_P(KeyValueStoreTest, GetSeesLatestPut) {
  EXPECT_EQ(Get("a"), std::nullopt);
  Put("a", "1");
  EXPECT_EQ(Get("a"), "1");
  Put("a", "2");
  EXPECT_EQ(Get("a"), "2");
  Put("empty", "");
  EXPECT_EQ(Get("empty"), "");  // an empty value is a value, not a delete
  EXPECT_EQ(store_->name(), "store");
}

TEST_P(KeyValueStoreTest, PutNulloptDeletes) {
  Put("a", "1");
  Put("b", "2");
  ASSERT_TRUE(store_->Put("a", std::nullopt).ok());
  EXPECT_EQ(Get("a"), std::nullopt);
  EXPECT_EQ(Drain(store_->All()), (Pairs{{"b", "2"}}));
}

TEST_P(KeyValueStoreTest, PutIfAbsentWritesOnlyWhenAbsent) {
  auto first = store_->PutIfAbsent("a", "1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, std::nullopt);
  EXPECT_EQ(Get("a"), "1");

  auto second = store_->PutIfAbsent("a", "2");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, "1");
  EXPECT_EQ(Get("a"), "1");

  // A deleted key is absent again.
  ASSERT_TRUE(store_->Delete("a").ok());
  auto third = store_->PutIfAbsent("a", "3");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, std::nullopt);
  EXPECT_EQ(Get("a"), "3");
}

TEST_P(KeyValueStoreTest, DeleteReturnsOldValue) {
  auto absent = store_->Delete("a");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, std::nullopt);

  Put("a", "1");
  auto old = store_->Delete("a");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*old, "1");
  EXPECT_EQ(Get("a"), std::nullopt);

  auto again = store_->Delete("a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, std::nullopt);
}

TEST_P(KeyValueStoreTest, PutAllAppliesInOrderIncludingTombstones) {
  Put("gone", "x");
  ASSERT_TRUE(
      store_
          ->PutAll(
              {{"a", "1"}, {"b", "2"}, {"gone", std::nullopt}, {"a", "3"}, {"never", std::nullopt}})
          .ok());
  EXPECT_EQ(Drain(store_->All()), (Pairs{{"a", "3"}, {"b", "2"}}));
}

TEST_P(KeyValueStoreTest, RangeBoundsAreInclusive) {
  PutKeys({"a", "b", "c", "d", "e"});
  EXPECT_EQ(Keys(store_->Range("b", "d")), (std::vector<std::string>{"b", "c", "d"}));
  EXPECT_EQ(Keys(store_->Range("c", "c")), (std::vector<std::string>{"c"}));
  // Bounds need not be keys.
  EXPECT_EQ(Keys(store_->Range("bb", "cc")), (std::vector<std::string>{"c"}));
  EXPECT_EQ(Keys(store_->Range("x", "z")), (std::vector<std::string>{}));
  // "d" + '\0' sorts right after "d": the inclusive upper bound must not swallow it.
  Put(std::string("d\0", 2), "nul");
  EXPECT_EQ(Keys(store_->Range("c", "d")), (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(Drain(store_->Range("b", "d")), (Pairs{{"b", "vb"}, {"c", "vc"}, {"d", "vd"}}));
}

TEST_P(KeyValueStoreTest, RangeReverse) {
  PutKeys({"a", "b", "c", "d", "e"});
  EXPECT_EQ(Keys(store_->Range("b", "d", /*reverse=*/true)),
            (std::vector<std::string>{"d", "c", "b"}));
  EXPECT_EQ(Keys(store_->All(/*reverse=*/true)),
            (std::vector<std::string>{"e", "d", "c", "b", "a"}));
  EXPECT_EQ(Keys(store_->Range(std::nullopt, "b", /*reverse=*/true)),
            (std::vector<std::string>{"b", "a"}));
}

TEST_P(KeyValueStoreTest, RangeOpenBounds) {
  PutKeys({"a", "b", "c", "d", "e"});
  EXPECT_EQ(Keys(store_->Range(std::nullopt, "c")), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Keys(store_->Range("c", std::nullopt)), (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_EQ(Keys(store_->Range(std::nullopt, std::nullopt)),
            (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(Keys(store_->Range("c", std::nullopt, /*reverse=*/true)),
            (std::vector<std::string>{"e", "d", "c"}));
}

TEST_P(KeyValueStoreTest, RangeFromAboveToIsEmpty) {
  PutKeys({"a", "b", "c", "d", "e"});
  auto it = store_->Range("d", "b");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  EXPECT_FALSE(store_->Range("d", "b", /*reverse=*/true)->Valid());
}

TEST_P(KeyValueStoreTest, EmptyStoreIteratesNothing) {
  EXPECT_TRUE(Drain(store_->All()).empty());
  EXPECT_TRUE(Drain(store_->All(true)).empty());
  EXPECT_TRUE(Drain(store_->PrefixScan("a")).empty());
}

TEST_P(KeyValueStoreTest, PrefixScan) {
  const std::string ff = "\xff";
  PutKeys({"a", "ab", "abc", "abd", "ab" + ff, "ab" + ff + ff, "ac", "b", ff, ff + ff,
           ff + std::string("\0", 1)});
  EXPECT_EQ(Keys(store_->PrefixScan("ab")),
            (std::vector<std::string>{"ab", "abc", "abd", "ab" + ff, "ab" + ff + ff}));
  EXPECT_EQ(Keys(store_->PrefixScan("abc")), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(Keys(store_->PrefixScan("abx")), (std::vector<std::string>{}));
  // A prefix of 0xff bytes has no successor key: the scan runs to the end.
  EXPECT_EQ(Keys(store_->PrefixScan(ff)),
            (std::vector<std::string>{ff, ff + std::string("\0", 1), ff + ff}));
  EXPECT_EQ(Keys(store_->PrefixScan("")).size(), 11u);
  EXPECT_EQ(Drain(store_->PrefixScan("ac")), (Pairs{{"ac", "vac"}}));
}

TEST_P(KeyValueStoreTest, BinaryKeysOrderUnsigned) {
  const std::string nul("\0", 1);
  // 'a' (0x61) sorts below 0x7f, and bytes >= 0x80 above both: unsigned, not signed char.
  std::vector<std::string> sorted = {nul,    nul + nul, "\x01", "a",    "a" + nul + "b", "ab",
                                     "\x7f", "\x80",    "\xfe", "\xff", "\xff" + nul};
  // Insert in a scrambled order.
  for (size_t i = 0; i < sorted.size(); ++i) {
    const std::string& key = sorted[(i * 7) % sorted.size()];
    Put(key, "v" + key);
  }
  EXPECT_EQ(Keys(store_->All()), sorted);
  std::vector<std::string> reversed(sorted.rbegin(), sorted.rend());
  EXPECT_EQ(Keys(store_->All(/*reverse=*/true)), reversed);
  EXPECT_EQ(Get("a" + nul + "b"), "va" + nul + "b");
  EXPECT_EQ(Get("a"), "va");  // not confused with "a\0b"
  EXPECT_EQ(Keys(store_->Range("\x7f", "\xff")),
            (std::vector<std::string>{"\x7f", "\x80", "\xfe", "\xff"}));
  EXPECT_EQ(Keys(store_->Range("a", "\x7f", /*reverse=*/true)),
            (std::vector<std::string>{"\x7f", "ab", "a" + nul + "b", "a"}));
  EXPECT_EQ(Keys(store_->Range(nul, nul)), (std::vector<std::string>{nul}));
}

TEST_P(KeyValueStoreTest, ApproximateNumEntries) {
  EXPECT_EQ(store_->ApproximateNumEntries(), 0u);
  PutKeys({"a", "b", "c"});
  EXPECT_EQ(store_->ApproximateNumEntries(), 3u);
  ASSERT_TRUE(store_->Commit(std::nullopt).ok());
  EXPECT_EQ(store_->ApproximateNumEntries(), 3u);
}

TEST_P(KeyValueStoreTest, IteratorIsASnapshotWhileTheWriterContinues) {
  PutKeys({"a", "b", "c"});
  auto it = store_->All();
  Put("a", "changed");
  Put("aa", "new");
  ASSERT_TRUE(store_->Delete("b").ok());
  ASSERT_TRUE(store_->Commit(std::nullopt).ok());
  Put("d", "later");
  EXPECT_EQ(Drain(std::move(it)), (Pairs{{"a", "va"}, {"b", "vb"}, {"c", "vc"}}));
  EXPECT_EQ(Drain(store_->All()),
            (Pairs{{"a", "changed"}, {"aa", "new"}, {"c", "vc"}, {"d", "later"}}));
}

TEST_P(KeyValueStoreTest, CommitRecordsTheChangelogOffset) {
  EXPECT_EQ(store_->CommittedOffset(), std::nullopt);
  Put("a", "1");
  ASSERT_TRUE(store_->Commit(5).ok());
  EXPECT_EQ(store_->CommittedOffset(), 5);
  // No new changelog records: the offset stays.
  ASSERT_TRUE(store_->Commit(std::nullopt).ok());
  EXPECT_EQ(store_->CommittedOffset(), 5);
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Get("a"), "1");
}

TEST_P(KeyValueStoreTest, RestoreAppliesRecordsAndOffset) {
  Put("old", "x");
  ASSERT_TRUE(store_->Commit(std::nullopt).ok());
  std::vector<ChangelogRecord> records = {
      {"a", "1"}, {"b", "2"}, {"a", "3"}, {"old", std::nullopt}};
  ASSERT_TRUE(store_->Restore(records, 41).ok());
  EXPECT_EQ(store_->CommittedOffset(), 41);
  EXPECT_EQ(Drain(store_->All()), (Pairs{{"a", "3"}, {"b", "2"}}));
}

TEST_P(KeyValueStoreTest, ClosedStoreAnswersErrors) {
  Put("a", "1");
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_FALSE(store_->Get("a").ok());
  EXPECT_FALSE(store_->Put("a", "2").ok());
  EXPECT_FALSE(store_->Delete("a").ok());
  EXPECT_FALSE(store_->Commit(1).ok());
  auto it = store_->All();
  EXPECT_FALSE(it->Valid());
  EXPECT_FALSE(it->status().ok());
}

// An interactive-query thread reads while the stream thread writes and commits: every
// read sees a sorted, complete-enough view and nothing crashes (run under ASan/TSan too).
TEST_P(KeyValueStoreTest, ConcurrentReadersAndWriter) {
  constexpr int kWrites = 2000;
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      std::string key = "k" + std::to_string(i % 300);
      ASSERT_TRUE(store_->Put(key, std::to_string(i)).ok());
      if (i % 7 == 0) {
        ASSERT_TRUE(store_->Delete("k" + std::to_string((i / 2) % 300)).ok());
      }
      if (i % 100 == 0) {
        ASSERT_TRUE(store_->Commit(i).ok());
      }
    }
  });
  int scans = 0;
  for (; scans < 50; ++scans) {
    std::vector<std::string> keys = Keys(store_->Range("k1", "k5"));
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
    for (const std::string& key : keys) EXPECT_NE(key, "<error>");
    EXPECT_TRUE(store_->Get("k10").ok());
  }
  writer.join();
  EXPECT_EQ(Get("k" + std::to_string((kWrites - 1) % 300)), std::to_string(kWrites - 1));
}

INSTANTIATE_TEST_SUITE_P(AllStores, KeyValueStoreTest, ::testing::ValuesIn(kKinds),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace rill::state
