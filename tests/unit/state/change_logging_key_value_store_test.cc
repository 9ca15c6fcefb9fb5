#include "state/change_logging_key_value_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "state/in_memory_key_value_store.h"
#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::Drain;
using testing::Pairs;
using testing::SentRecord;
using testing::VectorChangelogWriter;

class ChangeLoggingKeyValueStoreTest : public ::testing::Test {
 protected:
  ChangeLoggingKeyValueStoreTest() {
    auto inner = NewInMemoryKeyValueStore("s");
    inner_ = inner.get();
    store_ = NewChangeLoggingKeyValueStore(std::move(inner), &writer_);
  }

  VectorChangelogWriter writer_;
  KeyValueStore* inner_;  // owned by store_
  std::unique_ptr<KeyValueStore> store_;
};

TEST_F(ChangeLoggingKeyValueStoreTest, SendsExactlyTheEffectiveWrites) {
  ASSERT_TRUE(store_->Put("a", "1").ok());
  ASSERT_TRUE(store_->Put("a", std::nullopt).ok());
  ASSERT_TRUE(store_->PutAll({{"b", "2"}, {"c", std::nullopt}}).ok());
  ASSERT_TRUE(store_->PutIfAbsent("b", "ignored").ok());  // present: nothing written
  ASSERT_TRUE(store_->PutIfAbsent("d", "4").ok());
  auto old = store_->Delete("b");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*old, "2");

  EXPECT_EQ(writer_.sent, (std::vector<SentRecord>{{"a", "1"},
                                                   {"a", std::nullopt},
                                                   {"b", "2"},
                                                   {"c", std::nullopt},
                                                   {"d", "4"},
                                                   {"b", std::nullopt}}));
  EXPECT_EQ(Drain(inner_->All()), (Pairs{{"d", "4"}}));
}

TEST_F(ChangeLoggingKeyValueStoreTest, ReadsCommitsAndRestoreSendNothing) {
  ASSERT_TRUE(store_->Restore({{"a", "1"}, {"b", std::nullopt}}, 17).ok());
  EXPECT_EQ(*store_->Get("a"), "1");
  EXPECT_EQ(Drain(store_->All()), (Pairs{{"a", "1"}}));
  EXPECT_EQ(Drain(store_->PrefixScan("a")), (Pairs{{"a", "1"}}));
  EXPECT_EQ(Drain(store_->Range("a", "z", true)), (Pairs{{"a", "1"}}));
  EXPECT_EQ(store_->ApproximateNumEntries(), 1u);
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->Commit(20).ok());
  EXPECT_TRUE(writer_.sent.empty());
  EXPECT_EQ(store_->CommittedOffset(), 20);
  EXPECT_EQ(inner_->CommittedOffset(), 20);
  EXPECT_EQ(store_->name(), "s");
  EXPECT_FALSE(store_->persistent());
}

TEST_F(ChangeLoggingKeyValueStoreTest, RefusedWritesAreNotSent) {
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_FALSE(store_->Put("a", "1").ok());
  EXPECT_FALSE(store_->PutAll({{"b", "2"}}).ok());
  EXPECT_FALSE(store_->PutIfAbsent("c", "3").ok());
  EXPECT_FALSE(store_->Delete("d").ok());
  EXPECT_TRUE(writer_.sent.empty());
}

}  // namespace
}  // namespace rill::state
