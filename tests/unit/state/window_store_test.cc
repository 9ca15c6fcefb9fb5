// The WindowStore contract, run against both inner stores and against the change-logging
// layer on top of each.
#include "state/window_store.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "state/change_logging_window_store.h"
#include "state/in_memory_window_store.h"
#include "state/rocksdb_resources.h"
#include "state/rocksdb_window_store.h"
#include "state/window_key_schema.h"
#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::TempDir;
using testing::VectorChangelogWriter;

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

// Drains `it`; an iterator error becomes a window keyed "<error>" so tests see it.
Windows Drain(std::unique_ptr<WindowStoreIterator> it) {
  Windows out;
  for (; it->Valid(); it->Next()) {
    out.push_back(
        Window{std::string(it->key()), it->window_start(), std::string(it->value()), it->seqnum()});
  }
  if (!it->status().ok()) out.push_back(Window{"<error>", 0, it->status().ToString()});
  return out;
}

// What a store under test may need; owned by the fixture so it outlives the store.
struct StoreEnv {
  std::string dir;
  std::shared_ptr<RocksDbResources> resources;
  VectorChangelogWriter writer;
};

struct StoreOptions {
  int64_t retention_ms = 1000;
  int64_t segment_interval_ms = 100;
  bool retain_duplicates = false;
};

struct StoreKind {
  std::string name;
  std::function<std::unique_ptr<WindowStore>(StoreEnv&, const StoreOptions&)> open;
};

std::unique_ptr<WindowStore> OpenInMemory(StoreEnv&, const StoreOptions& o) {
  auto store =
      NewInMemoryWindowStore("store", o.retention_ms, o.segment_interval_ms, o.retain_duplicates);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

std::unique_ptr<WindowStore> OpenRocksDb(StoreEnv& env, const StoreOptions& o) {
  auto store = OpenRocksDbWindowStore("store", env.dir, env.resources, o.retention_ms,
                                      o.segment_interval_ms, o.retain_duplicates);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

const StoreKind kKinds[] = {
    {"InMemory", OpenInMemory},
    {"RocksDb", OpenRocksDb},
    {"LoggingInMemory",
     [](StoreEnv& env, const StoreOptions& o) {
       return NewChangeLoggingWindowStore(OpenInMemory(env, o), &env.writer);
     }},
    {"LoggingRocksDb",
     [](StoreEnv& env, const StoreOptions& o) {
       return NewChangeLoggingWindowStore(OpenRocksDb(env, o), &env.writer);
     }},
};

void PrintTo(const StoreKind& kind, std::ostream* os) { *os << kind.name; }

class WindowStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    env_.dir = dir_.path() + "/store";
    env_.resources = RocksDbResources::Create(RocksDbResourceOptions{});
    store_ = GetParam().open(env_, StoreOptions{});
    ASSERT_NE(store_, nullptr);
  }

  // Replaces the store with one opened with `options` (in a fresh directory).
  void Reopen(const StoreOptions& options) {
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    env_.dir = dir_.path() + "/store" + std::to_string(++reopened_);
    store_ = GetParam().open(env_, options);
    ASSERT_NE(store_, nullptr);
  }

  void Put(std::string_view key, int64_t start, std::string_view value) {
    auto result = store_->Put(key, start, value);
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_TRUE(result->applied) << key << "@" << start;
  }

  std::optional<std::string> Get(std::string_view key, int64_t start) {
    auto value = store_->Fetch(key, start);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? *value : std::optional<std::string>("<error>");
  }

  TempDir dir_;
  StoreEnv env_;
  std::unique_ptr<WindowStore> store_;
  int reopened_ = 0;
};

TEST_P(WindowStoreTest, PutAndFetchOneWindow) {
  auto result = store_->Put("a", 10, "v1");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->applied);
  EXPECT_EQ(result->seqnum, 0);
  EXPECT_EQ(Get("a", 10), "v1");
  EXPECT_EQ(Get("a", 11), std::nullopt);
  EXPECT_EQ(Get("b", 10), std::nullopt);
  EXPECT_EQ(Get("", 10), std::nullopt);

  Put("a", 10, "v2");  // same key and window: replaces
  EXPECT_EQ(Get("a", 10), "v2");
  EXPECT_EQ(Drain(store_->All()), (Windows{{"a", 10, "v2"}}));
  EXPECT_EQ(store_->name(), "store");
  EXPECT_EQ(store_->retention_ms(), 1000);
  EXPECT_FALSE(store_->retain_duplicates());
}

TEST_P(WindowStoreTest, FetchTimeRangeIsInclusiveAtBothEnds) {
  for (int64_t start : {0, 100, 150, 200, 300}) Put("a", start, "a" + std::to_string(start));
  // Neighbouring keys must not leak into a single-key fetch.
  Put("ab", 150, "ab150");
  Put("", 150, "empty150");
  Put(std::string("a\0", 2), 150, "a0-150");

  EXPECT_EQ(Drain(store_->Fetch("a", 100, 200)),
            (Windows{{"a", 100, "a100"}, {"a", 150, "a150"}, {"a", 200, "a200"}}));
  EXPECT_EQ(Drain(store_->Fetch("a", 101, 199)), (Windows{{"a", 150, "a150"}}));
  EXPECT_EQ(Drain(store_->Fetch("a", 300, 300)), (Windows{{"a", 300, "a300"}}));
  EXPECT_EQ(Drain(store_->Fetch("a", 200, 100)), Windows{});
  EXPECT_EQ(Drain(store_->Fetch("a", 301, 1000)), Windows{});
  EXPECT_EQ(Drain(store_->Fetch("", 0, 1000)), (Windows{{"", 150, "empty150"}}));
  EXPECT_EQ(Drain(store_->Fetch("zzz", 0, 1000)), Windows{});
  EXPECT_EQ(Drain(store_->Fetch("a", std::numeric_limits<int64_t>::min(),
                                std::numeric_limits<int64_t>::max()))
                .size(),
            5u);
}

TEST_P(WindowStoreTest, BackwardFetchIsLatestFirst) {
  for (int64_t start : {0, 100, 250, 300}) Put("a", start, std::to_string(start));
  Put("b", 120, "b");
  EXPECT_EQ(Drain(store_->Fetch("a", 0, 250, /*backward=*/true)),
            (Windows{{"a", 250, "250"}, {"a", 100, "100"}, {"a", 0, "0"}}));
  EXPECT_EQ(Drain(store_->Fetch("a", 1, 99, /*backward=*/true)), Windows{});
}

TEST_P(WindowStoreTest, FetchRangeOfKeysIsInclusiveAndOrderedByKeyThenStart) {
  // Windows spread over several segments (interval 100), written out of order.
  Put("b", 250, "b250");
  Put("aa", 300, "aa300");
  Put("a", 50, "a50");
  Put("ab", 120, "ab120");
  Put("aa", 20, "aa20");
  Put("c", 100, "c100");
  Put("b", 10, "b10");
  Put("ba", 100, "ba100");

  const Windows aa_to_b = {
      {"aa", 20, "aa20"}, {"aa", 300, "aa300"}, {"ab", 120, "ab120"},
      {"b", 10, "b10"},   {"b", 250, "b250"},
  };
  EXPECT_EQ(Drain(store_->FetchRange("aa", "b", 0, 1000)), aa_to_b);
  EXPECT_EQ(Drain(store_->FetchRange("aa", "b", 0, 1000, /*backward=*/true)),
            Windows(aa_to_b.rbegin(), aa_to_b.rend()));
  // The time range applies to every key of the range, both ends inclusive.
  EXPECT_EQ(Drain(store_->FetchRange("aa", "b", 120, 250)),
            (Windows{{"ab", 120, "ab120"}, {"b", 250, "b250"}}));
  // Open bounds.
  EXPECT_EQ(Drain(store_->FetchRange(std::nullopt, "aa", 0, 1000)),
            (Windows{{"a", 50, "a50"}, {"aa", 20, "aa20"}, {"aa", 300, "aa300"}}));
  EXPECT_EQ(Drain(store_->FetchRange("ba", std::nullopt, 0, 1000)),
            (Windows{{"ba", 100, "ba100"}, {"c", 100, "c100"}}));
  // from > to: nothing, as in Kafka Streams.
  EXPECT_EQ(Drain(store_->FetchRange("b", "a", 0, 1000)), Windows{});
  EXPECT_EQ(Drain(store_->FetchRange("a", "c", 400, 1000)), Windows{});
}

TEST_P(WindowStoreTest, FetchAllAndAllOrderByKeyThenStart) {
  // A negative start: in the raw layout "a" + 0xff.. sorts after "ab"; the order is by key.
  Put("ab", 0, "ab0");
  Put("a", -100, "a-100");
  Put("a", 200, "a200");
  Put("\x80", 5, "high");  // unsigned bytes: after every ASCII key
  Put("b", 100, "b100");

  const Windows all = {{"a", -100, "a-100"},
                       {"a", 200, "a200"},
                       {"ab", 0, "ab0"},
                       {"b", 100, "b100"},
                       {"\x80", 5, "high"}};
  EXPECT_EQ(Drain(store_->All()), all);
  EXPECT_EQ(Drain(store_->All(/*backward=*/true)), Windows(all.rbegin(), all.rend()));
  EXPECT_EQ(Drain(store_->FetchAll(0, 100)),
            (Windows{{"ab", 0, "ab0"}, {"b", 100, "b100"}, {"\x80", 5, "high"}}));
  EXPECT_EQ(Drain(store_->FetchAll(0, 100, /*backward=*/true)),
            (Windows{{"\x80", 5, "high"}, {"b", 100, "b100"}, {"ab", 0, "ab0"}}));
  EXPECT_EQ(Drain(store_->FetchAll(101, 199)), Windows{});
}

TEST_P(WindowStoreTest, PutWithoutValueDeletesTheWindow) {
  Put("a", 10, "1");
  Put("a", 20, "2");
  ASSERT_TRUE(store_->Commit(std::nullopt).ok());
  auto result = store_->Put("a", 10, std::nullopt);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->applied);
  EXPECT_EQ(Get("a", 10), std::nullopt);
  EXPECT_EQ(Drain(store_->Fetch("a", 0, 100)), (Windows{{"a", 20, "2"}}));
  // Deleting an absent window is fine.
  ASSERT_TRUE(store_->Put("zz", 10, std::nullopt).ok());
  ASSERT_TRUE(store_->Commit(std::nullopt).ok());
  EXPECT_EQ(Drain(store_->All()), (Windows{{"a", 20, "2"}}));
}

// Reads merge what is not committed yet over what is.
TEST_P(WindowStoreTest, ReadsSeeCommittedAndUncommittedWrites) {
  Put("a", 10, "a10");
  Put("b", 110, "b110");
  Put("c", 210, "c210");
  ASSERT_TRUE(store_->Commit(1).ok());
  Put("a", 10, "a10-new");
  ASSERT_TRUE(store_->Put("b", 110, std::nullopt).ok());
  Put("b", 150, "b150");
  Put("d", 10, "d10");

  const Windows merged = {
      {"a", 10, "a10-new"}, {"b", 150, "b150"}, {"c", 210, "c210"}, {"d", 10, "d10"}};
  EXPECT_EQ(Drain(store_->All()), merged);
  EXPECT_EQ(Drain(store_->All(/*backward=*/true)), Windows(merged.rbegin(), merged.rend()));
  EXPECT_EQ(Drain(store_->Fetch("b", 0, 1000)), (Windows{{"b", 150, "b150"}}));
  EXPECT_EQ(Get("b", 110), std::nullopt);
  EXPECT_EQ(Get("a", 10), "a10-new");
  ASSERT_TRUE(store_->Commit(2).ok());
  EXPECT_EQ(Drain(store_->All()), merged);
}

TEST_P(WindowStoreTest, ExpiredWindowsAreDroppedAndHidden) {
  // retention 1000: once stream time is 5000, starts <= 4000 are expired.
  Put("a", 100, "old");
  Put("a", 3000, "older");
  Put("a", 4500, "live");
  Put("a", 5000, "now");
  EXPECT_EQ(Get("a", 100), std::nullopt);
  EXPECT_EQ(Get("a", 3000), std::nullopt);
  EXPECT_EQ(Drain(store_->Fetch("a", 0, 10000)),
            (Windows{{"a", 4500, "live"}, {"a", 5000, "now"}}));

  auto dropped = store_->Put("b", 4000, "late");
  ASSERT_TRUE(dropped.ok());
  EXPECT_FALSE(dropped->applied);
  EXPECT_EQ(Get("b", 4000), std::nullopt);
  auto kept = store_->Put("b", 4001, "just in time");
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->applied);
  EXPECT_EQ(Get("b", 4001), "just in time");

  // A later start advances stream time and expires what was live.
  Put("c", 5600, "later");
  EXPECT_EQ(Get("a", 4500), std::nullopt);
  EXPECT_EQ(Drain(store_->All()), (Windows{{"a", 5000, "now"}, {"c", 5600, "later"}}));
  EXPECT_EQ(Drain(store_->FetchAll(0, 4600)), Windows{});
  ASSERT_TRUE(store_->Commit(3).ok());
  EXPECT_EQ(Drain(store_->FetchAll(0, 10000)), (Windows{{"a", 5000, "now"}, {"c", 5600, "later"}}));
  // Deletes of expired windows are dropped too.
  auto late_delete = store_->Put("a", 100, std::nullopt);
  ASSERT_TRUE(late_delete.ok());
  EXPECT_FALSE(late_delete->applied);
}

TEST_P(WindowStoreTest, RetainDuplicatesKeepsEveryPut) {
  Reopen(StoreOptions{.retain_duplicates = true});
  EXPECT_TRUE(store_->retain_duplicates());
  auto first = store_->Put("a", 10, "v1");
  auto second = store_->Put("a", 10, "v2");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->seqnum, 1);
  EXPECT_EQ(second->seqnum, 2);
  Put("a", 20, "v3");
  Put("b", 10, "v4");

  EXPECT_EQ(Drain(store_->Fetch("a", 0, 100)),
            (Windows{{"a", 10, "v1", 1}, {"a", 10, "v2", 2}, {"a", 20, "v3", 3}}));
  EXPECT_EQ(Drain(store_->Fetch("a", 0, 100, /*backward=*/true)),
            (Windows{{"a", 20, "v3", 3}, {"a", 10, "v2", 2}, {"a", 10, "v1", 1}}));
  EXPECT_EQ(Get("a", 10), "v2");  // the highest sequence number

  // A delete cannot say which duplicate: ignored.
  auto deleted = store_->Put("a", 10, std::nullopt);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->applied);
  ASSERT_TRUE(store_->Commit(1).ok());
  EXPECT_EQ(Drain(store_->All()).size(), 4u);
  EXPECT_EQ(Get("a", 10), "v2");
}

TEST_P(WindowStoreTest, CommitRecordsTheChangelogOffset) {
  EXPECT_EQ(store_->CommittedOffset(), std::nullopt);
  Put("a", 10, "1");
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->Commit(7).ok());
  EXPECT_EQ(store_->CommittedOffset(), 7);
  // A commit without new changelog records keeps the offset it had.
  Put("a", 20, "2");
  ASSERT_TRUE(store_->Commit(std::nullopt).ok());
  EXPECT_EQ(store_->CommittedOffset(), 7);
  ASSERT_TRUE(store_->Commit(int64_t{1} << 40).ok());
  EXPECT_EQ(store_->CommittedOffset(), int64_t{1} << 40);
}

TEST_P(WindowStoreTest, RestoreAppliesWindowKeySchemaRecords) {
  Put("x", 10, "overwritten");
  ASSERT_TRUE(store_
                  ->Restore({{EncodeWindowStoreKey("a", 10, 0), "a10"},
                             {EncodeWindowStoreKey("b", 20, 0), "b20"},
                             {EncodeWindowStoreKey("x", 10, 0), std::nullopt},
                             {EncodeWindowStoreKey("a", 30, 0), "a30"},
                             {EncodeWindowStoreKey("a", 30, 0), "a30-new"}},
                            42)
                  .ok());
  EXPECT_EQ(store_->CommittedOffset(), 42);
  EXPECT_EQ(Get("a", 10), "a10");
  EXPECT_EQ(Get("x", 10), std::nullopt);
  EXPECT_EQ(Drain(store_->All()),
            (Windows{{"a", 10, "a10"}, {"a", 30, "a30-new"}, {"b", 20, "b20"}}));
}

TEST_P(WindowStoreTest, RestoreAdvancesStreamTimeBeforeApplying) {
  // Stream time becomes 5000 first, so the 3000 record of the same batch is expired.
  ASSERT_TRUE(store_
                  ->Restore({{EncodeWindowStoreKey("old", 3000, 0), "dropped"},
                             {EncodeWindowStoreKey("new", 5000, 0), "kept"}},
                            3)
                  .ok());
  EXPECT_EQ(Drain(store_->All()), (Windows{{"new", 5000, "kept"}}));
  auto late = store_->Put("late", 3999, "x");
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->applied);
}

TEST_P(WindowStoreTest, MalformedRestoreRecordAppliesNothing) {
  ASSERT_TRUE(store_->Restore({{EncodeWindowStoreKey("a", 10, 0), "a"}}, 5).ok());
  absl::Status s =
      store_->Restore({{EncodeWindowStoreKey("b", 10, 0), "b"}, {"too short", "x"}}, 6);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CommittedOffset(), 5);
  EXPECT_EQ(Drain(store_->All()), (Windows{{"a", 10, "a"}}));
}

TEST_P(WindowStoreTest, RestoredDuplicatesKeepTheirNumbersAndNewOnesContinue) {
  Reopen(StoreOptions{.retain_duplicates = true});
  ASSERT_TRUE(store_
                  ->Restore({{EncodeWindowStoreKey("a", 10, 7), "v7"},
                             {EncodeWindowStoreKey("a", 10, 8), "v8"}},
                            9)
                  .ok());
  auto next = store_->Put("a", 10, "v9");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seqnum, 9);
  EXPECT_EQ(Drain(store_->Fetch("a", 10, 10)),
            (Windows{{"a", 10, "v7", 7}, {"a", 10, "v8", 8}, {"a", 10, "v9", 9}}));
}

TEST_P(WindowStoreTest, ClosedStoreAnswersErrors) {
  Put("a", 10, "1");
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(store_->Put("a", 20, "2").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(store_->Fetch("a", 10).ok());
  auto it = store_->Fetch("a", 0, 100);
  EXPECT_FALSE(it->Valid());
  EXPECT_EQ(it->status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(store_->All()->status().ok());
  EXPECT_FALSE(store_->Commit(1).ok());
  EXPECT_FALSE(store_->Flush().ok());
  EXPECT_FALSE(store_->Restore({}, 1).ok());
}

// One writer, one reader: every scan the reader takes is in order, whatever the writer
// does meanwhile (committing, expiring segments).
TEST_P(WindowStoreTest, ScansStayOrderedWhileTheWriterContinues) {
  constexpr int kWrites = 1500;
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      ASSERT_TRUE(store_->Put("k" + std::to_string(i % 7), i, std::to_string(i)).ok());
      if (i % 100 == 99) {
        ASSERT_TRUE(store_->Commit(i).ok());
      }
    }
  });
  int scans = 0;
  bool ordered = true;
  do {
    Windows all = Drain(store_->All());
    for (size_t i = 1; i < all.size(); ++i) {
      const Window& a = all[i - 1];
      const Window& b = all[i];
      if (a.key > b.key || (a.key == b.key && a.start >= b.start)) ordered = false;
    }
    ++scans;
  } while (scans < 50);
  writer.join();
  EXPECT_TRUE(ordered);
  // Retention 1000 at stream time 1499: starts 500..1499 remain.
  Windows all = Drain(store_->All());
  EXPECT_EQ(all.size(), 1000u);
}

INSTANTIATE_TEST_SUITE_P(Kinds, WindowStoreTest, ::testing::ValuesIn(kKinds),
                         [](const auto& info) { return info.param.name; });

TEST(InMemoryWindowStoreTest, RejectsBadParameters) {
  EXPECT_EQ(NewInMemoryWindowStore("s", 0, 0, false).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NewInMemoryWindowStore("s", 1000, -5, false).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto store = NewInMemoryWindowStore("s", 1000, 0, false);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->persistent());
}

}  // namespace
}  // namespace rill::state
