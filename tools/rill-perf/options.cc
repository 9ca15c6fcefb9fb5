// rill-perf's flag definitions and their validation (see options.h).
#include "options.h"

#include <cmath>
#include <set>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "latency.h"

ABSL_FLAG(std::string, bootstrap_servers, "", "Broker to run against, host:port[,host:port]");
ABSL_FLAG(bool, mock, false, "Run against an in-process librdkafka mock cluster instead");
ABSL_FLAG(std::string, compare, "",
          "Run against the mock cluster and against this bootstrap, and print ours/mock ratios");
ABSL_FLAG(int, mock_brokers, 1, "Brokers in the mock cluster");
ABSL_FLAG(std::string, topic, "rill-perf",
          "Topic (created with --partitions if missing); mock-cluster: comma-separated topics");
ABSL_FLAG(int, partitions, 6, "Partitions when creating the topic");
ABSL_FLAG(int, replication_factor, 1, "Replication factor when creating the topic");
ABSL_FLAG(int64_t, messages, 1000000, "produce/consume: number of messages");
ABSL_FLAG(int, size, 100, "Payload bytes per message");
ABSL_FLAG(std::string, acks, "all", "Producer acks: 0, 1 or all (librdkafka's default is all)");
ABSL_FLAG(
    std::string, compression, "",
    "Producer compression.codec: none, gzip, snappy, lz4, zstd (default: librdkafka's, none)");
ABSL_FLAG(double, rate, 10000, "latency: messages per second");
ABSL_FLAG(double, seconds, 10, "latency: seconds to produce for");
ABSL_FLAG(bool, fill, true,
          "consume: if the topic holds fewer than --messages, produce the rest first (untimed)");
ABSL_FLAG(int, repeat, 1,
          "produce/consume: run the workload this many times and report the sum (consuming "
          "from the mock needs it: the mock keeps only ~5 MiB per partition)");
ABSL_FLAG(int, timeout_seconds, 120, "Upper bound on each phase (connect, produce, consume)");
ABSL_FLAG(std::vector<std::string>, members, std::vector<std::string>({"1", "3", "10"}),
          "group: group sizes whose first join is timed, comma-separated");
ABSL_FLAG(int, rebalance_members, 3, "group: group size for the leave and kill scenarios");
ABSL_FLAG(std::string, assignor, "range",
          "group: partition.assignment.strategy (range, roundrobin, cooperative-sticky)");
ABSL_FLAG(int, session_timeout_ms, 6000,
          "group: session.timeout.ms of every member (the kill scenario waits for it)");
ABSL_FLAG(std::vector<std::string>, scenarios, std::vector<std::string>({"join", "leave", "kill"}),
          "group: scenarios to run, comma-separated: join, leave, kill");
ABSL_FLAG(int, txn_ms, 100, "txn: commit a transaction every this many milliseconds");
ABSL_FLAG(int64_t, lines, 500000, "streams: input text lines (8 words each)");
ABSL_FLAG(int64_t, commit_interval_ms, 30000,
          "streams: commit.interval.ms of the Rill applications (Kafka Streams' at-least-once "
          "default)");
ABSL_FLAG(int64_t, records, 200000,
          "streams-windows: input click records (1,000 users, event time advancing ~800 "
          "clicks per minute)");
// Never parsed by absl: main() splits every -X out of argv first so it can repeat.
ABSL_FLAG(std::vector<std::string>, X, {},
          "librdkafka property key=value for every client; repeatable (-X a=b -X c=d)");

namespace rill::perf {
namespace {

absl::Status Bad(const std::string& message) { return absl::InvalidArgumentError(message); }

}  // namespace

const char* UsageText() {
  return "Kafka-protocol benchmark on librdkafka.\n"
         "\n"
         "  rill-perf produce|consume|latency (--bootstrap-servers HOST:PORT | --mock |\n"
         "            --compare HOST:PORT) [--topic T] [--partitions 6] [--messages N]\n"
         "            [--size 100] [--acks 1|all|0] [--compression gzip|snappy|lz4|zstd]\n"
         "            [--repeat 1] [--rate 10000 --seconds 10] [-X key=value ...]\n"
         "  rill-perf group (--bootstrap-servers HOST:PORT | --mock | --compare HOST:PORT)\n"
         "            [--topic T] [--partitions 6] [--members 1,3,10] [--rebalance-members 3]\n"
         "            [--assignor range] [--session-timeout-ms 6000]\n"
         "            [--scenarios join,leave,kill]\n"
         "            # consumer-group join and rebalance times\n"
         "  rill-perf txn (--bootstrap-servers HOST:PORT | --mock) [--messages N] [--size 1024]\n"
         "            [--txn-ms 100]  # transactional vs idempotent produce of the same data\n"
         "  rill-perf streams [--bootstrap-servers HOST:PORT] [--lines 500000] [--partitions 6]\n"
         "            [--commit-interval-ms 30000] [-X consumer.KEY=V] [-X producer.KEY=V]\n"
         "            # word count and a stateless map: Rill vs a hand-written librdkafka loop;\n"
         "            # without --bootstrap-servers on a Rill broker started in this process\n"
         "  rill-perf streams-windows [--bootstrap-servers HOST:PORT] [--records 200000]\n"
         "            [--partitions 6] [--commit-interval-ms 30000] [-X consumer.KEY=V]\n"
         "            # tumbling, hopping and session windowed counts and a stream-table join\n"
         "            # vs a stateless map, on Rill, in one run (checked against a model)\n"
         "  rill-perf mock-cluster [--mock-brokers 1] [--topic T1,T2 --partitions 6]\n"
         "            # creates the topics, prints bootstrap=ADDR, serves until SIGTERM/SIGINT\n"
         "\n"
         "Flag names take dashes or underscores. Results end with `result key=value ...`\n"
         "lines for scripts; MB = 10^6 payload bytes.";
}

absl::StatusOr<PerfOptions> OptionsFromFlags(const std::vector<char*>& positional,
                                             KafkaProps props) {
  PerfOptions o;
  if (positional.size() < 2) {
    return Bad(
        "missing mode: produce, consume, latency, group, txn, streams, streams-windows or "
        "mock-cluster");
  }
  if (positional.size() > 2) {
    std::vector<std::string> extra(positional.begin() + 2, positional.end());
    return Bad(absl::StrCat("unexpected arguments: ", absl::StrJoin(extra, " ")));
  }
  o.mode_name = positional[1];
  if (o.mode_name == "produce") {
    o.mode = Mode::kProduce;
  } else if (o.mode_name == "consume") {
    o.mode = Mode::kConsume;
  } else if (o.mode_name == "latency") {
    o.mode = Mode::kLatency;
  } else if (o.mode_name == "group") {
    o.mode = Mode::kGroup;
  } else if (o.mode_name == "txn") {
    o.mode = Mode::kTxn;
  } else if (o.mode_name == "streams") {
    o.mode = Mode::kStreams;
  } else if (o.mode_name == "streams-windows") {
    o.mode = Mode::kStreamsWindows;
  } else if (o.mode_name == "mock-cluster") {
    o.mode = Mode::kMockCluster;
  } else {
    return Bad(absl::StrCat("unknown mode '", o.mode_name,
                            "': expected produce, consume, latency, group, txn, streams, "
                            "streams-windows or mock-cluster"));
  }

  o.bootstrap = absl::GetFlag(FLAGS_bootstrap_servers);
  o.mock = absl::GetFlag(FLAGS_mock);
  o.compare = absl::GetFlag(FLAGS_compare);
  o.mock_brokers = absl::GetFlag(FLAGS_mock_brokers);
  if (o.mock_brokers < 1) return Bad("--mock-brokers must be at least 1");
  o.repeat = absl::GetFlag(FLAGS_repeat);
  if (o.repeat < 1) return Bad("--repeat must be at least 1");
  if (o.mode == Mode::kStreams || o.mode == Mode::kStreamsWindows) {
    if (o.mock || !o.compare.empty()) {
      return Bad(
          "streams and streams-windows compare within one broker: give --bootstrap-servers "
          "HOST:PORT or nothing (a Rill broker in this process)");
    }
  } else if (o.mode != Mode::kMockCluster) {
    const int targets = !o.bootstrap.empty() + o.mock + !o.compare.empty();
    if (targets != 1) {
      return Bad(
          "give exactly one of --bootstrap-servers HOST:PORT, --mock or --compare HOST:PORT");
    }
  }

  Workload& w = o.workload;
  w.topic = absl::GetFlag(FLAGS_topic);
  w.partitions = absl::GetFlag(FLAGS_partitions);
  w.replication_factor = absl::GetFlag(FLAGS_replication_factor);
  w.messages = absl::GetFlag(FLAGS_messages);
  w.size = absl::GetFlag(FLAGS_size);
  w.acks = absl::GetFlag(FLAGS_acks);
  w.compression = absl::GetFlag(FLAGS_compression);
  w.rate = absl::GetFlag(FLAGS_rate);
  w.seconds = absl::GetFlag(FLAGS_seconds);
  w.fill = absl::GetFlag(FLAGS_fill);
  w.timeout_ms = absl::GetFlag(FLAGS_timeout_seconds) * 1000;
  w.user_props = std::move(props);

  if (w.topic.empty()) return Bad("--topic must not be empty");
  if (w.partitions < 1) return Bad("--partitions must be at least 1");
  if (w.replication_factor < 1) return Bad("--replication-factor must be at least 1");
  if (w.messages < 1) return Bad("--messages must be at least 1");
  if (w.size < 0) return Bad("--size must not be negative");
  if (w.acks != "0" && w.acks != "1" && w.acks != "all" && w.acks != "-1") {
    return Bad(absl::StrCat("--acks must be 0, 1 or all, not '", w.acks, "'"));
  }
  if (!w.compression.empty() && w.compression != "none" && w.compression != "gzip" &&
      w.compression != "snappy" && w.compression != "lz4" && w.compression != "zstd") {
    return Bad(absl::StrCat("--compression must be none, gzip, snappy, lz4 or zstd, not '",
                            w.compression, "'"));
  }
  if (w.timeout_ms <= 0) return Bad("--timeout-seconds must be positive");
  if (o.mode == Mode::kLatency) {
    if (!(w.rate > 0) || !std::isfinite(w.rate)) return Bad("--rate must be positive");
    if (!(w.seconds > 0) || !std::isfinite(w.seconds)) return Bad("--seconds must be positive");
    if (w.rate * w.seconds < 1) return Bad("--rate x --seconds must be at least one message");
    if (w.size < kLatencyHeaderBytes) {
      return Bad(absl::StrCat("--size must be at least ", kLatencyHeaderBytes,
                              " in latency mode (the payload carries the send timestamp)"));
    }
  }
  if (o.mode == Mode::kTxn) {
    o.txn_ms = absl::GetFlag(FLAGS_txn_ms);
    if (o.txn_ms < 1) return Bad("--txn-ms must be positive");
    if (!o.compare.empty()) return Bad("txn compares within one target: use --bootstrap-servers or --mock");
  }
  if (o.mode == Mode::kStreamsWindows) {
    o.streams_windows.records = absl::GetFlag(FLAGS_records);
    o.streams_windows.commit_interval_ms = absl::GetFlag(FLAGS_commit_interval_ms);
    if (o.streams_windows.records < 1) return Bad("--records must be at least 1");
    if (o.streams_windows.commit_interval_ms < 1) {
      return Bad("--commit-interval-ms must be positive");
    }
  }
  if (o.mode == Mode::kStreams) {
    o.streams.lines = absl::GetFlag(FLAGS_lines);
    o.streams.commit_interval_ms = absl::GetFlag(FLAGS_commit_interval_ms);
    if (o.streams.lines < 1) return Bad("--lines must be at least 1");
    if (o.streams.commit_interval_ms < 1) return Bad("--commit-interval-ms must be positive");
  }
  if (o.mode == Mode::kStreams || o.mode == Mode::kStreamsWindows) {
    for (const auto& [k, v] : w.user_props) {
      const bool consumer = k.rfind("consumer.", 0) == 0;
      const bool producer = k.rfind("producer.", 0) == 0;
      if ((!consumer && !producer) || k.size() <= 9) {
        return Bad(absl::StrCat(
            o.mode_name,
            " takes -X consumer.<property>=v or producer.<property>=v (applied to the "
            "clients of every pipeline alike), not '",
            k, "'"));
      }
    }
  }
  if (o.mode == Mode::kGroup) {
    GroupWorkload& g = o.group;
    g.join_members.clear();
    for (const std::string& text : absl::GetFlag(FLAGS_members)) {
      int n = 0;
      if (!absl::SimpleAtoi(text, &n) || n < 1) {
        return Bad(absl::StrCat("--members takes positive group sizes, not '", text, "'"));
      }
      g.join_members.push_back(n);
    }
    g.rebalance_members = absl::GetFlag(FLAGS_rebalance_members);
    if (g.rebalance_members < 2) {
      return Bad("--rebalance-members must be at least 2 (one leaves, the rest take over)");
    }
    g.assignor = absl::GetFlag(FLAGS_assignor);
    if (g.assignor.empty()) return Bad("--assignor must not be empty");
    g.session_timeout_ms = absl::GetFlag(FLAGS_session_timeout_ms);
    if (g.session_timeout_ms < 1) return Bad("--session-timeout-ms must be positive");
    const std::vector<std::string> scenario_list = absl::GetFlag(FLAGS_scenarios);
    const std::set<std::string> scenarios(scenario_list.begin(), scenario_list.end());
    for (const std::string& s : scenarios) {
      if (s != "join" && s != "leave" && s != "kill") {
        return Bad(absl::StrCat("--scenarios takes join, leave and kill, not '", s, "'"));
      }
    }
    g.join = scenarios.contains("join");
    g.leave = scenarios.contains("leave");
    g.kill = scenarios.contains("kill");
    if (g.join && g.join_members.empty()) return Bad("--members must name a group size");
    if (!g.join && !g.leave && !g.kill) return Bad("--scenarios must name a scenario");
  }
  return o;
}

}  // namespace rill::perf
