// rill-topics subcommands. Each prints its result on stdout and returns a Status whose
// message (the broker's error where there is one) main() prints before exiting non-zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "admin_client.h"
#include "args.h"

namespace rill::topics {

struct CreateRequest {
  std::string topic;
  int partitions = -1;          // -1: the broker's default
  int replication_factor = -1;  // -1: the broker's default
  KeyValues configs;
  bool if_not_exists = false;  // TOPIC_ALREADY_EXISTS is success
};

absl::Status CreateTopic(AdminClient& admin, const CreateRequest& request);
absl::Status DeleteTopic(AdminClient& admin, const std::string& topic);
// Topic names, one a line, sorted.
absl::Status ListTopics(AdminClient& admin);
// kafka-topics.sh --describe layout: a topic line (with its non-default configs, or all
// with `all_configs`), then one line per partition with leader, replicas and ISR.
absl::Status DescribeTopic(AdminClient& admin, const std::string& topic, bool all_configs);

// `groups` subcommands, modelled on kafka-consumer-groups.sh (groups.cc).
// One line per consumer group: GROUP STATE PROTOCOL-TYPE, sorted by group id.
absl::Status ListGroups(AdminClient& admin);
// The group's coordinator, assignor, state and member count, then one line per partition
// that is assigned or has a committed offset: GROUP TOPIC PARTITION CURRENT-OFFSET
// LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID ("-" where there is none). NotFound for a
// group that does not exist (Dead, no offsets).
absl::Status DescribeGroup(AdminClient& admin, const std::string& group);
// Fails with the broker's error (NON_EMPTY_GROUP while the group has members).
absl::Status DeleteGroup(AdminClient& admin, const std::string& group);

struct ResetOffsetsRequest {
  enum class To { kEarliest, kLatest, kOffset };
  std::string group;
  std::string topic;
  std::vector<int32_t> partitions;  // empty: every partition of the topic
  To to = To::kEarliest;
  int64_t offset = 0;    // kOffset; clamped to the partition's [earliest, latest]
  bool execute = false;  // false: only print the plan
};
// Prints the plan (GROUP TOPIC PARTITION NEW-OFFSET); with `execute` commits it, which is
// refused (FailedPrecondition) unless the group is Empty or does not exist, as in Kafka.
absl::Status ResetGroupOffsets(AdminClient& admin, const ResetOffsetsRequest& request);

}  // namespace rill::topics
