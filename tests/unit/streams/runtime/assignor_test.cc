// The streams task assignor: balance, stickiness when members leave or join, state-aware
// placement, standby placement, determinism, and the degenerate group sizes.
#include "streams/runtime/assignor.h"

#include <algorithm>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rill::streams {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSubsetOf;
using ::testing::SizeIs;

std::vector<TaskId> Tasks(int subtopologies, int partitions) {
  std::vector<TaskId> out;
  for (int s = 0; s < subtopologies; ++s) {
    for (int p = 0; p < partitions; ++p) out.push_back({s, p});
  }
  return out;
}

ClientSubscription Member(std::string id, std::string process, std::vector<TaskId> previous = {},
                          std::map<TaskId, int64_t> sums = {}) {
  ClientSubscription c;
  c.member_id = std::move(id);
  c.process_id = std::move(process);
  c.application_server = c.process_id + ":8080";
  c.previous_active = std::move(previous);
  c.task_offset_sums = std::move(sums);
  return c;
}

// The invariants every assignment must hold, whatever the input.
void CheckInvariants(const AssignorInput& input,
                     const std::map<std::string, TaskAssignment>& result) {
  std::set<std::string> ids;
  std::map<std::string, std::string> process_of;
  for (const ClientSubscription& m : input.members) {
    ids.insert(m.member_id);
    process_of.emplace(m.member_id, m.process_id.empty() ? "member:" + m.member_id : m.process_id);
  }
  ASSERT_EQ(result.size(), ids.size());
  std::set<TaskId> all(input.all_tasks.begin(), input.all_tasks.end());
  std::map<TaskId, std::string> active_process;
  size_t min_count = SIZE_MAX, max_count = 0;
  for (const auto& [id, a] : result) {
    ASSERT_TRUE(ids.contains(id)) << id;
    EXPECT_TRUE(std::is_sorted(a.active.begin(), a.active.end()));
    EXPECT_TRUE(std::is_sorted(a.standby.begin(), a.standby.end()));
    min_count = std::min(min_count, a.active.size());
    max_count = std::max(max_count, a.active.size());
    for (const TaskId& t : a.active) {
      EXPECT_TRUE(all.contains(t)) << t.ToString();
      EXPECT_TRUE(active_process.emplace(t, process_of[id]).second)
          << "task " << t.ToString() << " assigned twice";
    }
  }
  EXPECT_EQ(active_process.size(), all.size()) << "every task assigned";
  if (!result.empty()) {
    EXPECT_LE(max_count - min_count, 1u) << "balanced";
  }

  std::set<std::string> processes;
  for (const auto& [id, p] : process_of) processes.insert(p);
  const size_t want_standbys =
      std::min<size_t>(std::max(input.num_standby_replicas, 0), processes.size() - 1);
  std::map<TaskId, std::set<std::string>> standby_processes;
  for (const auto& [id, a] : result) {
    for (const TaskId& t : a.standby) {
      EXPECT_NE(active_process[t], process_of[id])
          << "standby of " << t.ToString() << " on the active's process";
      EXPECT_TRUE(standby_processes[t].insert(process_of[id]).second)
          << "two standbys of " << t.ToString() << " on one process";
    }
  }
  if (!result.empty()) {
    for (const TaskId& t : all) {
      EXPECT_EQ(standby_processes[t].size(), want_standbys) << t.ToString();
    }
  }
}

std::map<std::string, TaskAssignment> Assign(const AssignorInput& input) {
  auto result = AssignTasks(input);
  CheckInvariants(input, result);
  return result;
}

// Previous assignment -> the previous_active of each member that is still around.
void CarryOver(const std::map<std::string, TaskAssignment>& previous,
               std::vector<ClientSubscription>& members) {
  for (ClientSubscription& m : members) {
    auto it = previous.find(m.member_id);
    if (it != previous.end()) m.previous_active = it->second.active;
  }
}

TEST(AssignorTest, SingleMemberGetsEverything) {
  AssignorInput input{Tasks(2, 3), {Member("a", "p1")}, 0};
  auto result = Assign(input);
  ASSERT_THAT(result, SizeIs(1));
  EXPECT_THAT(result["a"].active, SizeIs(6));
  EXPECT_THAT(result["a"].standby, IsEmpty());
}

TEST(AssignorTest, SingleMemberWithStandbysGetsNoStandby) {
  AssignorInput input{Tasks(1, 4), {Member("a", "p1"), Member("b", "p1")}, 2};
  auto result = Assign(input);
  EXPECT_THAT(result["a"].standby, IsEmpty());
  EXPECT_THAT(result["b"].standby, IsEmpty());
}

TEST(AssignorTest, NoMembersNoAssignment) {
  EXPECT_THAT(AssignTasks({Tasks(1, 3), {}, 1}), IsEmpty());
}

TEST(AssignorTest, NoTasksEveryMemberStillListed) {
  auto result = Assign({{}, {Member("a", "p1"), Member("b", "p2")}, 1});
  ASSERT_THAT(result, SizeIs(2));
  EXPECT_THAT(result["a"].active, IsEmpty());
  EXPECT_THAT(result["b"].active, IsEmpty());
}

TEST(AssignorTest, MoreMembersThanTasks) {
  AssignorInput input{Tasks(1, 3),
                      {Member("a", "p1"), Member("b", "p1"), Member("c", "p2"), Member("d", "p2"),
                       Member("e", "p3")},
                      0};
  auto result = Assign(input);
  int with_one = 0;
  for (const auto& [id, a] : result) with_one += a.active.size() == 1 ? 1 : 0;
  EXPECT_EQ(with_one, 3);
  // One task per process before any process gets a second.
  std::map<std::string, int> per_process;
  for (const ClientSubscription& m : input.members) {
    per_process[m.process_id] += static_cast<int>(result[m.member_id].active.size());
  }
  EXPECT_EQ(per_process["p1"], 1);
  EXPECT_EQ(per_process["p2"], 1);
  EXPECT_EQ(per_process["p3"], 1);
}

TEST(AssignorTest, BalancedAcrossMembersAndProcesses) {
  AssignorInput input{Tasks(2, 4), {Member("a", "p1"), Member("b", "p1"), Member("c", "p2")}, 0};
  auto result = Assign(input);
  // 8 tasks over 3 threads: 3/3/2, and p1 (2 threads) gets about twice what p2 gets.
  const size_t p1 = result["a"].active.size() + result["b"].active.size();
  EXPECT_TRUE(p1 == 5 || p1 == 6) << p1;
}

TEST(AssignorTest, SpreadsAcrossProcessesBeforeThreads) {
  AssignorInput input{
      Tasks(1, 2),
      {Member("a1", "p1"), Member("a2", "p1"), Member("b1", "p2"), Member("b2", "p2")},
      0};
  auto result = Assign(input);
  EXPECT_EQ(result["a1"].active.size() + result["a2"].active.size(), 1u);
  EXPECT_EQ(result["b1"].active.size() + result["b2"].active.size(), 1u);
}

TEST(AssignorTest, SpreadsSubtopologies) {
  AssignorInput input{Tasks(2, 4), {Member("a", "p1"), Member("b", "p2")}, 0};
  auto result = Assign(input);
  for (const auto& [id, a] : result) {
    int sub0 = 0;
    for (const TaskId& t : a.active) sub0 += t.subtopology == 0 ? 1 : 0;
    EXPECT_EQ(sub0, 2) << id;
  }
}

TEST(AssignorTest, SurvivorsKeepTheirTasksWhenAMemberLeaves) {
  std::vector<ClientSubscription> members = {Member("a", "p1"), Member("b", "p2"),
                                             Member("c", "p3")};
  auto before = Assign({Tasks(3, 3), members, 0});
  members.erase(members.begin() + 1);  // b leaves
  CarryOver(before, members);
  auto after = Assign({Tasks(3, 3), members, 0});
  EXPECT_THAT(before["a"].active, IsSubsetOf(after["a"].active));
  EXPECT_THAT(before["c"].active, IsSubsetOf(after["c"].active));
  // b's tasks were split, not given to one survivor.
  EXPECT_THAT(after["a"].active, SizeIs(::testing::AnyOf(4, 5)));
}

TEST(AssignorTest, MembersKeepMostTasksWhenAMemberJoins) {
  std::vector<ClientSubscription> members = {Member("a", "p1"), Member("b", "p2")};
  auto before = Assign({Tasks(2, 3), members, 0});
  members.push_back(Member("c", "p3"));
  CarryOver(before, members);
  auto after = Assign({Tasks(2, 3), members, 0});
  EXPECT_THAT(after["a"].active, SizeIs(2));
  EXPECT_THAT(after["b"].active, SizeIs(2));
  EXPECT_THAT(after["c"].active, SizeIs(2));
  // Only what the newcomer needs moves.
  EXPECT_THAT(after["a"].active, IsSubsetOf(before["a"].active));
  EXPECT_THAT(after["b"].active, IsSubsetOf(before["b"].active));
}

TEST(AssignorTest, StickyAcrossManyRebalances) {
  std::vector<ClientSubscription> members = {Member("a", "p1"), Member("b", "p1"),
                                             Member("c", "p2"), Member("d", "p3")};
  AssignorInput input{Tasks(3, 8), members, 0};
  auto previous = Assign(input);
  // Unchanged group: nothing moves.
  CarryOver(previous, input.members);
  auto again = Assign(input);
  for (const auto& [id, a] : previous) EXPECT_EQ(again[id].active, a.active) << id;
}

TEST(AssignorTest, PrefersTheProcessWithTheMostState) {
  // Nobody ran 0_0 before; p2 restored more of it than p3.
  AssignorInput input{{{0, 0}, {0, 1}},
                      {Member("a", "p1"), Member("b", "p2", {}, {{{0, 0}, 10}}),
                       Member("c", "p3", {}, {{{0, 0}, 500}, {{0, 1}, 7}})},
                      0};
  auto result = Assign(input);
  EXPECT_THAT(result["c"].active, ElementsAre(TaskId{0, 0}));
  EXPECT_THAT(result["b"].active, IsEmpty());
  EXPECT_THAT(result["a"].active, ElementsAre(TaskId{0, 1}));
}

TEST(AssignorTest, UnknownPositionBeatsNoState) {
  AssignorInput input{{{0, 0}}, {Member("a", "p1"), Member("b", "p2", {}, {{{0, 0}, -1}})}, 0};
  auto result = Assign(input);
  EXPECT_THAT(result["b"].active, ElementsAre(TaskId{0, 0}));
}

TEST(AssignorTest, StateGoesToAnyThreadOfTheProcess) {
  // A restarted instance: new threads (no previous_active) but the state is on disk.
  std::map<TaskId, int64_t> sums = {{{0, 0}, 100}, {{0, 1}, 100}};
  AssignorInput input{
      Tasks(1, 4),
      {Member("new-1", "restarted", {}, sums), Member("new-2", "restarted", {}, sums),
       Member("x", "other"), Member("y", "other")},
      0};
  auto result = Assign(input);
  std::set<TaskId> restarted;
  for (const char* id : {"new-1", "new-2"}) {
    restarted.insert(result[id].active.begin(), result[id].active.end());
  }
  EXPECT_TRUE(restarted.contains({0, 0}));
  EXPECT_TRUE(restarted.contains({0, 1}));
}

TEST(AssignorTest, PreviousOwnerBeatsStateElsewhere) {
  AssignorInput input{
      {{0, 0}, {0, 1}},
      {Member("a", "p1", {{0, 0}}, {{{0, 0}, 5}}), Member("b", "p2", {}, {{{0, 0}, 1000}})},
      0};
  auto result = Assign(input);
  EXPECT_THAT(result["a"].active, ElementsAre(TaskId{0, 0}));
}

TEST(AssignorTest, BalanceBeatsStickiness) {
  // a ran everything; b and c are new: a keeps only its share.
  AssignorInput input{
      Tasks(1, 6), {Member("a", "p1", Tasks(1, 6)), Member("b", "p2"), Member("c", "p3")}, 0};
  auto result = Assign(input);
  EXPECT_THAT(result["a"].active, SizeIs(2));
  EXPECT_THAT(result["b"].active, SizeIs(2));
}

TEST(AssignorTest, DoubleClaimGoesToTheMemberWithState) {
  // A zombie and its successor both claim 0_0.
  AssignorInput input{
      {{0, 0}, {0, 1}},
      {Member("zombie", "p1", {{0, 0}}), Member("successor", "p2", {{0, 0}}, {{{0, 0}, 42}})},
      0};
  auto result = Assign(input);
  EXPECT_THAT(result["successor"].active, ElementsAre(TaskId{0, 0}));
  EXPECT_THAT(result["zombie"].active, ElementsAre(TaskId{0, 1}));
}

TEST(AssignorTest, DeterministicWhateverTheInputOrder) {
  std::vector<ClientSubscription> members = {
      Member("m1", "p1", {{0, 0}, {1, 3}}, {{{0, 0}, 3}, {{2, 2}, 9}}),
      Member("m2", "p1", {{1, 1}}),
      Member("m3", "p2", {}, {{{1, 1}, 4}}),
      Member("m4", "p3", {{2, 0}, {2, 1}, {2, 2}}),
      Member("m5", "p3"),
  };
  AssignorInput input{Tasks(3, 5), members, 1};
  auto expected = Assign(input);
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(input.members.begin(), input.members.end(), rng);
    std::shuffle(input.all_tasks.begin(), input.all_tasks.end(), rng);
    auto got = Assign(input);
    for (const auto& [id, a] : expected) {
      EXPECT_EQ(got[id].active, a.active) << id;
      EXPECT_EQ(got[id].standby, a.standby) << id;
    }
  }
}

TEST(AssignorTest, StandbysOnOtherProcesses) {
  AssignorInput input{
      Tasks(2, 3),
      {Member("a1", "p1"), Member("a2", "p1"), Member("b", "p2"), Member("c", "p3")},
      1};
  auto result = Assign(input);  // the invariants check placement and the count per task
  size_t total = 0, min_standby = SIZE_MAX, max_standby = 0;
  for (const auto& [id, a] : result) {
    total += a.standby.size();
    min_standby = std::min(min_standby, a.standby.size());
    max_standby = std::max(max_standby, a.standby.size());
  }
  EXPECT_EQ(total, 6u);
  EXPECT_LE(max_standby - min_standby, 1u);
}

TEST(AssignorTest, AsManyStandbysAsOtherProcessesAllow) {
  AssignorInput input{Tasks(1, 4), {Member("a", "p1"), Member("b", "p2")}, 3};
  auto result = Assign(input);  // the invariants expect exactly one standby per task
  EXPECT_THAT(result["a"].standby, SizeIs(2));
  EXPECT_THAT(result["b"].standby, SizeIs(2));
}

TEST(AssignorTest, StandbyPrefersTheProcessWithState) {
  AssignorInput input{
      {{0, 0}},
      {Member("a", "p1", {{0, 0}}), Member("b", "p2"), Member("c", "p3", {}, {{{0, 0}, 77}})},
      1};
  auto result = Assign(input);
  EXPECT_THAT(result["a"].active, ElementsAre(TaskId{0, 0}));
  EXPECT_THAT(result["c"].standby, ElementsAre(TaskId{0, 0}));
  EXPECT_THAT(result["b"].standby, IsEmpty());
}

TEST(AssignorTest, MembersWithoutProcessIdAreSeparateProcesses) {
  ClientSubscription a = Member("a", ""), b = Member("b", "");
  auto result = Assign({Tasks(1, 2), {a, b}, 1});
  EXPECT_THAT(result["a"].standby, SizeIs(1));
  EXPECT_THAT(result["b"].standby, SizeIs(1));
}

TEST(AssignorTest, IgnoresUnknownTasksAndDuplicates) {
  AssignorInput input{
      {{0, 0}, {0, 0}, {0, 1}},
      {Member("a", "p1", {{9, 9}}, {{{9, 9}, 5}}), Member("a", "p1"), Member("b", "p2")},
      0};
  auto result = Assign(input);
  EXPECT_THAT(result["a"].active, SizeIs(1));
  EXPECT_THAT(result["b"].active, SizeIs(1));
}

// Random groups and histories: the invariants always hold, and a member leaving never takes
// tasks away from the survivors.
TEST(AssignorTest, RandomizedInvariantsAndStickiness) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 300; ++round) {
    const int processes = 1 + static_cast<int>(rng() % 4);
    std::vector<ClientSubscription> members;
    for (int p = 0; p < processes; ++p) {
      const int threads = 1 + static_cast<int>(rng() % 3);
      for (int t = 0; t < threads; ++t) {
        members.push_back(
            Member("m" + std::to_string(p) + "-" + std::to_string(t), "p" + std::to_string(p)));
      }
    }
    AssignorInput input{Tasks(1 + static_cast<int>(rng() % 3), 1 + static_cast<int>(rng() % 9)),
                        members, static_cast<int32_t>(rng() % 3)};
    for (ClientSubscription& m : input.members) {
      for (const TaskId& t : input.all_tasks) {
        if (rng() % 4 == 0) m.task_offset_sums[t] = static_cast<int64_t>(rng() % 1000) - 1;
      }
    }
    auto first = Assign(input);
    CarryOver(first, input.members);
    if (input.members.size() < 2) continue;
    const size_t leaving = rng() % input.members.size();
    input.members.erase(input.members.begin() + static_cast<long>(leaving));
    auto second = Assign(input);
    for (const ClientSubscription& m : input.members) {
      EXPECT_THAT(first[m.member_id].active, IsSubsetOf(second[m.member_id].active))
          << "round " << round << " member " << m.member_id;
    }
  }
}

}  // namespace
}  // namespace rill::streams
