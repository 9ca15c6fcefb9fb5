// ExampleRuntime: flags, embedded broker, topics, demo producer, HTTP client, signals.
#include "examples/common/example_support.h"

#include <librdkafka/rdkafka.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "broker/embedded_cluster.h"
#include "tools/common/command_line.h"

ABSL_FLAG(std::string, bootstrap_servers, "",
          "Kafka cluster to use (host:port,...); empty: start an embedded Rill broker");
ABSL_FLAG(std::string, application_id, "", "application.id (group id, internal topic prefix)");
ABSL_FLAG(std::string, state_dir, "", "state.dir (default /tmp/rill-<application-id>)");
ABSL_FLAG(std::string, http, "127.0.0.1:8080",
          "host:port of the HTTP query server (application.server); empty: none");
ABSL_FLAG(std::string, processing_guarantee, "at_least_once", "processing.guarantee");
ABSL_FLAG(int32_t, threads, 1, "num.stream.threads");
ABSL_FLAG(int64_t, commit_interval_ms, 1000, "commit.interval.ms");
ABSL_FLAG(int32_t, session_timeout_ms, 45000,
          "session.timeout.ms: how long the group waits for a silent (killed) instance");

namespace rill::examples {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

absl::StatusOr<std::unique_ptr<ExampleRuntime>> ExampleRuntime::Start(
    int argc, char** argv, const std::string& default_application_id,
    const std::vector<streams::TopicSpec>& topics) {
  std::vector<tools::KeyValueFlag> key_values;
  std::vector<std::string> storage;
  auto args = tools::PreprocessArgs(argc, argv, {}, &key_values, &storage);
  if (!args.ok()) return args.status();
  absl::ParseCommandLine(static_cast<int>(args->size()), args->data());
  if (absl::GetFlag(FLAGS_application_id).empty()) {
    absl::SetFlag(&FLAGS_application_id, default_application_id);
  }
  if (absl::GetFlag(FLAGS_state_dir).empty()) {
    absl::SetFlag(&FLAGS_state_dir, "/tmp/rill-" + absl::GetFlag(FLAGS_application_id));
  }
  std::unique_ptr<ExampleRuntime> rt(new ExampleRuntime());
  rt->bootstrap_ = absl::GetFlag(FLAGS_bootstrap_servers);
  if (rt->bootstrap_.empty()) {
    broker::EmbeddedClusterOptions options;
    options.data_dir = absl::GetFlag(FLAGS_state_dir) + "/broker";
    // A quick first rebalance: Kafka's 3 s initial delay only slows a one-machine demo.
    options.node_template.group.initial_rebalance_delay_ms = 0;
    rt->cluster_ = std::make_unique<broker::EmbeddedCluster>(options);
    if (absl::Status s = rt->cluster_->Start(); !s.ok()) return s;
    rt->bootstrap_ = rt->cluster_->bootstrap_servers();
    std::printf("Embedded Rill broker on %s (data in %s)\n", rt->bootstrap_.c_str(),
                options.data_dir.c_str());
  }
  if (absl::Status s = streams::CreateTopicsIfMissing(rt->bootstrap_, topics); !s.ok()) return s;
  return rt;
}

ExampleRuntime::~ExampleRuntime() = default;

streams::StreamsConfig ExampleRuntime::Config() const {
  streams::StreamsConfig c;
  c.application_id = absl::GetFlag(FLAGS_application_id);
  c.bootstrap_servers = bootstrap_;
  c.state_dir = absl::GetFlag(FLAGS_state_dir);
  c.application_server = absl::GetFlag(FLAGS_http);
  c.processing_guarantee = absl::GetFlag(FLAGS_processing_guarantee);
  c.num_stream_threads = absl::GetFlag(FLAGS_threads);
  c.commit_interval_ms = absl::GetFlag(FLAGS_commit_interval_ms);
  c.session_timeout_ms = absl::GetFlag(FLAGS_session_timeout_ms);
  c.heartbeat_interval_ms = std::min(3000, c.session_timeout_ms / 3);
  return c;
}

bool ExampleRuntime::WaitRunning(streams::KafkaStreams& app, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = app.state();
    if (s == streams::KafkaStreams::State::kRunning) return true;
    if (s == streams::KafkaStreams::State::kError ||
        s == streams::KafkaStreams::State::kNotRunning) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int ExampleRuntime::RunUntilSignal(streams::KafkaStreams& app) {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) {
    if (app.state() == streams::KafkaStreams::State::kError) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bool failed = app.state() == streams::KafkaStreams::State::kError;
  app.close();
  return failed ? 1 : 0;
}

absl::Status ExampleRuntime::Produce(const std::string& topic,
                                     const std::vector<std::pair<std::string, std::string>>& records,
                                     const std::vector<int64_t>& timestamps) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "partitioner", "murmur2_random", err, sizeof(err));
  rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) return absl::InternalError(err);
  absl::Status status;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& [key, value] = records[i];
    const int64_t timestamp = i < timestamps.size() ? timestamps[i] : 0;  // 0: now
    for (;;) {
      rd_kafka_resp_err_t e = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk, 10);
        continue;
      }
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) status = absl::InternalError(rd_kafka_err2str(e));
      break;
    }
  }
  if (rd_kafka_flush(rk, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR && status.ok()) {
    status = absl::DeadlineExceededError("producer flush timed out");
  }
  rd_kafka_destroy(rk);
  return status;
}

std::string ExampleRuntime::HttpGet(const std::string& host_port, const std::string& path) {
  size_t colon = host_port.rfind(':');
  httplib::Client client(host_port.substr(0, colon), std::stoi(host_port.substr(colon + 1)));
  client.set_connection_timeout(5);
  auto res = client.Get(path.c_str());
  if (!res) return "error " + httplib::to_string(res.error());
  return std::to_string(res->status) + " " + res->body;
}

}  // namespace rill::examples
