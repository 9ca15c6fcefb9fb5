// StreamsConfig validation and parsing from Kafka Streams property names.
#include "streams/runtime/streams_config.h"

#include <charconv>

namespace rill::streams {
namespace {

absl::Status Bad(const std::string& property, const std::string& why) {
  return absl::InvalidArgumentError("config " + property + ": " + why);
}

template <class T>
absl::Status ParseNumber(const std::string& property, const std::string& text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Bad(property, "'" + text + "' is not a number");
  }
  return absl::OkStatus();
}

bool OneOf(const std::string& v, std::initializer_list<const char*> options) {
  for (const char* o : options) {
    if (v == o) return true;
  }
  return false;
}

}  // namespace

absl::Status StreamsConfig::Validate() const {
  if (application_id.empty()) return Bad("application.id", "required");
  for (char c : application_id) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return Bad("application.id", "may contain only letters, digits, '.', '_' and '-'");
    }
  }
  if (bootstrap_servers.empty()) return Bad("bootstrap.servers", "required");
  if (num_stream_threads < 1) return Bad("num.stream.threads", "must be >= 1");
  if (commit_interval_ms < 1) return Bad("commit.interval.ms", "must be >= 1");
  if (max_task_idle_ms < -1) return Bad("max.task.idle.ms", "must be >= -1");
  if (state_dir.empty()) return Bad("state.dir", "required");
  if (processing_guarantee != "at_least_once") {
    if (OneOf(processing_guarantee, {"exactly_once_v2", "exactly_once", "exactly_once_beta"})) {
      return Bad("processing.guarantee",
                 "exactly_once_v2 is not available yet in this version; use at_least_once");
    }
    return Bad("processing.guarantee", "'" + processing_guarantee + "' is not at_least_once");
  }
  if (!OneOf(deserialization_exception_handler, {"log-and-continue", "fail"})) {
    return Bad("default.deserialization.exception.handler", "use log-and-continue or fail");
  }
  if (!OneOf(processing_exception_handler, {"log-and-continue", "fail"})) {
    return Bad("processing.exception.handler", "use log-and-continue or fail");
  }
  if (!OneOf(production_exception_handler, {"log-and-continue", "fail"})) {
    return Bad("default.production.exception.handler", "use log-and-continue or fail");
  }
  if (!application_server.empty() && application_server.find(':') == std::string::npos) {
    return Bad("application.server", "must be host:port");
  }
  if (session_timeout_ms < 1 || heartbeat_interval_ms < 1 ||
      heartbeat_interval_ms >= session_timeout_ms) {
    return Bad("heartbeat.interval.ms", "must be >= 1 and below session.timeout.ms");
  }
  return absl::OkStatus();
}

absl::StatusOr<StreamsConfig> StreamsConfig::FromProperties(
    const std::map<std::string, std::string>& properties) {
  StreamsConfig c;
  for (const auto& [name, value] : properties) {
    absl::Status s;
    if (name == "application.id") c.application_id = value;
    else if (name == "bootstrap.servers") c.bootstrap_servers = value;
    else if (name == "num.stream.threads") s = ParseNumber(name, value, &c.num_stream_threads);
    else if (name == "commit.interval.ms") s = ParseNumber(name, value, &c.commit_interval_ms);
    else if (name == "max.task.idle.ms") s = ParseNumber(name, value, &c.max_task_idle_ms);
    else if (name == "state.dir") c.state_dir = value;
    else if (name == "statestore.cache.max.bytes" || name == "cache.max.bytes.buffering")
      s = ParseNumber(name, value, &c.cache_max_bytes);
    else if (name == "processing.guarantee") c.processing_guarantee = value;
    else if (name == "application.server") c.application_server = value;
    else if (name == "client.id") c.client_id = value;
    else if (name == "default.deserialization.exception.handler")
      c.deserialization_exception_handler = value;
    else if (name == "processing.exception.handler") c.processing_exception_handler = value;
    else if (name == "default.production.exception.handler")
      c.production_exception_handler = value;
    else if (name == "errors.dead.letter.queue.topic.name") c.dead_letter_topic = value;
    else if (name == "replication.factor") s = ParseNumber(name, value, &c.replication_factor);
    else if (name == "session.timeout.ms") s = ParseNumber(name, value, &c.session_timeout_ms);
    else if (name == "heartbeat.interval.ms") s = ParseNumber(name, value, &c.heartbeat_interval_ms);
    else if (name.rfind("consumer.", 0) == 0) c.consumer_overrides[name.substr(9)] = value;
    else if (name.rfind("producer.", 0) == 0) c.producer_overrides[name.substr(9)] = value;
    else return Bad(name, "unknown property");
    if (!s.ok()) return s;
  }
  if (absl::Status s = c.Validate(); !s.ok()) return s;
  return c;
}

}  // namespace rill::streams
