// GroupMembership is one StreamThread's member of the application's consumer group
// (group id = application.id). librdkafka has no custom-assignor API, so instead of letting
// its consumer join, Rill runs the classic group protocol itself over plain TCP:
// FindCoordinator, JoinGroup/SyncGroup (protocol type "consumer", one protocol named
// "rill-streams"), background Heartbeats, LeaveGroup, and the offset commits that only a
// member of the current generation may make. The librdkafka consumer is then assign()ed the
// partitions of the tasks this returns.
//
// The join metadata and assignments use Kafka's ConsumerProtocolSubscription and
// ConsumerProtocolAssignment layouts (version 0) with Rill's SubscriptionInfo /
// AssignmentInfo protobufs (proto/streams_assignment.proto) as user data, so that
// kafka-consumer-groups and `rill-topics groups describe` can still read the group. The
// elected leader computes everybody's tasks with the LeaderAssign function it is given.
//
// Threading: Join, CommitOffsets, FetchCommittedOffsets and Leave are for the owning thread
// (they are serialized by a mutex, but member_id() hands out a reference the owner changes).
// Heartbeats run on a background thread over a connection of their own, so a slow commit or
// a long Join of the owner never starves them. RebalanceNeeded(), generation() and Abort()
// may be called from any thread.
//
// The client speaks versions both Rill's broker and Apache Kafka 3.x/4.x accept:
// FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3,
// OffsetCommit v7, OffsetFetch v7.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "streams/runtime/assignor.h"
#include "streams/runtime/task_id.h"

namespace rill::streams {

namespace internal {
class Interrupter;
class KafkaConnection;
struct BrokerAddress;
}  // namespace internal

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  std::string metadata;
};

struct GroupMembershipOptions {
  std::string bootstrap_servers;  // "host:port,host:port"
  std::string group_id;           // = application.id
  std::string client_id;
  std::string group_instance_id;  // empty = dynamic membership
  int32_t session_timeout_ms = 45000;
  int32_t rebalance_timeout_ms = 300000;
  int32_t heartbeat_interval_ms = 3000;
  std::vector<std::string> topics;  // source topics, sent in the consumer-protocol subscription
  // Bound on CommitOffsets / FetchCommittedOffsets including coordinator look-ups and
  // retries (Kafka's default.api.timeout.ms plays this role in the Java client).
  int32_t request_timeout_ms = 30000;
  // First wait before retrying after a coordinator error; doubles up to retry_backoff_max_ms.
  int32_t retry_backoff_ms = 100;
  int32_t retry_backoff_max_ms = 1000;
};

struct MembershipAssignment {
  int32_t generation = -1;
  std::string member_id;
  bool leader = false;
  std::vector<TaskId> active, standby;
  // application_server -> tasks, for all members (an instance with several threads is one
  // entry). Members without an application_server are not listed.
  std::map<std::string, std::vector<TaskId>> active_by_host;
  std::map<std::string, std::vector<TaskId>> standby_by_host;
};

class GroupMembership {
 public:
  // Called on the elected leader only, inside Join(): all members' subscriptions ->
  // assignment per member id. Members it leaves out get no tasks.
  using LeaderAssign =
      std::function<std::map<std::string, TaskAssignment>(const std::vector<ClientSubscription>&)>;

  GroupMembership(GroupMembershipOptions options, LeaderAssign assign);
  // Stops the heartbeat thread; does not leave the group (call Leave()): a member that just
  // stops is removed after the session timeout, which is what a static member wants.
  ~GroupMembership();
  GroupMembership(const GroupMembership&) = delete;
  GroupMembership& operator=(const GroupMembership&) = delete;

  // Blocking: JoinGroup (handling MEMBER_ID_REQUIRED, coordinator moves,
  // REBALANCE_IN_PROGRESS retries) + SyncGroup, then starts/continues background heartbeats.
  // `self.member_id` is ignored (the client tracks its own). Heartbeats pause while it runs.
  // Errors: DeadlineExceeded after `timeout` (the member may be left half-joined: call Join
  // again), Cancelled after Abort(), FailedPrecondition for errors retrying cannot fix
  // (FENCED_INSTANCE_ID, INVALID_SESSION_TIMEOUT, INCONSISTENT_GROUP_PROTOCOL, ...). After a
  // failure RebalanceNeeded() is true and generation() is still the last one joined.
  absl::StatusOr<MembershipAssignment> Join(const ClientSubscription& self, absl::Duration timeout);

  // Set by the heartbeat thread when the coordinator answers REBALANCE_IN_PROGRESS,
  // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID (or the session is lost), and
  // by a refused commit: the caller must commit what it can, release its tasks and Join()
  // again. Cleared by a successful Join().
  bool RebalanceNeeded() const;

  // OffsetCommit with this member's generation and member id. Retries coordinator moves and
  // connection loss for request_timeout_ms. Aborted (naming the Kafka error) when the group
  // refuses it because it moved on: REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
  // UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID — then RebalanceNeeded() is true and the caller
  // must rejoin. Other refusals (e.g. OFFSET_METADATA_TOO_LARGE) are InvalidArgument.
  absl::Status CommitOffsets(const std::vector<TopicPartitionOffset>& offsets);

  // Committed offsets for the partitions, in the order asked (offset -1 when none). Waits
  // out offsets of pending transactions (UNSTABLE_OFFSET_COMMIT) for request_timeout_ms.
  absl::StatusOr<std::vector<TopicPartitionOffset>> FetchCommittedOffsets(
      const std::vector<std::pair<std::string, int32_t>>& partitions);

  // LeaveGroup (so the group rebalances now, not after the session timeout) and stop
  // heartbeats. Best effort, bounded by request_timeout_ms. Idempotent; a later Join()
  // joins afresh with a new member id.
  void Leave();

  // Thread-safe, for shutdown: makes a blocked Join (and every later one) return Cancelled
  // promptly, e.g. when the application stops while the thread waits for the rest of the
  // group. A CommitOffsets, FetchCommittedOffsets or Leave running at that moment is
  // cancelled too, but later ones work (a final commit and the Leave still get through).
  void Abort();

  const std::string& member_id() const;
  int32_t generation() const;

 private:
  using Clock = std::chrono::steady_clock;
  // What one attempt of a retried request came to: done (with its final status), retry
  // after a backoff, or retry after forgetting the coordinator.
  struct Attempt {
    enum Kind { kDone, kRetry, kCoordinatorLost } kind = kDone;
    absl::Status status;
  };

  // Connects `conn` to the group coordinator, looking it up first if unknown.
  absl::Status EnsureCoordinator(internal::KafkaConnection& conn,
                                 const internal::Interrupter& interrupter, absl::Time deadline);
  absl::StatusOr<internal::BrokerAddress> FindCoordinator(const internal::Interrupter& interrupter,
                                                          absl::Time deadline);
  // Forgets the coordinator after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a broken
  // connection, unless someone already found a different one.
  void CoordinatorLost(internal::KafkaConnection& conn);
  // Waits before the next retry; false when the deadline would pass first or interrupted.
  bool Backoff(const internal::Interrupter& interrupter, absl::Duration* backoff,
               absl::Time deadline);

  // Runs `attempt` against the coordinator on the owning thread's connection until it is
  // done, the deadline passes (DeadlineExceeded naming the last error) or Abort() is called
  // after BeginInterruptible() returned `aborts`.
  absl::Status RunWithRetries(const std::string& what, absl::Time deadline, uint64_t aborts,
                              const std::function<Attempt()>& attempt);
  // Starts an operation that only an Abort() from now on may cancel; returns the count of
  // aborts so far.
  uint64_t BeginInterruptible();
  absl::StatusOr<MembershipAssignment> JoinLocked(const ClientSubscription& self,
                                                  absl::Time deadline);
  // The leader's side of SyncGroup: member id -> consumer-protocol assignment bytes.
  std::vector<std::pair<std::string, std::string>> ComputeAssignments(
      const std::vector<std::pair<std::string, std::string>>& member_metadata);

  void StartHeartbeatThread();
  void StopHeartbeatThread();
  void HeartbeatLoop();
  // One heartbeat round trip; the Kafka error code, or a transport/coordinator failure.
  absl::StatusOr<int16_t> SendHeartbeat(const std::string& member_id, int32_t generation);

  const GroupMembershipOptions options_;
  const LeaderAssign assign_;
  std::vector<internal::BrokerAddress> bootstrap_;
  absl::Status bootstrap_status_;

  // The coordinator both connections talk to; either thread may look it up.
  std::mutex coordinator_mu_;
  std::unique_ptr<internal::BrokerAddress> coordinator_;
  size_t next_bootstrap_ = 0;

  // The owning thread's side.
  std::mutex main_mu_;  // one request at a time on main_conn_
  std::unique_ptr<internal::Interrupter> main_interrupter_;
  std::unique_ptr<internal::KafkaConnection> main_conn_;
  std::atomic<bool> aborted_{false};  // sticky: Join refuses for good
  std::atomic<uint64_t> aborts_{0};   // Abort() calls, so other operations see new ones only

  // Membership state shared with the heartbeat thread (guarded by mu_). member_id_ is
  // written only by the owning thread.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string member_id_;
  std::atomic<int32_t> generation_{-1};
  std::atomic<bool> rebalance_needed_{false};
  bool heartbeats_enabled_ = false;
  bool stop_heartbeats_ = false;
  bool member_id_unknown_ = false;  // heartbeat saw UNKNOWN_MEMBER_ID: rejoin without the id
  uint64_t epoch_ = 0;              // bumped on every Join/Leave, so stale results are dropped
  Clock::time_point next_heartbeat_;
  Clock::time_point last_heartbeat_ok_;
  std::thread heartbeat_thread_;
  std::unique_ptr<internal::Interrupter> heartbeat_interrupter_;
  std::unique_ptr<internal::KafkaConnection> heartbeat_conn_;
};

}  // namespace rill::streams
