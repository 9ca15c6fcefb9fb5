#include "broker/cluster/topic_config.h"

#include <charconv>
#include <cstdint>
#include <functional>
#include <limits>

namespace rill::broker {
namespace {

enum class Kind { kLong, kInt, kPolicy, kTimestampType };

struct Known {
  const char* name;
  Kind kind;
  int64_t min;
  // Reads and writes the LogConfig field this key maps to (null: stored only).
  std::function<void(log::LogConfig&, const std::string&)> apply;
  std::function<std::string(const log::LogConfig&)> default_value;
};

bool ParseLong(const std::string& s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

int64_t Long(const std::string& s) {
  int64_t v = 0;
  ParseLong(s, &v);
  return v;
}

const std::vector<Known>& KnownConfigs() {
  static const auto* known = new std::vector<Known>{
      {"cleanup.policy", Kind::kPolicy, 0, nullptr,
       [](const log::LogConfig&) { return std::string("delete"); }},
      {"retention.ms", Kind::kLong, -1,
       [](log::LogConfig& c, const std::string& v) { c.retention_ms = Long(v); },
       [](const log::LogConfig& c) { return std::to_string(c.retention_ms); }},
      {"retention.bytes", Kind::kLong, -1,
       [](log::LogConfig& c, const std::string& v) { c.retention_bytes = Long(v); },
       [](const log::LogConfig& c) { return std::to_string(c.retention_bytes); }},
      {"segment.bytes", Kind::kInt, 14,
       [](log::LogConfig& c, const std::string& v) { c.segment_bytes = Long(v); },
       [](const log::LogConfig& c) { return std::to_string(c.segment_bytes); }},
      {"segment.ms", Kind::kLong, 1,
       [](log::LogConfig& c, const std::string& v) { c.segment_ms = Long(v); },
       [](const log::LogConfig& c) { return std::to_string(c.segment_ms); }},
      {"segment.index.bytes", Kind::kInt, 4, nullptr,
       [](const log::LogConfig&) { return std::string("10485760"); }},
      {"index.interval.bytes", Kind::kInt, 0,
       [](log::LogConfig& c, const std::string& v) {
         c.index_interval_bytes = static_cast<int32_t>(Long(v));
       },
       [](const log::LogConfig& c) { return std::to_string(c.index_interval_bytes); }},
      {"max.message.bytes", Kind::kInt, 0,
       [](log::LogConfig& c, const std::string& v) {
         c.max_message_bytes = static_cast<int32_t>(Long(v));
       },
       [](const log::LogConfig& c) { return std::to_string(c.max_message_bytes); }},
      {"message.timestamp.type", Kind::kTimestampType, 0,
       [](log::LogConfig& c, const std::string& v) { c.log_append_time = v == "LogAppendTime"; },
       [](const log::LogConfig& c) {
         return std::string(c.log_append_time ? "LogAppendTime" : "CreateTime");
       }},
      {"flush.messages", Kind::kLong, 1,
       [](log::LogConfig& c, const std::string& v) { c.flush_interval_messages = Long(v); },
       [](const log::LogConfig& c) { return std::to_string(c.flush_interval_messages); }},
      {"flush.ms", Kind::kLong, 0,
       [](log::LogConfig& c, const std::string& v) { c.flush_interval_ms = Long(v); },
       [](const log::LogConfig& c) { return std::to_string(c.flush_interval_ms); }},
      {"min.insync.replicas", Kind::kInt, 1, nullptr,
       [](const log::LogConfig&) { return std::string("1"); }},
      {"compression.type", Kind::kPolicy, 0, nullptr,
       [](const log::LogConfig&) { return std::string("producer"); }},
      {"min.compaction.lag.ms", Kind::kLong, 0, nullptr,
       [](const log::LogConfig&) { return std::string("0"); }},
      {"delete.retention.ms", Kind::kLong, 0, nullptr,
       [](const log::LogConfig&) { return std::string("86400000"); }},
      {"min.cleanable.dirty.ratio", Kind::kPolicy, 0, nullptr,
       [](const log::LogConfig&) { return std::string("0.5"); }},
  };
  return *known;
}

const Known* Find(const std::string& name) {
  for (const Known& k : KnownConfigs()) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

}  // namespace

absl::Status ValidateTopicConfigs(const std::map<std::string, std::string>& configs) {
  for (const auto& [key, value] : configs) {
    const Known* k = Find(key);
    if (k == nullptr) return absl::InvalidArgumentError("Unknown topic config name: " + key);
    switch (k->kind) {
      case Kind::kLong:
      case Kind::kInt: {
        int64_t v;
        if (!ParseLong(value, &v)) {
          return absl::InvalidArgumentError("Invalid value " + value + " for configuration " +
                                            key + ": Not a number");
        }
        if (v < k->min) {
          return absl::InvalidArgumentError("Invalid value " + value + " for configuration " +
                                            key + ": Value must be at least " +
                                            std::to_string(k->min));
        }
        if (k->kind == Kind::kInt && v > std::numeric_limits<int32_t>::max()) {
          return absl::InvalidArgumentError("Invalid value " + value + " for configuration " +
                                            key + ": out of range for an int");
        }
        break;
      }
      case Kind::kTimestampType:
        if (value != "CreateTime" && value != "LogAppendTime") {
          return absl::InvalidArgumentError("Invalid value " + value + " for configuration " +
                                            key + ": must be CreateTime or LogAppendTime");
        }
        break;
      case Kind::kPolicy:
        if (key == "cleanup.policy" && value != "delete" && value != "compact" &&
            value != "compact,delete" && value != "delete,compact") {
          return absl::InvalidArgumentError("Invalid value " + value +
                                            " for configuration cleanup.policy");
        }
        break;
    }
  }
  return absl::OkStatus();
}

log::LogConfig ToLogConfig(const log::LogConfig& defaults,
                           const std::map<std::string, std::string>& overrides) {
  log::LogConfig config = defaults;
  for (const auto& [key, value] : overrides) {
    const Known* k = Find(key);
    if (k != nullptr && k->apply) k->apply(config, value);
  }
  return config;
}

std::vector<TopicConfigEntry> DescribeTopicConfigs(
    const log::LogConfig& defaults, const std::map<std::string, std::string>& overrides) {
  std::vector<TopicConfigEntry> out;
  for (const Known& k : KnownConfigs()) {
    auto it = overrides.find(k.name);
    if (it != overrides.end()) {
      out.push_back({k.name, it->second, false});
    } else {
      out.push_back({k.name, k.default_value(defaults), true});
    }
  }
  return out;
}

}  // namespace rill::broker
