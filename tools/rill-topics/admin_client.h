// A librdkafka admin client for rill-topics: one handle plus helpers that run an admin
// request to completion and turn request-level failures into absl::Status.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "args.h"

namespace rill::topics {

struct AdminDeleter {
  void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
  void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
  void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
  void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, AdminDeleter>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, AdminDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, AdminDeleter>;

// Not thread-safe; one request at a time.
class AdminClient {
 public:
  // `props` are -X librdkafka properties, applied after bootstrap.servers.
  static absl::StatusOr<std::unique_ptr<AdminClient>> Connect(const std::string& bootstrap,
                                                              const KeyValues& props,
                                                              int timeout_ms);

  rd_kafka_t* handle() { return rk_.get(); }
  rd_kafka_queue_t* queue() { return queue_.get(); }
  int timeout_ms() const { return timeout_ms_; }

  // Admin options with the request timeout set, and for create/delete also the operation
  // timeout (how long the broker may wait for the change to take effect).
  absl::StatusOr<OptionsPtr> Options(rd_kafka_admin_op_t op);

  // Waits for the result of the admin call last issued on queue(). Fails if no result
  // arrives in time or the request as a whole failed (per-item errors are the caller's).
  absl::StatusOr<EventPtr> AwaitResult(const char* what);

  // Cluster metadata for all topics; asking for all never auto-creates a topic.
  absl::StatusOr<MetadataPtr> Metadata();

 private:
  AdminClient(rd_kafka_t* rk, int timeout_ms);

  std::unique_ptr<rd_kafka_t, AdminDeleter> rk_;
  std::unique_ptr<rd_kafka_queue_t, AdminDeleter> queue_;
  int timeout_ms_;
};

}  // namespace rill::topics
