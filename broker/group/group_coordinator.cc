#include "broker/group/group_coordinator.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "broker/cluster/topic_manager.h"
#include "broker/group/offsets_codec.h"
#include "broker/log/batch_scan.h"
#include "broker/protocol/control_batch.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/wire.h"
#include "spdlog/spdlog.h"

namespace rill::broker::group {
namespace {

constexpr char kOffsetsTopic[] = "__consumer_offsets";

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

enum class State { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

const char* StateName(State s) {
  switch (s) {
    case State::kEmpty:
      return "Empty";
    case State::kPreparingRebalance:
      return "PreparingRebalance";
    case State::kCompletingRebalance:
      return "CompletingRebalance";
    case State::kStable:
      return "Stable";
    case State::kDead:
      return "Dead";
  }
  return "Dead";
}

std::string RandomSuffix() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static const char kHex[] = "0123456789abcdef";
  std::string s(32, '0');
  for (char& c : s) c = kHex[rng() % 16];
  return s.substr(0, 8) + "-" + s.substr(8, 4) + "-" + s.substr(12, 4) + "-" + s.substr(16, 4) +
         "-" + s.substr(20, 12);
}

}  // namespace

struct GroupCoordinator::Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<std::pair<std::string, std::string>> protocols;
  std::string assignment;
  std::function<void(JoinResult)> join_callback;
  std::function<void(SyncResult)> sync_callback;
  int64_t session_deadline_ms = 0;

  const std::string* MetadataFor(const std::string& protocol) const {
    for (const auto& [name, metadata] : protocols) {
      if (name == protocol) return &metadata;
    }
    return nullptr;
  }
};

struct GroupCoordinator::Group {
  std::string group_id;
  State state = State::kEmpty;
  int32_t generation_id = 0;
  std::string protocol_type;
  std::string protocol_name;
  std::string leader_id;
  std::map<std::string, Member> members;
  std::map<std::string, std::string> static_members;  // instance id -> member id
  // Member ids handed out with MEMBER_ID_REQUIRED, with the time they stop being valid.
  std::map<std::string, int64_t> pending_members;
  int64_t join_deadline_ms = 0;        // the rebalance completes no later than this
  int64_t initial_delay_until_ms = 0;  // delayed initial join: not before this
  int64_t empty_since_ms = 0;
  std::map<std::pair<std::string, int32_t>, OffsetValue> offsets;
  // Offsets committed inside still-open transactions, by producer id.
  std::map<int64_t, std::map<std::pair<std::string, int32_t>, OffsetValue>> pending_txn_offsets;

  bool HasAllMembersJoined() const {
    if (!pending_members.empty()) return false;
    for (const auto& [id, m] : members) {
      if (!m.join_callback) return false;
    }
    return true;
  }
};

GroupCoordinator::GroupCoordinator(TopicManager& topics, GroupConfig config)
    : topics_(topics), config_(config) {}

GroupCoordinator::~GroupCoordinator() {
  if (loader_.joinable()) loader_.join();
}

void GroupCoordinator::StartLoading() {
  if (!topics_.GetTopic(kOffsetsTopic)) {
    AdminResult r =
        topics_.CreateTopic(kOffsetsTopic, config_.offsets_topic_partitions, 1,
                            {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}}, false);
    if (!r.ok() && r.error != ErrorCode::kTopicAlreadyExists) {
      spdlog::error("cannot create {}: {}", kOffsetsTopic, r.message);
    }
  }
  loader_ = std::thread([this] { Load(); });
}

bool GroupCoordinator::loading() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loading_;
}

void GroupCoordinator::WaitLoaded() {
  if (loader_.joinable()) loader_.join();
}

void GroupCoordinator::Load() {
  auto topic = topics_.GetTopic(kOffsetsTopic);
  size_t loaded = 0;
  std::map<std::string, std::map<std::pair<std::string, int32_t>, OffsetValue>> offsets;
  // Transactional offsets whose transaction has no marker yet, by producer id.
  std::map<int64_t, std::map<std::string, std::map<std::pair<std::string, int32_t>, OffsetValue>>>
      open_txn_offsets;
  if (topic) {
    for (int32_t p = 0; p < topic->partition_count; ++p) {
      auto partition = topics_.GetPartition(kOffsetsTopic, p);
      if (!partition) continue;
      std::map<int64_t,
               std::map<std::string, std::map<std::pair<std::string, int32_t>, OffsetValue>>>
          pending;
      absl::Status scanned = log::ForEachBatch(
          partition->log(), [&](const protocol::RecordBatchHeader& header, std::string_view batch) {
            auto records = protocol::DecodeRecords(batch);
            if (records.ok() && header.is_control()) {
              // A transaction marker: its producer's pending offsets in this partition are
              // applied (commit, control type 1) or dropped (abort, type 0).
              auto marker = protocol::ParseControlMarker(batch);
              const bool commit = marker && marker->commit;
              auto it = pending.find(header.producer_id);
              if (it != pending.end()) {
                if (commit) {
                  for (auto& [group_id, tps] : it->second) {
                    for (auto& [tp, value] : tps) offsets[group_id][tp] = value;
                  }
                }
                pending.erase(it);
              }
            } else if (records.ok()) {
              for (const auto& record : *records) {
                if (!record.key) continue;
                OffsetsTopicKey key = DecodeOffsetsTopicKey(*record.key);
                if (key.kind == OffsetsTopicKey::Kind::kOffset) {
                  auto tp = std::make_pair(key.offset.topic, key.offset.partition);
                  std::optional<OffsetValue> value;
                  if (record.value) value = DecodeOffsetValue(*record.value);
                  if (header.is_transactional()) {
                    if (value) pending[header.producer_id][key.group][tp] = *value;
                  } else if (value) {
                    offsets[key.group][tp] = *value;
                  } else {
                    offsets[key.group].erase(tp);
                  }
                  ++loaded;
                } else if (key.kind == OffsetsTopicKey::Kind::kGroupMetadata && !record.value) {
                  offsets.erase(key.group);  // group deleted
                }
              }
            }
          });
      if (!scanned.ok()) {
        spdlog::error("{}-{}: {}", kOffsetsTopic, p, scanned.ToString());
      }
      for (auto& [producer_id, groups] : pending) open_txn_offsets[producer_id] = std::move(groups);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = SystemNowMs();
  for (auto& [group_id, group_offsets] : offsets) {
    if (group_offsets.empty()) continue;
    Group& group = GetOrCreateGroup(group_id);
    group.offsets = std::move(group_offsets);
    group.empty_since_ms = now;
  }
  // Still-open transactions keep their offsets pending until their marker arrives.
  for (auto& [producer_id, groups] : open_txn_offsets) {
    for (auto& [group_id, tps] : groups) {
      GetOrCreateGroup(group_id).pending_txn_offsets[producer_id] = std::move(tps);
    }
  }
  loading_ = false;
  spdlog::info("group coordinator loaded {} offset records for {} groups", loaded, groups_.size());
}

ErrorCode GroupCoordinator::CheckLoaded() const {
  return loading_ ? ErrorCode::kCoordinatorLoadInProgress : ErrorCode::kNone;
}

GroupCoordinator::Group* GroupCoordinator::FindGroup(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

GroupCoordinator::Group& GroupCoordinator::GetOrCreateGroup(const std::string& group_id) {
  auto& slot = groups_[group_id];
  if (!slot) {
    slot = std::make_unique<Group>();
    slot->group_id = group_id;
    slot->empty_since_ms = SystemNowMs();
  }
  return *slot;
}

bool GroupCoordinator::SupportsProtocols(const Group& group, const JoinRequest& request) const {
  if (request.protocol_type.empty() || request.protocols.empty()) return false;
  if (group.members.empty()) return true;
  if (request.protocol_type != group.protocol_type) return false;
  // At least one protocol every current member supports.
  for (const auto& [name, metadata] : request.protocols) {
    bool all = true;
    for (const auto& [id, m] : group.members) {
      if (!m.MetadataFor(name)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

std::string GroupCoordinator::SelectProtocol(const Group& group) const {
  // Candidates: protocols every member supports. Each member votes for the first of its
  // own (preference-ordered) protocols that is a candidate; the most votes win.
  std::vector<std::string> candidates;
  const Member& first = group.members.begin()->second;
  for (const auto& [name, metadata] : first.protocols) {
    bool all = true;
    for (const auto& [id, m] : group.members) all = all && m.MetadataFor(name) != nullptr;
    if (all) candidates.push_back(name);
  }
  std::map<std::string, int> votes;
  for (const auto& [id, m] : group.members) {
    for (const auto& [name, metadata] : m.protocols) {
      if (std::find(candidates.begin(), candidates.end(), name) != candidates.end()) {
        ++votes[name];
        break;
      }
    }
  }
  std::string best;
  int best_votes = -1;
  for (const std::string& c : candidates) {
    if (votes[c] > best_votes) {
      best = c;
      best_votes = votes[c];
    }
  }
  return best;
}

void GroupCoordinator::JoinGroup(const JoinRequest& request, std::function<void(JoinResult)> done) {
  Deferred deferred;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto fail = [&](ErrorCode e) {
      JoinResult r;
      r.error = e;
      r.member_id = request.member_id;
      deferred.push_back([done, r] { done(r); });
    };
    const int64_t now = SystemNowMs();
    size_t metadata_bytes = 0;
    for (const auto& p : request.protocols) metadata_bytes += p.first.size() + p.second.size();
    if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) {
      fail(e);
    } else if (request.group_id.empty()) {
      fail(ErrorCode::kInvalidGroupId);
    } else if (request.session_timeout_ms < config_.min_session_timeout_ms ||
               request.session_timeout_ms > config_.max_session_timeout_ms) {
      fail(ErrorCode::kInvalidSessionTimeout);
    } else if (metadata_bytes > static_cast<size_t>(config_.max_member_metadata_bytes)) {
      fail(ErrorCode::kInvalidRequest);
    } else {
      Group* existing = FindGroup(request.group_id);
      if (existing == nullptr && !request.member_id.empty()) {
        fail(ErrorCode::kUnknownMemberId);
      } else {
        Group& group = existing ? *existing : GetOrCreateGroup(request.group_id);
        if (group.state == State::kDead) {
          fail(ErrorCode::kCoordinatorNotAvailable);
        } else if (!SupportsProtocols(group, request)) {
          fail(ErrorCode::kInconsistentGroupProtocol);
        } else if (request.member_id.empty()) {
          JoinUnknownMember(group, request, done, now, deferred);
        } else {
          auto it = group.members.find(request.member_id);
          if (request.group_instance_id) {
            auto s = group.static_members.find(*request.group_instance_id);
            if (s != group.static_members.end() && s->second != request.member_id) {
              fail(ErrorCode::kFencedInstanceId);
              goto out;
            }
          }
          if (it != group.members.end()) {
            JoinKnownMember(group, it->second, request, done, now, deferred);
          } else if (group.pending_members.erase(request.member_id) > 0) {
            // The second join of a member that got MEMBER_ID_REQUIRED.
            AddMember(group, request.member_id, request, done, now);
            if (group.state == State::kPreparingRebalance) {
              MaybeCompleteJoin(group, now, false, deferred);
            } else {
              PrepareRebalance(group, now, deferred);
            }
          } else {
            fail(ErrorCode::kUnknownMemberId);
          }
        }
      }
    }
  out:;
  }
  for (auto& f : deferred) f();
}

GroupCoordinator::Member& GroupCoordinator::AddMember(Group& group, const std::string& member_id,
                                                      const JoinRequest& request,
                                                      std::function<void(JoinResult)> done,
                                                      int64_t now) {
  if (group.members.empty()) group.protocol_type = request.protocol_type;
  Member& m = group.members[member_id];
  m.member_id = member_id;
  m.group_instance_id = request.group_instance_id;
  m.client_id = request.client_id;
  m.client_host = request.client_host;
  m.session_timeout_ms = request.session_timeout_ms;
  m.rebalance_timeout_ms = request.rebalance_timeout_ms;
  m.protocol_type = request.protocol_type;
  m.protocols = request.protocols;
  m.join_callback = std::move(done);
  m.session_deadline_ms = now + request.session_timeout_ms;
  if (request.group_instance_id) group.static_members[*request.group_instance_id] = member_id;
  if (group.leader_id.empty()) group.leader_id = member_id;
  // While the initial delay of a fresh group runs, every newcomer extends it (bounded by
  // the rebalance timeout), so a fleet starting together lands in one generation.
  if (group.state == State::kPreparingRebalance && group.initial_delay_until_ms > now) {
    group.initial_delay_until_ms =
        std::min(now + config_.initial_rebalance_delay_ms, group.join_deadline_ms);
  }
  return m;
}

void GroupCoordinator::JoinUnknownMember(Group& group, const JoinRequest& request,
                                         std::function<void(JoinResult)> done, int64_t now,
                                         Deferred& deferred) {
  if (static_cast<int32_t>(group.members.size()) >= config_.max_group_size) {
    JoinResult r;
    r.error = ErrorCode::kGroupMaxSizeReached;
    deferred.push_back([done, r] { done(r); });
    return;
  }
  const std::string new_id =
      (request.group_instance_id ? *request.group_instance_id : request.client_id) + "-" +
      RandomSuffix();

  if (request.group_instance_id) {
    auto s = group.static_members.find(*request.group_instance_id);
    if (s != group.static_members.end() && group.members.contains(s->second)) {
      // A known static member rejoins with a new member id: the old id is fenced and the
      // member keeps its place (and assignment).
      Member old = std::move(group.members[s->second]);
      group.members.erase(s->second);
      if (old.join_callback) {
        JoinResult fenced;
        fenced.error = ErrorCode::kFencedInstanceId;
        fenced.member_id = old.member_id;
        deferred.push_back([cb = old.join_callback, fenced] { cb(fenced); });
      }
      if (old.sync_callback) {
        SyncResult fenced;
        fenced.error = ErrorCode::kFencedInstanceId;
        deferred.push_back([cb = old.sync_callback, fenced] { cb(fenced); });
      }
      const bool was_leader = group.leader_id == old.member_id;
      const bool same_protocols = old.protocols == request.protocols;
      Member& m = AddMember(group, new_id, request, nullptr, now);
      m.assignment = old.assignment;
      if (was_leader) group.leader_id = new_id;
      if (group.state == State::kStable && same_protocols) {
        // Rejoin without a rebalance: the member learns the current generation and fetches
        // its old assignment with SyncGroup.
        JoinResult r;
        r.generation_id = group.generation_id;
        r.protocol_name = group.protocol_name;
        r.leader = group.leader_id;
        r.member_id = new_id;
        deferred.push_back([done, r] { done(r); });
        return;
      }
      m.join_callback = std::move(done);
      if (group.state == State::kPreparingRebalance) {
        MaybeCompleteJoin(group, now, false, deferred);
      } else {
        PrepareRebalance(group, now, deferred);
      }
      return;
    }
  } else if (request.require_known_member_id) {
    // KIP-394: hand out the id first, so a client that times out and retries does not leave
    // a ghost member behind.
    group.pending_members[new_id] = now + request.session_timeout_ms;
    JoinResult r;
    r.error = ErrorCode::kMemberIdRequired;
    r.member_id = new_id;
    deferred.push_back([done, r] { done(r); });
    return;
  }
  AddMember(group, new_id, request, std::move(done), now);
  if (group.state == State::kPreparingRebalance) {
    MaybeCompleteJoin(group, now, false, deferred);
  } else {
    PrepareRebalance(group, now, deferred);
  }
}

void GroupCoordinator::JoinKnownMember(Group& group, Member& member, const JoinRequest& request,
                                       std::function<void(JoinResult)> done, int64_t now,
                                       Deferred& deferred) {
  member.session_deadline_ms = now + request.session_timeout_ms;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  const bool same_protocols = member.protocols == request.protocols;
  switch (group.state) {
    case State::kPreparingRebalance:
      member.protocols = request.protocols;
      if (member.join_callback) {
        // A retried join replaces the earlier one, which is answered as superseded.
        JoinResult r;
        r.error = ErrorCode::kRebalanceInProgress;
        r.member_id = member.member_id;
        deferred.push_back([cb = member.join_callback, r] { cb(r); });
      }
      member.join_callback = std::move(done);
      MaybeCompleteJoin(group, now, false, deferred);
      return;
    case State::kCompletingRebalance:
    case State::kStable:
      if (same_protocols &&
          (group.state == State::kCompletingRebalance || member.member_id != group.leader_id)) {
        // Nothing changed for this member: tell it the current generation again.
        JoinResult r;
        r.generation_id = group.generation_id;
        r.protocol_name = group.protocol_name;
        r.leader = group.leader_id;
        r.member_id = member.member_id;
        if (member.member_id == group.leader_id) {
          for (const auto& [id, m] : group.members) {
            const std::string* md = m.MetadataFor(group.protocol_name);
            r.members.push_back({id, m.group_instance_id, md ? *md : std::string()});
          }
        }
        deferred.push_back([done, r] { done(r); });
        return;
      }
      member.protocols = request.protocols;
      member.join_callback = std::move(done);
      PrepareRebalance(group, now, deferred);
      return;
    case State::kEmpty:
    case State::kDead: {
      JoinResult r;
      r.error = ErrorCode::kUnknownMemberId;
      r.member_id = member.member_id;
      deferred.push_back([done, r] { done(r); });
      return;
    }
  }
}

void GroupCoordinator::PrepareRebalance(Group& group, int64_t now, Deferred& deferred) {
  // Members waiting for an assignment of the old generation must rejoin.
  for (auto& [id, m] : group.members) {
    if (m.sync_callback) {
      SyncResult r;
      r.error = ErrorCode::kRebalanceInProgress;
      deferred.push_back([cb = std::move(m.sync_callback), r] { cb(r); });
      m.sync_callback = nullptr;
    }
  }
  int32_t rebalance_timeout = 0;
  for (const auto& [id, m] : group.members) {
    rebalance_timeout = std::max(rebalance_timeout, m.rebalance_timeout_ms);
  }
  const bool was_empty = group.state == State::kEmpty;
  group.state = State::kPreparingRebalance;
  group.join_deadline_ms = now + rebalance_timeout;
  group.initial_delay_until_ms =
      was_empty ? now + std::min(config_.initial_rebalance_delay_ms, rebalance_timeout) : 0;
  spdlog::debug("group {} preparing rebalance (generation {})", group.group_id,
                group.generation_id);
  MaybeCompleteJoin(group, now, false, deferred);
}

void GroupCoordinator::MaybeCompleteJoin(Group& group, int64_t now, bool deadline_passed,
                                         Deferred& deferred) {
  if (group.state != State::kPreparingRebalance) return;
  if (group.initial_delay_until_ms > now && !deadline_passed) return;
  if (!deadline_passed && !group.HasAllMembersJoined()) return;
  CompleteJoin(group, now, deferred);
}

void GroupCoordinator::CompleteJoin(Group& group, int64_t now, Deferred& deferred) {
  // Members that did not rejoin in time are out; so are unclaimed MEMBER_ID_REQUIRED ids.
  group.pending_members.clear();
  std::vector<std::string> gone;
  for (const auto& [id, m] : group.members) {
    if (!m.join_callback) gone.push_back(id);
  }
  for (const std::string& id : gone) {
    const Member& m = group.members[id];
    if (m.group_instance_id) group.static_members.erase(*m.group_instance_id);
    group.members.erase(id);
  }
  ++group.generation_id;
  if (group.members.empty()) {
    TransitionToEmpty(group, now);
    return;
  }
  if (!group.members.contains(group.leader_id)) group.leader_id = group.members.begin()->first;
  group.protocol_name = SelectProtocol(group);
  group.state = State::kCompletingRebalance;
  spdlog::debug("group {} generation {} with {} members, protocol {}", group.group_id,
                group.generation_id, group.members.size(), group.protocol_name);
  std::vector<JoinedMember> all;
  for (const auto& [id, m] : group.members) {
    const std::string* md = m.MetadataFor(group.protocol_name);
    all.push_back({id, m.group_instance_id, md ? *md : std::string()});
  }
  for (auto& [id, m] : group.members) {
    JoinResult r;
    r.generation_id = group.generation_id;
    r.protocol_name = group.protocol_name;
    r.leader = group.leader_id;
    r.member_id = id;
    if (id == group.leader_id) r.members = all;
    m.session_deadline_ms = now + m.session_timeout_ms;
    deferred.push_back([cb = std::move(m.join_callback), r] { cb(r); });
    m.join_callback = nullptr;
  }
}

void GroupCoordinator::TransitionToEmpty(Group& group, int64_t now) {
  group.state = State::kEmpty;
  group.leader_id.clear();
  group.protocol_name.clear();
  group.members.clear();
  group.static_members.clear();
  group.pending_members.clear();
  group.empty_since_ms = now;
}

void GroupCoordinator::RemoveMember(Group& group, const std::string& member_id, int64_t now,
                                    Deferred& deferred) {
  auto it = group.members.find(member_id);
  if (it == group.members.end()) return;
  Member& m = it->second;
  if (m.join_callback) {
    JoinResult r;
    r.error = ErrorCode::kUnknownMemberId;
    r.member_id = member_id;
    deferred.push_back([cb = std::move(m.join_callback), r] { cb(r); });
  }
  if (m.sync_callback) {
    SyncResult r;
    r.error = ErrorCode::kUnknownMemberId;
    deferred.push_back([cb = std::move(m.sync_callback), r] { cb(r); });
  }
  if (m.group_instance_id) group.static_members.erase(*m.group_instance_id);
  group.members.erase(it);
  switch (group.state) {
    case State::kPreparingRebalance:
      if (group.members.empty()) {
        ++group.generation_id;
        TransitionToEmpty(group, now);
      } else {
        MaybeCompleteJoin(group, now, false, deferred);
      }
      break;
    case State::kCompletingRebalance:
    case State::kStable:
      if (group.members.empty()) {
        ++group.generation_id;
        TransitionToEmpty(group, now);
      } else {
        PrepareRebalance(group, now, deferred);
      }
      break;
    default:
      break;
  }
}

void GroupCoordinator::SyncGroup(const SyncRequest& request, std::function<void(SyncResult)> done) {
  Deferred deferred;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto reply = [&](ErrorCode e, std::string assignment = {}) {
      SyncResult r{e, std::move(assignment)};
      deferred.push_back([done, r] { done(r); });
    };
    Group* group = FindGroup(request.group_id);
    if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) {
      reply(e);
    } else if (group == nullptr) {
      reply(ErrorCode::kUnknownMemberId);
    } else if (request.group_instance_id &&
               group->static_members.contains(*request.group_instance_id) &&
               group->static_members[*request.group_instance_id] != request.member_id) {
      reply(ErrorCode::kFencedInstanceId);
    } else if (!group->members.contains(request.member_id)) {
      reply(ErrorCode::kUnknownMemberId);
    } else if (request.generation_id != group->generation_id) {
      reply(ErrorCode::kIllegalGeneration);
    } else {
      Member& member = group->members[request.member_id];
      const int64_t now = SystemNowMs();
      member.session_deadline_ms = now + member.session_timeout_ms;
      switch (group->state) {
        case State::kPreparingRebalance:
          reply(ErrorCode::kRebalanceInProgress);
          break;
        case State::kStable:
          reply(ErrorCode::kNone, member.assignment);
          break;
        case State::kCompletingRebalance:
          member.sync_callback = done;
          if (request.member_id == group->leader_id) {
            for (auto& [id, m] : group->members) m.assignment.clear();
            for (const auto& [id, assignment] : request.assignments) {
              auto it = group->members.find(id);
              if (it != group->members.end()) it->second.assignment = assignment;
            }
            group->state = State::kStable;
            for (auto& [id, m] : group->members) {
              if (m.sync_callback) {
                SyncResult r{ErrorCode::kNone, m.assignment};
                deferred.push_back([cb = std::move(m.sync_callback), r] { cb(r); });
                m.sync_callback = nullptr;
              }
            }
          }
          break;
        default:
          reply(ErrorCode::kUnknownMemberId);
      }
    }
  }
  for (auto& f : deferred) f();
}

ErrorCode GroupCoordinator::Heartbeat(const std::string& group_id, int32_t generation_id,
                                      const std::string& member_id,
                                      const std::optional<std::string>& group_instance_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) return e;
  Group* group = FindGroup(group_id);
  if (group == nullptr) return ErrorCode::kUnknownMemberId;
  if (group_instance_id && group->static_members.contains(*group_instance_id) &&
      group->static_members[*group_instance_id] != member_id) {
    return ErrorCode::kFencedInstanceId;
  }
  auto it = group->members.find(member_id);
  if (it == group->members.end()) return ErrorCode::kUnknownMemberId;
  if (generation_id != group->generation_id) return ErrorCode::kIllegalGeneration;
  it->second.session_deadline_ms = SystemNowMs() + it->second.session_timeout_ms;
  if (group->state == State::kPreparingRebalance) return ErrorCode::kRebalanceInProgress;
  return ErrorCode::kNone;
}

ErrorCode GroupCoordinator::LeaveGroup(const std::string& group_id,
                                       const std::vector<MemberIdentity>& members,
                                       std::vector<ErrorCode>* member_errors) {
  Deferred deferred;
  ErrorCode top = ErrorCode::kNone;
  member_errors->assign(members.size(), ErrorCode::kNone);
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = SystemNowMs();
    Group* group = FindGroup(group_id);
    if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) {
      top = e;
    } else if (group == nullptr) {
      member_errors->assign(members.size(), ErrorCode::kUnknownMemberId);
    } else {
      for (size_t i = 0; i < members.size(); ++i) {
        std::string member_id = members[i].member_id;
        if (members[i].group_instance_id) {
          auto s = group->static_members.find(*members[i].group_instance_id);
          if (s == group->static_members.end()) {
            (*member_errors)[i] = ErrorCode::kUnknownMemberId;
            continue;
          }
          // An empty member id leaves by instance id (KIP-345 admin removal).
          if (!member_id.empty() && s->second != member_id) {
            (*member_errors)[i] = ErrorCode::kFencedInstanceId;
            continue;
          }
          member_id = s->second;
        }
        if (!group->members.contains(member_id)) {
          (*member_errors)[i] = ErrorCode::kUnknownMemberId;
          continue;
        }
        RemoveMember(*group, member_id, now, deferred);
      }
    }
  }
  for (auto& f : deferred) f();
  return top;
}

ErrorCode GroupCoordinator::AppendToOffsetsTopic(
    const std::string& group_id,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& records, int64_t now,
    std::optional<std::pair<int64_t, int16_t>> producer) {
  const int32_t partition_index = OffsetsPartitionFor(group_id, config_.offsets_topic_partitions);
  auto partition = topics_.GetPartition(kOffsetsTopic, partition_index);
  if (!partition) return ErrorCode::kCoordinatorNotAvailable;
  protocol::RecordBatchBuilder builder;
  if (producer) {
    // Transactional offsets carry no sequence: only the epoch fences them.
    builder.set_producer(producer->first, producer->second, -1).set_transactional(true);
  }
  for (const auto& [key, value] : records) {
    builder.Add(std::string_view(key),
                value ? std::optional<std::string_view>(*value) : std::nullopt, now);
  }
  PartitionAppend appended = partition->Append(builder.Build(), now);
  if (appended.error != ErrorCode::kNone) {
    spdlog::error("cannot write to {}-{}: error {}", kOffsetsTopic, partition_index,
                  protocol::ToWire(appended.error));
  }
  return appended.error;
}

std::vector<ErrorCode> GroupCoordinator::CommitOffsets(
    const std::string& group_id, int32_t generation_id, const std::string& member_id,
    const std::optional<std::string>& group_instance_id, const std::vector<CommitEntry>& entries) {
  std::lock_guard<std::mutex> lock(mu_);
  auto all = [&](ErrorCode e) { return std::vector<ErrorCode>(entries.size(), e); };
  if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) return all(e);
  if (group_id.empty()) return all(ErrorCode::kInvalidGroupId);
  Group* group = FindGroup(group_id);
  if (group == nullptr) {
    // Only a standalone consumer (generation -1, no member) may create a group by
    // committing; anyone claiming a generation must have joined.
    if (generation_id >= 0) return all(ErrorCode::kIllegalGeneration);
    group = &GetOrCreateGroup(group_id);
  } else if (generation_id < 0 && group->state == State::kEmpty) {
    // Standalone commit into an empty group: allowed.
  } else {
    if (group_instance_id && group->static_members.contains(*group_instance_id) &&
        group->static_members[*group_instance_id] != member_id) {
      return all(ErrorCode::kFencedInstanceId);
    }
    if (!group->members.contains(member_id)) return all(ErrorCode::kUnknownMemberId);
    if (generation_id != group->generation_id) return all(ErrorCode::kIllegalGeneration);
    if (group->state == State::kCompletingRebalance) return all(ErrorCode::kRebalanceInProgress);
    group->members[member_id].session_deadline_ms =
        SystemNowMs() + group->members[member_id].session_timeout_ms;
  }
  const int64_t now = SystemNowMs();
  std::vector<ErrorCode> errors(entries.size(), ErrorCode::kNone);
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
  std::vector<size_t> accepted;
  for (size_t i = 0; i < entries.size(); ++i) {
    const CommitEntry& e = entries[i];
    if (e.metadata && e.metadata->size() > static_cast<size_t>(config_.offset_metadata_max_bytes)) {
      errors[i] = ErrorCode::kOffsetMetadataTooLarge;
      continue;
    }
    OffsetValue value{e.offset, e.leader_epoch, e.metadata.value_or(""), now};
    records.emplace_back(EncodeOffsetKey({group_id, e.topic, e.partition}),
                         EncodeOffsetValue(value));
    accepted.push_back(i);
  }
  if (!records.empty()) {
    ErrorCode e = AppendToOffsetsTopic(group_id, records, now);
    if (e != ErrorCode::kNone) {
      for (size_t i : accepted) errors[i] = e;
      return errors;
    }
    for (size_t i : accepted) {
      const CommitEntry& c = entries[i];
      group->offsets[{c.topic, c.partition}] =
          OffsetValue{c.offset, c.leader_epoch, c.metadata.value_or(""), now};
    }
  }
  return errors;
}

ErrorCode GroupCoordinator::FetchOffsets(
    const std::string& group_id,
    const std::optional<std::vector<std::pair<std::string, std::vector<int32_t>>>>& partitions,
    std::vector<FetchedOffset>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) return e;
  Group* group = FindGroup(group_id);
  auto fill = [&](const std::string& topic, int32_t p) {
    FetchedOffset f;
    f.topic = topic;
    f.partition = p;
    f.metadata = "";
    if (group) {
      auto it = group->offsets.find({topic, p});
      if (it != group->offsets.end()) {
        f.offset = it->second.offset;
        f.leader_epoch = it->second.leader_epoch;
        f.metadata = it->second.metadata;
      }
    }
    out->push_back(std::move(f));
  };
  if (partitions) {
    for (const auto& [topic, indexes] : *partitions) {
      for (int32_t p : indexes) fill(topic, p);
    }
  } else if (group) {
    for (const auto& [tp, value] : group->offsets) fill(tp.first, tp.second);
  }
  return ErrorCode::kNone;
}

std::vector<ErrorCode> GroupCoordinator::CommitTransactionalOffsets(
    const std::string& group_id, int64_t producer_id, int16_t producer_epoch, int32_t generation_id,
    const std::string& member_id, const std::optional<std::string>& group_instance_id,
    const std::vector<CommitEntry>& entries) {
  std::lock_guard<std::mutex> lock(mu_);
  auto all = [&](ErrorCode e) { return std::vector<ErrorCode>(entries.size(), e); };
  if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) return all(e);
  if (group_id.empty()) return all(ErrorCode::kInvalidGroupId);
  Group* group = FindGroup(group_id);
  if (generation_id >= 0 || !member_id.empty()) {
    // KIP-447: the producer commits on behalf of a consumer of a given generation.
    if (group == nullptr) return all(ErrorCode::kUnknownMemberId);
    if (group_instance_id && group->static_members.contains(*group_instance_id) &&
        group->static_members[*group_instance_id] != member_id) {
      return all(ErrorCode::kFencedInstanceId);
    }
    if (!group->members.contains(member_id)) return all(ErrorCode::kUnknownMemberId);
    if (generation_id != group->generation_id) return all(ErrorCode::kIllegalGeneration);
  } else if (group == nullptr) {
    group = &GetOrCreateGroup(group_id);
  }
  const int64_t now = SystemNowMs();
  std::vector<ErrorCode> errors(entries.size(), ErrorCode::kNone);
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
  std::vector<size_t> accepted;
  for (size_t i = 0; i < entries.size(); ++i) {
    const CommitEntry& e = entries[i];
    if (e.metadata && e.metadata->size() > static_cast<size_t>(config_.offset_metadata_max_bytes)) {
      errors[i] = ErrorCode::kOffsetMetadataTooLarge;
      continue;
    }
    records.emplace_back(
        EncodeOffsetKey({group_id, e.topic, e.partition}),
        EncodeOffsetValue({e.offset, e.leader_epoch, e.metadata.value_or(""), now}));
    accepted.push_back(i);
  }
  if (records.empty()) return errors;
  ErrorCode e = AppendToOffsetsTopic(group_id, records, now, {{producer_id, producer_epoch}});
  for (size_t i : accepted) {
    errors[i] = e;
    if (e == ErrorCode::kNone) {
      const CommitEntry& c = entries[i];
      group->pending_txn_offsets[producer_id][{c.topic, c.partition}] =
          OffsetValue{c.offset, c.leader_epoch, c.metadata.value_or(""), now};
    }
  }
  return errors;
}

void GroupCoordinator::CompleteTransaction(int64_t producer_id, bool commit,
                                           int32_t offsets_partition) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, group] : groups_) {
    if (OffsetsPartitionFor(id, config_.offsets_topic_partitions) != offsets_partition) continue;
    auto it = group->pending_txn_offsets.find(producer_id);
    if (it == group->pending_txn_offsets.end()) continue;
    if (commit) {
      for (auto& [tp, value] : it->second) group->offsets[tp] = value;
    }
    group->pending_txn_offsets.erase(it);
  }
}

GroupDescription GroupCoordinator::DescribeGroup(const std::string& group_id) {
  std::lock_guard<std::mutex> lock(mu_);
  GroupDescription d;
  d.group_id = group_id;
  if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) {
    d.error = e;
    return d;
  }
  Group* group = FindGroup(group_id);
  if (group == nullptr) {
    d.state = StateName(State::kDead);
    return d;
  }
  d.state = StateName(group->state);
  d.protocol_type = group->protocol_type;
  d.protocol_name = group->protocol_name;
  d.generation_id = group->generation_id;
  for (const auto& [id, m] : group->members) {
    MemberDescription md;
    md.member_id = id;
    md.group_instance_id = m.group_instance_id;
    md.client_id = m.client_id;
    md.client_host = m.client_host;
    // Metadata and assignment are shown only once the group has settled, as in Kafka.
    if (group->state == State::kStable) {
      const std::string* meta = m.MetadataFor(group->protocol_name);
      if (meta) md.metadata = *meta;
      md.assignment = m.assignment;
    }
    d.members.push_back(std::move(md));
  }
  return d;
}

ErrorCode GroupCoordinator::ListGroups(const std::vector<std::string>& states,
                                       std::vector<GroupListing>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) return e;
  for (const auto& [id, group] : groups_) {
    std::string state = StateName(group->state);
    if (!states.empty() && std::find(states.begin(), states.end(), state) == states.end()) {
      continue;
    }
    out->push_back({id, group->protocol_type, state});
  }
  return ErrorCode::kNone;
}

ErrorCode GroupCoordinator::DeleteGroup(const std::string& group_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) return e;
  Group* group = FindGroup(group_id);
  if (group == nullptr) return ErrorCode::kGroupIdNotFound;
  if (group->state != State::kEmpty && group->state != State::kDead) {
    return ErrorCode::kNonEmptyGroup;
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> tombstones;
  for (const auto& [tp, value] : group->offsets) {
    tombstones.emplace_back(EncodeOffsetKey({group_id, tp.first, tp.second}), std::nullopt);
  }
  tombstones.emplace_back(EncodeGroupMetadataKey(group_id), std::nullopt);
  ErrorCode e = AppendToOffsetsTopic(group_id, tombstones, SystemNowMs());
  if (e != ErrorCode::kNone) return e;
  groups_.erase(group_id);
  return ErrorCode::kNone;
}

ErrorCode GroupCoordinator::DeleteOffsets(
    const std::string& group_id, const std::vector<std::pair<std::string, int32_t>>& partitions,
    std::vector<ErrorCode>* errors) {
  std::lock_guard<std::mutex> lock(mu_);
  errors->assign(partitions.size(), ErrorCode::kNone);
  if (ErrorCode e = CheckLoaded(); e != ErrorCode::kNone) return e;
  Group* group = FindGroup(group_id);
  if (group == nullptr) return ErrorCode::kGroupIdNotFound;
  // Topics the active members subscribe to (consumer protocol subscription: version,
  // topics array, user data).
  std::set<std::string> subscribed;
  if (group->protocol_type == "consumer" && group->state != State::kEmpty) {
    for (const auto& [id, m] : group->members) {
      const std::string* md = m.MetadataFor(group->protocol_name);
      if (!md) continue;
      protocol::Reader r(*md);
      r.Int16();
      int32_t n = r.ArrayLength(false, 2);
      for (int32_t i = 0; i < n && r.ok(); ++i) subscribed.insert(r.String());
    }
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> tombstones;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const auto& [topic, p] = partitions[i];
    if (subscribed.contains(topic)) {
      (*errors)[i] = ErrorCode::kGroupSubscribedToTopic;
      continue;
    }
    if (group->offsets.erase({topic, p}) > 0) {
      tombstones.emplace_back(EncodeOffsetKey({group_id, topic, p}), std::nullopt);
    }
  }
  if (!tombstones.empty()) return AppendToOffsetsTopic(group_id, tombstones, SystemNowMs());
  return ErrorCode::kNone;
}

void GroupCoordinator::Tick(int64_t now) {
  Deferred deferred;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (loading_) return;
    std::vector<std::string> dead;
    for (auto& [id, group_ptr] : groups_) {
      Group& group = *group_ptr;
      // Expired MEMBER_ID_REQUIRED ids.
      for (auto it = group.pending_members.begin(); it != group.pending_members.end();) {
        it = it->second < now ? group.pending_members.erase(it) : std::next(it);
      }
      // Sessions: members waiting in a join are kept alive by the rebalance timeout instead.
      std::vector<std::string> expired;
      for (const auto& [member_id, m] : group.members) {
        if (!m.join_callback && m.session_deadline_ms < now) expired.push_back(member_id);
      }
      for (const std::string& member_id : expired) {
        spdlog::info("group {}: member {} session expired", group.group_id, member_id);
        RemoveMember(group, member_id, now, deferred);
      }
      if (group.state == State::kPreparingRebalance) {
        MaybeCompleteJoin(group, now, group.join_deadline_ms <= now, deferred);
      }
      // Offset retention for groups without members.
      if (group.state == State::kEmpty && !group.offsets.empty()) {
        std::vector<std::pair<std::string, std::optional<std::string>>> tombstones;
        for (auto it = group.offsets.begin(); it != group.offsets.end();) {
          int64_t since = std::max(group.empty_since_ms, it->second.commit_timestamp_ms);
          if (now - since >= config_.offsets_retention_ms) {
            tombstones.emplace_back(
                EncodeOffsetKey({group.group_id, it->first.first, it->first.second}), std::nullopt);
            it = group.offsets.erase(it);
          } else {
            ++it;
          }
        }
        if (!tombstones.empty()) AppendToOffsetsTopic(group.group_id, tombstones, now);
      }
      if (group.state == State::kEmpty && group.offsets.empty() && group.members.empty() &&
          group.pending_members.empty() && group.pending_txn_offsets.empty()) {
        dead.push_back(id);
      }
    }
    for (const std::string& id : dead) groups_.erase(id);
  }
  for (auto& f : deferred) f();
}

}  // namespace rill::broker::group
