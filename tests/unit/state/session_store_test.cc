// The SessionStore contract, run against both inner stores and the change-logging layer on
// top of each; then what only the RocksDB store promises (commit/reopen, segments as
// column families) and the session key layout.
#include "state/session_store.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "state/change_logging_session_store.h"
#include "state/in_memory_session_store.h"
#include "state/rocksdb_resources.h"
#include "state/rocksdb_session_store.h"
#include "state/rocksdb_window_store.h"
#include "state/session_key_schema.h"
#include "state_test_util.h"

namespace rill::state {
namespace {

using testing::SentRecord;
using testing::TempDir;
using testing::VectorChangelogWriter;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

struct Session {
  std::string key;
  int64_t start = 0;
  int64_t end = 0;
  std::string value;
  bool operator==(const Session&) const = default;
};

void PrintTo(const Session& s, std::ostream* os) {
  *os << "{" << s.key << "@[" << s.start << "," << s.end << "] = " << s.value << "}";
}

using Sessions = std::vector<Session>;

// Drains `it`; an iterator error becomes a session keyed "<error>" so tests see it.
Sessions Drain(std::unique_ptr<SessionStoreIterator> it) {
  Sessions out;
  for (; it->Valid(); it->Next()) {
    out.push_back(Session{std::string(it->key()), it->start(), it->end(), std::string(it->value())});
  }
  if (!it->status().ok()) out.push_back(Session{"<error>", 0, 0, it->status().ToString()});
  return out;
}

struct StoreEnv {
  std::string dir;
  std::shared_ptr<RocksDbResources> resources;
  VectorChangelogWriter writer;
};

struct StoreOptions {
  int64_t retention_ms = 1000;
  int64_t segment_interval_ms = 100;
};

struct StoreKind {
  std::string name;
  std::function<std::unique_ptr<SessionStore>(StoreEnv&, const StoreOptions&)> open;
};

std::unique_ptr<SessionStore> OpenInMemory(StoreEnv&, const StoreOptions& o) {
  auto store = NewInMemorySessionStore("store", o.retention_ms, o.segment_interval_ms);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

std::unique_ptr<SessionStore> OpenRocksDb(StoreEnv& env, const StoreOptions& o) {
  auto store =
      OpenRocksDbSessionStore("store", env.dir, env.resources, o.retention_ms, o.segment_interval_ms);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

const StoreKind kKinds[] = {
    {"InMemory", OpenInMemory},
    {"RocksDb", OpenRocksDb},
    {"LoggingInMemory",
     [](StoreEnv& env, const StoreOptions& o) {
       return NewChangeLoggingSessionStore(OpenInMemory(env, o), &env.writer);
     }},
    {"LoggingRocksDb",
     [](StoreEnv& env, const StoreOptions& o) {
       return NewChangeLoggingSessionStore(OpenRocksDb(env, o), &env.writer);
     }},
};

void PrintTo(const StoreKind& kind, std::ostream* os) { *os << kind.name; }

class SessionStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    env_.dir = dir_.path() + "/store";
    env_.resources = RocksDbResources::Create(RocksDbResourceOptions{});
    store_ = GetParam().open(env_, StoreOptions{});
    ASSERT_NE(store_, nullptr);
  }

  // Replaces the store with an empty one opened with `options` (in a fresh directory).
  void Reopen(const StoreOptions& options) {
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    env_.dir = dir_.path() + "/store" + std::to_string(++reopened_);
    store_ = GetParam().open(env_, options);
    ASSERT_NE(store_, nullptr);
  }

  void Put(std::string_view key, int64_t start, int64_t end, std::string_view value) {
    auto applied = store_->Put(key, start, end, value);
    ASSERT_TRUE(applied.ok()) << applied.status();
    ASSERT_TRUE(*applied) << key << "@[" << start << "," << end << "]";
  }

  std::optional<std::string> Get(std::string_view key, int64_t start, int64_t end) {
    auto value = store_->FetchSession(key, start, end);
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? *value : std::optional<std::string>("<error>");
  }

  TempDir dir_;
  StoreEnv env_;
  std::unique_ptr<SessionStore> store_;
  int reopened_ = 0;
};

TEST_P(SessionStoreTest, PutFetchSessionAndRemove) {
  Put("a", 10, 20, "v1");
  EXPECT_EQ(Get("a", 10, 20), "v1");
  EXPECT_EQ(Get("a", 10, 21), std::nullopt);
  EXPECT_EQ(Get("a", 11, 20), std::nullopt);
  EXPECT_EQ(Get("b", 10, 20), std::nullopt);

  Put("a", 10, 20, "v2");  // same key and session: replaces
  EXPECT_EQ(Get("a", 10, 20), "v2");
  // Same end, other start: a distinct session, as in Kafka Streams.
  Put("a", 15, 20, "v3");
  EXPECT_EQ(Drain(store_->Fetch("a")), (Sessions{{"a", 10, 20, "v2"}, {"a", 15, 20, "v3"}}));

  auto removed = store_->Remove("a", 10, 20);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_EQ(Get("a", 10, 20), std::nullopt);
  EXPECT_EQ(Drain(store_->All()), (Sessions{{"a", 15, 20, "v3"}}));
  EXPECT_EQ(store_->name(), "store");
  EXPECT_EQ(store_->retention_ms(), 1000);
}

TEST_P(SessionStoreTest, StartAfterEndIsRejected) {
  auto applied = store_->Put("a", 21, 20, std::string_view("v"));
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Drain(store_->All()), Sessions{});
}

// findSessions(key, earliestSessionEndTime, latestSessionStartTime): end >= earliest and
// start <= latest, both bounds inclusive.
TEST_P(SessionStoreTest, FindSessionsBoundsAreInclusive) {
  Put("a", 0, 10, "s1");
  Put("a", 20, 30, "s2");
  Put("a", 40, 40, "s3");
  Put("b", 20, 30, "other");

  EXPECT_EQ(Drain(store_->FindSessions("a", 10, 20)),
            (Sessions{{"a", 0, 10, "s1"}, {"a", 20, 30, "s2"}}));
  // One past each bound excludes that session.
  EXPECT_EQ(Drain(store_->FindSessions("a", 11, 19)), Sessions{});
  EXPECT_EQ(Drain(store_->FindSessions("a", 11, 20)), (Sessions{{"a", 20, 30, "s2"}}));
  EXPECT_EQ(Drain(store_->FindSessions("a", 10, 19)), (Sessions{{"a", 0, 10, "s1"}}));
  // A point: sessions containing it.
  EXPECT_EQ(Drain(store_->FindSessions("a", 25, 25)), (Sessions{{"a", 20, 30, "s2"}}));
  EXPECT_EQ(Drain(store_->FindSessions("a", 40, 40)), (Sessions{{"a", 40, 40, "s3"}}));
  EXPECT_EQ(Drain(store_->FindSessions("a", 31, 39)), Sessions{});
  // Everything, forward and backward (by end).
  EXPECT_EQ(Drain(store_->FindSessions("a", 0, kMax)),
            (Sessions{{"a", 0, 10, "s1"}, {"a", 20, 30, "s2"}, {"a", 40, 40, "s3"}}));
  EXPECT_EQ(Drain(store_->FindSessions("a", 0, kMax, /*backward=*/true)),
            (Sessions{{"a", 40, 40, "s3"}, {"a", 20, 30, "s2"}, {"a", 0, 10, "s1"}}));
  EXPECT_EQ(Drain(store_->Fetch("a", /*backward=*/true)),
            (Sessions{{"a", 40, 40, "s3"}, {"a", 20, 30, "s2"}, {"a", 0, 10, "s1"}}));
}

TEST_P(SessionStoreTest, FindSessionsForKeyRanges) {
  Put("a", 0, 10, "a1");
  Put("ab", 5, 5, "ab1");
  Put("b", 0, 10, "b1");
  Put("b", 50, 60, "b2");
  Put("c", 8, 9, "c1");
  Put("", 1, 2, "empty");

  EXPECT_EQ(Drain(store_->FindSessions(std::string_view("a"), std::string_view("b"), 5, 10)),
            (Sessions{{"a", 0, 10, "a1"}, {"ab", 5, 5, "ab1"}, {"b", 0, 10, "b1"}}));
  EXPECT_EQ(Drain(store_->FindSessions(std::string_view("a"), std::string_view("b"), 5, 10,
                                       /*backward=*/true)),
            (Sessions{{"b", 0, 10, "b1"}, {"ab", 5, 5, "ab1"}, {"a", 0, 10, "a1"}}));
  // Open bounds.
  EXPECT_EQ(Drain(store_->FindSessions(std::nullopt, std::string_view("a"), 0, kMax)),
            (Sessions{{"", 1, 2, "empty"}, {"a", 0, 10, "a1"}}));
  EXPECT_EQ(Drain(store_->FindSessions(std::string_view("b"), std::nullopt, 9, kMax)),
            (Sessions{{"b", 0, 10, "b1"}, {"b", 50, 60, "b2"}, {"c", 8, 9, "c1"}}));
  // key_from > key_to: nothing.
  EXPECT_EQ(Drain(store_->FindSessions(std::string_view("c"), std::string_view("a"), 0, kMax)),
            Sessions{});
  // All: by key, then end.
  EXPECT_EQ(Drain(store_->All()), (Sessions{{"", 1, 2, "empty"},
                                            {"a", 0, 10, "a1"},
                                            {"ab", 5, 5, "ab1"},
                                            {"b", 0, 10, "b1"},
                                            {"b", 50, 60, "b2"},
                                            {"c", 8, 9, "c1"}}));
}

TEST_P(SessionStoreTest, FindSessionsByEndOrdersByEndThenStartThenKey) {
  Put("b", 0, 10, "b1");
  Put("a", 5, 10, "a1");
  Put("a", 0, 12, "a2");
  Put("c", 3, 7, "c1");
  Put("c", 20, 30, "c2");

  EXPECT_EQ(Drain(store_->FindSessionsByEnd(7, 12)),
            (Sessions{{"c", 3, 7, "c1"}, {"b", 0, 10, "b1"}, {"a", 5, 10, "a1"}, {"a", 0, 12, "a2"}}));
  EXPECT_EQ(Drain(store_->FindSessionsByEnd(8, 11)),
            (Sessions{{"b", 0, 10, "b1"}, {"a", 5, 10, "a1"}}));
  EXPECT_EQ(Drain(store_->FindSessionsByEnd(13, 29)), Sessions{});
}

// Sessions expire by END: end <= observed max end - retention. Whole segments of ends go.
TEST_P(SessionStoreTest, RetentionByObservedSessionEnd) {
  Put("a", 0, 100, "old");
  Put("a", 500, 1099, "mid");
  EXPECT_EQ(Get("a", 0, 100), "old");  // 100 > 1099 - 1000
  Put("b", 1100, 1100, "new");         // stream time 1100: end 100 is now expired
  EXPECT_EQ(Get("a", 0, 100), std::nullopt);
  EXPECT_EQ(Drain(store_->All()), (Sessions{{"a", 500, 1099, "mid"}, {"b", 1100, 1100, "new"}}));
  EXPECT_EQ(Drain(store_->FindSessions("a", 0, kMax)), (Sessions{{"a", 500, 1099, "mid"}}));

  // A put for an expired session is dropped (and not logged).
  const size_t logged = env_.writer.sent.size();
  auto applied = store_->Put("a", 50, 100, std::string_view("late"));
  ASSERT_TRUE(applied.ok());
  EXPECT_FALSE(*applied);
  EXPECT_EQ(env_.writer.sent.size(), logged);
  EXPECT_EQ(Get("a", 50, 100), std::nullopt);
  // A long session that started long ago but ended recently is live: expiry is by end.
  Put("c", 0, 1050, "long");
  EXPECT_EQ(Drain(store_->FindSessions("c", 0, 0)), (Sessions{{"c", 0, 1050, "long"}}));
}

TEST_P(SessionStoreTest, ChangelogCarriesKafkaSessionKeys) {
  if (GetParam().name.find("Logging") == std::string::npos) GTEST_SKIP() << "no changelog layer";
  Put("k", 10, 20, "v");
  ASSERT_TRUE(store_->Remove("k", 10, 20).ok());
  std::string key = "k";
  key += std::string("\0\0\0\0\0\0\0\x14", 8);  // end 20
  key += std::string("\0\0\0\0\0\0\0\x0a", 8);  // start 10
  EXPECT_EQ(env_.writer.sent,
            (std::vector<SentRecord>{{key, std::string("v")}, {key, std::nullopt}}));
}

// Restoration applies the changelog records (session keys, tombstones) and the offset.
TEST_P(SessionStoreTest, RestoresFromChangelogRecords) {
  std::vector<ChangelogRecord> records = {
      {EncodeSessionKey("a", 0, 10), std::string("a1")},
      {EncodeSessionKey("a", 20, 30), std::string("a2")},
      {EncodeSessionKey("b", 5, 5), std::string("b1")},
      {EncodeSessionKey("a", 20, 30), std::nullopt},  // merged away
      {EncodeSessionKey("a", 0, 40), std::string("a3")},
  };
  ASSERT_TRUE(store_->Restore(records, 41).ok());
  EXPECT_EQ(store_->CommittedOffset(), 41);
  EXPECT_EQ(Drain(store_->All()),
            (Sessions{{"a", 0, 10, "a1"}, {"a", 0, 40, "a3"}, {"b", 5, 5, "b1"}}));
  EXPECT_TRUE(env_.writer.sent.empty());  // restoration is not logged again

  // The batch's stream time applies first: records it expires are skipped.
  Reopen(StoreOptions{});
  ASSERT_TRUE(store_
                  ->Restore({{EncodeSessionKey("x", 0, 5), std::string("old")},
                             {EncodeSessionKey("y", 2000, 2000), std::string("new")}},
                            7)
                  .ok());
  EXPECT_EQ(Drain(store_->All()), (Sessions{{"y", 2000, 2000, "new"}}));

  // A malformed key fails the whole batch.
  auto status = store_->Restore({{EncodeSessionKey("z", 2000, 2000), std::string("z")},
                                 {"short", std::string("bad")}},
                                9);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Drain(store_->All()), (Sessions{{"y", 2000, 2000, "new"}}));
  EXPECT_EQ(store_->CommittedOffset(), 7);
}

TEST_P(SessionStoreTest, ClosedStoreAnswersErrors) {
  Put("a", 0, 1, "v");
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(store_->Put("a", 0, 1, std::string_view("w")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(store_->FetchSession("a", 0, 1).ok());
  auto it = store_->All();
  EXPECT_FALSE(it->Valid());
  EXPECT_EQ(it->status().code(), absl::StatusCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Stores, SessionStoreTest, ::testing::ValuesIn(kKinds),
                         [](const auto& info) { return info.param.name; });

// --- RocksDB only -------------------------------------------------------------------

class RocksDbSessionStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SessionStore> Open(int64_t retention_ms = 1000, int64_t interval_ms = 100) {
    auto store = OpenRocksDbSessionStore("store", path(), resources_, retention_ms, interval_ms);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::string path() const { return dir_.path() + "/store"; }
  std::vector<int64_t> Segments() {
    auto segments = ListRocksDbSessionSegments(path());
    EXPECT_TRUE(segments.ok()) << segments.status();
    return segments.ok() ? *segments : std::vector<int64_t>{-999};
  }

  TempDir dir_;
  std::shared_ptr<RocksDbResources> resources_ = RocksDbResources::Create({});
};

TEST_F(RocksDbSessionStoreTest, CommitSurvivesReopenAndUncommittedWritesDoNot) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->persistent());
  ASSERT_TRUE(store->Put("a", 0, 10, std::string_view("v1")).ok());
  ASSERT_TRUE(store->Put("b", 5, 50, std::string_view("v2")).ok());
  ASSERT_TRUE(store->Commit(7).ok());
  ASSERT_TRUE(store->Remove("a", 0, 10).ok());
  ASSERT_TRUE(store->Put("c", 60, 60, std::string_view("uncommitted")).ok());
  EXPECT_EQ(Drain(store->All()), (Sessions{{"b", 5, 50, "v2"}, {"c", 60, 60, "uncommitted"}}));
  ASSERT_TRUE(store->Close().ok());
  store.reset();

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedOffset(), 7);
  EXPECT_EQ(Drain(store->All()), (Sessions{{"a", 0, 10, "v1"}, {"b", 5, 50, "v2"}}));
}

TEST_F(RocksDbSessionStoreTest, SegmentsByEndAreDroppedWholeAfterCommit) {
  auto store = Open(/*retention_ms=*/1000, /*interval_ms=*/100);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("a", 0, 50, std::string_view("s0")).ok());     // segment 0
  ASSERT_TRUE(store->Put("a", 100, 250, std::string_view("s2")).ok());  // segment 2
  ASSERT_TRUE(store->Commit(1).ok());
  EXPECT_EQ(Segments(), (std::vector<int64_t>{0, 2}));

  // Stream time 1200: ends <= 200 expire; segment 0 (ends 0..99) and 1 are wholly expired,
  // segment 2 (ends 200..299) still holds a live end (250).
  ASSERT_TRUE(store->Put("b", 1200, 1200, std::string_view("s12")).ok());
  EXPECT_EQ(Segments(), (std::vector<int64_t>{0, 2, 12}));  // drops wait for the commit
  EXPECT_EQ(Drain(store->All()), (Sessions{{"a", 100, 250, "s2"}, {"b", 1200, 1200, "s12"}}));
  ASSERT_TRUE(store->Commit(2).ok());
  EXPECT_EQ(Segments(), (std::vector<int64_t>{2, 12}));

  // The observed stream time persists: a reopened store still expires by it.
  ASSERT_TRUE(store->Close().ok());
  store = Open();
  ASSERT_NE(store, nullptr);
  auto applied = store->Put("late", 100, 150, std::string_view("x"));
  ASSERT_TRUE(applied.ok());
  EXPECT_FALSE(*applied);
}

TEST_F(RocksDbSessionStoreTest, RefusesADirectoryOfAnotherStoreType) {
  {
    auto window = OpenRocksDbWindowStore("store", path(), resources_, 1000, 100, false);
    ASSERT_TRUE(window.ok()) << window.status();
    ASSERT_TRUE((*window)->Put("a", 0, std::string_view("v"))->applied);
    ASSERT_TRUE((*window)->Commit(1).ok());
    ASSERT_TRUE((*window)->Close().ok());
  }
  auto store = OpenRocksDbSessionStore("store", path(), resources_, 1000, 100);
  EXPECT_FALSE(store.ok());
}

// --- key layout ------------------------------------------------------------------------

TEST(SessionKeySchemaTest, KafkaLayoutKeyThenEndThenStartBigEndian) {
  const std::string bytes = EncodeSessionKey("key", /*start_ms=*/0x0102, /*end_ms=*/0x0a0b0c);
  EXPECT_EQ(bytes, std::string("key") + std::string("\0\0\0\0\0\x0a\x0b\x0c", 8) +
                       std::string("\0\0\0\0\0\0\x01\x02", 8));
  auto decoded = DecodeSessionKey(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->key, "key");
  EXPECT_EQ(decoded->start_ms, 0x0102);
  EXPECT_EQ(decoded->end_ms, 0x0a0b0c);
  EXPECT_EQ(DecodeSessionKey(std::string(15, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Empty key and negative times round-trip.
  decoded = DecodeSessionKey(EncodeSessionKey("", -5, -1));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->key, "");
  EXPECT_EQ(decoded->start_ms, -5);
  EXPECT_EQ(decoded->end_ms, -1);
}

TEST(SessionKeySchemaTest, OrderIsKeyThenEndThenStart) {
  auto less = [](const std::string& a, const std::string& b) { return CompareSessionKeys(a, b) < 0; };
  EXPECT_TRUE(less(EncodeSessionKey("a", 50, 60), EncodeSessionKey("ab", 0, 0)));
  EXPECT_TRUE(less(EncodeSessionKey("a", 50, 60), EncodeSessionKey("a", 0, 61)));
  EXPECT_TRUE(less(EncodeSessionKey("a", 0, 60), EncodeSessionKey("a", 1, 60)));
  EXPECT_TRUE(less(EncodeSessionKey("a", -1, -1), EncodeSessionKey("a", 0, 0)));
  EXPECT_EQ(CompareSessionKeys(EncodeSessionKey("a", 1, 2), EncodeSessionKey("a", 1, 2)), 0);
  // The upper bound is above every (key, end, start <= bound) and below the rest.
  const std::string bound = SessionKeyUpperBound("a", 60, 10);
  EXPECT_TRUE(less(EncodeSessionKey("a", 10, 60), bound));
  EXPECT_FALSE(less(EncodeSessionKey("a", 11, 60), bound));
  EXPECT_TRUE(less(SessionKeyUpperBound("a", kMax, kMax), EncodeSessionKey("a\x01", kMin, kMin)));
  EXPECT_FALSE(less(SessionKeyUpperBound("a", kMax, kMax), EncodeSessionKey("a", kMax, kMax)));
}

}  // namespace
}  // namespace rill::state
