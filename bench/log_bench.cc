// Partition log and record batch micro-benchmarks. Each PartitionLog benchmark has a
// baseline doing the bare system calls on the same bytes (pwrite / pread of a plain
// file), so the reported numbers read as "overhead over the kernel".
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "broker/log/partition_log.h"
#include "broker/protocol/crc32c.h"
#include "broker/protocol/record_batch.h"

namespace rill::broker {
namespace {

using protocol::Compression;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/rill_log_bench_XXXXXX";
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A batch like a librdkafka producer sends: `records` records of 100-byte values.
std::string ProducerBatch(int records, Compression c = Compression::kNone) {
  std::mt19937 rng(1);
  protocol::RecordBatchBuilder b;
  b.set_compression(c);
  std::string value(100, 'x');
  for (int i = 0; i < records; ++i) {
    for (size_t j = 0; j < value.size(); j += 4) value[j] = static_cast<char>('a' + rng() % 26);
    b.Add("key-" + std::to_string(i), value, 1700000000000 + i);
  }
  return b.Build();
}

log::LogConfig BenchConfig() {
  log::LogConfig config;
  config.segment_bytes = 256 << 20;
  config.retention_bytes = 512 << 20;  // keeps long runs within a bounded disk footprint
  config.retention_ms = -1;
  return config;
}

void BM_PwriteBaseline(benchmark::State& state) {
  TempDir dir;
  std::string batch = ProducerBatch(static_cast<int>(state.range(0)));
  std::string path = dir.path() + "/plain.log";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  off_t pos = 0;
  for (auto _ : state) {
    std::string copy = batch;  // Append receives its own copy too
    if (pwrite(fd, copy.data(), copy.size(), pos) != static_cast<ssize_t>(copy.size())) {
      state.SkipWithError("pwrite failed");
      break;
    }
    pos += static_cast<off_t>(copy.size());
    if (pos > (256 << 20)) {
      if (ftruncate(fd, 0) != 0) break;
      pos = 0;
    }
  }
  close(fd);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PwriteBaseline)->Arg(1)->Arg(100)->Arg(1000);

void BM_PartitionLogAppend(benchmark::State& state) {
  TempDir dir;
  std::string batch = ProducerBatch(static_cast<int>(state.range(0)));
  auto log = log::PartitionLog::Open(dir.path(), BenchConfig());
  if (!log.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  int64_t n = 0;
  for (auto _ : state) {
    if (!(*log)->Append(batch, 0).ok()) {
      state.SkipWithError("append failed");
      break;
    }
    if (++n % 4096 == 0) (*log)->ApplyRetention(0);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PartitionLogAppend)->Arg(1)->Arg(100)->Arg(1000);

// Validation runs on every produced batch before it reaches the log.
void BM_ValidateBatches(benchmark::State& state) {
  std::string batch = ProducerBatch(100, static_cast<Compression>(state.range(0)));
  for (auto _ : state) {
    auto v = protocol::ValidateBatches(batch, 1 << 30);
    benchmark::DoNotOptimize(v);
  }
  state.SetLabel(std::string(protocol::CompressionName(static_cast<Compression>(state.range(0)))));
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ValidateBatches)->DenseRange(0, 4);

constexpr int kReadLogBatches = 20000;  // ~250 MB of 100-record batches

// Fills a log once for the read benchmarks.
struct ReadFixture {
  TempDir dir;
  std::unique_ptr<log::PartitionLog> log;
  std::string plain_path;
  int64_t plain_size = 0;
  ReadFixture() {
    auto opened = log::PartitionLog::Open(dir.path() + "/log", BenchConfig());
    log = *std::move(opened);
    std::string batch = ProducerBatch(100);
    plain_path = dir.path() + "/plain";
    int fd = open(plain_path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    for (int i = 0; i < kReadLogBatches; ++i) {
      (void)log->Append(batch, 0);
      if (pwrite(fd, batch.data(), batch.size(), plain_size) > 0) plain_size += batch.size();
    }
    close(fd);
  }
};
ReadFixture& Fixture() {
  static ReadFixture* f = new ReadFixture();
  return *f;
}

void BM_PreadBaseline(benchmark::State& state) {
  ReadFixture& f = Fixture();
  const size_t max_bytes = static_cast<size_t>(state.range(0));
  int fd = open(f.plain_path.c_str(), O_RDONLY);
  std::mt19937_64 rng(3);
  std::string out;
  for (auto _ : state) {
    off_t pos = static_cast<off_t>(rng() % static_cast<uint64_t>(f.plain_size - max_bytes));
    out.resize(max_bytes);
    benchmark::DoNotOptimize(pread(fd, out.data(), max_bytes, pos));
    out.clear();
  }
  close(fd);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * max_bytes));
}
BENCHMARK(BM_PreadBaseline)->Arg(64 << 10)->Arg(1 << 20);

void BM_PartitionLogRead(benchmark::State& state) {
  ReadFixture& f = Fixture();
  const int32_t max_bytes = static_cast<int32_t>(state.range(0));
  const int64_t end = f.log->log_end_offset();
  std::mt19937_64 rng(3);
  std::string out;
  int64_t bytes = 0;
  for (auto _ : state) {
    int64_t offset = static_cast<int64_t>(rng() % static_cast<uint64_t>(end));
    if (!f.log->Read(offset, max_bytes, end, &out).ok()) {
      state.SkipWithError("read failed");
      break;
    }
    bytes += static_cast<int64_t>(out.size());
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_PartitionLogRead)->Arg(64 << 10)->Arg(1 << 20);

void BM_Crc32c(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(protocol::Crc32c(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_Crc32c)->Arg(61)->Arg(16 << 10)->Arg(1 << 20);

}  // namespace
}  // namespace rill::broker
