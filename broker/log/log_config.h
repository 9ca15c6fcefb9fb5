// Per-partition log settings: the Kafka topic configs that shape how a partition log
// rolls segments, retains data, flushes and stamps timestamps. Built from broker
// defaults plus topic overrides (broker/cluster/topic_config.h) and handed to
// PartitionLog::Open / PartitionLog::SetConfig.
#pragma once

#include <cstdint>
#include <limits>

namespace rill::broker::log {

struct LogConfig {
  // segment.bytes: roll the active segment before it would grow past this.
  int64_t segment_bytes = 1 << 30;
  // segment.ms: roll the active segment this long after its first append.
  int64_t segment_ms = 7 * 24 * 3600 * 1000LL;
  // retention.ms: delete a closed segment once its largest timestamp is older; -1 = forever.
  int64_t retention_ms = 7 * 24 * 3600 * 1000LL;
  // retention.bytes: delete the oldest closed segments while the log is larger; -1 = no limit.
  int64_t retention_bytes = -1;
  // max.message.bytes: largest record batch a producer may append.
  int32_t max_message_bytes = 1048588;
  // index.interval.bytes: bytes between two sparse offset-index entries.
  int32_t index_interval_bytes = 4096;
  // message.timestamp.type: true = LogAppendTime (the broker stamps batches on append).
  bool log_append_time = false;
  // flush.messages / flush.ms: fsync after this many records / this long since the last
  // fsync. The defaults never fsync and rely on the page cache, like Kafka.
  int64_t flush_interval_messages = std::numeric_limits<int64_t>::max();
  int64_t flush_interval_ms = std::numeric_limits<int64_t>::max();
  // cleanup.policy/compaction comes later.
};

}  // namespace rill::broker::log
