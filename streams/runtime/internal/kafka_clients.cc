// librdkafka plumbing for the runtime (C API: the C++ API lacks the admin calls and
// consumer_group_metadata_new_with_genid that exactly-once will need).
#include "streams/runtime/internal/kafka_clients.h"

#include <librdkafka/rdkafka.h>

namespace rill::streams::internal {

void RdKafkaDeleter::operator()(rd_kafka_t* rk) const {
  if (rk != nullptr) rd_kafka_destroy(rk);
}

absl::StatusOr<RdKafkaHandle> NewKafkaClient(ClientKind kind,
                                             const std::map<std::string, std::string>& settings,
                                             void* opaque,
                                             void (*dr_msg_cb)(rd_kafka_t*, const void*, void*)) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof(err)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError("librdkafka setting " + name + "=" + value + ": " + err);
    }
  }
  if (opaque != nullptr) rd_kafka_conf_set_opaque(conf, opaque);
  if (dr_msg_cb != nullptr) {
    rd_kafka_conf_set_dr_msg_cb(
        conf, reinterpret_cast<void (*)(rd_kafka_t*, const rd_kafka_message_t*, void*)>(dr_msg_cb));
  }
  rd_kafka_t* rk = rd_kafka_new(kind == ClientKind::kConsumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER,
                                conf, err, sizeof(err));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(std::string("cannot create a Kafka client: ") + err);
  }
  return RdKafkaHandle(rk);
}

absl::StatusOr<std::map<std::string, int32_t>> PartitionCounts(rd_kafka_t* rk, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(std::string("metadata request failed: ") + rd_kafka_err2str(err));
  }
  std::map<std::string, int32_t> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0) out[t.topic] = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

absl::Status CreateTopics(rd_kafka_t* rk, const std::vector<NewTopic>& topics, int timeout_ms) {
  if (topics.empty()) return absl::OkStatus();
  std::vector<rd_kafka_NewTopic_t*> new_topics;
  char err[512];
  absl::Status status;
  for (const auto& t : topics) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions,
                                                    t.replication_factor, err, sizeof(err));
    if (nt == nullptr) {
      status = absl::InvalidArgumentError("topic " + t.name + ": " + err);
      break;
    }
    for (const auto& [k, v] : t.configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
    new_topics.push_back(nt);
  }
  if (status.ok()) {
    rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, err, sizeof(err));
    rd_kafka_CreateTopics(rk, new_topics.data(), new_topics.size(), options, queue);
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeout_ms + 2000);
    if (event == nullptr) {
      status = absl::DeadlineExceededError("CreateTopics timed out");
    } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      status = absl::UnavailableError(std::string("CreateTopics: ") + rd_kafka_event_error_string(event));
    } else {
      const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
      size_t n = 0;
      const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &n);
      for (size_t i = 0; i < n; ++i) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
          const char* msg = rd_kafka_topic_result_error_string(results[i]);
          status = absl::UnavailableError(std::string("creating topic ") +
                                          rd_kafka_topic_result_name(results[i]) + ": " +
                                          (msg ? msg : rd_kafka_err2str(e)));
          break;
        }
      }
    }
    if (event != nullptr) rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_queue_destroy(queue);
  }
  for (auto* nt : new_topics) rd_kafka_NewTopic_destroy(nt);
  return status;
}

absl::Status DeleteRecordsBefore(rd_kafka_t* rk,
                                 const std::map<std::pair<std::string, int32_t>, int64_t>& offsets,
                                 int timeout_ms) {
  if (offsets.empty()) return absl::OkStatus();
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(offsets.size());
  for (const auto& [tp, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = offset;
  }
  rd_kafka_DeleteRecords_t* del = rd_kafka_DeleteRecords_new(list);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETERECORDS);
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, err, sizeof(err));
  rd_kafka_DeleteRecords(rk, &del, 1, options, queue);
  absl::Status status;
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeout_ms + 2000);
  if (event == nullptr) {
    status = absl::DeadlineExceededError("DeleteRecords timed out");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = absl::UnavailableError(std::string("DeleteRecords: ") + rd_kafka_event_error_string(event));
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  rd_kafka_DeleteRecords_destroy(del);
  return status;
}

absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(rd_kafka_t* rk, const std::string& topic,
                                                       int32_t partition, int timeout_ms) {
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low, &high, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError("watermarks of " + topic + "-" + std::to_string(partition) +
                                  ": " + rd_kafka_err2str(err));
  }
  return std::make_pair(low, high);
}

}  // namespace rill::streams::internal
