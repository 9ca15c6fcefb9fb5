// The change-logging window layer: what it sends, byte for byte, and that replaying what
// it sent rebuilds the store.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/change_logging_window_store.h"
#include "state/in_memory_window_store.h"
#include "state/window_key_schema.h"
#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::SentRecord;
using testing::VectorChangelogWriter;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kDigits[static_cast<unsigned char>(c) & 0xf]);
  }
  return out;
}

std::vector<std::string> SentKeysHex(const VectorChangelogWriter& writer) {
  std::vector<std::string> out;
  for (const SentRecord& record : writer.sent) out.push_back(Hex(record.key));
  return out;
}

std::unique_ptr<WindowStore> InMemory(bool retain_duplicates) {
  auto store = NewInMemoryWindowStore("s", /*retention_ms=*/1000, /*segment_interval_ms=*/100,
                                      retain_duplicates);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

class ChangeLoggingWindowStoreTest : public ::testing::Test {
 protected:
  void Open(bool retain_duplicates) {
    auto inner = InMemory(retain_duplicates);
    inner_ = inner.get();
    store_ = NewChangeLoggingWindowStore(std::move(inner), &writer_);
  }

  VectorChangelogWriter writer_;
  WindowStore* inner_ = nullptr;  // owned by store_
  std::unique_ptr<WindowStore> store_;
};

TEST_F(ChangeLoggingWindowStoreTest, SendsWindowKeySchemaKeysAndTombstones) {
  Open(/*retain_duplicates=*/false);
  ASSERT_TRUE(store_->Put("key", 1700000000123, "v1").ok());
  ASSERT_TRUE(store_->Put("key", 1700000000123, std::nullopt).ok());
  ASSERT_TRUE(store_->Put("k2", 1700000000000, "v2").ok());

  EXPECT_EQ(SentKeysHex(writer_), (std::vector<std::string>{
                                      "6b6579"
                                      "0000018bcfe5687b"
                                      "00000000",
                                      "6b6579"
                                      "0000018bcfe5687b"
                                      "00000000",
                                      "6b32"
                                      "0000018bcfe56800"
                                      "00000000",
                                  }));
  ASSERT_EQ(writer_.sent.size(), 3u);
  EXPECT_EQ(writer_.sent[0].value, "v1");
  EXPECT_EQ(writer_.sent[1].value, std::nullopt);
  EXPECT_EQ(writer_.sent[2].value, "v2");
  EXPECT_EQ(*inner_->Fetch("k2", 1700000000000), "v2");
}

// The sequence number in the changelog is the one the inner store used.
TEST_F(ChangeLoggingWindowStoreTest, DuplicatesAreLoggedWithIncreasingSeqnums) {
  Open(/*retain_duplicates=*/true);
  ASSERT_TRUE(store_->Put("a", 256, "x").ok());
  ASSERT_TRUE(store_->Put("a", 256, "y").ok());
  ASSERT_TRUE(store_->Put("a", 256, std::nullopt).ok());  // ignored: not sent
  ASSERT_TRUE(store_->Put("b", 256, "z").ok());

  EXPECT_EQ(SentKeysHex(writer_), (std::vector<std::string>{
                                      "61"
                                      "0000000000000100"
                                      "00000001",
                                      "61"
                                      "0000000000000100"
                                      "00000002",
                                      "62"
                                      "0000000000000100"
                                      "00000003",
                                  }));
}

TEST_F(ChangeLoggingWindowStoreTest, DroppedAndRefusedWritesAreNotSent) {
  Open(/*retain_duplicates=*/false);
  ASSERT_TRUE(store_->Put("a", 5000, "now").ok());
  auto expired = store_->Put("a", 3000, "late");
  ASSERT_TRUE(expired.ok());
  EXPECT_FALSE(expired->applied);
  ASSERT_TRUE(store_->Put("a", 3000, std::nullopt).ok());  // expired delete
  EXPECT_EQ(writer_.sent.size(), 1u);

  ASSERT_TRUE(store_->Close().ok());
  EXPECT_FALSE(store_->Put("a", 5001, "closed").ok());
  EXPECT_EQ(writer_.sent.size(), 1u);
}

TEST_F(ChangeLoggingWindowStoreTest, ReadsCommitsAndRestoreSendNothing) {
  Open(/*retain_duplicates=*/false);
  ASSERT_TRUE(store_->Restore({{EncodeWindowStoreKey("a", 10, 0), "1"}}, 17).ok());
  EXPECT_EQ(*store_->Fetch("a", 10), "1");
  EXPECT_TRUE(store_->Fetch("a", 0, 100)->Valid());
  EXPECT_TRUE(store_->FetchRange("a", "b", 0, 100, true)->Valid());
  EXPECT_TRUE(store_->All()->Valid());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->Commit(20).ok());
  EXPECT_TRUE(writer_.sent.empty());
  EXPECT_EQ(store_->CommittedOffset(), 20);
  EXPECT_EQ(inner_->CommittedOffset(), 20);
  EXPECT_EQ(store_->name(), "s");
  EXPECT_FALSE(store_->persistent());
  EXPECT_EQ(store_->retention_ms(), 1000);
}

// Replaying the changelog into a fresh store rebuilds the same windows, duplicates
// included: what restoration relies on.
TEST_F(ChangeLoggingWindowStoreTest, ReplayingTheChangelogRebuildsTheStore) {
  Open(/*retain_duplicates=*/true);
  ASSERT_TRUE(store_->Put("a", 10, "1").ok());
  ASSERT_TRUE(store_->Put("a", 10, "2").ok());
  ASSERT_TRUE(store_->Put("b", 150, "3").ok());
  ASSERT_TRUE(store_->Put("c", 1300, "4").ok());  // expires the others

  std::vector<ChangelogRecord> records;
  for (const SentRecord& sent : writer_.sent) records.push_back({sent.key, sent.value});
  std::unique_ptr<WindowStore> replica = InMemory(/*retain_duplicates=*/true);
  ASSERT_NE(replica, nullptr);
  ASSERT_TRUE(replica->Restore(records, 3).ok());

  auto original = store_->All();
  auto restored = replica->All();
  int count = 0;
  for (; original->Valid() && restored->Valid(); original->Next(), restored->Next(), ++count) {
    EXPECT_EQ(original->key(), restored->key());
    EXPECT_EQ(original->window_start(), restored->window_start());
    EXPECT_EQ(original->seqnum(), restored->seqnum());
    EXPECT_EQ(original->value(), restored->value());
  }
  EXPECT_FALSE(original->Valid());
  EXPECT_FALSE(restored->Valid());
  EXPECT_EQ(count, 1);  // only c@1300 is live
  auto next = replica->Put("d", 1300, "5");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seqnum, 5);
}

}  // namespace
}  // namespace rill::state
