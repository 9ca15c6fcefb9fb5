// The topics this node hosts: creation (explicit and automatic), deletion, partition
// growth, and their configs, persisted under the data directory so they survive a
// restart. Thread-safe; partitions are shared so in-flight requests outlive a delete.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "broker/broker_config.h"
#include "broker/cluster/partition.h"
#include "broker/protocol/api_keys.h"

namespace rill::broker {

struct TopicSnapshot {
  std::string name;
  std::string topic_id;  // 16 bytes
  int32_t partition_count = 0;
  std::map<std::string, std::string> configs;  // overrides only
  bool is_internal = false;
};

// Outcome of an admin operation, carried to the wire as a Kafka error code + message.
struct AdminResult {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  std::string message;
  bool ok() const { return error == protocol::ErrorCode::kNone; }
};

class TopicManager {
 public:
  explicit TopicManager(const BrokerConfig& config);
  ~TopicManager();

  // Loads persisted topics and opens (recovering) their partition logs.
  absl::Status Load();

  // partitions/replication_factor of -1 take the broker defaults.
  AdminResult CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                          const std::map<std::string, std::string>& configs, bool validate_only);
  AdminResult DeleteTopic(const std::string& name);
  AdminResult CreatePartitions(const std::string& name, int32_t new_count, bool validate_only);

  // Creates `name` with the defaults when auto-creation is enabled and the name is valid.
  // Returns true if the topic exists afterwards.
  bool AutoCreate(const std::string& name);

  std::shared_ptr<Partition> GetPartition(const std::string& topic, int32_t index) const;
  std::optional<TopicSnapshot> GetTopic(const std::string& name) const;
  std::vector<TopicSnapshot> ListTopics() const;
  std::vector<std::shared_ptr<Partition>> AllPartitions() const;

  // Effective log config of a topic (broker defaults + overrides).
  log::LogConfig LogConfigFor(const TopicSnapshot& topic) const;
  const BrokerConfig& broker_config() const { return config_; }

  // Legal Kafka topic name: [a-zA-Z0-9._-]{1,249}, not "." or "..".
  static AdminResult ValidateTopicName(const std::string& name);

  void ApplyRetention(int64_t now_ms);
  absl::Status CloseAll();

 private:
  struct Topic {
    TopicSnapshot meta;
    std::vector<std::shared_ptr<Partition>> partitions;
  };

  std::string PartitionDir(const std::string& topic, int32_t index) const;
  std::string MetaPath(const std::string& topic) const;
  absl::Status PersistMeta(const TopicSnapshot& meta) const;
  absl::StatusOr<std::shared_ptr<Partition>> OpenPartition(const TopicSnapshot& meta,
                                                           int32_t index) const;

  const BrokerConfig config_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Topic> topics_;
};

}  // namespace rill::broker
