// Consumer-group join and rebalance timings over librdkafka's high-level consumer
// (see group_bench.h).
#include "group_bench.h"

#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kafka_client.h"

namespace rill::perf {
namespace {

using Clock = std::chrono::steady_clock;

// What the members hold, fed by their rebalance callbacks (each on its member's poll
// thread), and the first moment since Arm() at which the live members together held
// every partition exactly once.
class GroupTracker {
 public:
  GroupTracker(std::string topic, int partitions)
      : topic_(std::move(topic)), partitions_(partitions) {}

  // Starts a measurement in which only `live` members count.
  void Arm(const std::vector<int>& live) {
    std::lock_guard<std::mutex> lock(mu_);
    live_ = std::set<int>(live.begin(), live.end());
    covered_at_.reset();
    assign_events_ = 0;
    EvaluateLocked();
  }

  void Assigned(int member, const rd_kafka_topic_partition_list_t* parts, bool incremental) {
    std::lock_guard<std::mutex> lock(mu_);
    MemberState& state = members_[member];
    if (!incremental) state.owned.clear();
    for (int i = 0; i < parts->cnt; ++i) {
      if (topic_ == parts->elems[i].topic) state.owned.insert(parts->elems[i].partition);
    }
    state.assigned = true;
    ++assign_events_;
    EvaluateLocked();
  }

  void Revoked(int member, const rd_kafka_topic_partition_list_t* parts, bool incremental) {
    std::lock_guard<std::mutex> lock(mu_);
    MemberState& state = members_[member];
    if (!incremental || parts == nullptr) {
      state.owned.clear();
    } else {
      for (int i = 0; i < parts->cnt; ++i) {
        if (topic_ == parts->elems[i].topic) state.owned.erase(parts->elems[i].partition);
      }
    }
  }

  void Error(const std::string& message) {
    std::lock_guard<std::mutex> lock(mu_);
    if (errors_++ == 0) first_error_ = message;
  }

  // The time the live members first covered the topic, or nullopt at the deadline.
  std::optional<Clock::time_point> Wait(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline, [this] { return covered_at_.has_value(); });
    return covered_at_;
  }

  int assign_events() {
    std::lock_guard<std::mutex> lock(mu_);
    return assign_events_;
  }

  // Who holds what, for a timeout message.
  std::string Describe() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (int m : live_) {
      const MemberState& state = members_[m];
      out += fmt::format(" member {}: {} partition(s){};", m, state.owned.size(),
                         state.assigned ? "" : " (never assigned)");
    }
    return out;
  }

  void CountErrors(int64_t* errors, std::string* first_error) {
    std::lock_guard<std::mutex> lock(mu_);
    *errors = errors_;
    *first_error = first_error_;
  }

 private:
  struct MemberState {
    std::set<int32_t> owned;
    bool assigned = false;  // has had at least one ASSIGN_PARTITIONS callback
  };

  void EvaluateLocked() {
    if (covered_at_ || live_.empty()) return;
    std::vector<int> holders(partitions_, 0);
    for (int m : live_) {
      const MemberState& state = members_[m];
      if (!state.assigned) return;
      // With at least as many partitions as members, every assignor gives everyone some.
      if (state.owned.empty() && static_cast<int>(live_.size()) <= partitions_) return;
      for (int32_t p : state.owned) {
        if (p >= 0 && p < partitions_) ++holders[p];
      }
    }
    for (int count : holders) {
      if (count != 1) return;
    }
    covered_at_ = Clock::now();
    cv_.notify_all();
  }

  const std::string topic_;
  const int partitions_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, MemberState> members_;
  std::set<int> live_;
  std::optional<Clock::time_point> covered_at_;
  int assign_events_ = 0;
  int64_t errors_ = 0;
  std::string first_error_;
};

// One group member: a high-level consumer and the thread that polls it.
struct Member {
  int index = 0;
  GroupTracker* tracker = nullptr;
  KafkaPtr rk;
  std::thread poller;
  std::atomic<bool> stop{false};

  ~Member() { StopPolling(); }

  void StartPolling() {
    poller = std::thread([this] {
      while (!stop.load(std::memory_order_relaxed)) {
        // Rebalance callbacks run inside this call; the short timeout bounds StopPolling().
        rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 20);
        if (msg == nullptr) continue;
        if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR &&
            msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          tracker->Error(rd_kafka_message_errstr(msg));
        }
        rd_kafka_message_destroy(msg);
      }
    });
  }

  void StopPolling() {
    stop = true;
    if (poller.joinable()) poller.join();
  }
};

using Members = std::vector<std::unique_ptr<Member>>;

void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                 void* opaque) {
  auto* member = static_cast<Member*>(opaque);
  const bool incremental = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (incremental) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) {
        member->tracker->Error(rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
      }
    } else if (rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts)) {
      member->tracker->Error(rd_kafka_err2str(e));
    }
    member->tracker->Assigned(member->index, parts, incremental);
    return;
  }
  // REVOKE_PARTITIONS, or an error, after which librdkafka asks for everything to go.
  if (incremental && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) {
      member->tracker->Error(rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
    member->tracker->Revoked(member->index, parts, /*incremental=*/true);
    return;
  }
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) member->tracker->Error(rd_kafka_err2str(err));
  rd_kafka_assign(rk, nullptr);
  member->tracker->Revoked(member->index, nullptr, /*incremental=*/false);
}

KafkaProps GroupConsumerSettings(const GroupWorkload& g, const std::string& group_id) {
  // Everything else stays at librdkafka's defaults (heartbeat.interval.ms=3000 among them),
  // as an application would have it.
  return {{"group.id", group_id},
          {"partition.assignment.strategy", g.assignor},
          {"session.timeout.ms", std::to_string(g.session_timeout_ms)}};
}

// Creates `count` members of `group_id` and starts their poll threads; they subscribe
// only in Subscribe(), so connecting is not part of any measurement.
absl::StatusOr<Members> CreateMembers(const Target& target, const Workload& w,
                                      const GroupWorkload& g, const std::string& group_id,
                                      int count, GroupTracker* tracker, bool print_settings) {
  Members members;
  for (int i = 0; i < count; ++i) {
    auto member = std::make_unique<Member>();
    member->index = i;
    member->tracker = tracker;
    ClientSpec spec;
    spec.type = RD_KAFKA_CONSUMER;
    spec.bootstrap = target.bootstrap;
    spec.settings = GroupConsumerSettings(g, group_id);
    spec.user_props = w.user_props;
    Member* raw = member.get();
    spec.customize = [raw](rd_kafka_conf_t* conf) {
      rd_kafka_conf_set_rebalance_cb(conf, OnRebalance);
      rd_kafka_conf_set_opaque(conf, raw);
    };
    auto rk = NewClient(spec);
    if (!rk.ok()) return rk.status();
    member->rk = *std::move(rk);
    // Route every event (rebalances, errors) to the queue rd_kafka_consumer_poll serves.
    rd_kafka_poll_set_consumer(member->rk.get());
    // A metadata round trip: the member is connected before any clock starts.
    if (auto ready = WaitForTopic(member->rk.get(), w.topic, w.timeout_ms); !ready.ok()) {
      return ready.status();
    }
    if (print_settings && i == 0) {
      std::vector<std::pair<std::string, std::string>> shown;
      for (const char* key :
           {"partition.assignment.strategy", "session.timeout.ms", "heartbeat.interval.ms",
            "max.poll.interval.ms", "enable.auto.commit"}) {
        shown.emplace_back(key, EffectiveConfig(member->rk.get(), key));
      }
      PrintSettings(target.label, "group consumer", shown);
    }
    member->StartPolling();
    members.push_back(std::move(member));
  }
  return members;
}

absl::Status Subscribe(Member& member, const std::string& topic) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(member.rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("subscribe to ", topic, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

std::vector<int> Indexes(const Members& members) {
  std::vector<int> out;
  for (const auto& m : members) out.push_back(m->index);
  return out;
}

// Waits for coverage after `trigger`; returns the elapsed milliseconds.
absl::StatusOr<double> WaitCovered(GroupTracker& tracker, Clock::time_point trigger,
                                   const Workload& w, const std::string& what) {
  auto covered = tracker.Wait(trigger + std::chrono::milliseconds(w.timeout_ms));
  if (!covered) {
    return absl::DeadlineExceededError(absl::StrCat(what, ": partitions not all held after ",
                                                    w.timeout_ms, " ms;", tracker.Describe()));
  }
  return std::chrono::duration<double, std::milli>(*covered - trigger).count();
}

// Closes every member at once (each close leaves the group), so teardown costs one round.
void CloseAll(Members& members) {
  std::vector<std::thread> closers;
  for (auto& m : members) {
    m->StopPolling();
    closers.emplace_back([&m] {
      rd_kafka_consumer_close(m->rk.get());
      m->rk.reset();
    });
  }
  for (std::thread& t : closers) t.join();
  members.clear();
}

// Forms a group of `count` members (subscribed one after another, without waiting) and
// waits until it is stable; *timing gets the join time.
absl::StatusOr<Members> FormGroup(const Target& target, const Workload& w, const GroupWorkload& g,
                                  const std::string& group_id, int count, GroupTracker& tracker,
                                  bool print_settings, GroupTiming* timing) {
  auto members = CreateMembers(target, w, g, group_id, count, &tracker, print_settings);
  if (!members.ok()) return members.status();
  tracker.Arm(Indexes(*members));
  const auto start = Clock::now();
  for (auto& m : *members) {
    if (auto s = Subscribe(*m, w.topic); !s.ok()) return s;
  }
  auto ms = WaitCovered(tracker, start, w, absl::StrCat("join of ", count, " member(s)"));
  if (!ms.ok()) return ms.status();
  timing->scenario = "join";
  timing->members = count;
  timing->ms = *ms;
  timing->assign_events = tracker.assign_events();
  return members;
}

void AddErrors(GroupTracker& tracker, GroupResult* result) {
  int64_t errors = 0;
  std::string first_error;
  tracker.CountErrors(&errors, &first_error);
  if (result->errors == 0 && errors > 0) result->first_error = first_error;
  result->errors += errors;
}

// Removes the last member of a stable group of g.rebalance_members, by a clean close
// (leave) or by destroying it without one (kill), and times the survivors' takeover.
absl::StatusOr<GroupTiming> RunDeparture(const Target& target, const Workload& w,
                                         const GroupWorkload& g, const std::string& group_id,
                                         int partitions, bool kill, bool print_settings,
                                         GroupResult* result) {
  GroupTracker tracker(w.topic, partitions);
  GroupTiming formed;
  auto members =
      FormGroup(target, w, g, group_id, g.rebalance_members, tracker, print_settings, &formed);
  if (!members.ok()) return members.status();
  // Let the consumers finish what follows an assignment (offset lookups, first fetches)
  // so the departure hits a settled group, as it would in production.
  std::this_thread::sleep_for(std::chrono::seconds(1));

  std::unique_ptr<Member> victim = std::move(members->back());
  members->pop_back();
  victim->StopPolling();
  tracker.Arm(Indexes(*members));
  const auto start = Clock::now();
  if (kill) {
    // No LeaveGroup and no commit: the coordinator only learns from the session timeout.
    rd_kafka_destroy_flags(victim->rk.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  } else {
    rd_kafka_consumer_close(victim->rk.get());
    victim->rk.reset();
  }
  GroupTiming timing;
  timing.scenario = kill ? "kill" : "leave";
  timing.members = g.rebalance_members;
  auto ms = WaitCovered(tracker, start, w,
                        absl::StrCat(timing.scenario, " of 1 of ", timing.members, " member(s)"));
  timing.assign_events = tracker.assign_events();
  CloseAll(*members);
  AddErrors(tracker, result);
  if (!ms.ok()) return ms.status();
  timing.ms = *ms;
  return timing;
}

}  // namespace

absl::StatusOr<GroupResult> RunGroup(const Target& target, const Workload& w,
                                     const GroupWorkload& g, int partitions) {
  if (target.mock != nullptr) {
    fmt::print(
        "[{}] note: the librdkafka 2.0.2 mock elects a leader 3000 ms after the first "
        "JoinGroup of an empty group; a rebalance of a stable group waits session.timeout.ms "
        "- 1000 ms for rejoins (it does not stop early when all have rejoined); sessions are "
        "checked once a second\n",
        target.label);
  }
  // Group ids unique to this run: the broker keeps groups (and their offsets) across runs.
  const uint64_t nonce =
      std::random_device()() ^ static_cast<uint64_t>(Clock::now().time_since_epoch().count());
  auto group_id = [&](const std::string& scenario, int members) {
    return fmt::format("rill-perf-{}-{}-{:x}", scenario, members, nonce);
  };
  GroupResult result;
  result.label = target.label;
  bool first = true;
  if (g.join) {
    for (int n : g.join_members) {
      GroupTracker tracker(w.topic, partitions);
      GroupTiming timing;
      auto members = FormGroup(target, w, g, group_id("join", n), n, tracker, first, &timing);
      first = false;
      if (!members.ok()) return members.status();
      CloseAll(*members);
      AddErrors(tracker, &result);
      result.timings.push_back(timing);
      fmt::print("[{}] group join with {} member(s): {:.1f} ms\n", target.label, n, timing.ms);
    }
  }
  for (bool kill : {false, true}) {
    if (kill ? !g.kill : !g.leave) continue;
    auto timing = RunDeparture(target, w, g, group_id(kill ? "kill" : "leave", g.rebalance_members),
                               partitions, kill, first, &result);
    first = false;
    if (!timing.ok()) return timing.status();
    result.timings.push_back(*timing);
    fmt::print("[{}] group {} with {} member(s): {:.1f} ms\n", target.label, timing->scenario,
               timing->members, timing->ms);
  }
  return result;
}

}  // namespace rill::perf
