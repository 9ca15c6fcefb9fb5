// Topic-level configs (cleanup.policy, retention.ms, segment.bytes, ...): validation of
// user-supplied values and their mapping onto the partition log's LogConfig.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/log/partition_log.h"

namespace rill::broker {

struct TopicConfigEntry {
  std::string name;
  std::string value;
  bool is_default = true;  // false when set on the topic
};

// Checks that every key is a topic config we know and every value parses and is in range.
// The error message names the offending key.
absl::Status ValidateTopicConfigs(const std::map<std::string, std::string>& configs);

// Applies the topic's overrides on top of the broker defaults.
log::LogConfig ToLogConfig(const log::LogConfig& defaults,
                           const std::map<std::string, std::string>& overrides);

// Every known topic config with its effective value, for DescribeConfigs.
std::vector<TopicConfigEntry> DescribeTopicConfigs(
    const log::LogConfig& defaults, const std::map<std::string, std::string>& overrides);

}  // namespace rill::broker
