// The group coordinator for Kafka's classic consumer-group protocol: membership
// (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) with the Empty -> PreparingRebalance ->
// CompletingRebalance -> Stable state machine, session and rebalance timeouts, static
// membership, and committed offsets stored in the compacted __consumer_offsets topic and
// reloaded on start. Member metadata and assignments pass through untouched, so every
// client-side assignor works.
//
// Knows nothing about wire versions: handlers translate requests into these calls.
// Thread-safe. JoinGroup and SyncGroup answer through callbacks, possibly later and on
// another thread (Tick() completes rebalances and expires sessions).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker/group/group_config.h"
#include "broker/protocol/api_keys.h"

namespace rill::broker {
class TopicManager;
}

namespace rill::broker::group {


using protocol::ErrorCode;

struct JoinRequest {
  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string protocol_type;
  std::vector<std::pair<std::string, std::string>> protocols;  // name, metadata
  std::string client_id;
  std::string client_host;
  bool require_known_member_id = false;  // JoinGroup v4+
};

struct JoinedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string metadata;
};

struct JoinResult {
  ErrorCode error = ErrorCode::kNone;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinedMember> members;  // only for the leader
};

struct SyncRequest {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<std::pair<std::string, std::string>> assignments;  // member id, assignment
};

struct SyncResult {
  ErrorCode error = ErrorCode::kNone;
  std::string assignment;
};

struct MemberIdentity {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct CommitEntry {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
};

struct FetchedOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  ErrorCode error = ErrorCode::kNone;
};

struct MemberDescription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::string metadata;    // for the chosen protocol
  std::string assignment;
};

struct GroupDescription {
  ErrorCode error = ErrorCode::kNone;
  std::string group_id;
  std::string state;  // "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"
  std::string protocol_type;
  std::string protocol_name;
  int32_t generation_id = 0;
  std::vector<MemberDescription> members;
};

struct GroupListing {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

class GroupCoordinator {
 public:
  GroupCoordinator(TopicManager& topics, GroupConfig config);
  ~GroupCoordinator();

  // Creates __consumer_offsets if needed and loads the committed offsets from it on a
  // background thread; until that finishes group requests get COORDINATOR_LOAD_IN_PROGRESS.
  void StartLoading();
  bool loading() const;
  // Waits for loading to finish (tests, shutdown).
  void WaitLoaded();

  void JoinGroup(const JoinRequest& request, std::function<void(JoinResult)> done);
  void SyncGroup(const SyncRequest& request, std::function<void(SyncResult)> done);
  ErrorCode Heartbeat(const std::string& group_id, int32_t generation_id,
                      const std::string& member_id,
                      const std::optional<std::string>& group_instance_id);
  // Returns the request-level error (loading); each member's outcome is in
  // *member_errors (UNKNOWN_MEMBER_ID for all of them when the group does not exist).
  ErrorCode LeaveGroup(const std::string& group_id, const std::vector<MemberIdentity>& members,
                       std::vector<ErrorCode>* member_errors);

  // One error per entry (all the same when the whole commit is refused).
  std::vector<ErrorCode> CommitOffsets(const std::string& group_id, int32_t generation_id,
                                       const std::string& member_id,
                                       const std::optional<std::string>& group_instance_id,
                                       const std::vector<CommitEntry>& entries);
  // `partitions` null = every committed offset of the group. Returns the top-level error.
  ErrorCode FetchOffsets(
      const std::string& group_id,
      const std::optional<std::vector<std::pair<std::string, std::vector<int32_t>>>>& partitions,
      std::vector<FetchedOffset>* out);

  // TxnOffsetCommit: offsets written to __consumer_offsets inside the producer's
  // transaction; they become visible when the transaction commits (CompleteTransaction)
  // and vanish if it aborts. A generation >= 0 is checked with the member id (KIP-447),
  // so a zombie from an older generation is fenced.
  std::vector<ErrorCode> CommitTransactionalOffsets(
      const std::string& group_id, int64_t producer_id, int16_t producer_epoch,
      int32_t generation_id, const std::string& member_id,
      const std::optional<std::string>& group_instance_id,
      const std::vector<CommitEntry>& entries);
  // The transaction of `producer_id` ended with a marker on __consumer_offsets partition
  // `offsets_partition`: apply (commit) or drop (abort) its pending offsets there.
  void CompleteTransaction(int64_t producer_id, bool commit, int32_t offsets_partition);

  GroupDescription DescribeGroup(const std::string& group_id);
  // `states` empty = all. Returns the top-level error.
  ErrorCode ListGroups(const std::vector<std::string>& states, std::vector<GroupListing>* out);
  ErrorCode DeleteGroup(const std::string& group_id);
  // Deletes committed offsets of topics nobody in the group consumes. Returns the top-level
  // error; per-partition errors in *errors, in input order.
  ErrorCode DeleteOffsets(const std::string& group_id,
                          const std::vector<std::pair<std::string, int32_t>>& partitions,
                          std::vector<ErrorCode>* errors);

  // Drives time: completes delayed joins, enforces rebalance and session timeouts, expires
  // offsets of empty groups. Called periodically by the broker.
  void Tick(int64_t now_ms);

  const GroupConfig& config() const { return config_; }

 private:
  struct Member;
  struct Group;
  using Deferred = std::vector<std::function<void()>>;

  Group* FindGroup(const std::string& group_id);
  Group& GetOrCreateGroup(const std::string& group_id);
  void JoinUnknownMember(Group& group, const JoinRequest& request,
                         std::function<void(JoinResult)> done, int64_t now, Deferred& deferred);
  void JoinKnownMember(Group& group, Member& member, const JoinRequest& request,
                       std::function<void(JoinResult)> done, int64_t now, Deferred& deferred);
  Member& AddMember(Group& group, const std::string& member_id, const JoinRequest& request,
                    std::function<void(JoinResult)> done, int64_t now);
  void PrepareRebalance(Group& group, int64_t now, Deferred& deferred);
  void MaybeCompleteJoin(Group& group, int64_t now, bool deadline_passed, Deferred& deferred);
  void CompleteJoin(Group& group, int64_t now, Deferred& deferred);
  void RemoveMember(Group& group, const std::string& member_id, int64_t now, Deferred& deferred);
  void TransitionToEmpty(Group& group, int64_t now);
  bool SupportsProtocols(const Group& group, const JoinRequest& request) const;
  std::string SelectProtocol(const Group& group) const;
  ErrorCode CheckLoaded() const;
  // Appends records (key, value or null for a tombstone) to the group's offsets partition.
  // `producer` (id, epoch) marks a transactional write.
  ErrorCode AppendToOffsetsTopic(
      const std::string& group_id,
      const std::vector<std::pair<std::string, std::optional<std::string>>>& records,
      int64_t now, std::optional<std::pair<int64_t, int16_t>> producer = std::nullopt);
  void Load();

  TopicManager& topics_;
  const GroupConfig config_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Group>> groups_;
  bool loading_ = true;
  std::thread loader_;
  uint64_t next_member_seq_ = 0;
};

}  // namespace rill::broker::group
