// KafkaStreams: runs a Topology against a Kafka cluster — Rill's embedded broker, Apache
// Kafka or Redpanda (Kafka Streams' KafkaStreams). Starts num.stream.threads StreamThreads
// that share the work with every other instance of the same application.id, creates the
// internal topics, serves interactive queries over HTTP on application.server, and exposes
// Prometheus metrics.
//
// Thread-safe: start/close/state may be called from any thread. A KafkaStreams object runs
// once (start, then close); make a new one to run again.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "streams/runtime/streams_config.h"
#include "streams/topology/topology.h"

namespace rill::streams {

class QuerySource;
class StreamsMetrics;

class KafkaStreams {
 public:
  enum class State { kCreated, kRebalancing, kRunning, kPendingShutdown, kNotRunning, kError };
  static const char* StateName(State s);

  KafkaStreams(Topology topology, StreamsConfig config);
  ~KafkaStreams();  // close()s
  KafkaStreams(const KafkaStreams&) = delete;
  KafkaStreams& operator=(const KafkaStreams&) = delete;

  // Called on every state change, with (new, old), from the thread that caused it.
  void setStateListener(std::function<void(State, State)> listener);
  // Called once when a stream thread dies of an error; the instance then goes to ERROR.
  void setUncaughtExceptionHandler(std::function<void(const std::string& error)> handler);

  // Validates the config, locks the state directory, creates internal topics, starts the
  // threads and the HTTP server. Errors: InvalidArgument (config), FailedPrecondition
  // (state directory in use, missing source topic), Unavailable (cluster unreachable).
  absl::Status start();
  // Stops the threads (each commits and leaves the group) and the HTTP server. Returns
  // false when `timeout` passed first (the threads keep shutting down in the background).
  bool close(std::chrono::milliseconds timeout = std::chrono::seconds(60));

  State state() const;
  const Topology& topology() const;
  // The port the HTTP server listens on (application.server with port 0 picks one), or -1.
  int http_port() const;
  // Local interactive queries (what the HTTP server answers) and metrics.
  QuerySource& queries();
  StreamsMetrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rill::streams
