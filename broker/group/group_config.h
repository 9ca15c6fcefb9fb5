// Settings of the group coordinator, named after the Kafka broker configs they mirror.
#pragma once

#include <cstdint>

namespace rill::broker::group {

struct GroupConfig {
  int32_t offsets_topic_partitions = 10;         // offsets.topic.num.partitions
  int32_t min_session_timeout_ms = 6000;         // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;      // group.max.session.timeout.ms
  int32_t initial_rebalance_delay_ms = 3000;     // group.initial.rebalance.delay.ms
  int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;  // offsets.retention.minutes
  int32_t offset_metadata_max_bytes = 4096;      // offset.metadata.max.bytes
  int32_t max_member_metadata_bytes = 1 << 20;   // protocol metadata per member
  int32_t max_group_size = 1 << 30;              // group.max.size
};

}  // namespace rill::broker::group
