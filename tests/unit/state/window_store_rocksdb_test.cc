// What only the RocksDB window store promises: commits survive a reopen (and nothing
// else does), segments are column families dropped whole once expired, and the stream
// time, sequence numbers and segment interval persist.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "state/rocksdb_resources.h"
#include "state/rocksdb_window_store.h"
#include "state/window_key_schema.h"
#include "state/window_store.h"
#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::TempDir;

struct Window {
  std::string key;
  int64_t start = 0;
  std::string value;
  int32_t seqnum = 0;
  bool operator==(const Window&) const = default;
};

void PrintTo(const Window& w, std::ostream* os) {
  *os << "{" << w.key << "@" << w.start << "#" << w.seqnum << " = " << w.value << "}";
}

using Windows = std::vector<Window>;

Windows Drain(std::unique_ptr<WindowStoreIterator> it) {
  Windows out;
  for (; it->Valid(); it->Next()) {
    out.push_back(
        Window{std::string(it->key()), it->window_start(), std::string(it->value()), it->seqnum()});
  }
  if (!it->status().ok()) out.push_back(Window{"<error>", 0, it->status().ToString()});
  return out;
}

class RocksDbWindowStoreTest : public ::testing::Test {
 protected:
  // Retention 1000 ms in segments of 100 ms unless told otherwise.
  std::unique_ptr<WindowStore> Open(int64_t retention_ms = 1000, int64_t interval_ms = 100,
                                    bool retain_duplicates = false) {
    auto store = OpenRocksDbWindowStore("store", path(), resources_, retention_ms, interval_ms,
                                        retain_duplicates);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::string path() const { return dir_.path() + "/store"; }

  std::vector<int64_t> Segments() {
    auto segments = ListRocksDbWindowSegments(path());
    EXPECT_TRUE(segments.ok()) << segments.status();
    return segments.ok() ? *segments : std::vector<int64_t>{-999};
  }

  static void Put(WindowStore& store, std::string_view key, int64_t start,
                  std::optional<std::string_view> value) {
    auto result = store.Put(key, start, value);
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_TRUE(result->applied);
  }

  TempDir dir_;
  std::shared_ptr<RocksDbResources> resources_ = RocksDbResources::Create({});
};

TEST_F(RocksDbWindowStoreTest, IsPersistent) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->persistent());
}

TEST_F(RocksDbWindowStoreTest, ReopenKeepsExactlyTheCommittedWindows) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 10, "a10");
  Put(*store, "b", 120, "b120");
  ASSERT_TRUE(store->Commit(5).ok());

  Put(*store, "c", 230, "lost");
  Put(*store, "a", 10, "overwritten");
  Put(*store, "b", 120, std::nullopt);
  EXPECT_EQ(Drain(store->All()), (Windows{{"a", 10, "overwritten"}, {"c", 230, "lost"}}));
  ASSERT_TRUE(store->Close().ok());

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedOffset(), 5);
  EXPECT_EQ(Drain(store->All()), (Windows{{"a", 10, "a10"}, {"b", 120, "b120"}}));
  EXPECT_EQ(*store->Fetch("c", 230), std::nullopt);
}

// Destroying the store without Close() is what a crash leaves behind: the last commit.
TEST_F(RocksDbWindowStoreTest, DestroyedWithoutCloseKeepsOnlyTheLastCommit) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 10, "1");
  ASSERT_TRUE(store->Commit(3).ok());
  Put(*store, "b", 20, "2");
  store.reset();

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Drain(store->All()), (Windows{{"a", 10, "1"}}));
  EXPECT_EQ(store->CommittedOffset(), 3);
}

TEST_F(RocksDbWindowStoreTest, ExpiredSegmentsAreDroppedWholeAtCommit) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 0, "a0");
  Put(*store, "a", 150, "a150");
  Put(*store, "b", 250, "b250");
  ASSERT_TRUE(store->Commit(1).ok());
  EXPECT_EQ(Segments(), (std::vector<int64_t>{0, 1, 2}));

  // Stream time 1300: live starts are >= 301, so segments 0..2 are entirely expired.
  Put(*store, "c", 1300, "c1300");
  EXPECT_EQ(Drain(store->All()), (Windows{{"c", 1300, "c1300"}}));
  EXPECT_EQ(*store->Fetch("a", 150), std::nullopt);
  // Dropped only once the stream time that expires them is committed.
  EXPECT_EQ(Segments(), (std::vector<int64_t>{0, 1, 2, 13}));
  ASSERT_TRUE(store->Commit(2).ok());
  EXPECT_EQ(Segments(), (std::vector<int64_t>{13}));
  EXPECT_EQ(Drain(store->FetchAll(0, 1000)), Windows{});
  ASSERT_TRUE(store->Close().ok());

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Segments(), (std::vector<int64_t>{13}));
  EXPECT_EQ(Drain(store->All()), (Windows{{"c", 1300, "c1300"}}));
}

// Expired segments wait for a commit to be dropped; once four wait, the store asks for an
// early commit, so column families do not pile up when stream time races ahead.
TEST_F(RocksDbWindowStoreTest, ManyExpiredSegmentsAskForAnEarlyCommit) {
  auto store = Open(/*retention_ms=*/300, /*interval_ms=*/100);
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->WantsCommit());
  // Segments are 100 ms, retention 300 ms: each put 100 ms later expires one more segment.
  for (int64_t t = 0; t <= 600; t += 100) Put(*store, "k", t, "v");
  EXPECT_FALSE(store->WantsCommit()) << "segments 0..2 expired: three wait";
  Put(*store, "k", 700, "v");
  EXPECT_TRUE(store->WantsCommit()) << "segments 0..3 expired: four wait";
  ASSERT_TRUE(store->Commit(1).ok());
  EXPECT_FALSE(store->WantsCommit());
  EXPECT_EQ(Segments(), (std::vector<int64_t>{4, 5, 6, 7}));
}

// A segment that uncommitted writes expired is still there after a crash, because the
// last commit still holds its windows.
TEST_F(RocksDbWindowStoreTest, CrashBeforeCommitKeepsSegmentsTheCommitNeeds) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 50, "a50");
  ASSERT_TRUE(store->Commit(1).ok());
  Put(*store, "b", 5000, "b5000");
  EXPECT_EQ(*store->Fetch("a", 50), std::nullopt);
  store.reset();  // crash

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->Fetch("a", 50), "a50");
  EXPECT_EQ(Drain(store->All()), (Windows{{"a", 50, "a50"}}));
  EXPECT_EQ(store->CommittedOffset(), 1);
}

TEST_F(RocksDbWindowStoreTest, ObservedStreamTimeSurvivesReopen) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 100, "a100");
  Put(*store, "b", 950, "b950");
  ASSERT_TRUE(store->Commit(1).ok());
  Put(*store, "c", 1500, "c1500");
  ASSERT_TRUE(store->Commit(2).ok());
  ASSERT_TRUE(store->Close().ok());

  store = Open();
  ASSERT_NE(store, nullptr);
  // Stream time 1500 again: a100 stays hidden, a late put is dropped.
  EXPECT_EQ(Drain(store->All()), (Windows{{"b", 950, "b950"}, {"c", 1500, "c1500"}}));
  auto late = store->Put("d", 500, "late");
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->applied);
}

TEST_F(RocksDbWindowStoreTest, SequenceNumbersContinueAfterReopen) {
  auto store = Open(1000, 100, /*retain_duplicates=*/true);
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 10, "v1");
  Put(*store, "a", 10, "v2");
  ASSERT_TRUE(store->Commit(1).ok());
  Put(*store, "a", 10, "uncommitted");  // seqnum 3, lost with the crash
  store.reset();

  store = Open(1000, 100, /*retain_duplicates=*/true);
  ASSERT_NE(store, nullptr);
  auto next = store->Put("a", 10, "v3");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seqnum, 3);
  EXPECT_EQ(Drain(store->Fetch("a", 0, 100)),
            (Windows{{"a", 10, "v1", 1}, {"a", 10, "v2", 2}, {"a", 10, "v3", 3}}));
}

TEST_F(RocksDbWindowStoreTest, RestoreIsDurableWithoutCommit) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store
                  ->Restore({{EncodeWindowStoreKey("a", 10, 0), "a10"},
                             {EncodeWindowStoreKey("b", 250, 0), "b250"}},
                            7)
                  .ok());
  EXPECT_EQ(store->CommittedOffset(), 7);
  store.reset();

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedOffset(), 7);
  EXPECT_EQ(Drain(store->All()), (Windows{{"a", 10, "a10"}, {"b", 250, "b250"}}));
  EXPECT_EQ(Segments(), (std::vector<int64_t>{0, 2}));
}

TEST_F(RocksDbWindowStoreTest, DeleteInAnAbsentSegmentCreatesNone) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 10, "a10");
  auto deleted = store->Put("a", 950, std::nullopt);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->applied);  // still logged as a tombstone
  EXPECT_EQ(Segments(), (std::vector<int64_t>{0}));
  EXPECT_EQ(Drain(store->All()), (Windows{{"a", 10, "a10"}}));
}

TEST_F(RocksDbWindowStoreTest, DefaultSegmentIntervalIsHalfTheRetention) {
  auto store = Open(/*retention_ms=*/600'000, /*interval_ms=*/0);
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 0, "0");
  Put(*store, "a", 299'999, "1");
  Put(*store, "a", 300'000, "2");
  EXPECT_EQ(Segments(), (std::vector<int64_t>{0, 1}));
}

// The data is laid out by the interval the directory was created with.
TEST_F(RocksDbWindowStoreTest, ReopenKeepsTheStoredSegmentInterval) {
  auto store = Open(1000, 100);
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 150, "a150");
  Put(*store, "a", 420, "a420");
  ASSERT_TRUE(store->Commit(1).ok());
  ASSERT_TRUE(store->Close().ok());

  store = Open(1000, /*interval_ms=*/0);  // the default would be 60 s
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->Fetch("a", 150), "a150");
  EXPECT_EQ(Drain(store->Fetch("a", 0, 1000)), (Windows{{"a", 150, "a150"}, {"a", 420, "a420"}}));
  Put(*store, "b", 530, "b530");
  ASSERT_TRUE(store->Commit(2).ok());
  EXPECT_EQ(Segments(), (std::vector<int64_t>{1, 4, 5}));
}

TEST_F(RocksDbWindowStoreTest, IteratorsOutliveCloseAndSegmentDrops) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Put(*store, "a", 10, "a10");
  Put(*store, "b", 120, "b120");
  ASSERT_TRUE(store->Commit(1).ok());
  auto before_drop = store->All();
  Put(*store, "c", 5000, "c5000");
  ASSERT_TRUE(store->Commit(2).ok());
  EXPECT_EQ(Segments(), (std::vector<int64_t>{50}));
  auto before_close = store->All();
  ASSERT_TRUE(store->Close().ok());

  EXPECT_EQ(Drain(std::move(before_drop)), (Windows{{"a", 10, "a10"}, {"b", 120, "b120"}}));
  EXPECT_EQ(Drain(std::move(before_close)), (Windows{{"c", 5000, "c5000"}}));
}

TEST_F(RocksDbWindowStoreTest, SecondOpenOfTheSameDirectoryFails) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto second = OpenRocksDbWindowStore("store", path(), resources_, 1000, 100, false);
  EXPECT_FALSE(second.ok());
  ASSERT_TRUE(store->Close().ok());
  EXPECT_NE(Open(), nullptr);
}

TEST_F(RocksDbWindowStoreTest, RejectsMissingResourcesAndBadParameters) {
  EXPECT_EQ(OpenRocksDbWindowStore("store", path(), nullptr, 1000, 0, false).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenRocksDbWindowStore("store", path(), resources_, 0, 0, false).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenRocksDbWindowStore("store", path(), resources_, 1000, -1, false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rill::state
