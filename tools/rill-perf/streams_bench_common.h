// What the two Rill streams benches (streams_bench.cc, streams_windows_bench.cc) share: the
// run's environment (embedded or given broker, temp state dir, -X client overrides), the
// untimed input producer, the clock and CPU readings, and running one KafkaStreams
// application from start() until it is done and through close(), with the watermark,
// metrics and read-back queries that decide "done" and check the outputs.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/embedded_cluster.h"
#include "kafka_client.h"
#include "kafka_props.h"
#include "streams/runtime/kafka_streams.h"
#include "streams/runtime/topic_admin.h"
#include "workload.h"

namespace rill::perf {

using Clock = std::chrono::steady_clock;

// How often the driver checks whether a Rill application is done: the resolution of its
// end time, at a cost (one metrics snapshot or one watermark query) the application barely
// notices.
inline constexpr auto kDonePollInterval = std::chrono::milliseconds(10);

double Seconds(Clock::time_point from, Clock::time_point to);

// User + system CPU seconds of this whole process (clients, application and, when embedded,
// the broker).
double ProcessCpuSeconds();

// The stateless workload's function.
std::string UpperCase(const std::string& v);

// Kafka's LongSerializer bytes, as the counting topologies write their counts.
void BigEndian64(int64_t v, char out[8]);
void AppendBigEndian64(int64_t v, std::string& out);
int64_t FromBigEndian64(std::string_view b);  // reads b's first 8 bytes

// Sum of every series of one metric in a Prometheus text snapshot.
double SumMetric(const std::string& text, const std::string& name);

// The malloc this process runs with: jemalloc exports mallctl, glibc's malloc does not.
const char* AllocatorName();

// Each run's writes reach the disk before the next one starts, so none is throttled by the
// write-back of the one before (docs/PERFORMANCE.md, "Disk write-back").
void SyncDisks();

// Everything a bench's runs share but their input: where the broker is and how to name and
// configure the applications and clients.
struct BenchEnv {
  std::string bootstrap;
  int64_t start_ms = 0;  // wall clock (ms since the epoch) when the bench started
  std::string run_id;    // start_ms in decimal: keeps topic, group and application names unique
  int timeout_ms = 0;
  int64_t commit_interval_ms = 0;
  std::string state_root;  // temp dir holding each Rill application's state.dir
  // -X consumer.<k>=<v> / producer.<k>=<v>: for every client of the runs.
  KafkaProps consumer_props;
  KafkaProps producer_props;
};

// What a bench owns while it runs: the embedded broker, if it started one, and the temp
// state dir, removed (before the broker stops) on destruction.
struct BenchResources {
  std::unique_ptr<broker::EmbeddedCluster> cluster;  // null when given a broker
  std::string state_dir;
  BenchResources() = default;
  BenchResources(const BenchResources&) = delete;
  BenchResources& operator=(const BenchResources&) = delete;
  ~BenchResources();
};

// Quiets the info logs, fills *env from the flags, starts a broker in this process unless
// `bootstrap` names one, and creates the temp state dir /tmp/<state_dir_prefix>.XXXXXX.
// `tag` ("[streams]") starts the lines it prints. On failure prints why and returns false.
bool StartBench(const std::string& bootstrap, const Workload& w, int64_t commit_interval_ms,
                const std::string& tag, const std::string& state_dir_prefix, BenchEnv* env,
                BenchResources* resources);

// Creates the topics that do not exist yet; on failure prints why and returns false.
bool CreateBenchTopics(const BenchEnv& env, const std::vector<streams::TopicSpec>& topics);

// Prints the -X client overrides, one "<tag> every consumer<who>: k=v" line each.
void PrintClientOverrides(const BenchEnv& env, const std::string& tag, const std::string& who);

// The librdkafka consumer settings of the Rill runtime's clients
// (streams/runtime/stream_thread.cc), so a hand loop differs from the framework only in
// what it does between them.
KafkaProps ConsumerSettings(const std::string& group);

struct DeliveryCounts {
  int64_t delivered = 0;
  int64_t errors = 0;
  std::string first_error;
};

// A delivery report callback counting into the DeliveryCounts set as the conf's opaque.
void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);

// Produces one record (copied), waiting while the queue is full. Timestamp 0: now.
absl::Status Produce(rd_kafka_t* rk, const std::string& topic, int32_t partition, const char* key,
                     size_t key_len, const char* value, size_t value_len, int64_t timestamp = 0);

// The producer of a bench's untimed input (acks=all, linger.ms=20), counting its
// deliveries in *counts; FlushInput waits for all of them and fails on any error.
absl::StatusOr<KafkaPtr> NewInputProducer(const BenchEnv& env, DeliveryCounts* counts);
absl::Status FlushInput(rd_kafka_t* rk, const DeliveryCounts& counts, int timeout_ms);

absl::StatusOr<int64_t> SumHighWatermarks(rd_kafka_t* rk, const std::string& topic, int partitions,
                                          int timeout_ms);

// Records in `topics` (each waited for): the changelog or repartition traffic of a run.
absl::StatusOr<int64_t> SumTopicRecords(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                        int timeout_ms);

// Commits `offsets` of `topic` (partition p at offsets[p]) for the empty consumer group
// `group`, so an application of that id starts there.
absl::Status CommitOffsets(const BenchEnv& env, const std::string& group, const std::string& topic,
                           const std::vector<int64_t>& offsets);

// Reads `topic` from `from` up to its current end and hands every record to `fn` (a null
// key or value as a string_view whose data() is null).
absl::Status ReadBack(const BenchEnv& env, const std::string& topic, int partitions,
                      const std::vector<int64_t>& from,
                      const std::function<absl::Status(std::string_view, std::string_view)>& fn);

// An output topic as a run starts: a client for watermark queries, connected before the
// clock starts, and the high watermarks the run's outputs are counted from.
struct OutputTopic {
  KafkaPtr admin;
  std::string name;
  int partitions = 0;
  std::vector<int64_t> start;
  int64_t start_sum = 0;
  int timeout_ms = 0;

  // Records written to the topic since the run started.
  absl::StatusOr<int64_t> Written() const;
};
absl::StatusOr<OutputTopic> WatchOutput(const BenchEnv& env, const std::string& topic);

// A Rill application's config: one stream thread, at-least-once, the env's commit
// interval and client overrides, state in <state_root>/<state_subdir>.
streams::StreamsConfig AppConfig(const BenchEnv& env, const std::string& application_id,
                                 const std::string& state_subdir);

// The full names of a topology's internal topics for `application_id`.
struct InternalTopicNames {
  std::vector<std::string> repartition;
  std::vector<std::string> changelog;
};
InternalTopicNames InternalTopicsOf(const streams::Topology& topology,
                                    const std::string& application_id);

// One application run's times, all from just before start().
struct AppRun {
  Clock::time_point start;
  double cpu0 = 0;                   // ProcessCpuSeconds() at start
  double startup_seconds = -1;       // until state RUNNING
  double first_record_seconds = -1;  // until the metrics first counted a processed record
  double done_seconds = 0;           // until `done` said so
  double done_cpu_seconds = 0;
};

// Starts `app` and polls it every kDonePollInterval until `done(records processed)`, asked
// only once RUNNING, says so. Fails, closing the app, if it reaches ERROR or NOT_RUNNING,
// drops a record, `done` fails, or the timeout passes ("<what>: <timeout_message()>").
absl::StatusOr<AppRun> RunUntilDone(streams::KafkaStreams& app, const std::string& what,
                                    int timeout_ms,
                                    const std::function<absl::StatusOr<bool>(double)>& done,
                                    const std::function<std::string()>& timeout_message);

// close() with its final commit (caches and RocksDB flushed, changelog and outputs
// acknowledged, offsets committed), timed.
struct CloseTimes {
  double close_seconds = 0;       // close() alone
  double closed_seconds = 0;      // from the run's start until close() returned
  double closed_cpu_seconds = 0;  // likewise
};
absl::StatusOr<CloseTimes> CloseTimed(streams::KafkaStreams& app, const AppRun& run,
                                      const std::string& timeout_message);

}  // namespace rill::perf
