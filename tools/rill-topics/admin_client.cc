// librdkafka admin client plumbing for rill-topics (see admin_client.h).
#include "admin_client.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rill::topics {

absl::StatusOr<std::unique_ptr<AdminClient>> AdminClient::Connect(const std::string& bootstrap,
                                                                  const KeyValues& props,
                                                                  int timeout_ms) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  KeyValues all = {{"bootstrap.servers", bootstrap}, {"client.id", "rill-topics"}};
  all.insert(all.end(), props.begin(), props.end());
  for (const auto& [k, v] : all) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("librdkafka property ", k, ": ", err));
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat("creating client: ", err));
  }
  return std::unique_ptr<AdminClient>(new AdminClient(rk, timeout_ms));
}

AdminClient::AdminClient(rd_kafka_t* rk, int timeout_ms)
    : rk_(rk), queue_(rd_kafka_queue_new(rk)), timeout_ms_(timeout_ms) {}

absl::StatusOr<OptionsPtr> AdminClient::Options(rd_kafka_admin_op_t op) {
  OptionsPtr options(rd_kafka_AdminOptions_new(rk_.get(), op));
  char err[512];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms_, err, sizeof(err)) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InvalidArgumentError(err);
  }
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS) {
    if (rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms_, err, sizeof(err)) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InvalidArgumentError(err);
    }
  }
  return options;
}

absl::StatusOr<EventPtr> AdminClient::AwaitResult(const char* what) {
  // librdkafka enforces the request timeout itself; the margin only covers its delivery.
  EventPtr event(rd_kafka_queue_poll(queue_.get(), timeout_ms_ + 5000));
  if (!event) return absl::DeadlineExceededError(absl::StrCat(what, ": no result in time"));
  if (rd_kafka_event_error(event.get()) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    // librdkafka sends admin requests to the controller named in Metadata and waits for a
    // broker that supports the API, so a bad controller id or a missing API ends up here.
    return absl::DeadlineExceededError(
        absl::StrCat(what, ": ", rd_kafka_event_error_string(event.get()),
                     " (the broker may name no live controller in Metadata or lack this API)"));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat(what, ": ",
                                               rd_kafka_err2name(rd_kafka_event_error(event.get())),
                                               ": ", rd_kafka_event_error_string(event.get())));
  }
  return event;
}

absl::StatusOr<MetadataPtr> AdminClient::Metadata() {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 1, nullptr, &md, timeout_ms_);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("metadata: ", rd_kafka_err2name(err), ": ", rd_kafka_err2str(err)));
  }
  return MetadataPtr(md);
}

}  // namespace rill::topics
