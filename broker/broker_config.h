// Configuration of one broker node: identity, listener, storage and topic defaults.
// Field names follow Kafka's broker configs (in comments) so operators recognise them.
#pragma once

#include <cstdint>
#include <string>

#include "broker/group/group_config.h"
#include "broker/log/partition_log.h"
#include "broker/txn/txn_config.h"

namespace rill::broker {

struct BrokerConfig {
  int32_t node_id = 1;
  std::string host = "127.0.0.1";
  int port = 9092;  // 0 picks a free port; Broker::port() tells which
  // Host name put in Metadata responses; empty means `host`.
  std::string advertised_host;
  std::string data_dir;
  std::string cluster_id = "rill-cluster";

  bool auto_create_topics = true;    // auto.create.topics.enable
  int32_t default_partitions = 1;    // num.partitions
  int16_t default_replication_factor = 1;

  int32_t io_threads = 2;
  int32_t max_request_bytes = 100 * 1024 * 1024;  // socket.request.max.bytes
  int64_t retention_check_interval_ms = 300000;   // log.retention.check.interval.ms
  // fetch.max.bytes (KIP-541): the most one Fetch response carries, whatever the client
  // asks. Kafka's default is 55 MiB; Rill's is 1 MiB because measured consumers
  // (librdkafka) go faster when responses are small enough to keep fetches pipelined with
  // their parsing (docs/PERFORMANCE.md). The first batch is always returned whole.
  int32_t fetch_max_bytes = 1 << 20;

  // Consumer groups: offsets topic, session limits, initial rebalance delay, retention.
  group::GroupConfig group;
  // Transactions: state topic partitions, largest transaction timeout.
  txn::TxnConfig txn;

  // Defaults for topic-level configs (log.segment.bytes, log.retention.ms, ...).
  log::LogConfig log_defaults;
};

}  // namespace rill::broker
