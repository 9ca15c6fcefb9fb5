// `create` and `delete` through the CreateTopics / DeleteTopics admin APIs.
#include <fmt/core.h>

#include "absl/strings/str_cat.h"
#include "commands.h"

namespace rill::topics {
namespace {

// The one per-topic result of a create or delete, as a Status carrying the broker's message.
absl::Status TopicResultStatus(const char* what, const rd_kafka_topic_result_t* result) {
  const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(result);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  const char* message = rd_kafka_topic_result_error_string(result);
  return absl::UnavailableError(absl::StrCat(what, " ", rd_kafka_topic_result_name(result), ": ",
                                             rd_kafka_err2name(err), ": ",
                                             message != nullptr ? message : rd_kafka_err2str(err)));
}

}  // namespace

absl::Status CreateTopic(AdminClient& admin, const CreateRequest& request) {
  char err[512];
  std::unique_ptr<rd_kafka_NewTopic_t, void (*)(rd_kafka_NewTopic_t*)> new_topic(
      rd_kafka_NewTopic_new(request.topic.c_str(), request.partitions, request.replication_factor,
                            err, sizeof(err)),
      rd_kafka_NewTopic_destroy);
  if (!new_topic) return absl::InvalidArgumentError(err);
  for (const auto& [key, value] : request.configs) {
    if (rd_kafka_NewTopic_set_config(new_topic.get(), key.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InvalidArgumentError(absl::StrCat("bad --config ", key, "=", value));
    }
  }
  auto options = admin.Options(RD_KAFKA_ADMIN_OP_CREATETOPICS);
  if (!options.ok()) return options.status();
  rd_kafka_NewTopic_t* topics[] = {new_topic.get()};
  rd_kafka_CreateTopics(admin.handle(), topics, 1, options->get(), admin.queue());
  auto event = admin.AwaitResult("create");
  if (!event.ok()) return event.status();
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event->get()), &count);
  if (count != 1) return absl::InternalError("create: broker returned no result for the topic");
  if (request.if_not_exists &&
      rd_kafka_topic_result_error(results[0]) == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    fmt::print("topic {} already exists\n", request.topic);
    return absl::OkStatus();
  }
  if (auto s = TopicResultStatus("create", results[0]); !s.ok()) return s;
  fmt::print("created topic {}\n", request.topic);
  return absl::OkStatus();
}

absl::Status DeleteTopic(AdminClient& admin, const std::string& topic) {
  std::unique_ptr<rd_kafka_DeleteTopic_t, void (*)(rd_kafka_DeleteTopic_t*)> del(
      rd_kafka_DeleteTopic_new(topic.c_str()), rd_kafka_DeleteTopic_destroy);
  auto options = admin.Options(RD_KAFKA_ADMIN_OP_DELETETOPICS);
  if (!options.ok()) return options.status();
  rd_kafka_DeleteTopic_t* topics[] = {del.get()};
  rd_kafka_DeleteTopics(admin.handle(), topics, 1, options->get(), admin.queue());
  auto event = admin.AwaitResult("delete");
  if (!event.ok()) return event.status();
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event->get()), &count);
  if (count != 1) return absl::InternalError("delete: broker returned no result for the topic");
  if (auto s = TopicResultStatus("delete", results[0]); !s.ok()) return s;
  fmt::print("deleted topic {}\n", topic);
  return absl::OkStatus();
}

}  // namespace rill::topics
