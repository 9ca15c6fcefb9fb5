// What every example shares: the command-line flags of DESIGN.md §5 (--bootstrap-servers,
// --application-id, --state-dir, --http, --processing-guarantee, --threads), an embedded
// broker when no --bootstrap-servers is given, topic creation, a small producer for demo
// input, HTTP GETs for printing query answers, and running until SIGINT/SIGTERM.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "streams/runtime/kafka_streams.h"
#include "streams/runtime/streams_config.h"
#include "streams/runtime/topic_admin.h"

namespace rill::broker {
class EmbeddedCluster;
}

namespace rill::examples {

class ExampleRuntime {
 public:
  // Parses flags (dashed names; --help lists them) and connects: starts an embedded broker
  // (data under <state-dir>/broker) when --bootstrap-servers is absent. Creates `topics`.
  static absl::StatusOr<std::unique_ptr<ExampleRuntime>> Start(
      int argc, char** argv, const std::string& default_application_id,
      const std::vector<streams::TopicSpec>& topics);
  ~ExampleRuntime();

  const std::string& bootstrap_servers() const { return bootstrap_; }
  bool embedded() const { return cluster_ != nullptr; }
  // A StreamsConfig from the flags.
  streams::StreamsConfig Config() const;

  // Starts `app`, prints where to look, and blocks until SIGINT/SIGTERM; then closes it.
  // Returns the process exit code.
  int RunUntilSignal(streams::KafkaStreams& app);
  // Waits until `app` is RUNNING (false after the timeout or on ERROR).
  static bool WaitRunning(streams::KafkaStreams& app, int timeout_ms);

  // Produces (key, value) records to `topic` and waits for every acknowledgement. Record i
  // gets timestamps[i] when given (ms), else the producer's current time.
  absl::Status Produce(const std::string& topic,
                       const std::vector<std::pair<std::string, std::string>>& records,
                       const std::vector<int64_t>& timestamps = {});
  // GET http://<host:port><path>: "<status> <body>".
  static std::string HttpGet(const std::string& host_port, const std::string& path);

 private:
  ExampleRuntime() = default;
  std::unique_ptr<broker::EmbeddedCluster> cluster_;
  std::string bootstrap_;
};

}  // namespace rill::examples
