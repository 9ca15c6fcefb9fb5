// rill-topics: create, delete, list and describe topics through librdkafka's admin API,
// against our broker or any Kafka cluster.
#include <fmt/core.h>

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "admin_client.h"
#include "args.h"
#include "commands.h"

ABSL_FLAG(std::string, bootstrap_servers, "", "Broker to talk to, host:port[,host:port]");
ABSL_FLAG(int, partitions, -1, "create: partition count (-1: the broker's default)");
ABSL_FLAG(int, replication_factor, -1, "create: replication factor (-1: the broker's default)");
ABSL_FLAG(bool, if_not_exists, false, "create: succeed if the topic already exists");
ABSL_FLAG(bool, all_configs, false, "describe: show every config, not only those set on the topic");
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
  if (positional.size() < 2) return UsageError("missing command: create, delete, list or describe");
  const std::string command = positional[1];
  const std::vector<std::string> operands(positional.begin() + 2, positional.end());

  const std::string bootstrap = absl::GetFlag(FLAGS_bootstrap_servers);
  if (bootstrap.empty()) return UsageError("--bootstrap-servers is required");
  const size_t wanted_operands = command == "list" ? 0 : 1;
  if (command != "create" && command != "delete" && command != "list" && command != "describe") {
    return UsageError("unknown command '" + command + "'");
  }
  if (operands.size() != wanted_operands) {
    return UsageError(wanted_operands == 0
                          ? "list takes no arguments, got: " + absl::StrJoin(operands, " ")
                          : command + " takes exactly one topic name");
  }
  if (command != "create" && !repeated.configs.empty()) {
    return UsageError("--config applies to create only");
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
  } else {
    status = rill::topics::DescribeTopic(**admin, operands[0], absl::GetFlag(FLAGS_all_configs));
  }
  if (!status.ok()) {
    fmt::print(stderr, "rill-topics: {}\n", std::string(status.message()));
    return 1;
  }
  return 0;
}
