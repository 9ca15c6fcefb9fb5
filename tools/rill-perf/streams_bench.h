// The streams workload: what the Rill framework costs over the "no framework" limit. One
// generated input (text lines of words) is produced once to `text-lines`; then, in sequence
// and in the same process, each pipeline reads all of it and the time until every output is
// acknowledged is measured:
//
//   hand wordcount  librdkafka consumer (assign, from the start) -> split words ->
//                   absl::flat_hash_map count -> produce every new count; then flush
//   rill wordcount  examples::BuildWordCountTopology() on KafkaStreams (RocksDB store,
//                   changelog, record cache, repartition topic, at-least-once commits)
//   hand map        consumer -> upper-case the value -> produce; then flush
//   rill map        stream("text-lines").mapValues(upper case).to(out) on KafkaStreams
//
// and the ratios rill / hand. Without a bootstrap address the broker is an EmbeddedCluster
// started in this process, so broker, clients and application share the machine's cores.
#pragma once

#include <cstdint>
#include <string>

#include "workload.h"

namespace rill::perf {

// Runs the four pipelines, prints one `result target=hand|rill|ratio mode=streams
// workload=wordcount|map ...` line per pipeline and per ratio, and returns the process exit
// code: 0 only if every pipeline finished in time with the expected outputs.
int RunStreamsBench(const std::string& bootstrap, const Workload& w, const StreamsWorkload& s);

}  // namespace rill::perf
