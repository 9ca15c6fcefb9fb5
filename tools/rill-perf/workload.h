// What a rill-perf run measures and where: the workload settings shared by every mode and
// the cluster (our broker or the in-process mock) it runs against.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kafka_props.h"

namespace rill::perf {

class MockCluster;

struct Workload {
  std::string topic;
  int partitions = 6;
  int replication_factor = 1;
  int64_t messages = 0;
  int size = 100;           // payload bytes per message
  std::string acks;         // "0", "1" or "all"
  std::string compression;  // librdkafka compression.codec; empty keeps its default
  double rate = 0;          // latency mode: messages per second
  double seconds = 0;       // latency mode: how long to produce
  bool fill = true;         // consume mode: produce missing messages first (untimed)
  int timeout_ms = 60000;   // upper bound on any single phase
  KafkaProps user_props;    // -X overrides, applied to every client
};

// Group mode: consumer-group join and rebalance timings (see group_bench.h).
struct GroupWorkload {
  std::vector<int> join_members = {1, 3, 10};   // one join measurement per group size
  int rebalance_members = 3;                    // group size for the leave and kill scenarios
  std::string assignor = "range";               // partition.assignment.strategy
  int session_timeout_ms = 6000;                // session.timeout.ms: the kill scenario's wait
  bool join = true, leave = true, kill = true;  // scenarios to run
};

// Streams mode: the word count and a stateless map, each once through Rill and once through a
// hand-written librdkafka loop (see streams_bench.h).
struct StreamsWorkload {
  int64_t lines = 500000;              // input records (text lines)
  int64_t commit_interval_ms = 30000;  // the Rill applications' commit.interval.ms
};

struct Target {
  std::string label;  // "mock" or "broker", printed with every result
  std::string bootstrap;
  MockCluster* mock = nullptr;  // set when the target is an in-process mock cluster
};

}  // namespace rill::perf
