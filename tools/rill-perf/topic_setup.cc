// Topic creation through librdkafka's admin API or the mock cluster (see topic_setup.h).
#include "topic_setup.h"

#include <fmt/core.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kafka_client.h"
#include "mock_cluster.h"

namespace rill::perf {
namespace {

struct AdminDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};

absl::Status CreateWithAdmin(rd_kafka_t* rk, const Workload& w) {
  char err[512];
  std::unique_ptr<rd_kafka_NewTopic_t, AdminDeleter> new_topic(
      rd_kafka_NewTopic_new(w.topic.c_str(), w.partitions, w.replication_factor, err, sizeof(err)));
  if (!new_topic) return absl::InvalidArgumentError(absl::StrCat("topic spec: ", err));
  std::unique_ptr<rd_kafka_AdminOptions_t, AdminDeleter> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), w.timeout_ms, err, sizeof(err));
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_NewTopic_t* topics[] = {new_topic.get()};
  rd_kafka_CreateTopics(rk, topics, 1, options.get(), queue.get());
  std::unique_ptr<rd_kafka_event_t, AdminDeleter> event(
      rd_kafka_queue_poll(queue.get(), w.timeout_ms + 5000));
  if (!event) return absl::DeadlineExceededError("CreateTopics: no response");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // A timeout also means "no live controller in Metadata" or "no broker with the API".
    return absl::UnavailableError(absl::StrCat(
        "CreateTopics: ", rd_kafka_event_error_string(event.get()),
        rd_kafka_event_error(event.get()) == RD_KAFKA_RESP_ERR__TIMED_OUT
            ? " (the broker may name no live controller in Metadata or lack CreateTopics)"
            : ""));
  }
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
    const char* msg = rd_kafka_topic_result_error_string(results[i]);
    return absl::UnavailableError(absl::StrCat("CreateTopics ", w.topic, ": ", rd_kafka_err2name(e),
                                               ": ", msg != nullptr ? msg : rd_kafka_err2str(e)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> PrepareTopic(const Target& target, const Workload& w) {
  ClientSpec spec;
  spec.bootstrap = target.bootstrap;
  spec.user_props = w.user_props;
  auto client = NewClient(spec);
  if (!client.ok()) return client.status();
  // An existing topic is used as it is: no CreateTopics request, which also lets rill-perf
  // run against brokers without that API (e.g. `rill-perf mock-cluster`'s pre-made topic).
  auto partitions = WaitForTopic(client->get(), w.topic, /*timeout_ms=*/0);
  if (!partitions.ok()) {
    if (target.mock != nullptr) {
      if (auto s = target.mock->CreateTopic(w.topic, w.partitions, w.replication_factor); !s.ok()) {
        return s;
      }
    } else if (auto s = CreateWithAdmin(client->get(), w); !s.ok()) {
      return s;
    }
    partitions = WaitForTopic(client->get(), w.topic, w.timeout_ms);
  }
  if (partitions.ok() && *partitions != w.partitions) {
    fmt::print("[{}] note: topic {} already exists with {} partitions (asked for {})\n",
               target.label, w.topic, *partitions, w.partitions);
  }
  return partitions;
}

}  // namespace rill::perf
