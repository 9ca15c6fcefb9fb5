#include "broker/log/segment.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "log_test_util.h"

namespace rill::broker::log {
namespace {

using protocol::Compression;
using testing::MakeBatch;
using testing::TempDir;

// Appends `n` batches of 2 records each, with offsets continuing from the segment's end.
void AppendBatches(Segment& seg, int n, int64_t ts = 1000, size_t value_size = 100) {
  for (int i = 0; i < n; ++i) {
    std::string b = MakeBatch(2, ts + 10 * i, value_size, Compression::kNone, seg.next_offset());
    ASSERT_TRUE(seg.Append(b, ts).ok());
  }
}

void AppendRaw(const std::string& path, std::string_view bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  close(fd);
}

TEST(SegmentTest, FileNames) {
  EXPECT_EQ(SegmentFileName(0, ".log"), "00000000000000000000.log");
  EXPECT_EQ(SegmentFileName(1234567, ".index"), "00000000000001234567.index");
}

TEST(SegmentTest, AppendTracksOffsetsSizeAndTimestamps) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), 100, 4096);
  ASSERT_TRUE(seg.ok()) << seg.status();
  Segment& s = **seg;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.next_offset(), 100);
  EXPECT_EQ(s.max_timestamp(), -1);
  std::string b1 = MakeBatch(3, 5000, 10, Compression::kNone, 100);
  std::string b2 = MakeBatch(2, 4000, 10, Compression::kNone, 103);
  ASSERT_TRUE(s.Append(b1 + b2, 77).ok());
  EXPECT_EQ(s.size(), static_cast<int64_t>(b1.size() + b2.size()));
  EXPECT_EQ(s.next_offset(), 105);
  EXPECT_EQ(s.max_timestamp(), 5002);
  EXPECT_EQ(s.largest_time_ms(), 5002);
  EXPECT_EQ(s.roll_start_ms(), 77);
  EXPECT_EQ(std::filesystem::file_size(dir.path() + "/00000000000000000100.log"),
            b1.size() + b2.size());
  std::string back(b1.size(), '\0');
  ASSERT_TRUE(s.ReadAt(0, b1.size(), back.data()).ok());
  EXPECT_EQ(back, b1);
  EXPECT_FALSE(s.ReadAt(s.size() - 1, 2, back.data()).ok());
}

TEST(SegmentTest, SparseIndexLookups) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), 0, 1000);
  ASSERT_TRUE(seg.ok());
  Segment& s = **seg;
  AppendBatches(s, 200, 1000, 100);  // ~250-byte batches: an entry every 4-5 batches
  EXPECT_GT(s.index_entries(), 30u);
  EXPECT_LT(s.index_entries(), 60u);
  // Every lookup must land on a batch boundary at or before the batch holding the offset,
  // and within about one index interval of it.
  for (int64_t offset = 0; offset < s.next_offset(); ++offset) {
    uint32_t pos = s.PositionFor(offset);
    BatchScanner scanner(s, pos, s.size(), 512);
    ASSERT_TRUE(scanner.Next());
    ASSERT_LE(scanner.header().base_offset, offset);
    uint64_t skipped = 0;
    while (scanner.header().last_offset() < offset) {
      skipped += scanner.header().total_size();
      ASSERT_TRUE(scanner.Next());
    }
    EXPECT_LE(skipped, 1000u + 300u) << offset;
  }
  EXPECT_EQ(s.PositionFor(-5), 0u);
}

TEST(SegmentTest, TimestampLookupStartsBeforeFirstMatch) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), 0, 500);
  ASSERT_TRUE(seg.ok());
  Segment& s = **seg;
  AppendBatches(s, 100, 1000, 100);  // batch i has timestamps 1000+10i, 1001+10i
  auto ts_of = [](int64_t offset) { return 1000 + 10 * (offset / 2) + offset % 2; };
  for (int64_t ts : {0, 999, 1000, 1001, 1005, 1500, 1990, 1991}) {
    int64_t first_match = 0;
    while (ts_of(first_match) < ts) ++first_match;
    // Nothing before the scan start may have a timestamp >= ts.
    EXPECT_LE(s.ScanStartForTimestamp(ts), first_match) << ts;
  }
  EXPECT_GT(s.ScanStartForTimestamp(1990), 100);  // the index actually helps
}

TEST(SegmentTest, IndexFilesRoundTrip) {
  TempDir dir;
  size_t entries;
  int64_t size, next, max_ts;
  {
    auto seg = Segment::Create(dir.path(), 42, 700);
    ASSERT_TRUE(seg.ok());
    AppendBatches(**seg, 50);
    ASSERT_TRUE((*seg)->WriteIndexFiles().ok());
    entries = (*seg)->index_entries();
    size = (*seg)->size();
    next = (*seg)->next_offset();
    max_ts = (*seg)->max_timestamp();
  }
  EXPECT_GT(std::filesystem::file_size(dir.path() + "/00000000000000000042.index"), 0u);
  EXPECT_GT(std::filesystem::file_size(dir.path() + "/00000000000000000042.timeindex"), 0u);
  for (bool recover : {false, true}) {
    auto seg = Segment::Load(dir.path(), 42, 700, recover);
    ASSERT_TRUE(seg.ok()) << seg.status();
    EXPECT_EQ((*seg)->index_entries(), entries);
    EXPECT_EQ((*seg)->size(), size);
    EXPECT_EQ((*seg)->next_offset(), next);
    EXPECT_EQ((*seg)->max_timestamp(), max_ts);
    EXPECT_EQ((*seg)->roll_start_ms(), 1001);  // the first batch's max timestamp
  }
}

TEST(SegmentTest, BadIndexFilesAreRebuilt) {
  TempDir dir;
  std::string base = dir.path() + "/00000000000000000000";
  size_t entries;
  {
    auto seg = Segment::Create(dir.path(), 0, 700);
    ASSERT_TRUE(seg.ok());
    AppendBatches(**seg, 50);
    ASSERT_TRUE((*seg)->WriteIndexFiles().ok());
    entries = (*seg)->index_entries();
  }
  // Truncated mid-entry, garbage, missing: each is detected and the index rebuilt.
  std::filesystem::resize_file(base + ".index", 13);
  auto seg = Segment::Load(dir.path(), 0, 700, false);
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ((*seg)->index_entries(), entries);
  seg->reset();
  {
    std::FILE* f = std::fopen((base + ".index").c_str(), "wb");
    std::fwrite("\x00\x00\x00\x05\x00\x00\x00\x07garbage!", 1, 16, f);
    std::fclose(f);
  }
  seg = Segment::Load(dir.path(), 0, 700, false);
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ((*seg)->index_entries(), entries);
  seg->reset();
  std::filesystem::remove(base + ".timeindex");
  seg = Segment::Load(dir.path(), 0, 700, false);
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ((*seg)->index_entries(), entries);
  EXPECT_EQ((*seg)->next_offset(), 100);
}

TEST(SegmentTest, RecoveryTruncatesTornTail) {
  TempDir dir;
  std::string path = dir.path() + "/00000000000000000000.log";
  int64_t good_size;
  {
    auto seg = Segment::Create(dir.path(), 0, 4096);
    ASSERT_TRUE(seg.ok());
    AppendBatches(**seg, 10);
    good_size = (*seg)->size();
  }
  std::string next = MakeBatch(2, 9000, 100, Compression::kNone, 20);
  // Half a batch.
  AppendRaw(path, std::string_view(next).substr(0, next.size() / 2));
  for (bool recover : {false, true}) {
    auto seg = Segment::Load(dir.path(), 0, 4096, recover);
    ASSERT_TRUE(seg.ok());
    EXPECT_EQ((*seg)->size(), good_size);
    EXPECT_EQ((*seg)->next_offset(), 20);
    AppendRaw(path, std::string_view(next).substr(0, 30));
  }
  // A whole batch with a bad CRC is only caught by the CRC scan.
  std::filesystem::resize_file(path, good_size);
  std::string corrupt = next;
  corrupt[corrupt.size() - 3] ^= 0x40;
  AppendRaw(path, corrupt);
  auto seg = Segment::Load(dir.path(), 0, 4096, /*recover=*/true);
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ((*seg)->size(), good_size);
  EXPECT_EQ(std::filesystem::file_size(path), static_cast<uintmax_t>(good_size));
  // Appends continue after the truncation point.
  ASSERT_TRUE((*seg)->Append(next, 1).ok());
  EXPECT_EQ((*seg)->next_offset(), 22);
}

TEST(SegmentTest, RecoveryRejectsOffsetsGoingBackwards) {
  TempDir dir;
  std::string path = dir.path() + "/00000000000000000000.log";
  {
    auto seg = Segment::Create(dir.path(), 0, 4096);
    ASSERT_TRUE(seg.ok());
    AppendBatches(**seg, 3);
  }
  int64_t size = std::filesystem::file_size(path);
  AppendRaw(path, MakeBatch(2, 1, 10, Compression::kNone, 2));  // overlaps offsets 2..3
  auto seg = Segment::Load(dir.path(), 0, 4096, true);
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ((*seg)->size(), size);
  EXPECT_EQ((*seg)->next_offset(), 6);
}

TEST(BatchScannerTest, WalksBatchesAcrossChunkBoundaries) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), 0, 4096);
  ASSERT_TRUE(seg.ok());
  std::string all;
  for (int i = 0; i < 20; ++i) {
    std::string b =
        MakeBatch(1 + i % 4, 100, 50 + 37 * i, Compression::kNone, (*seg)->next_offset());
    ASSERT_TRUE((*seg)->Append(b, 0).ok());
    all += b;
  }
  for (size_t chunk : {size_t{1}, size_t{61}, size_t{100}, size_t{1000}, size_t{1} << 20}) {
    BatchScanner scanner(**seg, 0, (*seg)->size(), chunk);
    std::string rebuilt;
    int n = 0;
    while (scanner.Next()) {
      auto batch = scanner.Batch();
      ASSERT_TRUE(batch.ok());
      EXPECT_EQ(batch->size(), scanner.header().total_size());
      rebuilt.append(*batch);
      ++n;
    }
    EXPECT_TRUE(scanner.status().ok());
    EXPECT_FALSE(scanner.torn());
    EXPECT_EQ(n, 20) << chunk;
    EXPECT_EQ(rebuilt, all) << chunk;
    EXPECT_EQ(scanner.valid_end(), static_cast<uint64_t>((*seg)->size()));
  }
}

}  // namespace
}  // namespace rill::broker::log
