#include "broker/log/partition_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "broker/log/segment.h"
#include "log_test_util.h"

namespace rill::broker::log {
namespace {

using protocol::Compression;
using protocol::ErrorCode;
using testing::FilesWithExt;
using testing::Headers;
using testing::MakeBatch;
using testing::TempDir;

constexpr int32_t kBig = 1 << 30;

std::unique_ptr<PartitionLog> OpenLog(const std::string& dir, LogConfig config = {}) {
  auto log = PartitionLog::Open(dir, config);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

std::string ReadAll(const PartitionLog& log, int64_t offset = -1) {
  std::string out;
  std::string all;
  int64_t next = offset < 0 ? log.log_start_offset() : offset;
  while (next < log.log_end_offset()) {
    absl::Status s = log.Read(next, kBig, log.log_end_offset(), &out);
    EXPECT_TRUE(s.ok()) << s;
    auto headers = Headers(out);
    if (!s.ok() || headers.empty()) break;
    next = headers.back().last_offset() + 1;
    all += out;
  }
  return all;
}

// Runs `body` in a child process. Bodies end with _exit(0) while their log is still
// open, so no destructor closes it: the files are left exactly as kill -9 would.
template <typename F>
void InCrashingChild(F body) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
}

TEST(PartitionLogTest, AppendAssignsConsecutiveOffsets) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(log->size_bytes(), 0);

  std::string b1 = MakeBatch(3, 1000);
  auto r = log->Append(b1, 50);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->base_offset, 0);
  EXPECT_EQ(r->last_offset, 2);
  EXPECT_EQ(r->log_append_time_ms, -1);

  // Client batches arrive with arbitrary base offsets; two batches in one append.
  std::string b2 = MakeBatch(5, 2000, 20, Compression::kNone, 777);
  std::string b3 = MakeBatch(1, 3000, 20, Compression::kLz4);
  r = log->Append(b2 + b3, 60);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->base_offset, 3);
  EXPECT_EQ(r->last_offset, 8);
  EXPECT_EQ(log->log_end_offset(), 9);
  EXPECT_EQ(log->size_bytes(), static_cast<int64_t>(b1.size() + b2.size() + b3.size()));

  std::string out;
  ASSERT_TRUE(log->Read(0, kBig, 9, &out).ok());
  EXPECT_EQ(out.size(), b1.size() + b2.size() + b3.size());
  protocol::BatchValidation v = protocol::ValidateBatches(out, kBig);
  ASSERT_EQ(v.error, ErrorCode::kNone) << v.message;  // offsets patched, CRCs intact
  ASSERT_EQ(v.batches.size(), 3u);
  EXPECT_EQ(v.batches[0].base_offset, 0);
  EXPECT_EQ(v.batches[1].base_offset, 3);
  EXPECT_EQ(v.batches[2].base_offset, 8);
  EXPECT_EQ(v.batches[2].compression(), Compression::kLz4);
}

TEST(PartitionLogTest, ReadFromMiddleOfBatchReturnsWholeBatch) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  ASSERT_TRUE(log->Append(MakeBatch(3, 1000), 0).ok());
  ASSERT_TRUE(log->Append(MakeBatch(5, 1000), 0).ok());
  ASSERT_TRUE(log->Append(MakeBatch(2, 1000), 0).ok());
  std::string out;
  ASSERT_TRUE(log->Read(5, kBig, 10, &out).ok());
  auto headers = Headers(out);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].base_offset, 3);
  EXPECT_EQ(headers[0].records_count, 5);
  EXPECT_EQ(headers[1].base_offset, 8);
  ASSERT_TRUE(log->Read(9, kBig, 10, &out).ok());
  headers = Headers(out);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].base_offset, 8);
}

TEST(PartitionLogTest, MaxBytesAndUpperBound) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  std::string batch = MakeBatch(2, 1000, 100);
  const int32_t size = static_cast<int32_t>(batch.size());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append(batch, 0).ok());
  std::string out;
  // Exactly two batches fit; a byte less and only one does.
  ASSERT_TRUE(log->Read(0, 2 * size, 20, &out).ok());
  EXPECT_EQ(Headers(out).size(), 2u);
  ASSERT_TRUE(log->Read(0, 2 * size - 1, 20, &out).ok());
  EXPECT_EQ(Headers(out).size(), 1u);
  // KIP-74: the first batch comes back whole even when larger than max_bytes.
  ASSERT_TRUE(log->Read(4, 1, 20, &out).ok());
  ASSERT_EQ(Headers(out).size(), 1u);
  EXPECT_EQ(out.size(), batch.size());
  EXPECT_EQ(Headers(out)[0].base_offset, 4);
  // Nothing at or above the upper bound (the high watermark).
  ASSERT_TRUE(log->Read(0, kBig, 6, &out).ok());
  auto headers = Headers(out);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers.back().last_offset(), 5);
  ASSERT_TRUE(log->Read(6, kBig, 6, &out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(log->Read(0, kBig, 0, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(PartitionLogTest, ReadOutOfRange) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  std::string out = "stale";
  EXPECT_TRUE(log->Read(0, kBig, 0, &out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(log->Append(MakeBatch(3, 1000), 0).ok());
  EXPECT_EQ(log->Read(-1, kBig, 3, &out).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(log->Read(4, kBig, 3, &out).code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(log->Read(3, kBig, 3, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(PartitionLogTest, RollBySize) {
  TempDir dir;
  std::string batch = MakeBatch(2, 1000, 100);
  LogConfig config;
  config.segment_bytes = 3 * static_cast<int64_t>(batch.size());
  auto log = OpenLog(dir.path(), config);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(log->Append(batch, 0).ok());
  EXPECT_EQ(FilesWithExt(dir.path(), ".log"),
            (std::vector<std::string>{"00000000000000000000.log", "00000000000000000006.log",
                                      "00000000000000000012.log"}));
  // Rolled segments get their index files at roll time.
  EXPECT_EQ(FilesWithExt(dir.path(), ".timeindex").size(), 2u);
  EXPECT_EQ(ReadAll(*log).size(), 7 * batch.size());
  // A batch larger than a whole segment still goes in (into a fresh segment).
  ASSERT_TRUE(log->Append(MakeBatch(2, 1000, 2000), 0).ok());
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").size(), 4u);
}

TEST(PartitionLogTest, RollByTime) {
  TempDir dir;
  LogConfig config;
  config.segment_ms = 1000;
  auto log = OpenLog(dir.path(), config);
  ASSERT_TRUE(log->Append(MakeBatch(1, 1), 10000).ok());
  ASSERT_TRUE(log->Append(MakeBatch(1, 1), 10500).ok());
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").size(), 1u);
  ASSERT_TRUE(log->Append(MakeBatch(1, 1), 11000).ok());  // 1000 ms after the first append
  EXPECT_EQ(FilesWithExt(dir.path(), ".log"),
            (std::vector<std::string>{"00000000000000000000.log", "00000000000000000002.log"}));
  // Retention passes roll an idle active segment too, and never an empty one.
  log->ApplyRetention(11999);
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").size(), 2u);
  log->ApplyRetention(12000);
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").size(), 3u);
  log->ApplyRetention(20000);
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").size(), 3u);
  EXPECT_EQ(log->log_end_offset(), 3);
}

TEST(PartitionLogTest, IndexLookupAfterManyRolls) {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 4000;
  config.index_interval_bytes = 300;
  std::vector<int64_t> base_of(1000, -1);
  {
    auto log = OpenLog(dir.path(), config);
    for (int i = 0; i < 300; ++i) {
      auto r = log->Append(MakeBatch(1 + i % 3, 1000 + i, 30 + i % 50), 0);
      ASSERT_TRUE(r.ok());
      for (int64_t o = r->base_offset; o <= r->last_offset; ++o) base_of[o] = r->base_offset;
    }
    EXPECT_GT(FilesWithExt(dir.path(), ".log").size(), 10u);
  }
  // The same lookups before and after a reopen (which loads the persisted indexes).
  for (int round = 0; round < 2; ++round) {
    auto log = OpenLog(dir.path(), config);
    ASSERT_EQ(log->log_end_offset(), 600);
    std::string out;
    for (int64_t o = 0; o < 600; ++o) {
      ASSERT_TRUE(log->Read(o, 1, 600, &out).ok()) << o;
      auto headers = Headers(out);
      ASSERT_EQ(headers.size(), 1u) << o;
      ASSERT_EQ(headers[0].base_offset, base_of[o]) << o;
    }
  }
}

TEST(PartitionLogTest, ReadStopsAtSegmentEnd) {
  TempDir dir;
  std::string batch = MakeBatch(2, 1000, 100);
  LogConfig config;
  config.segment_bytes = 2 * static_cast<int64_t>(batch.size());
  auto log = OpenLog(dir.path(), config);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(batch, 0).ok());
  std::string out;
  ASSERT_TRUE(log->Read(0, kBig, 10, &out).ok());
  EXPECT_EQ(Headers(out).size(), 2u);
  ASSERT_TRUE(log->Read(4, kBig, 10, &out).ok());
  EXPECT_EQ(Headers(out)[0].base_offset, 4);
  EXPECT_EQ(ReadAll(*log).size(), 5 * batch.size());
}

TEST(PartitionLogTest, RetentionByTime) {
  TempDir dir;
  std::string probe = MakeBatch(2, 0, 100);
  LogConfig config;
  config.segment_bytes = 2 * static_cast<int64_t>(probe.size());
  config.retention_ms = 10000;
  auto log = OpenLog(dir.path(), config);
  // Segments of two batches; batch i carries timestamps 1000*i, 1000*i+1.
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(log->Append(MakeBatch(2, 1000 * i, 100), 0).ok());
  ASSERT_EQ(FilesWithExt(dir.path(), ".log").size(), 4u);  // bases 0, 4, 8, 12
  log->ApplyRetention(10000 + 1001);  // segment 0's largest timestamp (1001) is just in
  EXPECT_EQ(log->log_start_offset(), 0);
  log->ApplyRetention(10000 + 1002);
  EXPECT_EQ(log->log_start_offset(), 4);
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").front(), "00000000000000000004.log");
  EXPECT_EQ(FilesWithExt(dir.path(), ".index").size(), 2u);
  EXPECT_EQ(log->size_bytes(), 5 * static_cast<int64_t>(probe.size()));
  std::string out;
  EXPECT_EQ(log->Read(3, kBig, 14, &out).code(), absl::StatusCode::kOutOfRange);
  // Everything expired: closed segments go, the active one stays.
  log->ApplyRetention(1000000);
  EXPECT_EQ(FilesWithExt(dir.path(), ".log"), std::vector<std::string>{"00000000000000000012.log"});
  EXPECT_EQ(log->log_start_offset(), 12);
  EXPECT_EQ(log->log_end_offset(), 14);
  // retention.ms = -1 keeps everything.
  TempDir dir2;
  config.retention_ms = -1;
  auto forever = OpenLog(dir2.path(), config);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(forever->Append(MakeBatch(2, 1000 * i, 100), 0).ok());
  forever->ApplyRetention(int64_t{1} << 50);
  EXPECT_EQ(forever->log_start_offset(), 0);
}

TEST(PartitionLogTest, RetentionBySize) {
  TempDir dir;
  std::string batch = MakeBatch(2, 1000, 100);
  const int64_t size = static_cast<int64_t>(batch.size());
  LogConfig config;
  config.segment_bytes = 2 * size;
  config.retention_bytes = 3 * size;
  auto log = OpenLog(dir.path(), config);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(log->Append(batch, 0).ok());
  // 7 batches in segments of 2,2,2,1: dropping whole segments while the rest stays at
  // or above retention.bytes leaves 2+1 batches.
  log->ApplyRetention(0);
  EXPECT_EQ(log->size_bytes(), 3 * size);
  EXPECT_EQ(log->log_start_offset(), 8);
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").size(), 2u);
  log->ApplyRetention(0);
  EXPECT_EQ(log->log_start_offset(), 8);
}

TEST(PartitionLogTest, DeleteRecordsBeforeSurvivesRestart) {
  TempDir dir;
  std::string batch = MakeBatch(2, 1000, 100);
  LogConfig config;
  config.segment_bytes = 2 * static_cast<int64_t>(batch.size());
  {
    auto log = OpenLog(dir.path(), config);
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(log->Append(batch, 0).ok());
    EXPECT_EQ(log->DeleteRecordsBefore(15).code(), absl::StatusCode::kOutOfRange);
    ASSERT_TRUE(log->DeleteRecordsBefore(9).ok());
    EXPECT_EQ(log->log_start_offset(), 9);
    EXPECT_EQ(FilesWithExt(dir.path(), ".log").front(), "00000000000000000008.log");
    ASSERT_TRUE(log->DeleteRecordsBefore(3).ok());  // lower: no-op
    EXPECT_EQ(log->log_start_offset(), 9);
    std::string out;
    EXPECT_EQ(log->Read(8, kBig, 14, &out).code(), absl::StatusCode::kOutOfRange);
    ASSERT_TRUE(log->Read(9, kBig, 14, &out).ok());
    EXPECT_EQ(Headers(out)[0].base_offset, 8);  // the batch holding 9, whole
    ASSERT_TRUE(log->Close().ok());
  }
  {
    auto log = OpenLog(dir.path(), config);
    EXPECT_EQ(log->log_start_offset(), 9);
    EXPECT_EQ(log->log_end_offset(), 14);
    // Up to the end: the active segment stays but the start moves.
    ASSERT_TRUE(log->DeleteRecordsBefore(14).ok());
    EXPECT_EQ(log->log_start_offset(), 14);
  }
  // Without a clean close as well.
  InCrashingChild([&] {
    auto log = PartitionLog::Open(dir.path(), config);
    if (!log.ok() || !(*log)->Append(batch, 0).ok() || !(*log)->DeleteRecordsBefore(15).ok()) {
      _exit(1);
    }
    _exit(0);
  });
  auto log = OpenLog(dir.path(), config);
  EXPECT_EQ(log->log_start_offset(), 15);
  EXPECT_EQ(log->log_end_offset(), 16);
}

TEST(PartitionLogTest, RecoveryTruncatesTornTail) {
  TempDir dir;
  const std::string seg0 = dir.path() + "/00000000000000000000.log";
  std::string batch = MakeBatch(3, 1000, 50);
  {
    auto log = OpenLog(dir.path());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(batch, 0).ok());
    ASSERT_TRUE(log->Close().ok());
  }
  const uintmax_t good = std::filesystem::file_size(seg0);
  auto append_raw = [&](std::string_view bytes) {
    int fd = open(seg0.c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    close(fd);
  };
  // Half a batch, then plain garbage.
  append_raw(std::string_view(batch).substr(0, batch.size() / 2));
  {
    auto log = OpenLog(dir.path());
    EXPECT_EQ(log->log_end_offset(), 15);
    EXPECT_EQ(std::filesystem::file_size(seg0), good);
  }
  append_raw("this is not a record batch, just noise at the end of the file");
  {
    auto log = OpenLog(dir.path());
    EXPECT_EQ(log->log_end_offset(), 15);
    EXPECT_EQ(std::filesystem::file_size(seg0), good);
  }
  // After a crash a whole batch with a bad CRC is caught by the CRC scan, and appends
  // carry on from the last good batch.
  InCrashingChild([&] {
    auto log = PartitionLog::Open(dir.path(), LogConfig{});
    if (!log.ok() || !(*log)->Append(batch, 0).ok()) _exit(1);
    _exit(0);
  });
  ASSERT_EQ(std::filesystem::file_size(seg0), good + batch.size());
  {
    // Flip a byte inside the batch the child appended; the framing still looks right.
    int fd = open(seg0.c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    char c;
    off_t at = static_cast<off_t>(good + batch.size() - 5);
    ASSERT_EQ(pread(fd, &c, 1, at), 1);
    c ^= 0x33;
    ASSERT_EQ(pwrite(fd, &c, 1, at), 1);
    close(fd);
  }
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->log_end_offset(), 15);
  EXPECT_EQ(std::filesystem::file_size(seg0), good);
  auto r = log->Append(batch, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->base_offset, 15);
  std::string all = ReadAll(*log);
  protocol::BatchValidation v = protocol::ValidateBatches(all, kBig);
  EXPECT_EQ(v.error, ErrorCode::kNone) << v.message;
  EXPECT_EQ(v.record_count, 18);
}

TEST(PartitionLogTest, CrashKeepsAcknowledgedAppends) {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 5000;
  InCrashingChild([&] {
    auto log = PartitionLog::Open(dir.path(), config);
    if (!log.ok()) _exit(1);
    for (int i = 0; i < 100; ++i) {
      if (!(*log)->Append(MakeBatch(2, 1000 + i, 100), 0).ok()) _exit(1);
    }
    _exit(0);
  });
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/clean-shutdown"));
  auto log = OpenLog(dir.path(), config);
  EXPECT_EQ(log->log_end_offset(), 200);
  EXPECT_GT(FilesWithExt(dir.path(), ".log").size(), 3u);
  protocol::BatchValidation v = protocol::ValidateBatches(ReadAll(*log), kBig);
  EXPECT_EQ(v.error, ErrorCode::kNone) << v.message;
  EXPECT_EQ(v.record_count, 200);
  auto ts = log->OffsetForTimestamp(1050);  // batch 49's second record
  ASSERT_TRUE(ts.has_value());
  EXPECT_EQ(ts->first, 99);
}

TEST(PartitionLogTest, ReopenAfterCloseKeepsEverything) {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 3000;
  config.index_interval_bytes = 500;
  std::string before;
  int64_t size;
  {
    auto log = OpenLog(dir.path(), config);
    for (int i = 0; i < 60; ++i) {
      ASSERT_TRUE(log->Append(MakeBatch(1 + i % 4, 1000 * i, 80, Compression::kSnappy), 0).ok());
    }
    before = ReadAll(*log);
    size = log->size_bytes();
    ASSERT_TRUE(log->Close().ok());
    ASSERT_TRUE(log->Close().ok());  // idempotent
    EXPECT_EQ(log->Append(MakeBatch(1, 0), 0).status().code(),
              absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/clean-shutdown"));
  }
  auto log = OpenLog(dir.path(), config);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/clean-shutdown"));
  EXPECT_EQ(log->size_bytes(), size);
  EXPECT_EQ(log->log_end_offset(), Headers(before).back().last_offset() + 1);
  EXPECT_EQ(ReadAll(*log), before);
  auto ts = log->OffsetForTimestamp(30000);
  ASSERT_TRUE(ts.has_value());
  EXPECT_EQ(ts->second, 30000);
  auto r = log->Append(MakeBatch(1, 1), 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->base_offset, log->log_end_offset() - 1);
}

TEST(PartitionLogTest, OffsetForTimestampAcrossSegments) {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1500;
  config.index_interval_bytes = 200;
  auto log = OpenLog(dir.path(), config);
  // Batch i: 3 records with timestamps 1000*i + {0, 1, 2}, offsets 3i..3i+2.
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->Append(MakeBatch(3, 1000 * i, 60), 0).ok());
  ASSERT_GT(FilesWithExt(dir.path(), ".log").size(), 5u);
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(log->OffsetForTimestamp(-5), P(0, 0));
  EXPECT_EQ(log->OffsetForTimestamp(0), P(0, 0));
  EXPECT_EQ(log->OffsetForTimestamp(1), P(1, 1));
  EXPECT_EQ(log->OffsetForTimestamp(3), P(3, 1000));
  EXPECT_EQ(log->OffsetForTimestamp(17001), P(52, 17001));
  EXPECT_EQ(log->OffsetForTimestamp(17500), P(54, 18000));
  EXPECT_EQ(log->OffsetForTimestamp(39002), P(119, 39002));
  EXPECT_EQ(log->OffsetForTimestamp(39003), std::nullopt);
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(log->OffsetForTimestamp(1000 * i + 2), P(3 * i + 2, 1000 * i + 2)) << i;
  }
  // Only offsets at or above the log start count.
  ASSERT_TRUE(log->DeleteRecordsBefore(61).ok());
  EXPECT_EQ(log->OffsetForTimestamp(0), P(61, 20001));
}

TEST(PartitionLogTest, OffsetForTimestampWithUnorderedTimestamps) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  protocol::RecordBatchBuilder b;
  b.Add("a", "1", 3000).Add("b", "2", 1000).Add("c", "3", 3500).Add("d", "4", 2500);
  ASSERT_TRUE(log->Append(b.Build(), 0).ok());
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(log->OffsetForTimestamp(2000), P(0, 3000));
  EXPECT_EQ(log->OffsetForTimestamp(3200), P(2, 3500));
  EXPECT_EQ(log->OffsetForTimestamp(500), P(0, 3000));
}

TEST(PartitionLogTest, LogAppendTime) {
  TempDir dir;
  LogConfig config;
  config.log_append_time = true;
  auto log = OpenLog(dir.path(), config);
  auto r = log->Append(MakeBatch(3, 100, 20, Compression::kGzip), 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->log_append_time_ms, 5000);
  r = log->Append(MakeBatch(2, 100), 6000);
  ASSERT_TRUE(r.ok());
  std::string out;
  ASSERT_TRUE(log->Read(0, kBig, 5, &out).ok());
  protocol::BatchValidation v = protocol::ValidateBatches(out, kBig);
  ASSERT_EQ(v.error, ErrorCode::kNone) << v.message;  // CRC recomputed
  ASSERT_EQ(v.batches.size(), 2u);
  EXPECT_TRUE(v.batches[0].log_append_time());
  EXPECT_EQ(v.batches[0].max_timestamp, 5000);
  EXPECT_EQ(v.batches[0].base_timestamp, 100);
  EXPECT_EQ(v.batches[0].compression(), Compression::kGzip);
  EXPECT_EQ(v.batches[1].max_timestamp, 6000);
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(log->OffsetForTimestamp(0), P(0, 5000));
  EXPECT_EQ(log->OffsetForTimestamp(5500), P(3, 6000));
}

TEST(PartitionLogTest, FlushPolicyAndFlush) {
  TempDir dir;
  LogConfig config;
  config.flush_interval_messages = 2;
  auto log = OpenLog(dir.path(), config);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(MakeBatch(1, 1), i).ok());
  config.flush_interval_messages = INT64_MAX;
  config.flush_interval_ms = 100;
  log->SetConfig(config);
  EXPECT_EQ(log->config().flush_interval_ms, 100);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(MakeBatch(1, 1), 1000 + 60 * i).ok());
  EXPECT_TRUE(log->Flush().ok());
  EXPECT_EQ(log->log_end_offset(), 10);
}

TEST(PartitionLogTest, SetConfigChangesRolling) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  std::string batch = MakeBatch(1, 1, 200);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(log->Append(batch, 0).ok());
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").size(), 1u);
  LogConfig config;
  config.segment_bytes = static_cast<int64_t>(batch.size());
  log->SetConfig(config);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->Append(batch, 0).ok());
  EXPECT_EQ(FilesWithExt(dir.path(), ".log").size(), 4u);
}

TEST(PartitionLogTest, DirectoryIsLockedWhileOpen) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  EXPECT_EQ(PartitionLog::Open(dir.path(), LogConfig{}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(log->Close().ok());
  EXPECT_TRUE(PartitionLog::Open(dir.path(), LogConfig{}).ok());
}

TEST(PartitionLogTest, RejectsBrokenFraming) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  std::string batch = MakeBatch(2, 1);
  EXPECT_EQ(log->Append("", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log->Append(batch.substr(0, batch.size() - 1), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log->Append(batch + "x", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(log->size_bytes(), 0);
}

TEST(PartitionLogTest, ConcurrentAppendsReadsAndRetention) {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 20000;
  config.retention_bytes = 60000;  // segments are deleted while readers hold them
  auto log = OpenLog(dir.path(), config);
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      std::string out;
      while (!done.load()) {
        int64_t start = log->log_start_offset();
        int64_t end = log->log_end_offset();
        if (end == 0) continue;
        int64_t offset = t == 0 ? start : start + (end - start) / 2;
        absl::Status s = log->Read(offset, 4096, end, &out);
        // Retention may move the start past `offset` in between; that is the only error.
        if (!s.ok() && s.code() != absl::StatusCode::kOutOfRange) ++bad;
        if (s.ok() && !out.empty()) {
          ++reads;
          protocol::BatchValidation v = protocol::ValidateBatches(out, kBig);
          if (v.error != ErrorCode::kNone || v.batches[0].last_offset() < offset) ++bad;
        }
        (void)log->OffsetForTimestamp(end);
      }
    });
  }
  std::thread retention([&] {
    while (!done.load()) log->ApplyRetention(0);
  });
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(log->Append(MakeBatch(1 + i % 5, i, 40), 0).ok());
  }
  done = true;
  for (auto& t : readers) t.join();
  retention.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);
  log->ApplyRetention(0);  // the retention thread may have stopped before the last appends
  EXPECT_GT(log->log_start_offset(), 0);
  EXPECT_LE(log->size_bytes(), 60000 + 20000);
}

}  // namespace
}  // namespace rill::broker::log
