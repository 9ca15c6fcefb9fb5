// `list` and `describe` from Metadata plus DescribeConfigs.
#include <fmt/core.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "commands.h"

namespace rill::topics {
namespace {

// "k=v,k=v" for the topic's configs: those set on the topic, or all with `all_configs`.
absl::StatusOr<std::string> TopicConfigs(AdminClient& admin, const std::string& topic,
                                         bool all_configs) {
  std::unique_ptr<rd_kafka_ConfigResource_t, void (*)(rd_kafka_ConfigResource_t*)> resource(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()),
      rd_kafka_ConfigResource_destroy);
  auto options = admin.Options(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  if (!options.ok()) return options.status();
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  rd_kafka_DescribeConfigs(admin.handle(), resources, 1, options->get(), admin.queue());
  auto event = admin.AwaitResult("describe configs");
  if (!event.ok()) return event.status();
  size_t count = 0;
  const rd_kafka_ConfigResource_t** results = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(event->get()), &count);
  if (count != 1) return absl::InternalError("describe configs: no result for the topic");
  const rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(results[0]);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* message = rd_kafka_ConfigResource_error_string(results[0]);
    return absl::UnavailableError(absl::StrCat("describe configs: ", rd_kafka_err2name(err), ": ",
                                               message ? message : rd_kafka_err2str(err)));
  }
  size_t entry_count = 0;
  const rd_kafka_ConfigEntry_t** entries =
      rd_kafka_ConfigResource_configs(results[0], &entry_count);
  std::vector<std::string> shown;
  for (size_t i = 0; i < entry_count; ++i) {
    const rd_kafka_ConfigEntry_t* e = entries[i];
    const bool set_on_topic =
        rd_kafka_ConfigEntry_source(e) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
    if (!all_configs && !set_on_topic) continue;
    const char* value = rd_kafka_ConfigEntry_value(e);
    shown.push_back(absl::StrCat(rd_kafka_ConfigEntry_name(e), "=",
                                 rd_kafka_ConfigEntry_is_sensitive(e) ? "(sensitive)"
                                 : value != nullptr                   ? value
                                                                      : "(null)"));
  }
  std::sort(shown.begin(), shown.end());
  return absl::StrJoin(shown, ",");
}

std::string JoinIds(const int32_t* ids, int count) {
  return absl::StrJoin(std::vector<int32_t>(ids, ids + count), ",");
}

}  // namespace

absl::Status ListTopics(AdminClient& admin) {
  auto md = admin.Metadata();
  if (!md.ok()) return md.status();
  std::vector<std::string> names;
  for (int i = 0; i < (*md)->topic_cnt; ++i) names.emplace_back((*md)->topics[i].topic);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) fmt::print("{}\n", name);
  return absl::OkStatus();
}

absl::Status DescribeTopic(AdminClient& admin, const std::string& topic, bool all_configs) {
  auto md = admin.Metadata();
  if (!md.ok()) return md.status();
  const rd_kafka_metadata_topic_t* found = nullptr;
  for (int i = 0; i < (*md)->topic_cnt; ++i) {
    if (topic == (*md)->topics[i].topic) found = &(*md)->topics[i];
  }
  if (found == nullptr)
    return absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist"));
  if (found->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("topic ", topic, ": ", rd_kafka_err2name(found->err),
                                               ": ", rd_kafka_err2str(found->err)));
  }
  // A broker without DescribeConfigs still gets its partitions described; the command
  // then fails with the configs error.
  auto configs = TopicConfigs(admin, topic, all_configs);

  std::vector<const rd_kafka_metadata_partition_t*> partitions;
  for (int p = 0; p < found->partition_cnt; ++p) partitions.push_back(&found->partitions[p]);
  std::sort(partitions.begin(), partitions.end(), [](auto* a, auto* b) { return a->id < b->id; });
  const int replication = partitions.empty() ? 0 : partitions.front()->replica_cnt;
  fmt::print("Topic: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}\n", topic,
             partitions.size(), replication, configs.ok() ? *configs : "(unavailable)");
  for (const auto* p : partitions) {
    fmt::print("\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}", topic, p->id,
               p->leader, JoinIds(p->replicas, p->replica_cnt), JoinIds(p->isrs, p->isr_cnt));
    if (p->err != RD_KAFKA_RESP_ERR_NO_ERROR) fmt::print("\tError: {}", rd_kafka_err2name(p->err));
    fmt::print("\n");
  }
  return configs.status();
}

}  // namespace rill::topics
