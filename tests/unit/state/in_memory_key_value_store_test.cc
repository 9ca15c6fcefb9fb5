#include "state/in_memory_key_value_store.h"

#include <gtest/gtest.h>

#include <optional>

namespace rill::state {
namespace {

TEST(InMemoryKeyValueStoreTest, IsNotPersistent) {
  EXPECT_FALSE(NewInMemoryKeyValueStore("s")->persistent());
}

// The offset lives only as long as the object: a new instance must restore from scratch.
TEST(InMemoryKeyValueStoreTest, CommittedOffsetLastsWhileTheObjectLives) {
  auto store = NewInMemoryKeyValueStore("s");
  ASSERT_TRUE(store->Put("a", "1").ok());
  EXPECT_EQ(store->CommittedOffset(), std::nullopt);
  ASSERT_TRUE(store->Commit(4).ok());
  EXPECT_EQ(store->CommittedOffset(), 4);
  ASSERT_TRUE(store->Restore({{"b", "2"}}, 9).ok());
  EXPECT_EQ(store->CommittedOffset(), 9);
  ASSERT_TRUE(store->Commit(std::nullopt).ok());
  EXPECT_EQ(store->CommittedOffset(), 9);

  auto fresh = NewInMemoryKeyValueStore("s");
  EXPECT_EQ(fresh->CommittedOffset(), std::nullopt);
  EXPECT_EQ(*fresh->Get("a"), std::nullopt);
}

TEST(InMemoryKeyValueStoreTest, CloseDropsEverything) {
  auto store = NewInMemoryKeyValueStore("s");
  ASSERT_TRUE(store->Put("a", "1").ok());
  ASSERT_TRUE(store->Commit(1).ok());
  ASSERT_TRUE(store->Close().ok());
  EXPECT_EQ(store->CommittedOffset(), std::nullopt);
  EXPECT_EQ(store->ApproximateNumEntries(), 0u);
  EXPECT_EQ(store->Get("a").status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace rill::state
