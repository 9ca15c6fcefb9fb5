// StreamsConfig: how a KafkaStreams instance runs (Kafka Streams' StreamsConfig). Fields
// carry Kafka Streams' property names in comments; FromProperties() reads them by those
// names, so a Java user's properties file carries over.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rill::streams {

struct StreamsConfig {
  std::string application_id;          // application.id (group id, internal topic prefix)
  std::string bootstrap_servers;       // bootstrap.servers
  int32_t num_stream_threads = 1;      // num.stream.threads
  int64_t commit_interval_ms = 30000;  // commit.interval.ms (Kafka Streams' at-least-once default)
  // max.task.idle.ms (Kafka Streams' KIP-695 meaning): a task reading several partitions
  // does not process while one of them is empty and may still have data on the broker
  // (not fetched to its end yet); once every empty partition is known to be at its end,
  // it waits this much longer for producers before processing anyway. 0 (the default):
  // wait only for fetches; -1: never wait.
  int64_t max_task_idle_ms = 0;
  std::string state_dir = "/tmp/rill-streams";  // state.dir
  uint64_t cache_max_bytes = 10 * 1024 * 1024;  // statestore.cache.max.bytes
  std::string processing_guarantee = "at_least_once";  // processing.guarantee
  std::string application_server;      // application.server: host:port of the HTTP server
  std::string client_id;               // client.id (default: application id + process id)
  // default.deserialization.exception.handler: "log-and-continue" or "fail" (Kafka
  // Streams' default is fail; Rill's is log-and-continue: a poison record is counted and
  // logged with its topic/partition/offset, and processing goes on).
  std::string deserialization_exception_handler = "log-and-continue";
  std::string processing_exception_handler = "fail";   // or "log-and-continue"
  std::string production_exception_handler = "fail";   // or "log-and-continue"
  // errors.dead.letter.queue.topic.name: records a handler skips are also written here
  // (raw key and value, with headers naming the error and the source position).
  std::string dead_letter_topic;
  int32_t replication_factor = -1;  // replication.factor of internal topics (-1: broker default)
  int32_t session_timeout_ms = 45000;
  int32_t heartbeat_interval_ms = 3000;
  uint64_t rocksdb_block_cache_bytes = 64ull << 20;  // one cache for every store
  uint64_t rocksdb_write_buffer_bytes = 32ull << 20;
  // Extra librdkafka settings ("consumer.<name>" / "producer.<name>" in FromProperties).
  std::map<std::string, std::string> consumer_overrides;
  std::map<std::string, std::string> producer_overrides;

  // Checks required fields and ranges; the error names the property.
  absl::Status Validate() const;
  // Reads Kafka Streams property names ("application.id", "num.stream.threads", ...).
  // Unknown names are an error (a typo should not be ignored).
  static absl::StatusOr<StreamsConfig> FromProperties(
      const std::map<std::string, std::string>& properties);
};

}  // namespace rill::streams
