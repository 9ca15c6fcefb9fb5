// The streams task assignor: the group leader maps every task (sub-topology, partition) of
// the application onto the members of the group, i.e. the StreamThreads of all instances.
//
// Moving a task is expensive (its state has to be restored from the changelog, which can take
// minutes for a large store), so the assignment is sticky and state-aware, while still
// balanced so that adding instances actually spreads load:
//   * every task goes to exactly one member as an active task, and the members' active task
//     counts differ by at most one; where there is a choice, load is spread across processes
//     first and then across the threads of a process, and tasks of one sub-topology are
//     spread rather than piled on one member;
//   * a task stays with the member that ran it in the previous generation as long as that
//     member is within its share;
//   * otherwise it prefers a member of a process that already has the task's state locally
//     (highest changelog offset sum first: the least to restore);
//   * standby replicas are never placed on the process that runs the task actively (a standby
//     is there to survive the loss of that process) nor twice on one process, and prefer
//     processes that already hold the state.
// The result depends only on the input, never on the order of members or tasks in it, so
// a re-run by a new leader after a failover gives the same answer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "streams/runtime/task_id.h"

namespace rill::streams {

// What one member (StreamThread) reports when it joins the group.
struct ClientSubscription {
  std::string member_id;
  // One per KafkaStreams instance: several threads = several members with the same
  // process_id. Empty means "unknown" and counts as a process of its own.
  std::string process_id;
  // host:port of the instance's HTTP server, may be empty.
  std::string application_server;
  // Tasks this member ran actively in the previous generation.
  std::vector<TaskId> previous_active;
  // Tasks whose state this process has locally, with the sum of their stores' changelog
  // offsets (-1: present but the position is unknown).
  std::map<TaskId, int64_t> task_offset_sums;
};

struct TaskAssignment {
  std::vector<TaskId> active;   // sorted
  std::vector<TaskId> standby;  // sorted
  // Optional, filled by the runtime rather than by AssignTasks (which does not know how tasks
  // map to partitions): the source-topic partitions of `active`, topic -> partitions. They
  // are written into the consumer-protocol assignment, so that kafka-consumer-groups and
  // `rill-topics groups describe` show which member consumes what; Rill itself ignores them.
  std::map<std::string, std::vector<int32_t>> partitions;
};

struct AssignorInput {
  std::vector<TaskId> all_tasks;
  std::vector<ClientSubscription> members;
  int32_t num_standby_replicas = 0;
};

// Computes the assignment described at the top of this file. The result has one entry per
// distinct member id of `input.members` (possibly with no tasks); a member id listed twice
// is assigned once. Tasks listed twice count once; previous_active entries and offset sums
// of tasks that are not in all_tasks are ignored. With no members the result is empty.
std::map<std::string, TaskAssignment> AssignTasks(const AssignorInput& input);

}  // namespace rill::streams
