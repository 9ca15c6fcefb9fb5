// Helpers shared by the partition-log tests: a temporary directory per test and record
// batch factories.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "broker/protocol/record_batch.h"

namespace rill::broker::log::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/rill_log_test_XXXXXX";
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

// A batch of `records` records with timestamps ts, ts+1, ...; values of `value_size`
// bytes so tests can reason about sizes.
inline std::string MakeBatch(int records, int64_t ts, size_t value_size = 20,
                             protocol::Compression c = protocol::Compression::kNone,
                             int64_t base_offset = 0) {
  protocol::RecordBatchBuilder b;
  b.set_compression(c).set_base_offset(base_offset);
  for (int i = 0; i < records; ++i) {
    b.Add("key" + std::to_string(i), std::string(value_size, static_cast<char>('a' + i % 26)),
          ts + i);
  }
  return b.Build();
}

// Splits a buffer of whole batches into their headers.
inline std::vector<protocol::RecordBatchHeader> Headers(std::string_view data) {
  std::vector<protocol::RecordBatchHeader> out;
  while (data.size() >= protocol::kRecordBatchHeaderSize) {
    auto h = protocol::ParseRecordBatchHeader(data);
    if (h->total_size() > data.size()) break;
    out.push_back(*h);
    data.remove_prefix(h->total_size());
  }
  return out;
}

// Names of the files in `dir` ending in `ext`, sorted.
inline std::vector<std::string> FilesWithExt(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace rill::broker::log::testing
