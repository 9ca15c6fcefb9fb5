// rill-broker: runs one Rill broker node as a process (DESIGN.md §5).
//   rill-broker --node-id 1 --listen 127.0.0.1:9092 --data-dir /var/lib/rill
// Prints "rill-broker listening on HOST:PORT" once it accepts connections (scripts wait
// for that line). SIGTERM/SIGINT shut down cleanly; after SIGKILL no acknowledged write
// is lost.
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "broker/broker.h"
#include "tools/common/command_line.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(int32_t, node_id, 1, "Node id of this broker");
ABSL_FLAG(std::string, listen, "127.0.0.1:9092", "HOST:PORT to listen on (port 0 picks one)");
ABSL_FLAG(std::string, advertised_host, "", "Host put in Metadata responses (default: listen host)");
ABSL_FLAG(std::string, data_dir, "", "Directory for partition logs and metadata (required)");
ABSL_FLAG(std::string, cluster, "", "Cluster members id@host:port,... (replication: later)");
ABSL_FLAG(int32_t, num_partitions, 1, "Default partition count of auto-created topics");
ABSL_FLAG(bool, auto_create_topics, true, "Create unknown topics on Metadata requests");
ABSL_FLAG(int32_t, io_threads, 2, "Network/request threads");
ABSL_FLAG(int64_t, log_segment_bytes, 1LL << 30, "Default segment.bytes");
ABSL_FLAG(int64_t, log_retention_ms, 7LL * 24 * 3600 * 1000, "Default retention.ms (-1: forever)");
ABSL_FLAG(int64_t, log_retention_bytes, -1, "Default retention.bytes (-1: unlimited)");
ABSL_FLAG(int64_t, log_flush_interval_messages, INT64_MAX,
          "fsync after this many messages (default: rely on the page cache, like Kafka)");
ABSL_FLAG(int64_t, log_flush_interval_ms, INT64_MAX, "fsync at least this often");
ABSL_FLAG(int64_t, retention_check_interval_ms, 300000, "How often retention runs");
ABSL_FLAG(int32_t, max_request_bytes, 100 * 1024 * 1024, "Largest request accepted");
ABSL_FLAG(int32_t, fetch_max_bytes, 1 << 20, "Most bytes one Fetch response carries (KIP-541)");
ABSL_FLAG(int32_t, offsets_topic_num_partitions, 10, "Partitions of __consumer_offsets");
ABSL_FLAG(int32_t, group_initial_rebalance_delay_ms, 3000,
          "Wait this long for more members before the first rebalance of an empty group");
ABSL_FLAG(int32_t, group_min_session_timeout_ms, 6000, "Smallest session timeout accepted");
ABSL_FLAG(int32_t, group_max_session_timeout_ms, 1800000, "Largest session timeout accepted");
ABSL_FLAG(int64_t, offsets_retention_minutes, 7 * 24 * 60,
          "Committed offsets of empty groups expire after this long");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn, error");

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "rill-broker: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs a Rill broker node.\n  rill-broker --node-id 1 --listen 127.0.0.1:9092 "
      "--data-dir DIR");
  // DESIGN.md §5 spells flags with dashes (--data-dir); absl with underscores.
  std::vector<std::string> storage;
  std::vector<rill::tools::KeyValueFlag> no_key_values;
  auto args = rill::tools::PreprocessArgs(argc, argv, {}, &no_key_values, &storage);
  if (!args.ok()) return Fail(std::string(args.status().message()));
  absl::ParseCommandLine(static_cast<int>(args->size()), args->data());
  spdlog::set_level(spdlog::level::from_str(absl::GetFlag(FLAGS_log_level)));

  rill::broker::BrokerConfig config;
  config.node_id = absl::GetFlag(FLAGS_node_id);
  std::string listen = absl::GetFlag(FLAGS_listen);
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Fail("--listen must be HOST:PORT, got '" + listen + "'");
  config.host = listen.substr(0, colon);
  try {
    config.port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    return Fail("--listen has an invalid port: '" + listen + "'");
  }
  if (config.port < 0 || config.port > 65535) return Fail("--listen port out of range");
  config.advertised_host = absl::GetFlag(FLAGS_advertised_host);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  if (config.data_dir.empty()) return Fail("--data-dir is required");
  if (!absl::GetFlag(FLAGS_cluster).empty()) {
    spdlog::warn("--cluster is accepted but replication is not implemented yet; running alone");
  }
  config.default_partitions = absl::GetFlag(FLAGS_num_partitions);
  if (config.default_partitions < 1) return Fail("--num-partitions must be at least 1");
  config.auto_create_topics = absl::GetFlag(FLAGS_auto_create_topics);
  config.io_threads = absl::GetFlag(FLAGS_io_threads);
  config.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  config.fetch_max_bytes = absl::GetFlag(FLAGS_fetch_max_bytes);
  config.group.offsets_topic_partitions = absl::GetFlag(FLAGS_offsets_topic_num_partitions);
  config.group.initial_rebalance_delay_ms = absl::GetFlag(FLAGS_group_initial_rebalance_delay_ms);
  config.group.min_session_timeout_ms = absl::GetFlag(FLAGS_group_min_session_timeout_ms);
  config.group.max_session_timeout_ms = absl::GetFlag(FLAGS_group_max_session_timeout_ms);
  config.group.offsets_retention_ms = absl::GetFlag(FLAGS_offsets_retention_minutes) * 60 * 1000;
  if (config.group.offsets_topic_partitions < 1) {
    return Fail("--offsets-topic-num-partitions must be at least 1");
  }
  if (config.fetch_max_bytes < 1) return Fail("--fetch-max-bytes must be positive");
  config.retention_check_interval_ms = absl::GetFlag(FLAGS_retention_check_interval_ms);
  config.log_defaults.segment_bytes = absl::GetFlag(FLAGS_log_segment_bytes);
  config.log_defaults.retention_ms = absl::GetFlag(FLAGS_log_retention_ms);
  config.log_defaults.retention_bytes = absl::GetFlag(FLAGS_log_retention_bytes);
  config.log_defaults.flush_interval_messages = absl::GetFlag(FLAGS_log_flush_interval_messages);
  config.log_defaults.flush_interval_ms = absl::GetFlag(FLAGS_log_flush_interval_ms);

  // Block the stop signals in every thread; main waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  rill::broker::Broker broker(config);
  if (absl::Status s = broker.Start(); !s.ok()) return Fail(std::string(s.message()));
  std::printf("rill-broker listening on %s\n", broker.bootstrap_address().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("signal {} received, shutting down", sig);
  broker.Stop();
  return 0;
}
