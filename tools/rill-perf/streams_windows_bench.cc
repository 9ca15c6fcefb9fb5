// Windowed counts and a stream-table join versus a stateless topology, in one run (see
// streams_windows_bench.h).
#include "streams_windows_bench.h"

#include <dlfcn.h>
#include <fmt/core.h>
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/embedded_cluster.h"
#include "kafka_client.h"
#include "spdlog/spdlog.h"
#include "streams/dsl/streams_builder.h"
#include "streams/dsl/windows.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"
#include "streams/runtime/kafka_streams.h"
#include "streams/runtime/topic_admin.h"

namespace rill::perf {
namespace {

using Clock = std::chrono::steady_clock;

// The input's shape. Users alternate kActiveMinutes of activity (kClicksPerActiveMinute
// clicks in each of those minutes, at random offsets) with idle spells longer than the
// session gap, so sessions both grow and close; each user's cycle starts at its own minute,
// so every minute of event time holds about the same number of clicks.
constexpr int64_t kMinuteMs = 60000;
constexpr int kUsers = 1000;
constexpr int kCycleMinutes = 20;
constexpr int kActiveMinutes = 8;
constexpr int kClicksPerActiveMinute = 2;
constexpr int kPages = 500;
// Every kMergeEvery-th user's idle spells each hold two sessions that a late click merges
// (see GenerateClicks).
constexpr int kMergeEvery = 3;

constexpr int64_t kTumblingMs = kMinuteMs;
constexpr int64_t kHoppingSizeMs = 5 * kMinuteMs;
constexpr int64_t kHoppingAdvanceMs = kMinuteMs;
constexpr int64_t kSessionGapMs = 5 * kMinuteMs;
// The late click that merges two sessions arrives up to ~5.5 min after the older session's
// end; the session store keeps sessions for gap + grace, so the grace keeps that session
// findable (and Kafka Streams' would too).
constexpr int64_t kSessionGraceMs = 2 * kMinuteMs;
// The reference model insists that every session a click reaches is at least this far from
// expiring, so the result cannot depend on where exactly a store drops old sessions.
constexpr int64_t kRetentionMarginMs = 30000;

constexpr char kUsersStore[] = "users-store";
// How often the driver checks whether an application is done (streams_bench.cc's choice).
constexpr auto kDonePollInterval = std::chrono::milliseconds(10);

enum class Topo { kStateless, kTumbling, kHopping, kSession, kJoin };
constexpr Topo kTopos[] = {Topo::kStateless, Topo::kTumbling, Topo::kHopping, Topo::kSession,
                           Topo::kJoin};

const char* TopoName(Topo t) {
  switch (t) {
    case Topo::kStateless:
      return "stateless";
    case Topo::kTumbling:
      return "tumbling";
    case Topo::kHopping:
      return "hopping";
    case Topo::kSession:
      return "session";
    case Topo::kJoin:
      return "join";
  }
  return "?";
}

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// User + system CPU seconds of this whole process (clients, application and, when embedded,
// the broker).
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return tv(u.ru_utime) + tv(u.ru_stime);
}

std::string UserKey(int user) { return absl::StrCat("user-", user); }
std::string PageValue(int page) { return absl::StrCat("/page/", page); }
std::string Profile(int user) {
  return absl::StrCat("profile-", user, ";tier=", user % 3, ";region=", user % 7);
}
std::string UpperCase(const std::string& v) {
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void AppendBigEndian64(int64_t v, std::string& out) {
  const auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(u >> shift));
}
int64_t FromBigEndian64(std::string_view b) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(b[i]);
  return static_cast<int64_t>(u);
}

// Kafka Streams' windowed key layouts (streams/serde/windowed_serde.h), built here by hand
// so the check does not lean on the serde under test.
std::string TimeWindowedKey(int user, int64_t start) {
  std::string k = UserKey(user);
  AppendBigEndian64(start, k);
  return k;
}
std::string SessionWindowedKey(int user, int64_t start, int64_t end) {
  std::string k = UserKey(user);
  AppendBigEndian64(end, k);
  AppendBigEndian64(start, k);
  return k;
}
// "user-7 [start..end)" for error messages; `suffix` is 8 (time window) or 16 (session).
std::string DescribeWindowedKey(std::string_view k, size_t suffix) {
  if (k.size() < suffix) return absl::StrCat("malformed key of ", k.size(), " bytes");
  const std::string user(k.substr(0, k.size() - suffix));
  if (suffix == 16) {
    return absl::StrCat(user, " session [", FromBigEndian64(k.substr(k.size() - 8)), ", ",
                        FromBigEndian64(k.substr(k.size() - 16)), "]");
  }
  return absl::StrCat(user, " window starting ", FromBigEndian64(k.substr(k.size() - 8)));
}
// The user number of a "user-N" key, or -1.
int ParseUser(std::string_view key) {
  int user = -1;
  if (key.substr(0, 5) != "user-" || !absl::SimpleAtoi(std::string(key.substr(5)), &user) || user < 0 ||
      user >= kUsers) {
    return -1;
  }
  return user;
}

struct Click {
  int64_t arrival = 0;  // its place in the input (event time of the clicks around it)
  int64_t timestamp = 0;
  int32_t user = 0;
  int32_t page = 0;
};

// The generated input and the results expected from it, computed by ExpectResults.
struct Input {
  std::string clicks_topic;
  std::string users_topic;
  int partitions = 0;
  int64_t t0 = 0;  // event time of the first minute (a whole minute)
  std::vector<Click> clicks;
  int64_t bytes = 0;
  std::vector<int64_t> clicks_per_user;
  absl::flat_hash_map<std::string, int64_t> tumbling;  // final count per windowed key bytes
  absl::flat_hash_map<std::string, int64_t> hopping;
  int64_t hopping_updates = 0;  // window updates (outputs) of the hopping count
  absl::flat_hash_map<std::string, int64_t> sessions;  // final sessions
  int64_t session_starts = 0, session_extends = 0, session_merges = 0;
  int64_t late_clicks = 0;  // clicks older than their partition's stream time
  int64_t event_minutes = 0;
};

int PartitionOf(int user, int partitions) { return user % partitions; }

// The clicks in input order. A user is active in minute m when (m + user) % kCycleMinutes <
// kActiveMinutes; its idle spells last 12 minutes, more than the session gap. For every
// kMergeEvery-th user, each idle spell that follows an active minute m also holds:
//   t1 = m:25   the last click of the active spell (its other clicks in minute m are earlier)
//   t2 = (m+5):40  a click 5:15 after t1: more than the gap, so a new session
//   tb = (m+5):10  arriving at (m+5):50, after t2: within the gap of both, so it merges the
//                  two sessions. It is late, but its minute's windows are all still open
//                  (stream time is at most (m+5):50), so no time window drops it.
// Generation stops once `records` clicks whose place is final exist; the input is the first
// `records` in order.
std::vector<Click> GenerateClicks(int64_t records, int64_t t0) {
  std::mt19937_64 rng(42);
  std::vector<Click> out;
  std::vector<int64_t> arrivals_per_minute;
  auto add = [&](int64_t arrival, int64_t timestamp, int user) {
    const auto minute = static_cast<size_t>((arrival - t0) / kMinuteMs);
    if (arrivals_per_minute.size() <= minute) arrivals_per_minute.resize(minute + 1, 0);
    ++arrivals_per_minute[minute];
    out.push_back({arrival, timestamp, user, static_cast<int32_t>(rng() % kPages)});
  };
  auto active = [](int user, int64_t minute) {
    return (minute + user) % kCycleMinutes < kActiveMinutes;
  };
  int64_t final_count = 0;  // clicks arriving in minutes no later minute can add to
  for (int64_t m = 0; final_count < records; ++m) {
    const int64_t base = t0 + m * kMinuteMs;
    for (int u = 0; u < kUsers; ++u) {
      if (!active(u, m)) continue;
      const bool merges = u % kMergeEvery == 0 && !active(u, m + 1);
      const int64_t span = merges ? 25000 : kMinuteMs;
      for (int i = 0; i < kClicksPerActiveMinute; ++i) {
        const int64_t ts = base + static_cast<int64_t>(rng() % span);
        add(ts, ts, u);
      }
      if (merges) {
        add(base + 25000, base + 25000, u);
        const int64_t later = base + 5 * kMinuteMs;
        add(later + 40000, later + 40000, u);
        add(later + 50000, later + 10000, u);
      }
    }
    // Minute m's arrivals come only from minutes m-5..m, all generated now.
    if (static_cast<size_t>(m) < arrivals_per_minute.size()) final_count += arrivals_per_minute[m];
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Click& a, const Click& b) { return a.arrival < b.arrival; });
  out.resize(static_cast<size_t>(records));
  return out;
}

// The expected results, from a model of Kafka Streams' semantics written for this check:
// per partition (= task) stream time; time windows [start, start + size) aligned to the
// epoch; sessions merging every session of the key with end >= t - gap and start <= t + gap.
// The input is built so that nothing is late enough to be dropped and no session a click
// reaches is near expiry; the model verifies both and fails otherwise (a generator bug).
absl::Status ExpectResults(Input* in) {
  std::vector<int64_t> stream_time(in->partitions, std::numeric_limits<int64_t>::min());
  struct Session {
    int64_t start, end, count;
  };
  std::vector<std::vector<Session>> sessions(kUsers);
  in->clicks_per_user.assign(kUsers, 0);
  const int64_t session_retention = kSessionGapMs + kSessionGraceMs;
  for (const Click& c : in->clicks) {
    const int u = c.user;
    int64_t& st = stream_time[PartitionOf(u, in->partitions)];
    if (c.timestamp < st) ++in->late_clicks;
    st = std::max(st, c.timestamp);
    ++in->clicks_per_user[u];

    const int64_t tumbling_start = c.timestamp / kTumblingMs * kTumblingMs;
    if (tumbling_start + kTumblingMs <= st) {
      return absl::InternalError(absl::StrCat("input generator: the click of ", UserKey(u), " at ",
                                              c.timestamp, " falls into a closed window"));
    }
    ++in->tumbling[TimeWindowedKey(u, tumbling_start)];

    const int64_t last_start = c.timestamp / kHoppingAdvanceMs * kHoppingAdvanceMs;
    for (int64_t start = last_start - kHoppingSizeMs + kHoppingAdvanceMs; start <= last_start;
         start += kHoppingAdvanceMs) {
      if (start + kHoppingSizeMs <= st) {
        return absl::InternalError(absl::StrCat("input generator: the click of ", UserKey(u),
                                                " at ", c.timestamp,
                                                " falls into a closed hopping window"));
      }
      ++in->hopping[TimeWindowedKey(u, start)];
      ++in->hopping_updates;
    }

    Session merged{c.timestamp, c.timestamp, 1};
    int reached = 0;
    std::vector<Session>& mine = sessions[u];
    for (auto it = mine.begin(); it != mine.end();) {
      if (it->end >= c.timestamp - kSessionGapMs && it->start <= c.timestamp + kSessionGapMs) {
        if (it->end <= st - session_retention + kRetentionMarginMs) {
          return absl::InternalError(absl::StrCat(
              "input generator: the click of ", UserKey(u), " at ", c.timestamp,
              " reaches a session ending at ", it->end, ", too close to expiry"));
        }
        merged.start = std::min(merged.start, it->start);
        merged.end = std::max(merged.end, it->end);
        merged.count += it->count;
        ++reached;
        it = mine.erase(it);
      } else {
        ++it;
      }
    }
    if (merged.end < st - kSessionGraceMs - kSessionGapMs) {
      return absl::InternalError(absl::StrCat("input generator: the click of ", UserKey(u),
                                              " at ", c.timestamp, " is too late for a session"));
    }
    mine.push_back(merged);
    (reached == 0 ? in->session_starts : reached == 1 ? in->session_extends : in->session_merges)++;
  }
  for (int u = 0; u < kUsers; ++u) {
    for (const Session& s : sessions[u]) in->sessions[SessionWindowedKey(u, s.start, s.end)] = s.count;
  }
  return absl::OkStatus();
}

// Everything the runs share: where the broker is and what the input is.
struct Env {
  std::string bootstrap;
  std::string run_id;
  int timeout_ms = 0;
  int64_t commit_interval_ms = 0;
  std::string state_root;  // temp dir holding each application's state.dir
  KafkaProps consumer_props;  // -X consumer.<k>=<v>, for the applications' consumers
  KafkaProps producer_props;
  Input input;
};

struct DeliveryCounts {
  int64_t errors = 0;
  std::string first_error;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* c = static_cast<DeliveryCounts*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && c->errors++ == 0) {
    c->first_error = rd_kafka_err2str(m->err);
  }
}

absl::Status Produce(rd_kafka_t* rk, const std::string& topic, int32_t partition,
                     const std::string& key, const std::string& value, int64_t timestamp) {
  rd_kafka_resp_err_t err;
  while ((err = rd_kafka_producev(
              rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
              RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
              RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
              RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    rd_kafka_poll(rk, 1);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("produce to ", topic, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SumHighWatermarks(rd_kafka_t* rk, const std::string& topic, int partitions,
                                          int timeout_ms) {
  auto highs = HighWatermarks(rk, topic, partitions, timeout_ms);
  if (!highs.ok()) return highs.status();
  int64_t sum = 0;
  for (int64_t h : *highs) sum += h;
  return sum;
}

// Sum of every series of one metric in a Prometheus text snapshot.
double SumMetric(const std::string& text, const std::string& name) {
  double sum = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (text.compare(pos, name.size(), name) == 0 && pos + name.size() < end &&
        (text[pos + name.size()] == '{' || text[pos + name.size()] == ' ')) {
      const size_t space = text.rfind(' ', end - 1);
      if (space != std::string::npos && space > pos) {
        sum += std::strtod(text.c_str() + space + 1, nullptr);
      }
    }
    pos = end + 1;
  }
  return sum;
}

KafkaProps ConsumerSettings(const std::string& group) {
  return {{"group.id", group},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
          {"enable.partition.eof", "false"},
          {"fetch.wait.max.ms", "100"}};
}

// Produces the users table (one profile per user) and the clicks, click i's user on
// partition user % partitions of both topics (co-partitioned). Not timed.
absl::Status ProduceInput(const Env& env, Input* in) {
  DeliveryCounts counts;
  ClientSpec spec;
  spec.bootstrap = env.bootstrap;
  spec.settings = {{"acks", "all"}, {"linger.ms", "20"}};
  spec.customize = [&counts](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, &counts);
  };
  auto producer = NewClient(spec);
  if (!producer.ok()) return producer.status();
  rd_kafka_t* rk = producer->get();
  for (const std::string& topic : {in->users_topic, in->clicks_topic}) {
    auto partitions = WaitForTopic(rk, topic, env.timeout_ms);
    if (!partitions.ok()) return partitions.status();
    if (*partitions != in->partitions) {
      return absl::FailedPreconditionError(absl::StrCat(topic, " has ", *partitions,
                                                        " partitions, expected ", in->partitions));
    }
  }
  for (int u = 0; u < kUsers; ++u) {
    if (auto s = Produce(rk, in->users_topic, PartitionOf(u, in->partitions), UserKey(u),
                         Profile(u), in->t0 - 1);
        !s.ok()) {
      return s;
    }
  }
  for (const Click& c : in->clicks) {
    const std::string key = UserKey(c.user);
    const std::string value = PageValue(c.page);
    if (auto s = Produce(rk, in->clicks_topic, PartitionOf(c.user, in->partitions), key, value,
                         c.timestamp);
        !s.ok()) {
      return s;
    }
    in->bytes += static_cast<int64_t>(key.size() + value.size());
    rd_kafka_poll(rk, 0);
  }
  if (rd_kafka_flush(rk, env.timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError("producing the input: not acknowledged in time");
  }
  if (counts.errors > 0) {
    return absl::InternalError(absl::StrCat("producing the input: ", counts.errors,
                                            " delivery errors, first: ", counts.first_error));
  }
  return absl::OkStatus();
}

streams::Topology BuildTopology(Topo topo, const Input& in, const std::string& output_topic) {
  using std::chrono::milliseconds;
  streams::StreamsBuilder builder;
  auto clicks = builder.stream<std::string, std::string>(in.clicks_topic);
  switch (topo) {
    case Topo::kStateless:
      clicks.mapValues([](const std::string& v) { return UpperCase(v); }).to(output_topic);
      break;
    case Topo::kTumbling:
      clicks.groupByKey()
          .windowedBy(streams::TimeWindows::ofSizeWithNoGrace(milliseconds(kTumblingMs)))
          .count()
          .toStream()
          .to(output_topic);
      break;
    case Topo::kHopping:
      clicks.groupByKey()
          .windowedBy(streams::TimeWindows::ofSizeWithNoGrace(milliseconds(kHoppingSizeMs))
                          .advanceBy(milliseconds(kHoppingAdvanceMs)))
          .count()
          .toStream()
          .to(output_topic);
      break;
    case Topo::kSession:
      clicks.groupByKey()
          .windowedBy(streams::SessionWindows::ofInactivityGapAndGrace(
              milliseconds(kSessionGapMs), milliseconds(kSessionGraceMs)))
          .count()
          .toStream()
          .to(output_topic);
      break;
    case Topo::kJoin: {
      auto users = builder.table<std::string, std::string>(
          in.users_topic, {}, streams::Materialized<std::string, std::string>::as(kUsersStore));
      clicks
          .join(users,
                [](const std::string& page, const std::string& profile) {
                  return page + "|" + profile;
                })
          .to(output_topic);
      break;
    }
  }
  return builder.build();
}

// Commits `offsets` of `topic` for the (empty) consumer group `group`.
absl::Status CommitOffsets(const Env& env, const std::string& group, const std::string& topic,
                           const std::vector<int64_t>& offsets) {
  ClientSpec cs;
  cs.type = RD_KAFKA_CONSUMER;
  cs.bootstrap = env.bootstrap;
  cs.settings = ConsumerSettings(group);
  auto consumer = NewClient(cs);
  if (!consumer.ok()) return consumer.status();
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (size_t p = 0; p < offsets.size(); ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), static_cast<int32_t>(p))->offset =
        offsets[p];
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer->get(), list, /*async=*/0);
  for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) err = list->elems[i].err;
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_consumer_close(consumer->get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(
        absl::StrCat("committing offsets of ", topic, " for ", group, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

// Reads `topic` from `from` up to its current end and hands every record to `fn`.
absl::Status ReadBack(const Env& env, const std::string& topic, int partitions,
                      const std::vector<int64_t>& from,
                      const std::function<absl::Status(std::string_view, std::string_view)>& fn) {
  ClientSpec cs;
  cs.type = RD_KAFKA_CONSUMER;
  cs.bootstrap = env.bootstrap;
  cs.settings = ConsumerSettings(absl::StrCat("rill-perf-verify-", env.run_id));
  auto consumer = NewClient(cs);
  if (!consumer.ok()) return consumer.status();
  rd_kafka_t* c = consumer->get();
  rd_kafka_poll_set_consumer(c);
  auto ends = HighWatermarks(c, topic, partitions, env.timeout_ms);
  if (!ends.ok()) return ends.status();
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  int64_t missing = 0;
  for (int p = 0; p < partitions; ++p) {
    if (from[p] >= (*ends)[p]) continue;
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = from[p];
    missing += (*ends)[p] - from[p];
  }
  rd_kafka_assign(c, list);
  rd_kafka_topic_partition_list_destroy(list);
  absl::Status status;
  const auto deadline = Clock::now() + std::chrono::milliseconds(env.timeout_ms);
  while (missing > 0 && status.ok() && Clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset < (*ends)[m->partition]) {
      --missing;
      status = fn(std::string_view(static_cast<const char*>(m->key), m->key == nullptr ? 0 : m->key_len),
                  std::string_view(static_cast<const char*>(m->payload),
                                   m->payload == nullptr ? 0 : m->len));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(c);
  if (!status.ok()) return status;
  if (missing > 0) return absl::DeadlineExceededError(absl::StrCat("reading ", topic, " back"));
  return absl::OkStatus();
}

// Compares the last count per windowed key in the output with the expected final counts.
absl::Status CheckCounts(const char* what, const absl::flat_hash_map<std::string, int64_t>& last,
                         const absl::flat_hash_map<std::string, int64_t>& expected, size_t suffix,
                         bool exact_key_set) {
  for (const auto& [key, count] : expected) {
    auto it = last.find(key);
    if (it == last.end() || it->second != count) {
      return absl::InternalError(absl::StrCat(
          what, ": the last output for ", DescribeWindowedKey(key, suffix), " is ",
          it == last.end() ? std::string("missing") : std::to_string(it->second), ", expected ",
          count));
    }
  }
  if (exact_key_set && last.size() != expected.size()) {
    for (const auto& [key, count] : last) {
      if (!expected.contains(key)) {
        return absl::InternalError(absl::StrCat(what, ": unexpected output for ",
                                                DescribeWindowedKey(key, suffix), " (", count,
                                                "); ", last.size(), " windows, expected ",
                                                expected.size()));
      }
    }
  }
  return absl::OkStatus();
}

// Reads the whole output back and checks it against the model (untimed).
absl::Status Verify(const Env& env, Topo topo, const std::string& topic, int partitions,
                    const std::vector<int64_t>& from) {
  const Input& in = env.input;
  const char* name = TopoName(topo);
  std::vector<int64_t> per_user(kUsers, 0);
  absl::flat_hash_map<std::string, int64_t> last;
  auto check_user = [&](std::string_view key, std::string_view value) -> absl::Status {
    const int user = ParseUser(key);
    if (user < 0) {
      return absl::InternalError(absl::StrCat(name, ": output with key '", std::string(key), "'"));
    }
    ++per_user[user];
    if (topo == Topo::kStateless) {
      if (value.substr(0, 6) != "/PAGE/") {
        return absl::InternalError(absl::StrCat(name, ": output value '", std::string(value), "'"));
      }
    } else {
      const std::string suffix = "|" + Profile(user);
      if (value.size() <= suffix.size() || value.substr(0, 6) != "/page/" ||
          value.substr(value.size() - suffix.size()) != suffix) {
        return absl::InternalError(
            absl::StrCat(name, ": output value '", std::string(value), "' for ", std::string(key),
                         ", expected '/page/N", suffix, "'"));
      }
    }
    return absl::OkStatus();
  };
  auto record_count = [&](std::string_view key, std::string_view value) -> absl::Status {
    if (value.size() != 8) {
      return absl::InternalError(
          absl::StrCat(name, ": output value of ", value.size(), " bytes, expected an 8-byte count"));
    }
    last[std::string(key)] = FromBigEndian64(value);
    return absl::OkStatus();
  };
  const bool counts = topo == Topo::kTumbling || topo == Topo::kHopping || topo == Topo::kSession;
  using Visit = std::function<absl::Status(std::string_view, std::string_view)>;
  if (auto s = ReadBack(env, topic, partitions, from,
                        counts ? Visit(record_count) : Visit(check_user));
      !s.ok()) {
    return s;
  }
  switch (topo) {
    case Topo::kStateless:
    case Topo::kJoin:
      for (int u = 0; u < kUsers; ++u) {
        if (per_user[u] != in.clicks_per_user[u]) {
          return absl::InternalError(absl::StrCat(name, ": ", per_user[u], " outputs for ",
                                                  UserKey(u), ", expected ", in.clicks_per_user[u]));
        }
      }
      return absl::OkStatus();
    case Topo::kTumbling:
      return CheckCounts(name, last, in.tumbling, 8, /*exact_key_set=*/true);
    case Topo::kHopping:
      return CheckCounts(name, last, in.hopping, 8, /*exact_key_set=*/true);
    case Topo::kSession:
      // Sessions merged away or extended stay in the output as earlier keys (toStream does
      // not forward their tombstones): every final session must be there with its count.
      return CheckCounts(name, last, in.sessions, 16, /*exact_key_set=*/false);
  }
  return absl::OkStatus();
}

int64_t ExpectedOutputs(const Input& in, Topo topo) {
  // Without a record cache every click updates its window(s) / session and forwards the
  // update; the hopping count forwards one update per window a click falls into.
  return topo == Topo::kHopping ? in.hopping_updates : static_cast<int64_t>(in.clicks.size());
}

struct RunResult {
  Topo topo = Topo::kStateless;
  double seconds = 0;  // start() until every output was acknowledged
  double cpu_seconds = 0;
  // start() until close() returned: its final commit writes what processing left pending
  // (RocksDB batches, segment drops, changelog acknowledgements, offsets).
  double closed_seconds = 0;
  double closed_cpu_seconds = 0;
  double startup_seconds = -1;       // start() until RUNNING
  double first_record_seconds = -1;  // until the first record was processed
  double close_seconds = -1;         // close() alone
  double table_load_seconds = -1;    // join: loading the table first, not timed
  int64_t outputs = 0;
  int64_t changelog_records = 0;
};

streams::StreamsConfig ConfigFor(const Env& env, Topo topo) {
  streams::StreamsConfig config;
  config.application_id = absl::StrCat("rill-perf-windows-", TopoName(topo), "-", env.run_id);
  config.bootstrap_servers = env.bootstrap;
  config.state_dir = absl::StrCat(env.state_root, "/", TopoName(topo));
  config.commit_interval_ms = env.commit_interval_ms;
  config.application_server = "";
  for (const auto& [k, v] : env.consumer_props) config.consumer_overrides[k] = v;
  for (const auto& [k, v] : env.producer_props) config.producer_overrides[k] = v;
  return config;
}

// Rill has no max.task.idle.ms: a task processes whatever its partitions have buffered, so
// on a cold start clicks could be joined before the users partition is read and find no
// profile. The join application therefore reads the table first, untimed: with the clicks'
// offsets committed at their end, it runs until every profile is in its store and closes;
// then the clicks' offsets are reset to their start for the timed run, which opens the same
// state directory (table loaded, as in a running deployment).
absl::Status LoadTable(const Env& env, const streams::StreamsConfig& config,
                       const std::string& output_topic, double* seconds) {
  const Input& in = env.input;
  ClientSpec admin_spec;
  admin_spec.bootstrap = env.bootstrap;
  auto admin = NewClient(admin_spec);
  if (!admin.ok()) return admin.status();
  auto ends = HighWatermarks(admin->get(), in.clicks_topic, in.partitions, env.timeout_ms);
  if (!ends.ok()) return ends.status();
  if (auto s = CommitOffsets(env, config.application_id, in.clicks_topic, *ends); !s.ok()) return s;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(env.timeout_ms);
  {
    streams::KafkaStreams app(BuildTopology(Topo::kJoin, in, output_topic), config);
    if (auto s = app.start(); !s.ok()) return s;
    int have = 0;  // users found so far, in order
    while (have < kUsers) {
      const auto state = app.state();
      if (state == streams::KafkaStreams::State::kError ||
          state == streams::KafkaStreams::State::kNotRunning) {
        app.close();
        return absl::InternalError(absl::StrCat("join: loading the table: application in state ",
                                                streams::KafkaStreams::StateName(state)));
      }
      if (Clock::now() > deadline) {
        app.close();
        return absl::DeadlineExceededError(
            absl::StrCat("join: loading the table: ", have, " of ", kUsers, " users in time"));
      }
      if (state == streams::KafkaStreams::State::kRunning) {
        for (; have < kUsers; ++have) {
          auto v = app.queries().Get(kUsersStore, UserKey(have));
          if (!v.ok() || !v->has_value()) break;
        }
      }
      if (have < kUsers) std::this_thread::sleep_for(kDonePollInterval);
    }
    if (!app.close()) return absl::DeadlineExceededError("join: close() after loading timed out");
  }
  *seconds = Seconds(start, Clock::now());
  return CommitOffsets(env, config.application_id, in.clicks_topic,
                       std::vector<int64_t>(in.partitions, 0));
}

absl::StatusOr<RunResult> RunTopology(const Env& env, Topo topo, const std::string& output_topic) {
  const Input& in = env.input;
  const char* name = TopoName(topo);
  RunResult r;
  r.topo = topo;
  const streams::StreamsConfig config = ConfigFor(env, topo);
  if (topo == Topo::kJoin) {
    if (auto s = LoadTable(env, config, output_topic, &r.table_load_seconds); !s.ok()) return s;
  }

  // A client for watermark queries, connected before the clock starts.
  ClientSpec admin_spec;
  admin_spec.bootstrap = env.bootstrap;
  auto admin = NewClient(admin_spec);
  if (!admin.ok()) return admin.status();
  auto out_partitions = WaitForTopic(admin->get(), output_topic, env.timeout_ms);
  if (!out_partitions.ok()) return out_partitions.status();
  auto out_start = HighWatermarks(admin->get(), output_topic, *out_partitions, env.timeout_ms);
  if (!out_start.ok()) return out_start.status();
  int64_t out_start_sum = 0;
  for (int64_t o : *out_start) out_start_sum += o;
  const int64_t expected = ExpectedOutputs(in, topo);

  streams::Topology topology = BuildTopology(topo, in, output_topic);
  std::vector<std::string> changelog_topics;
  for (const auto& t : topology.internal_topics()) {
    if (t.kind != streams::internal::InternalTopic::Kind::kRepartition) {
      changelog_topics.push_back(absl::StrCat(config.application_id, "-", t.name));
    }
  }

  streams::KafkaStreams app(std::move(topology), config);
  const double cpu0 = ProcessCpuSeconds();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(env.timeout_ms);
  if (auto s = app.start(); !s.ok()) return s;
  auto failed = [&app](const std::string& what) -> absl::Status {
    app.close();
    return absl::InternalError(what);
  };
  using State = streams::KafkaStreams::State;
  bool running = false;
  int64_t outputs = 0;
  for (;;) {
    const State state = app.state();
    if (state == State::kError || state == State::kNotRunning) {
      return failed(absl::StrCat(name, ": application in state ",
                                 streams::KafkaStreams::StateName(state)));
    }
    if (!running && state == State::kRunning) {
      running = true;
      r.startup_seconds = Seconds(start, Clock::now());
    }
    if (Clock::now() > deadline) {
      return failed(absl::StrCat(name, ": ", outputs, " of ", expected,
                                 " outputs within the timeout"));
    }
    if (running) {
      const std::string metrics = app.metrics().Serialize();
      const double dropped = SumMetric(metrics, "rill_stream_dropped_records_total");
      if (dropped > 0) return failed(absl::StrCat(name, ": ", dropped, " records dropped"));
      if (r.first_record_seconds < 0 &&
          SumMetric(metrics, "rill_stream_records_processed_total") > 0) {
        r.first_record_seconds = Seconds(start, Clock::now());
      }
      auto sum = SumHighWatermarks(admin->get(), output_topic, *out_partitions, env.timeout_ms);
      if (!sum.ok()) return failed(std::string(sum.status().message()));
      outputs = *sum - out_start_sum;
      if (outputs >= expected) break;
    }
    std::this_thread::sleep_for(kDonePollInterval);
  }
  r.seconds = Seconds(start, Clock::now());
  r.cpu_seconds = ProcessCpuSeconds() - cpu0;
  // The final commit: RocksDB flushed, changelog and outputs acknowledged, offsets committed.
  const auto close_start = Clock::now();
  if (!app.close()) return absl::DeadlineExceededError(absl::StrCat(name, ": close() timed out"));
  const auto closed = Clock::now();
  r.close_seconds = Seconds(close_start, closed);
  r.closed_seconds = Seconds(start, closed);
  r.closed_cpu_seconds = ProcessCpuSeconds() - cpu0;

  auto out_end = SumHighWatermarks(admin->get(), output_topic, *out_partitions, env.timeout_ms);
  if (!out_end.ok()) return out_end.status();
  r.outputs = *out_end - out_start_sum;
  if (r.outputs != expected) {
    return absl::InternalError(
        absl::StrCat(name, ": ", r.outputs, " outputs, expected ", expected));
  }
  for (const std::string& t : changelog_topics) {
    auto n = WaitForTopic(admin->get(), t, env.timeout_ms);
    if (!n.ok()) return n.status();
    auto s = SumHighWatermarks(admin->get(), t, *n, env.timeout_ms);
    if (!s.ok()) return s.status();
    r.changelog_records += *s;
  }
  if (auto s = Verify(env, topo, output_topic, *out_partitions, *out_start); !s.ok()) return s;
  return r;
}

void PrintRun(const Env& env, const RunResult& r) {
  const auto records = static_cast<double>(env.input.clicks.size());
  const char* name = TopoName(r.topo);
  fmt::print(
      "[rill {}] {:.0f} records: every output acknowledged after {:.3f} s ({:.0f} records/s, "
      "{:.2f} CPU s), close() returned after {:.3f} s ({:.0f} records/s, {:.2f} CPU s); {} "
      "output records, {} changelog records; RUNNING after {:.3f} s, first record processed "
      "after {:.3f} s{}; results checked\n",
      name, records, r.seconds, records / r.seconds, r.cpu_seconds, r.closed_seconds,
      records / r.closed_seconds, r.closed_cpu_seconds, r.outputs, r.changelog_records,
      r.startup_seconds, r.first_record_seconds,
      r.table_load_seconds >= 0
          ? fmt::format("; table loaded beforehand in {:.3f} s (not timed)", r.table_load_seconds)
          : "");
  fmt::print(
      "result target=rill mode=streams-windows workload={} records={:.0f} seconds={:.3f} "
      "records_per_sec={:.0f} closed_seconds={:.3f} closed_records_per_sec={:.0f} "
      "output_records={} changelog_records={} cpu_seconds={:.2f} closed_cpu_seconds={:.2f} "
      "startup_seconds={:.3f} first_record_seconds={:.3f} close_seconds={:.3f} "
      "commit_interval_ms={}\n",
      name, records, r.seconds, records / r.seconds, r.closed_seconds, records / r.closed_seconds,
      r.outputs, r.changelog_records, r.cpu_seconds, r.closed_cpu_seconds, r.startup_seconds,
      r.first_record_seconds, r.close_seconds, env.commit_interval_ms);
  std::fflush(stdout);
}

// Throughput ratios to the stateless run: until the outputs, and until close() returned.
void PrintRatio(const RunResult& r, const RunResult& base) {
  const double ratio = base.seconds / r.seconds;
  const double closed_ratio = base.closed_seconds / r.closed_seconds;
  const double cpu_ratio = r.cpu_seconds / base.cpu_seconds;
  const char* name = TopoName(r.topo);
  fmt::print(
      "[ratio {}] throughput {} / stateless = {:.3f} (until close() returned: {:.3f}); CPU "
      "seconds {} / stateless = {:.2f}\n",
      name, name, ratio, closed_ratio, name, cpu_ratio);
  fmt::print(
      "result target=ratio mode=streams-windows workload={} vs=stateless ratio={:.4f} "
      "closed_ratio={:.4f} cpu_ratio={:.3f}\n",
      name, ratio, closed_ratio, cpu_ratio);
  std::fflush(stdout);
}

}  // namespace

int RunStreamsWindowsBench(const std::string& bootstrap_arg, const Workload& w,
                           const StreamsWindowsWorkload& s) {
  // The runtime's and the broker's info logs (joins, task counts) would bury the results.
  spdlog::set_level(spdlog::level::warn);
  Env env;
  env.timeout_ms = w.timeout_ms;
  env.commit_interval_ms = s.commit_interval_ms;
  for (const auto& [k, v] : w.user_props) {
    // options.cc lets only consumer.* and producer.* through.
    (k.rfind("consumer.", 0) == 0 ? env.consumer_props : env.producer_props)
        .emplace_back(k.substr(k.find('.') + 1), v);
  }
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  env.run_id = std::to_string(now_ms);
  std::unique_ptr<broker::EmbeddedCluster> cluster;
  env.bootstrap = bootstrap_arg;
  if (env.bootstrap.empty()) {
    broker::EmbeddedClusterOptions options;
    // The first join of each application's group would otherwise wait Kafka's 3 s.
    options.node_template.group.initial_rebalance_delay_ms = 0;
    cluster = std::make_unique<broker::EmbeddedCluster>(options);
    if (absl::Status st = cluster->Start(); !st.ok()) {
      fmt::print(stderr, "rill-perf: starting the embedded broker: {}\n", st.ToString());
      return 1;
    }
    env.bootstrap = cluster->bootstrap_servers();
    fmt::print(
        "[streams-windows] Rill broker embedded in this process on {} (data in {}): broker, "
        "clients and applications share this machine's {} core(s)\n",
        env.bootstrap, cluster->data_dir(), std::thread::hardware_concurrency());
  } else {
    fmt::print("[streams-windows] broker at {}\n", env.bootstrap);
  }
  char state_template[] = "/tmp/rill-perf-windows.XXXXXX";
  if (mkdtemp(state_template) == nullptr) {
    fmt::print(stderr, "rill-perf: cannot create a temp state dir\n");
    return 1;
  }
  env.state_root = state_template;
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } remove_state{env.state_root};

  Input& in = env.input;
  in.partitions = w.partitions;
  in.clicks_topic = absl::StrCat("rill-perf-clicks-", env.run_id);
  in.users_topic = absl::StrCat("rill-perf-users-", env.run_id);
  const auto generate_start = Clock::now();
  // Event time ends about an hour before now: recent enough for the broker's time-based
  // retention (7 days by record timestamp) to keep everything.
  const int64_t clicks_per_minute = kUsers * kActiveMinutes / kCycleMinutes * kClicksPerActiveMinute;
  in.t0 = (now_ms - (s.records / clicks_per_minute + 60) * kMinuteMs) / kMinuteMs * kMinuteMs;
  in.clicks = GenerateClicks(s.records, in.t0);
  if (absl::Status st = ExpectResults(&in); !st.ok()) {
    fmt::print(stderr, "rill-perf: {}\n", st.ToString());
    return 1;
  }
  in.event_minutes = (in.clicks.back().arrival - in.t0) / kMinuteMs + 1;

  std::vector<std::pair<Topo, std::string>> outputs;
  std::vector<streams::TopicSpec> topics = {{in.clicks_topic, w.partitions, w.replication_factor},
                                            {in.users_topic, w.partitions, w.replication_factor}};
  for (Topo t : kTopos) {
    outputs.emplace_back(t, absl::StrCat("rill-perf-windows-", TopoName(t), "-out-", env.run_id));
    topics.push_back({outputs.back().second, w.partitions, w.replication_factor});
  }
  if (absl::Status st = streams::CreateTopicsIfMissing(env.bootstrap, topics, w.timeout_ms);
      !st.ok()) {
    fmt::print(stderr, "rill-perf: creating topics: {}\n", st.ToString());
    return 1;
  }
  if (absl::Status st = ProduceInput(env, &in); !st.ok()) {
    fmt::print(stderr, "rill-perf: {}\n", st.ToString());
    return 1;
  }
  fmt::print(
      "[streams-windows] input: {} clicks ({:.1f} MB of keys and values) of {} users over {} "
      "minutes of event time to {} ({} partitions, partition = user % {}), {} profiles to {}; "
      "generated, checked and produced in {:.2f} s (not timed)\n",
      in.clicks.size(), in.bytes / 1e6, kUsers, in.event_minutes, in.clicks_topic,
      in.partitions, in.partitions, kUsers, in.users_topic,
      Seconds(generate_start, Clock::now()));
  fmt::print(
      "[streams-windows] expected: {} 1-minute windows; {} 5-minute windows hopping by 1 min "
      "({} updates); sessions (gap 5 min, grace 2 min): {} clicks start one, {} extend one, {} "
      "merge two ({} late clicks), {} sessions at the end\n",
      in.tumbling.size(), in.hopping.size(), in.hopping_updates, in.session_starts,
      in.session_extends, in.session_merges, in.late_clicks, in.sessions.size());
  fmt::print(
      "[streams-windows] Rill: 1 stream thread, at_least_once, commit.interval.ms={}, RocksDB "
      "stores with changelogs; allocator: {}\n",
      env.commit_interval_ms,
      dlsym(RTLD_DEFAULT, "mallctl") != nullptr ? "jemalloc" : "glibc malloc");
  for (const auto& [k, v] : env.consumer_props) fmt::print("[streams-windows] every consumer: {}={}\n", k, v);
  for (const auto& [k, v] : env.producer_props) fmt::print("[streams-windows] every producer: {}={}\n", k, v);
  std::fflush(stdout);

  std::optional<RunResult> baseline;
  bool ok = true;
  for (const auto& [topo, output] : outputs) {
    // Each run's writes reach the disk before the next starts (streams_bench.cc's reason).
    ::sync();
    auto r = RunTopology(env, topo, output);
    if (!r.ok()) {
      fmt::print(stderr, "rill-perf: [rill {}] {}\n", TopoName(topo), r.status().ToString());
      ok = false;
      continue;
    }
    PrintRun(env, *r);
    if (topo == Topo::kStateless) {
      baseline = *r;
    } else if (baseline) {
      PrintRatio(*r, *baseline);
    }
  }
  return ok ? 0 : 1;
}

}  // namespace rill::perf
