// Windowed counts and a stream-table join versus a stateless topology, in one run (see
// streams_windows_bench.h).
#include "streams_windows_bench.h"

#include <fmt/core.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kafka_client.h"
#include "streams/dsl/streams_builder.h"
#include "streams/dsl/windows.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"
#include "streams/runtime/kafka_streams.h"
#include "streams_bench_common.h"

namespace rill::perf {
namespace {

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

std::string UserKey(int user) { return absl::StrCat("user-", user); }
std::string PageValue(int page) { return absl::StrCat("/page/", page); }
std::string Profile(int user) {
  return absl::StrCat("profile-", user, ";tier=", user % 3, ";region=", user % 7);
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
struct Env : BenchEnv {
  Input input;
};

// Produces the users table (one profile per user) and the clicks, click i's user on
// partition user % partitions of both topics (co-partitioned). Not timed.
absl::Status ProduceInput(const Env& env, Input* in) {
  DeliveryCounts counts;
  auto producer = NewInputProducer(env, &counts);
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
    const std::string key = UserKey(u);
    const std::string profile = Profile(u);
    if (auto s = Produce(rk, in->users_topic, PartitionOf(u, in->partitions), key.data(),
                         key.size(), profile.data(), profile.size(), in->t0 - 1);
        !s.ok()) {
      return s;
    }
  }
  for (const Click& c : in->clicks) {
    const std::string key = UserKey(c.user);
    const std::string value = PageValue(c.page);
    if (auto s = Produce(rk, in->clicks_topic, PartitionOf(c.user, in->partitions), key.data(),
                         key.size(), value.data(), value.size(), c.timestamp);
        !s.ok()) {
      return s;
    }
    in->bytes += static_cast<int64_t>(key.size() + value.size());
    rd_kafka_poll(rk, 0);
  }
  return FlushInput(rk, counts, env.timeout_ms);
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
  return AppConfig(env, absl::StrCat("rill-perf-windows-", TopoName(topo), "-", env.run_id),
                   TopoName(topo));
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

  auto out = WatchOutput(env, output_topic);
  if (!out.ok()) return out.status();
  const int64_t expected = ExpectedOutputs(in, topo);

  streams::Topology topology = BuildTopology(topo, in, output_topic);
  const InternalTopicNames internal = InternalTopicsOf(topology, config.application_id);

  streams::KafkaStreams app(std::move(topology), config);
  int64_t outputs = 0;
  auto done = [&](double) -> absl::StatusOr<bool> {
    auto written = out->Written();
    if (!written.ok()) return written.status();
    outputs = *written;
    return outputs >= expected;
  };
  auto run = RunUntilDone(app, name, env.timeout_ms, done, [&] {
    return absl::StrCat(outputs, " of ", expected, " outputs within the timeout");
  });
  if (!run.ok()) return run.status();
  r.startup_seconds = run->startup_seconds;
  r.first_record_seconds = run->first_record_seconds;
  r.seconds = run->done_seconds;
  r.cpu_seconds = run->done_cpu_seconds;
  // The final commit: RocksDB flushed, changelog and outputs acknowledged, offsets committed.
  auto closed = CloseTimed(app, *run, absl::StrCat(name, ": close() timed out"));
  if (!closed.ok()) return closed.status();
  r.close_seconds = closed->close_seconds;
  r.closed_seconds = closed->closed_seconds;
  r.closed_cpu_seconds = closed->closed_cpu_seconds;

  auto written = out->Written();
  if (!written.ok()) return written.status();
  r.outputs = *written;
  if (r.outputs != expected) {
    return absl::InternalError(
        absl::StrCat(name, ": ", r.outputs, " outputs, expected ", expected));
  }
  auto changelog = SumTopicRecords(out->admin.get(), internal.changelog, env.timeout_ms);
  if (!changelog.ok()) return changelog.status();
  r.changelog_records = *changelog;
  if (auto s = Verify(env, topo, output_topic, out->partitions, out->start); !s.ok()) return s;
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
  Env env;
  BenchResources resources;
  if (!StartBench(bootstrap_arg, w, s.commit_interval_ms, "[streams-windows]",
                  "rill-perf-windows", &env, &resources)) {
    return 1;
  }

  Input& in = env.input;
  in.partitions = w.partitions;
  in.clicks_topic = absl::StrCat("rill-perf-clicks-", env.run_id);
  in.users_topic = absl::StrCat("rill-perf-users-", env.run_id);
  const auto generate_start = Clock::now();
  // Event time ends about an hour before now: recent enough for the broker's time-based
  // retention (7 days by record timestamp) to keep everything.
  const int64_t clicks_per_minute = kUsers * kActiveMinutes / kCycleMinutes * kClicksPerActiveMinute;
  in.t0 = (env.start_ms - (s.records / clicks_per_minute + 60) * kMinuteMs) / kMinuteMs * kMinuteMs;
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
  if (!CreateBenchTopics(env, topics)) return 1;
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
      env.commit_interval_ms, AllocatorName());
  PrintClientOverrides(env, "[streams-windows]", "");
  std::fflush(stdout);

  std::optional<RunResult> baseline;
  bool ok = true;
  for (const auto& [topo, output] : outputs) {
    SyncDisks();
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
