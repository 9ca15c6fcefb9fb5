#include "broker/log/batch_scan.h"

#include <string>

namespace rill::broker::log {

absl::Status ForEachBatch(
    const PartitionLog& log,
    const std::function<void(const protocol::RecordBatchHeader&, std::string_view)>& visit) {
  int64_t offset = log.log_start_offset();
  const int64_t end = log.log_end_offset();
  std::string chunk;
  while (offset < end) {
    absl::Status s = log.Read(offset, 4 << 20, end, &chunk);
    if (!s.ok()) return s;
    if (chunk.empty()) break;
    size_t pos = 0;
    int64_t next = offset;
    while (pos + protocol::kRecordBatchHeaderSize <= chunk.size()) {
      auto header = protocol::ParseRecordBatchHeader(std::string_view(chunk).substr(pos));
      if (!header || pos + header->total_size() > chunk.size()) break;
      visit(*header, std::string_view(chunk).substr(pos, header->total_size()));
      next = header->last_offset() + 1;
      pos += header->total_size();
    }
    // Read() always returns at least one whole batch; no progress means a damaged log.
    if (next <= offset) {
      return absl::DataLossError("no readable batch at offset " + std::to_string(offset) + " of " +
                                 log.dir());
    }
    offset = next;
  }
  return absl::OkStatus();
}

}  // namespace rill::broker::log
