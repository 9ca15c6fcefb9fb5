#include "streams/runtime/assignor.h"

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>
#include <utility>

namespace rill::streams {
namespace {

// Below -1 ("state present, position unknown"): the process has no state for the task.
constexpr int64_t kNoState = std::numeric_limits<int64_t>::min();

struct MemberState {
  const ClientSubscription* sub = nullptr;
  int process = 0;
  std::set<TaskId> previous_active;
  std::vector<TaskId> active;
  std::vector<TaskId> standby;
  std::map<int32_t, int> active_per_subtopology;
};

struct ProcessState {
  std::vector<int> members;         // indexes into the member table, ascending
  std::map<TaskId, int64_t> state;  // best offset sum any of its members reported
  int active = 0;
  int standby = 0;
};

// Compares a/na with b/nb without division (load per member of two processes).
int CompareRatio(int a, int na, int b, int nb) {
  const int64_t l = static_cast<int64_t>(a) * nb;
  const int64_t r = static_cast<int64_t>(b) * na;
  return l < r ? -1 : (l > r ? 1 : 0);
}

class Assigner {
 public:
  explicit Assigner(const AssignorInput& input) : num_standby_(input.num_standby_replicas) {
    std::set<TaskId> tasks(input.all_tasks.begin(), input.all_tasks.end());
    tasks_.assign(tasks.begin(), tasks.end());
    // Partition-major order interleaves sub-topologies, so that wherever the passes below
    // walk tasks in order and fill members up to their share, each member ends up with a mix
    // of sub-topologies instead of all partitions of one.
    std::sort(tasks_.begin(), tasks_.end(), [](const TaskId& a, const TaskId& b) {
      return std::tie(a.partition, a.subtopology) < std::tie(b.partition, b.subtopology);
    });

    std::map<std::string, const ClientSubscription*> by_id;
    for (const ClientSubscription& m : input.members) by_id.emplace(m.member_id, &m);
    std::map<std::string, int> process_index;
    for (const auto& [id, sub] : by_id) {
      MemberState m;
      m.sub = sub;
      // An unknown process id cannot be shared with anyone: treat the member as its own
      // process (keyed so that it cannot collide with a real process id).
      const std::string key =
          sub->process_id.empty() ? std::string(1, '\0') + "member:" + id : sub->process_id;
      auto [it, inserted] = process_index.emplace(key, static_cast<int>(processes_.size()));
      if (inserted) processes_.emplace_back();
      m.process = it->second;
      for (const TaskId& t : sub->previous_active) {
        if (tasks.contains(t)) m.previous_active.insert(t);
      }
      ProcessState& p = processes_[m.process];
      p.members.push_back(static_cast<int>(members_.size()));
      for (const auto& [t, sum] : sub->task_offset_sums) {
        if (!tasks.contains(t)) continue;
        auto [s, fresh] = p.state.emplace(t, sum);
        if (!fresh) s->second = std::max(s->second, sum);
      }
      members_.push_back(std::move(m));
    }
  }

  std::map<std::string, TaskAssignment> Run() {
    std::map<std::string, TaskAssignment> out;
    if (members_.empty()) return out;
    AssignActive();
    AssignStandby();
    for (MemberState& m : members_) {
      TaskAssignment& a = out[m.sub->member_id];
      std::sort(m.active.begin(), m.active.end());
      std::sort(m.standby.begin(), m.standby.end());
      a.active = std::move(m.active);
      a.standby = std::move(m.standby);
    }
    return out;
  }

 private:
  int64_t StateOf(int process, const TaskId& t) const {
    const auto& state = processes_[process].state;
    auto it = state.find(t);
    return it == state.end() ? kNoState : it->second;
  }

  // Active shares: every member gets base = N/M tasks and N%M of them one more. Which members
  // take the extra ones is decided as the passes go (first come), so stickiness can use them.
  bool HasRoom(int m) const {
    const int count = static_cast<int>(members_[m].active.size());
    return count < base_ || (count == base_ && extras_used_ < extras_);
  }

  void GiveActive(int m, const TaskId& t) {
    MemberState& member = members_[m];
    if (static_cast<int>(member.active.size()) == base_) ++extras_used_;
    member.active.push_back(t);
    ++member.active_per_subtopology[t.subtopology];
    ++processes_[member.process].active;
    owner_[t] = m;
  }

  // Least-loaded process first (per member, so a process with more threads takes
  // proportionally more), then least-loaded member, then the member with the fewest tasks of
  // the same sub-topology; the index makes it deterministic.
  bool BetterActiveCandidate(int a, int b, const TaskId& t) const {
    const MemberState& ma = members_[a];
    const MemberState& mb = members_[b];
    if (ma.process != mb.process) {
      const ProcessState& pa = processes_[ma.process];
      const ProcessState& pb = processes_[mb.process];
      const int c = CompareRatio(pa.active, static_cast<int>(pa.members.size()), pb.active,
                                 static_cast<int>(pb.members.size()));
      if (c != 0) return c < 0;
    }
    if (ma.active.size() != mb.active.size()) return ma.active.size() < mb.active.size();
    const int sa = SubtopologyCount(ma, t.subtopology);
    const int sb = SubtopologyCount(mb, t.subtopology);
    if (sa != sb) return sa < sb;
    return a < b;
  }

  static int SubtopologyCount(const MemberState& m, int32_t subtopology) {
    auto it = m.active_per_subtopology.find(subtopology);
    return it == m.active_per_subtopology.end() ? 0 : it->second;
  }

  void AssignActive() {
    const int n = static_cast<int>(tasks_.size());
    const int num_members = static_cast<int>(members_.size());
    base_ = n / num_members;
    extras_ = n % num_members;

    // 1. Sticky: the previous owner keeps the task while within its share. Two claimants
    // (a zombie and its successor) are ranked by how much state their process has.
    for (const TaskId& t : tasks_) {
      std::vector<int> claimants;
      for (int m = 0; m < num_members; ++m) {
        if (members_[m].previous_active.contains(t)) claimants.push_back(m);
      }
      std::stable_sort(claimants.begin(), claimants.end(), [&](int a, int b) {
        return StateOf(members_[a].process, t) > StateOf(members_[b].process, t);
      });
      for (int m : claimants) {
        if (HasRoom(m)) {
          GiveActive(m, t);
          break;
        }
      }
    }

    // 2. State-aware: a process that has the task's state locally, most advanced first.
    for (const TaskId& t : tasks_) {
      if (owner_.contains(t)) continue;
      std::vector<int> holders;
      for (int p = 0; p < static_cast<int>(processes_.size()); ++p) {
        if (StateOf(p, t) != kNoState) holders.push_back(p);
      }
      std::stable_sort(holders.begin(), holders.end(),
                       [&](int a, int b) { return StateOf(a, t) > StateOf(b, t); });
      for (int p : holders) {
        int best = -1;
        for (int m : processes_[p].members) {
          if (HasRoom(m) && (best < 0 || BetterActiveCandidate(m, best, t))) best = m;
        }
        if (best >= 0) {
          GiveActive(best, t);
          break;
        }
      }
    }

    // 3. Balance: the rest to whoever has room, least-loaded first. The shares add up to
    // exactly N, so a member with room always exists here.
    for (const TaskId& t : tasks_) {
      if (owner_.contains(t)) continue;
      int best = -1;
      for (int m = 0; m < num_members; ++m) {
        if (HasRoom(m) && (best < 0 || BetterActiveCandidate(m, best, t))) best = m;
      }
      GiveActive(best, t);
    }
  }

  // Processes that may host another standby of `t`: not the active's, not one with a
  // standby of `t` already.
  bool StandbyAllowed(int process, const TaskId& t, const std::set<int>& used) const {
    return process != members_[owner_.at(t)].process && !used.contains(process);
  }

  bool BetterStandbyCandidate(int a, int b) const {
    const MemberState& ma = members_[a];
    const MemberState& mb = members_[b];
    if (ma.standby.size() != mb.standby.size()) return ma.standby.size() < mb.standby.size();
    if (ma.process != mb.process) {
      const ProcessState& pa = processes_[ma.process];
      const ProcessState& pb = processes_[mb.process];
      const int c = CompareRatio(pa.standby, static_cast<int>(pa.members.size()), pb.standby,
                                 static_cast<int>(pb.members.size()));
      if (c != 0) return c < 0;
    }
    const size_t la = ma.active.size() + ma.standby.size();
    const size_t lb = mb.active.size() + mb.standby.size();
    if (la != lb) return la < lb;
    return a < b;
  }

  void GiveStandby(int m, const TaskId& t, std::set<int>& used) {
    members_[m].standby.push_back(t);
    ++processes_[members_[m].process].standby;
    used.insert(members_[m].process);
  }

  void AssignStandby() {
    const int num_processes = static_cast<int>(processes_.size());
    if (num_standby_ <= 0 || num_processes < 2) return;
    const int per_task = std::min(num_standby_, num_processes - 1);
    const int64_t total = static_cast<int64_t>(per_task) * static_cast<int64_t>(tasks_.size());
    const int64_t num_members = static_cast<int64_t>(members_.size());
    // The state pass may fill a member only up to an even share, so state-awareness cannot
    // pile every standby onto the one process that happens to have all the state.
    const size_t share = static_cast<size_t>((total + num_members - 1) / num_members);
    std::map<TaskId, std::set<int>> used;

    // 1. State-aware, most advanced first.
    for (const TaskId& t : tasks_) {
      std::set<int>& u = used[t];
      std::vector<int> holders;
      for (int p = 0; p < num_processes; ++p) {
        if (StateOf(p, t) != kNoState && StandbyAllowed(p, t, u)) holders.push_back(p);
      }
      std::stable_sort(holders.begin(), holders.end(),
                       [&](int a, int b) { return StateOf(a, t) > StateOf(b, t); });
      for (int p : holders) {
        if (static_cast<int>(u.size()) >= per_task) break;
        int best = -1;
        for (int m : processes_[p].members) {
          if (members_[m].standby.size() < share && (best < 0 || BetterStandbyCandidate(m, best))) {
            best = m;
          }
        }
        if (best >= 0) GiveStandby(best, t, u);
      }
    }

    // 2. Balance: least-loaded allowed member for each missing replica.
    for (const TaskId& t : tasks_) {
      std::set<int>& u = used[t];
      while (static_cast<int>(u.size()) < per_task) {
        int best = -1;
        for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
          if (StandbyAllowed(members_[m].process, t, u) &&
              (best < 0 || BetterStandbyCandidate(m, best))) {
            best = m;
          }
        }
        if (best < 0) break;
        GiveStandby(best, t, u);
      }
    }
  }

  const int num_standby_;
  std::vector<TaskId> tasks_;
  std::vector<MemberState> members_;  // by member id
  std::vector<ProcessState> processes_;
  std::map<TaskId, int> owner_;
  int base_ = 0;
  int extras_ = 0;
  int extras_used_ = 0;
};

}  // namespace

std::map<std::string, TaskAssignment> AssignTasks(const AssignorInput& input) {
  return Assigner(input).Run();
}

}  // namespace rill::streams
