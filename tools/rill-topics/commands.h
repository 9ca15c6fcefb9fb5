// rill-topics subcommands. Each prints its result on stdout and returns a Status whose
// message (the broker's error where there is one) main() prints before exiting non-zero.
#pragma once

#include <string>

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

}  // namespace rill::topics
