// ProducerCollector: librdkafka producev with back-pressure on a full queue.
#include "streams/runtime/internal/producer_collector.h"

#include <librdkafka/rdkafka.h>

namespace rill::streams::internal {

ProducerCollector::~ProducerCollector() {
  for (auto& [name, handle] : topics_) rd_kafka_topic_destroy(handle);
}

void ProducerCollector::DeliveryReport(rd_kafka_t*, const void* message, void* opaque) {
  auto* self = static_cast<ProducerCollector*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(message);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->failed_sends_;
    self->errors_.push_back(std::string(rd_kafka_topic_name(m->rkt)) + "-" +
                            std::to_string(m->partition) + ": " + rd_kafka_err2str(m->err));
    return;
  }
  int64_t& last = self->acked_[{m->rkt, m->partition}];
  if (m->offset > last) last = m->offset;
}

std::map<std::pair<std::string, int32_t>, int64_t> ProducerCollector::acked_offsets() const {
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  for (const auto& [tp, offset] : acked_) {
    out[{rd_kafka_topic_name(tp.first), tp.second}] = offset;
  }
  return out;
}

rd_kafka_topic_t* ProducerCollector::TopicHandle(const std::string& topic) {
  // Consecutive sends mostly go to one topic (a sink's); comparing the name is cheaper than
  // hashing it.
  if (last_handle_ != nullptr && topic == last_topic_) return last_handle_;
  auto it = topics_.find(topic);
  rd_kafka_topic_t* handle = nullptr;
  if (it != topics_.end()) {
    handle = it->second;
  } else {
    handle = rd_kafka_topic_new(producer_, topic.c_str(), nullptr);
    if (handle == nullptr) return nullptr;
    topics_.emplace(topic, handle);
  }
  last_topic_ = topic;
  last_handle_ = handle;
  return handle;
}

void ProducerCollector::Send(const std::string& topic, int32_t partition,
                             const std::optional<std::string>& key,
                             const std::optional<std::string>& value, int64_t timestamp,
                             const Headers& headers) {
  void* key_ptr = key ? const_cast<char*>(key->data()) : nullptr;
  size_t key_len = key ? key->size() : 0;
  void* value_ptr = value ? const_cast<char*>(value->data()) : nullptr;
  size_t value_len = value ? value->size() : 0;
  int32_t target = partition < 0 ? RD_KAFKA_PARTITION_UA : partition;
  int64_t ts = timestamp > 0 ? timestamp : 0;
  rd_kafka_topic_t* rkt = TopicHandle(topic);
  if (rkt == nullptr) {
    ++failed_sends_;
    errors_.push_back(topic + ": " + rd_kafka_err2str(rd_kafka_last_error()));
    return;
  }
  for (;;) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& h : headers) {
        rd_kafka_header_add(hdrs, h.key.data(), static_cast<ssize_t>(h.key.size()),
                            h.value ? h.value->data() : nullptr,
                            h.value ? static_cast<ssize_t>(h.value->size()) : 0);
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_RKT(rkt),
        RD_KAFKA_V_PARTITION(target), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key_ptr, key_len), RD_KAFKA_V_VALUE(value_ptr, value_len),
        RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_, 10);  // serve delivery reports, making room
      continue;
    }
    ++failed_sends_;
    errors_.push_back(topic + ": " + rd_kafka_err2str(err));
    return;
  }
}

absl::Status ProducerCollector::Flush(int timeout_ms) {
  rd_kafka_resp_err_t err = rd_kafka_flush(producer_, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError(std::string("producer flush: ") + rd_kafka_err2str(err) +
                                       " (" + std::to_string(rd_kafka_outq_len(producer_)) +
                                       " records outstanding)");
  }
  return absl::OkStatus();
}

std::vector<std::string> ProducerCollector::TakeErrors() {
  std::vector<std::string> out;
  out.swap(errors_);
  return out;
}

}  // namespace rill::streams::internal
