#include "state/rocksdb_key_value_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state/rocksdb_resources.h"
#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::Drain;
using testing::Keys;
using testing::Pairs;
using testing::TempDir;

class RocksDbKeyValueStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<KeyValueStore> Open(const std::string& subdir = "store") {
    auto store = OpenRocksDbKeyValueStore("store", dir_.path() + "/" + subdir, resources_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  TempDir dir_;
  std::shared_ptr<RocksDbResources> resources_ = RocksDbResources::Create({});
};

TEST_F(RocksDbKeyValueStoreTest, IsPersistent) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->persistent());
}

TEST_F(RocksDbKeyValueStoreTest, UncommittedWritesAreReadableButLostOnReopen) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("kept", "1").ok());
  ASSERT_TRUE(store->Put("deleted", "1").ok());
  ASSERT_TRUE(store->Commit(10).ok());

  ASSERT_TRUE(store->Put("lost", "2").ok());
  ASSERT_TRUE(store->Put("kept", "overwritten").ok());
  ASSERT_TRUE(store->Delete("deleted").ok());
  EXPECT_EQ(*store->Get("lost"), "2");
  EXPECT_EQ(*store->Get("kept"), "overwritten");
  EXPECT_EQ(*store->Get("deleted"), std::nullopt);
  EXPECT_EQ(Drain(store->All()), (Pairs{{"kept", "overwritten"}, {"lost", "2"}}));
  ASSERT_TRUE(store->Close().ok());

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Drain(store->All()), (Pairs{{"deleted", "1"}, {"kept", "1"}}));
  EXPECT_EQ(store->CommittedOffset(), 10);
}

// Destroying the store without Close() is what a crash leaves behind: the last commit.
TEST_F(RocksDbKeyValueStoreTest, DestroyedWithoutCloseKeepsOnlyTheLastCommit) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("a", "1").ok());
  ASSERT_TRUE(store->Commit(3).ok());
  ASSERT_TRUE(store->Put("b", "2").ok());
  store.reset();

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Drain(store->All()), (Pairs{{"a", "1"}}));
  EXPECT_EQ(store->CommittedOffset(), 3);
}

TEST_F(RocksDbKeyValueStoreTest, CommittedWritesAndOffsetSurviveReopen) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedOffset(), std::nullopt);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(store->Put("key" + std::to_string(i), std::to_string(i)).ok());
  }
  ASSERT_TRUE(store->Commit(99).ok());
  ASSERT_TRUE(store->Delete("key5").ok());
  ASSERT_TRUE(store->Commit(100).ok());
  // A commit without new changelog records keeps the offset it had.
  ASSERT_TRUE(store->Put("key100", "100").ok());
  ASSERT_TRUE(store->Commit(std::nullopt).ok());
  ASSERT_TRUE(store->Close().ok());

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedOffset(), 100);
  EXPECT_EQ(*store->Get("key7"), "7");
  EXPECT_EQ(*store->Get("key5"), std::nullopt);
  EXPECT_EQ(*store->Get("key100"), "100");
  EXPECT_EQ(Drain(store->All()).size(), 100u);
  // Large offsets round-trip exactly.
  ASSERT_TRUE(store->Commit(int64_t{1} << 40).ok());
  ASSERT_TRUE(store->Close().ok());
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedOffset(), int64_t{1} << 40);
}

TEST_F(RocksDbKeyValueStoreTest, RestoreWritesRecordsAndOffsetToDisk) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("x", "old").ok());
  ASSERT_TRUE(store->Commit(1).ok());
  ASSERT_TRUE(store->Restore({{"a", "1"}, {"x", std::nullopt}, {"b", "2"}}, 7).ok());
  EXPECT_EQ(store->CommittedOffset(), 7);
  // No Commit(): Restore() alone is durable.
  store.reset();

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedOffset(), 7);
  EXPECT_EQ(Drain(store->All()), (Pairs{{"a", "1"}, {"b", "2"}}));
}

TEST_F(RocksDbKeyValueStoreTest, OffsetIsNeverAKey) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("a", "1").ok());
  ASSERT_TRUE(store->Commit(12).ok());
  ASSERT_TRUE(store->Restore({{"b", "2"}}, 13).ok());
  ASSERT_TRUE(store->Close().ok());
  store = Open();
  ASSERT_NE(store, nullptr);

  EXPECT_EQ(Keys(store->All()), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Keys(store->All(/*reverse=*/true)), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(Keys(store->PrefixScan("")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Keys(store->PrefixScan("c")), (std::vector<std::string>{}));
  EXPECT_EQ(Keys(store->Range("", "\xff\xff\xff\xff")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store->ApproximateNumEntries(), 2u);
  EXPECT_EQ(*store->Get("changelog-offset"), std::nullopt);
}

// Reads merge the uncommitted batch over the DB: updates win, deletes hide committed keys.
TEST_F(RocksDbKeyValueStoreTest, ReadsMergeUncommittedOverCommitted) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->PutAll({{"a", "1"}, {"b", "2"}, {"c", "3"}, {"e", "5"}}).ok());
  ASSERT_TRUE(store->Commit(std::nullopt).ok());
  ASSERT_TRUE(store->Put("a", "10").ok());
  ASSERT_TRUE(store->Delete("b").ok());
  ASSERT_TRUE(store->Put("d", "4").ok());
  ASSERT_TRUE(store->Put("e", std::nullopt).ok());
  ASSERT_TRUE(store->Put("f", "6").ok());

  EXPECT_EQ(Drain(store->All()), (Pairs{{"a", "10"}, {"c", "3"}, {"d", "4"}, {"f", "6"}}));
  EXPECT_EQ(Keys(store->All(/*reverse=*/true)), (std::vector<std::string>{"f", "d", "c", "a"}));
  EXPECT_EQ(Keys(store->Range("b", "e")), (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(Keys(store->Range("b", "e", /*reverse=*/true)), (std::vector<std::string>{"d", "c"}));
  auto existing = store->PutIfAbsent("c", "x");
  ASSERT_TRUE(existing.ok());
  EXPECT_EQ(*existing, "3");
  auto deleted = store->PutIfAbsent("b", "back");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, std::nullopt);
  EXPECT_EQ(*store->Get("b"), "back");
}

TEST_F(RocksDbKeyValueStoreTest, IteratorOutlivesClose) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->PutAll({{"a", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(store->Commit(std::nullopt).ok());
  auto it = store->All();
  ASSERT_TRUE(store->Close().ok());
  EXPECT_EQ(Drain(std::move(it)), (Pairs{{"a", "1"}, {"b", "2"}}));
}

TEST_F(RocksDbKeyValueStoreTest, SecondOpenOfTheSameDirectoryFails) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto second = OpenRocksDbKeyValueStore("store", dir_.path() + "/store", resources_);
  EXPECT_FALSE(second.ok());
  ASSERT_TRUE(store->Close().ok());
  EXPECT_NE(Open(), nullptr);
}

TEST_F(RocksDbKeyValueStoreTest, ResourcesAreRequired) {
  auto store = OpenRocksDbKeyValueStore("store", dir_.path() + "/store", nullptr);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
}

// Every store of the process draws on one cache and one write-buffer manager.
TEST_F(RocksDbKeyValueStoreTest, StoresShareOneResources) {
  RocksDbResourceOptions options;
  options.block_cache_bytes = 16 << 20;
  options.write_buffer_bytes = 8 << 20;
  resources_ = RocksDbResources::Create(options);
  EXPECT_EQ(resources_->options().block_cache_bytes, 16u << 20);
  EXPECT_EQ(resources_->BlockCacheUsage(), 0u);

  auto first = Open("first");
  auto second = Open("second");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  // The shared handle may go: the stores keep what they need alive.
  std::weak_ptr<RocksDbResources> weak = resources_;
  std::shared_ptr<RocksDbResources> resources = std::move(resources_);

  const std::string value(1000, 'v');
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(first->Put("first" + std::to_string(i), value).ok());
    ASSERT_TRUE(second->Put("second" + std::to_string(i), value).ok());
  }
  ASSERT_TRUE(first->Commit(1).ok());
  ASSERT_TRUE(second->Commit(2).ok());

  // Both memtables count in the one write-buffer manager, which charges the one cache.
  EXPECT_GE(resources->MemtableUsage(), 2u * 200 * value.size());
  EXPECT_GE(resources->BlockCacheUsage(), resources->MemtableUsage());
  EXPECT_EQ(Keys(first->PrefixScan("second")), (std::vector<std::string>{}));
  EXPECT_EQ(Keys(second->PrefixScan("second")).size(), 200u);
  EXPECT_EQ(first->CommittedOffset(), 1);
  EXPECT_EQ(second->CommittedOffset(), 2);

  resources.reset();
  EXPECT_FALSE(weak.expired());
  ASSERT_TRUE(first->Close().ok());
  ASSERT_TRUE(second->Close().ok());
  first.reset();
  second.reset();
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace rill::state
