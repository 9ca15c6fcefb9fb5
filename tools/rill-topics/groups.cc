// `groups list|describe|delete|reset-offsets`, modelled on kafka-consumer-groups.sh, through
// librdkafka's consumer-group admin API (ListConsumerGroups, DescribeConsumerGroups,
// ListConsumerGroupOffsets, AlterConsumerGroupOffsets, DeleteGroups), with ListOffsets
// watermark queries for log-end offsets and lag.
#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commands.h"

namespace rill::topics {
namespace {

using TopicPartition = std::pair<std::string, int32_t>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                         decltype(&rd_kafka_topic_partition_list_destroy)>;

PartitionListPtr NewPartitionList(int size) {
  return PartitionListPtr(rd_kafka_topic_partition_list_new(size),
                          rd_kafka_topic_partition_list_destroy);
}

absl::Status ErrorStatus(const std::string& what, const rd_kafka_error_t* error) {
  return absl::UnavailableError(
      absl::StrCat(what, ": ", rd_kafka_error_name(error), ": ", rd_kafka_error_string(error)));
}

absl::Status ErrorStatus(const std::string& what, rd_kafka_resp_err_t err) {
  return absl::UnavailableError(
      absl::StrCat(what, ": ", rd_kafka_err2name(err), ": ", rd_kafka_err2str(err)));
}

// Prints rows as columns padded to their widest cell (the first row is the header), the way
// kafka-consumer-groups.sh lines its tables up; the last column is not padded.
void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    fmt::print("{}\n", line);
  }
}

struct MemberInfo {
  std::string consumer_id;
  std::string host;
  std::string client_id;
  std::vector<TopicPartition> assignment;
};

struct GroupInfo {
  rd_kafka_consumer_group_state_t state = RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
  std::string assignor;
  std::string coordinator;  // host:port (id)
  std::vector<MemberInfo> members;

  std::string state_name() const { return rd_kafka_consumer_group_state_name(state); }
  // Nobody consumes: the only states in which Kafka lets offsets be reset.
  bool inactive() const {
    return state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY ||
           state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD;
  }
};

absl::StatusOr<GroupInfo> DescribeConsumerGroup(AdminClient& admin, const std::string& group) {
  auto options = admin.Options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  if (!options.ok()) return options.status();
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(admin.handle(), groups, 1, options->get(), admin.queue());
  auto event = admin.AwaitResult("describe group");
  if (!event.ok()) return event.status();
  size_t count = 0;
  const rd_kafka_ConsumerGroupDescription_t** results =
      rd_kafka_DescribeConsumerGroups_result_groups(
          rd_kafka_event_DescribeConsumerGroups_result(event->get()), &count);
  if (count != 1) return absl::InternalError("describe group: no result for the group");
  const rd_kafka_ConsumerGroupDescription_t* d = results[0];
  if (const rd_kafka_error_t* error = rd_kafka_ConsumerGroupDescription_error(d)) {
    return ErrorStatus("describe group " + group, error);
  }
  GroupInfo info;
  info.state = rd_kafka_ConsumerGroupDescription_state(d);
  const char* assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(d);
  info.assignor = assignor != nullptr ? assignor : "";
  if (const rd_kafka_Node_t* node = rd_kafka_ConsumerGroupDescription_coordinator(d)) {
    info.coordinator = fmt::format("{}:{} ({})", rd_kafka_Node_host(node), rd_kafka_Node_port(node),
                                   rd_kafka_Node_id(node));
  }
  for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(d); ++i) {
    const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(d, i);
    MemberInfo member{rd_kafka_MemberDescription_consumer_id(m),
                      rd_kafka_MemberDescription_host(m),
                      rd_kafka_MemberDescription_client_id(m),
                      {}};
    const rd_kafka_MemberAssignment_t* assignment = rd_kafka_MemberDescription_assignment(m);
    const rd_kafka_topic_partition_list_t* parts =
        assignment != nullptr ? rd_kafka_MemberAssignment_partitions(assignment) : nullptr;
    for (int k = 0; parts != nullptr && k < parts->cnt; ++k) {
      member.assignment.emplace_back(parts->elems[k].topic, parts->elems[k].partition);
    }
    std::sort(member.assignment.begin(), member.assignment.end());
    info.members.push_back(std::move(member));
  }
  std::sort(info.members.begin(), info.members.end(), [](const auto& a, const auto& b) {
    return std::tie(a.assignment, a.consumer_id) < std::tie(b.assignment, b.consumer_id);
  });
  return info;
}

// Every committed offset of the group.
absl::StatusOr<std::map<TopicPartition, int64_t>> CommittedOffsets(AdminClient& admin,
                                                                   const std::string& group) {
  auto options = admin.Options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
  if (!options.ok()) return options.status();
  // No partitions: all of the group's committed offsets.
  rd_kafka_ListConsumerGroupOffsets_t* request =
      rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr);
  rd_kafka_ListConsumerGroupOffsets(admin.handle(), &request, 1, options->get(), admin.queue());
  rd_kafka_ListConsumerGroupOffsets_destroy(request);
  auto event = admin.AwaitResult("list group offsets");
  if (!event.ok()) return event.status();
  size_t count = 0;
  const rd_kafka_group_result_t** results = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(event->get()), &count);
  if (count != 1) return absl::InternalError("list group offsets: no result for the group");
  if (const rd_kafka_error_t* error = rd_kafka_group_result_error(results[0])) {
    return ErrorStatus("list offsets of group " + group, error);
  }
  std::map<TopicPartition, int64_t> out;
  const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(results[0]);
  for (int i = 0; parts != nullptr && i < parts->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = parts->elems[i];
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(fmt::format("committed offset of {}/{}", p.topic, p.partition), p.err);
    }
    if (p.offset >= 0) out[{p.topic, p.partition}] = p.offset;
  }
  return out;
}

// (earliest, latest) offsets of one partition, from ListOffsets.
absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(AdminClient& admin,
                                                       const TopicPartition& tp) {
  int64_t low = -1;
  int64_t high = -1;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      admin.handle(), tp.first.c_str(), tp.second, &low, &high, admin.timeout_ms());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorStatus(fmt::format("watermarks of {}/{}", tp.first, tp.second), err);
  }
  return std::make_pair(low, high);
}

// Protocol types by group id from the legacy rd_kafka_list_groups (ListGroups +
// DescribeGroups): the new ListConsumerGroups result only says whether the type is empty.
std::map<std::string, std::string> ProtocolTypes(AdminClient& admin) {
  std::map<std::string, std::string> out;
  const rd_kafka_group_list* list = nullptr;
  if (rd_kafka_list_groups(admin.handle(), nullptr, &list, admin.timeout_ms()) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      list == nullptr) {
    return out;
  }
  for (int i = 0; i < list->group_cnt; ++i) {
    const rd_kafka_group_info& g = list->groups[i];
    if (g.err == RD_KAFKA_RESP_ERR_NO_ERROR && g.protocol_type != nullptr) {
      out[g.group] = g.protocol_type;
    }
  }
  rd_kafka_group_list_destroy(list);
  return out;
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

absl::Status ListGroups(AdminClient& admin) {
  auto options = admin.Options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
  if (!options.ok()) return options.status();
  rd_kafka_ListConsumerGroups(admin.handle(), options->get(), admin.queue());
  auto event = admin.AwaitResult("list groups");
  if (!event.ok()) return event.status();
  const rd_kafka_ListConsumerGroups_result_t* result =
      rd_kafka_event_ListConsumerGroups_result(event->get());
  size_t error_count = 0;
  const rd_kafka_error_t** errors = rd_kafka_ListConsumerGroups_result_errors(result, &error_count);
  if (error_count > 0) return ErrorStatus("list groups", errors[0]);
  size_t count = 0;
  const rd_kafka_ConsumerGroupListing_t** groups =
      rd_kafka_ListConsumerGroups_result_valid(result, &count);
  const std::map<std::string, std::string> types = ProtocolTypes(admin);
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < count; ++i) {
    const std::string id = rd_kafka_ConsumerGroupListing_group_id(groups[i]);
    auto type = types.find(id);
    std::string protocol_type = type != types.end() ? type->second
                                : rd_kafka_ConsumerGroupListing_is_simple_consumer_group(groups[i])
                                    ? ""
                                    : "consumer";
    rows.push_back(
        {id, rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(groups[i])),
         OrDash(protocol_type)});
  }
  std::sort(rows.begin(), rows.end());
  rows.insert(rows.begin(), {"GROUP", "STATE", "PROTOCOL-TYPE"});
  PrintTable(rows);
  return absl::OkStatus();
}

absl::Status DescribeGroup(AdminClient& admin, const std::string& group) {
  auto info = DescribeConsumerGroup(admin, group);
  if (!info.ok()) return info.status();
  auto committed = CommittedOffsets(admin, group);
  if (!committed.ok()) return committed.status();
  if (info->state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD && committed->empty()) {
    return absl::NotFoundError(absl::StrCat("consumer group '", group, "' does not exist"));
  }
  PrintTable({{"GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"},
              {group, OrDash(info->coordinator), OrDash(info->assignor), info->state_name(),
               std::to_string(info->members.size())}});
  fmt::print("\n");
  if (info->members.empty()) fmt::print("Consumer group '{}' has no active members.\n\n", group);

  // One row per assigned partition, then per committed but unassigned partition, then per
  // member without partitions, as kafka-consumer-groups.sh --describe prints them.
  std::vector<std::vector<std::string>> rows;
  auto partition_row = [&](const TopicPartition& tp, const MemberInfo* member) {
    std::string current = "-", end = "-", lag = "-";
    auto c = committed->find(tp);
    if (c != committed->end()) current = std::to_string(c->second);
    auto marks = Watermarks(admin, tp);  // a deleted topic's offsets have none
    if (marks.ok()) {
      end = std::to_string(marks->second);
      if (c != committed->end())
        lag = std::to_string(std::max<int64_t>(0, marks->second - c->second));
    }
    rows.push_back({group, tp.first, std::to_string(tp.second), current, end, lag,
                    member ? OrDash(member->consumer_id) : "-", member ? OrDash(member->host) : "-",
                    member ? OrDash(member->client_id) : "-"});
  };
  std::map<TopicPartition, const MemberInfo*> owners;
  for (const MemberInfo& m : info->members) {
    for (const TopicPartition& tp : m.assignment) owners[tp] = &m;
  }
  for (const auto& [tp, offset] : *committed) owners.emplace(tp, nullptr);
  for (const auto& [tp, member] : owners) partition_row(tp, member);
  for (const MemberInfo& m : info->members) {
    if (m.assignment.empty()) {
      rows.push_back({group, "-", "-", "-", "-", "-", OrDash(m.consumer_id), OrDash(m.host),
                      OrDash(m.client_id)});
    }
  }
  rows.insert(rows.begin(), {"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
                             "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"});
  PrintTable(rows);
  return absl::OkStatus();
}

absl::Status DeleteGroup(AdminClient& admin, const std::string& group) {
  auto options = admin.Options(RD_KAFKA_ADMIN_OP_DELETEGROUPS);
  if (!options.ok()) return options.status();
  std::unique_ptr<rd_kafka_DeleteGroup_t, decltype(&rd_kafka_DeleteGroup_destroy)> del(
      rd_kafka_DeleteGroup_new(group.c_str()), rd_kafka_DeleteGroup_destroy);
  rd_kafka_DeleteGroup_t* groups[] = {del.get()};
  rd_kafka_DeleteGroups(admin.handle(), groups, 1, options->get(), admin.queue());
  auto event = admin.AwaitResult("delete group");
  if (!event.ok()) return event.status();
  size_t count = 0;
  const rd_kafka_group_result_t** results =
      rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(event->get()), &count);
  if (count != 1) return absl::InternalError("delete group: no result for the group");
  if (const rd_kafka_error_t* error = rd_kafka_group_result_error(results[0])) {
    return ErrorStatus("delete group " + group, error);
  }
  fmt::print("deleted group {}\n", group);
  return absl::OkStatus();
}

absl::Status ResetGroupOffsets(AdminClient& admin, const ResetOffsetsRequest& request) {
  auto info = DescribeConsumerGroup(admin, request.group);
  if (!info.ok()) return info.status();
  if (request.execute && !info->inactive()) {
    return absl::FailedPreconditionError(
        absl::StrCat("assignments can only be reset if the group '", request.group,
                     "' is inactive, but the current state is ", info->state_name()));
  }
  // The topic's partitions, all or those asked for.
  auto md = admin.Metadata();
  if (!md.ok()) return md.status();
  const rd_kafka_metadata_topic_t* topic = nullptr;
  for (int i = 0; i < (*md)->topic_cnt; ++i) {
    if (request.topic == (*md)->topics[i].topic) topic = &(*md)->topics[i];
  }
  if (topic == nullptr || topic->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::NotFoundError(absl::StrCat("topic ", request.topic, " does not exist"));
  }
  std::vector<int32_t> partitions = request.partitions;
  if (partitions.empty()) {
    for (int p = 0; p < topic->partition_cnt; ++p) partitions.push_back(topic->partitions[p].id);
  }
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());

  PartitionListPtr plan = NewPartitionList(static_cast<int>(partitions.size()));
  std::vector<std::vector<std::string>> rows = {{"GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"}};
  for (int32_t p : partitions) {
    if (p < 0 || p >= topic->partition_cnt) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", request.topic, " has no partition ", p));
    }
    auto marks = Watermarks(admin, {request.topic, p});
    if (!marks.ok()) return marks.status();
    const auto [low, high] = *marks;
    int64_t target = low;
    switch (request.to) {
      case ResetOffsetsRequest::To::kEarliest:
        target = low;
        break;
      case ResetOffsetsRequest::To::kLatest:
        target = high;
        break;
      case ResetOffsetsRequest::To::kOffset:
        // Out of range: the nearest end, as kafka-consumer-groups.sh does.
        target = std::clamp(request.offset, low, high);
        break;
    }
    rd_kafka_topic_partition_list_add(plan.get(), request.topic.c_str(), p)->offset = target;
    rows.push_back({request.group, request.topic, std::to_string(p), std::to_string(target)});
  }

  if (request.execute) {
    auto options = admin.Options(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    if (!options.ok()) return options.status();
    rd_kafka_AlterConsumerGroupOffsets_t* alter =
        rd_kafka_AlterConsumerGroupOffsets_new(request.group.c_str(), plan.get());
    rd_kafka_AlterConsumerGroupOffsets(admin.handle(), &alter, 1, options->get(), admin.queue());
    rd_kafka_AlterConsumerGroupOffsets_destroy(alter);
    auto event = admin.AwaitResult("alter group offsets");
    if (!event.ok()) return event.status();
    size_t count = 0;
    const rd_kafka_group_result_t** results = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(event->get()), &count);
    if (count != 1) return absl::InternalError("alter group offsets: no result for the group");
    if (const rd_kafka_error_t* error = rd_kafka_group_result_error(results[0])) {
      return ErrorStatus("reset offsets of group " + request.group, error);
    }
    const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(results[0]);
    for (int i = 0; parts != nullptr && i < parts->cnt; ++i) {
      if (parts->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return ErrorStatus(fmt::format("reset offset of {}/{} in group {}", parts->elems[i].topic,
                                       parts->elems[i].partition, request.group),
                           parts->elems[i].err);
      }
    }
  }
  PrintTable(rows);
  if (!request.execute) {
    fmt::print(stderr, "dry run: no offsets were changed; add --execute to apply this plan\n");
  }
  return absl::OkStatus();
}

}  // namespace rill::topics
