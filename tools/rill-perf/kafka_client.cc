// Client construction and metadata helpers over librdkafka's C API (see kafka_client.h).
#include "kafka_client.h"

#include <chrono>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rill::perf {
namespace {

absl::Status SetProp(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("librdkafka property ", key, "=", value, ": ", err));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<KafkaPtr> NewClient(const ClientSpec& spec) {
  ConfPtr conf(rd_kafka_conf_new());
  if (!spec.bootstrap.empty()) {
    if (auto s = SetProp(conf.get(), "bootstrap.servers", spec.bootstrap); !s.ok()) return s;
  }
  if (auto s = SetProp(conf.get(), "client.id", "rill-perf"); !s.ok()) return s;
  for (const auto& [k, v] : spec.settings) {
    if (auto s = SetProp(conf.get(), k, v); !s.ok()) return s;
  }
  for (const auto& [k, v] : spec.user_props) {
    if (auto s = SetProp(conf.get(), k, v); !s.ok()) return s;
  }
  if (spec.customize) spec.customize(conf.get());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(spec.type, conf.get(), err, sizeof(err));
  if (rk == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("creating librdkafka client: ", err));
  }
  conf.release();  // rd_kafka_new took ownership on success
  return KafkaPtr(rk);
}

std::string EffectiveConfig(rd_kafka_t* rk, const char* key) {
  char value[512];
  size_t size = sizeof(value);
  if (rd_kafka_conf_get(rd_kafka_conf(rk), key, value, &size) != RD_KAFKA_CONF_OK) return "?";
  return value;
}

absl::StatusOr<int> WaitForTopic(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string last_problem = "no metadata response";
  // Metadata for all topics, not just this one, so asking never auto-creates the topic.
  for (bool first = true; first || std::chrono::steady_clock::now() < deadline; first = false) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, 2000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      last_problem = rd_kafka_err2str(err);
    } else {
      int partitions = -1;
      last_problem = "topic not in metadata";
      for (int i = 0; i < md->topic_cnt; ++i) {
        const rd_kafka_metadata_topic_t& t = md->topics[i];
        if (topic != t.topic) continue;
        if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          last_problem = rd_kafka_err2str(t.err);
          break;
        }
        bool all_led = t.partition_cnt > 0;
        for (int p = 0; p < t.partition_cnt; ++p) {
          if (t.partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partitions[p].leader < 0) {
            all_led = false;
            last_problem = absl::StrCat("partition ", t.partitions[p].id, " has no leader");
          }
        }
        if (all_led) partitions = t.partition_cnt;
      }
      rd_kafka_metadata_destroy(md);
      if (partitions > 0) return partitions;
    }
    if (timeout_ms == 0) break;
    // Metadata polling interval; the broker has no "topic ready" notification to wait on.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("topic ", topic, " not ready after ", timeout_ms, " ms: ", last_problem));
}

absl::Status WarmUpTopic(rd_kafka_t* rk, rd_kafka_topic_t* rkt, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("metadata for ", rd_kafka_topic_name(rkt), ": ", rd_kafka_err2str(err)));
  }
  rd_kafka_metadata_destroy(md);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> HighWatermarks(rd_kafka_t* rk, const std::string& topic,
                                                    int partitions, int timeout_ms) {
  std::vector<int64_t> highs;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(
          absl::StrCat("watermarks of ", topic, "/", p, ": ", rd_kafka_err2str(err)));
    }
    highs.push_back(high);
  }
  return highs;
}

absl::StatusOr<int64_t> CountMessages(rd_kafka_t* rk, const std::string& topic, int partitions,
                                      int timeout_ms) {
  int64_t total = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(
          absl::StrCat("watermarks of ", topic, "/", p, ": ", rd_kafka_err2str(err)));
    }
    total += high - low;
  }
  return total;
}

}  // namespace rill::perf
