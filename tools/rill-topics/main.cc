// rill-topics: create, delete, list and describe topics, and list, describe, delete and
// reset the offsets of consumer groups (`groups ...`, like kafka-consumer-groups.sh),
// through librdkafka's admin API, against our broker or any Kafka cluster.
#include <fmt/core.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "admin_client.h"
#include "args.h"
#include "commands.h"

ABSL_FLAG(std::string, bootstrap_servers, "", "Broker to talk to, host:port[,host:port]");
ABSL_FLAG(int, partitions, -1, "create: partition count (-1: the broker's default)");
ABSL_FLAG(int, replication_factor, -1, "create: replication factor (-1: the broker's default)");
ABSL_FLAG(bool, if_not_exists, false, "create: succeed if the topic already exists");
ABSL_FLAG(bool, all_configs, false, "describe: show every config, not only those set on the topic");
ABSL_FLAG(std::string, topic, "",
          "groups reset-offsets: the topic, or TOPIC:P,P,... for some of its partitions");
ABSL_FLAG(bool, to_earliest, false, "groups reset-offsets: to each partition's earliest offset");
ABSL_FLAG(bool, to_latest, false, "groups reset-offsets: to each partition's latest offset");
ABSL_FLAG(std::optional<int64_t>, to_offset, std::nullopt,
          "groups reset-offsets: to this offset (clamped to each partition's range)");
ABSL_FLAG(bool, execute, false, "groups reset-offsets: apply the plan (default: only print it)");
ABSL_FLAG(bool, dry_run, false, "groups reset-offsets: only print the plan (the default)");
ABSL_FLAG(int, timeout_ms, 30000, "Request timeout");
// Never parsed by absl: main() splits these out of argv first so they can repeat.
ABSL_FLAG(std::vector<std::string>, config, {}, "create: topic config key=value; repeatable");
ABSL_FLAG(std::vector<std::string>, X, {}, "librdkafka client property key=value; repeatable");

namespace {

constexpr char kUsage[] =
    "manage topics over the Kafka admin API.\n"
    "\n"
    "  rill-topics --bootstrap-servers HOST:PORT create <topic> --partitions N\n"
    "              --replication-factor R [--config k=v ...] [--if-not-exists]\n"
    "  rill-topics --bootstrap-servers HOST:PORT delete <topic>\n"
    "  rill-topics --bootstrap-servers HOST:PORT list\n"
    "  rill-topics --bootstrap-servers HOST:PORT describe <topic> [--all-configs]\n"
    "  rill-topics --bootstrap-servers HOST:PORT groups list\n"
    "  rill-topics --bootstrap-servers HOST:PORT groups describe <group>\n"
    "  rill-topics --bootstrap-servers HOST:PORT groups delete <group>\n"
    "  rill-topics --bootstrap-servers HOST:PORT groups reset-offsets <group>\n"
    "              --topic <topic>[:P,P...] (--to-earliest | --to-latest | --to-offset N)\n"
    "              [--dry-run | --execute]\n"
    "\n"
    "groups reset-offsets prints the new offsets and changes nothing unless --execute is\n"
    "given, which is refused while the group has members (as in kafka-consumer-groups.sh).\n"
    "\n"
    "Flag names take dashes or underscores; -X k=v sets a librdkafka property.\n"
    "Exits non-zero with the broker's error message when a request fails.";

int UsageError(const std::string& message) {
  fmt::print(stderr, "rill-topics: {}\n\n{}\n", message, kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  // --help lists the flags of files whose path matches: this tool's, not absl's own.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view path) {
    return absl::StrContains(path, "rill-topics/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  rill::topics::RepeatedArgs repeated;
  std::vector<std::string> storage;
  auto args = rill::topics::PreprocessArgs(argc, argv, &repeated, &storage);
  if (!args.ok()) return UsageError(std::string(args.status().message()));
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args->size()), args->data());
  if (positional.size() < 2) {
    return UsageError("missing command: create, delete, list, describe or groups");
  }
  const std::string command = positional[1];
  const std::vector<std::string> operands(positional.begin() + 2, positional.end());

  const std::string bootstrap = absl::GetFlag(FLAGS_bootstrap_servers);
  if (bootstrap.empty()) return UsageError("--bootstrap-servers is required");
  if (command != "create" && command != "delete" && command != "list" && command != "describe" &&
      command != "groups") {
    return UsageError("unknown command '" + command + "'");
  }
  // `groups` takes a subcommand, then what that needs.
  std::string group_command;
  std::vector<std::string> args_left = operands;
  if (command == "groups") {
    if (operands.empty()) {
      return UsageError("groups needs a subcommand: list, describe, delete or reset-offsets");
    }
    group_command = operands[0];
    args_left.erase(args_left.begin());
    if (group_command != "list" && group_command != "describe" && group_command != "delete" &&
        group_command != "reset-offsets") {
      return UsageError("unknown groups subcommand '" + group_command + "'");
    }
  }
  const std::string what = command == "groups" ? "groups " + group_command : command;
  const size_t wanted_operands = command == "list" || group_command == "list" ? 0 : 1;
  if (args_left.size() != wanted_operands) {
    return UsageError(wanted_operands == 0
                          ? what + " takes no arguments, got: " + absl::StrJoin(args_left, " ")
                          : what + " takes exactly one " +
                                (command == "groups" ? "group id" : "topic name"));
  }
  if (command != "create" && !repeated.configs.empty()) {
    return UsageError("--config applies to create only");
  }
  const std::optional<int64_t> to_offset = absl::GetFlag(FLAGS_to_offset);
  const bool to_earliest = absl::GetFlag(FLAGS_to_earliest);
  const bool to_latest = absl::GetFlag(FLAGS_to_latest);
  const bool execute = absl::GetFlag(FLAGS_execute);
  const bool dry_run = absl::GetFlag(FLAGS_dry_run);
  const std::string topic_spec = absl::GetFlag(FLAGS_topic);
  rill::topics::ResetOffsetsRequest reset;
  if (group_command == "reset-offsets") {
    if (to_earliest + to_latest + to_offset.has_value() != 1) {
      return UsageError(
          "reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset");
    }
    if (execute && dry_run) return UsageError("--execute and --dry-run exclude each other");
    if (topic_spec.empty()) return UsageError("reset-offsets needs --topic");
    reset.group = args_left[0];
    // TOPIC or TOPIC:P,P,...
    const size_t colon = topic_spec.find(':');
    reset.topic = topic_spec.substr(0, colon);
    if (colon != std::string::npos) {
      for (absl::string_view p : absl::StrSplit(topic_spec.substr(colon + 1), ',')) {
        int32_t partition = -1;
        if (!absl::SimpleAtoi(p, &partition) || partition < 0) {
          return UsageError("bad partition '" + std::string(p) + "' in --topic " + topic_spec);
        }
        reset.partitions.push_back(partition);
      }
    }
    reset.to = to_earliest ? rill::topics::ResetOffsetsRequest::To::kEarliest
               : to_latest ? rill::topics::ResetOffsetsRequest::To::kLatest
                           : rill::topics::ResetOffsetsRequest::To::kOffset;
    reset.offset = to_offset.value_or(0);
    reset.execute = execute;
  } else if (to_earliest || to_latest || to_offset || execute || dry_run || !topic_spec.empty()) {
    return UsageError(
        "--topic, --to-earliest, --to-latest, --to-offset, --execute and --dry-run apply to "
        "groups reset-offsets only");
  }
  const int timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  if (timeout_ms <= 0) return UsageError("--timeout-ms must be positive");

  auto admin = rill::topics::AdminClient::Connect(bootstrap, repeated.kafka_props, timeout_ms);
  if (!admin.ok()) {
    fmt::print(stderr, "rill-topics: {}\n", std::string(admin.status().message()));
    return 1;
  }
  absl::Status status;
  if (command == "create") {
    rill::topics::CreateRequest request;
    request.topic = operands[0];
    request.partitions = absl::GetFlag(FLAGS_partitions);
    request.replication_factor = absl::GetFlag(FLAGS_replication_factor);
    request.configs = repeated.configs;
    request.if_not_exists = absl::GetFlag(FLAGS_if_not_exists);
    if (request.partitions == 0 || request.partitions < -1) {
      return UsageError("--partitions must be positive (or -1 for the broker's default)");
    }
    if (request.replication_factor == 0 || request.replication_factor < -1) {
      return UsageError("--replication-factor must be positive (or -1 for the broker's default)");
    }
    status = rill::topics::CreateTopic(**admin, request);
  } else if (command == "delete") {
    status = rill::topics::DeleteTopic(**admin, operands[0]);
  } else if (command == "list") {
    status = rill::topics::ListTopics(**admin);
  } else if (group_command == "list") {
    status = rill::topics::ListGroups(**admin);
  } else if (group_command == "describe") {
    status = rill::topics::DescribeGroup(**admin, args_left[0]);
  } else if (group_command == "delete") {
    status = rill::topics::DeleteGroup(**admin, args_left[0]);
  } else if (group_command == "reset-offsets") {
    status = rill::topics::ResetGroupOffsets(**admin, reset);
  } else {
    status = rill::topics::DescribeTopic(**admin, operands[0], absl::GetFlag(FLAGS_all_configs));
  }
  if (!status.ok()) {
    fmt::print(stderr, "rill-topics: {}\n", std::string(status.message()));
    return 1;
  }
  return 0;
}
