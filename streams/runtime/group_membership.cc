#include "streams/runtime/group_membership.h"

#include <algorithm>
#include <exception>
#include <set>

#include "absl/strings/str_cat.h"
#include "broker/protocol/api_keys.h"
#include "broker/protocol/messages/find_coordinator.h"
#include "broker/protocol/messages/heartbeat.h"
#include "broker/protocol/messages/join_group.h"
#include "broker/protocol/messages/leave_group.h"
#include "broker/protocol/messages/offset_commit.h"
#include "broker/protocol/messages/offset_fetch.h"
#include "broker/protocol/messages/sync_group.h"
#include "broker/protocol/wire.h"
#include "spdlog/spdlog.h"
#include "streams/runtime/internal/kafka_connection.h"
#include "streams_assignment.pb.h"

namespace rill::streams {
namespace {

namespace protocol = broker::protocol;
using internal::BrokerAddress;
using internal::KafkaConnection;
using internal::KafkaErrorName;
using protocol::ErrorCode;

constexpr char kProtocolType[] = "consumer";
constexpr char kProtocolName[] = "rill-streams";
// SubscriptionInfo / AssignmentInfo version this client writes.
constexpr int32_t kInfoVersion = 1;
// AssignmentInfo.error_code when the leader's assignor failed.
constexpr int32_t kAssignmentFailed = 1;

// The highest versions Rill's codecs have that Kafka 4 still accepts (it dropped JoinGroup
// v0-1, OffsetCommit v0-1 and OffsetFetch v0).
constexpr int16_t kFindCoordinatorVersion = 2;
constexpr int16_t kJoinGroupVersion = 5;
constexpr int16_t kSyncGroupVersion = 3;
constexpr int16_t kHeartbeatVersion = 3;
constexpr int16_t kLeaveGroupVersion = 3;
constexpr int16_t kOffsetCommitVersion = 7;
constexpr int16_t kOffsetFetchVersion = 7;

bool Is(int16_t code, ErrorCode e) { return code == protocol::ToWire(e); }

// The coordinator moved or is gone: look it up again.
bool IsCoordinatorMoved(int16_t code) {
  return Is(code, ErrorCode::kNotCoordinator) || Is(code, ErrorCode::kCoordinatorNotAvailable);
}

// Transient on the same coordinator: just try again a little later.
bool IsTransient(int16_t code) {
  return Is(code, ErrorCode::kCoordinatorLoadInProgress) || Is(code, ErrorCode::kRequestTimedOut);
}

// The group moved on without this member's current generation.
bool IsRejoinNeeded(int16_t code) {
  return Is(code, ErrorCode::kRebalanceInProgress) || Is(code, ErrorCode::kIllegalGeneration) ||
         Is(code, ErrorCode::kUnknownMemberId) || Is(code, ErrorCode::kFencedInstanceId);
}

void ToProto(const TaskId& t, proto::TaskId* out) {
  out->set_subtopology(t.subtopology);
  out->set_partition(t.partition);
}

TaskId FromProto(const proto::TaskId& t) { return TaskId{t.subtopology(), t.partition()}; }

std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

// Kafka's ConsumerProtocolSubscription v0: version, topics, user data.
std::string EncodeSubscription(const std::vector<std::string>& topics,
                               const std::string& user_data) {
  std::set<std::string> sorted(topics.begin(), topics.end());
  std::string out;
  protocol::Writer w(&out);
  w.Int16(0);
  w.ArrayLength(static_cast<int32_t>(sorted.size()), false);
  for (const std::string& t : sorted) w.String(t);
  w.NullableBytes(std::optional<std::string_view>(user_data));
  return out;
}

// User data of a ConsumerProtocolSubscription of any version (later versions only append
// fields); nullopt when it does not parse.
std::optional<std::string> DecodeSubscriptionUserData(std::string_view bytes) {
  protocol::Reader r(bytes);
  r.Int16();
  const int32_t n = r.ArrayLength(false, 2);
  for (int32_t i = 0; i < n && r.ok(); ++i) r.String();
  std::optional<std::string_view> user_data = r.NullableBytes();
  if (!r.ok()) return std::nullopt;
  return std::string(user_data.value_or(std::string_view()));
}

// Kafka's ConsumerProtocolAssignment v0: version, partitions by topic, user data.
std::string EncodeAssignment(const std::map<std::string, std::vector<int32_t>>& partitions,
                             const std::string& user_data) {
  std::string out;
  protocol::Writer w(&out);
  w.Int16(0);
  w.ArrayLength(static_cast<int32_t>(partitions.size()), false);
  for (const auto& [topic, ps] : partitions) {
    w.String(topic);
    w.ArrayLength(static_cast<int32_t>(ps.size()), false);
    for (int32_t p : ps) w.Int32(p);
  }
  w.NullableBytes(std::optional<std::string_view>(user_data));
  return out;
}

std::optional<std::string> DecodeAssignmentUserData(std::string_view bytes) {
  // A member the leader gave nothing gets empty bytes, as in Kafka.
  if (bytes.empty()) return std::string();
  protocol::Reader r(bytes);
  r.Int16();
  const int32_t topics = r.ArrayLength(false, 6);
  for (int32_t i = 0; i < topics && r.ok(); ++i) {
    r.String();
    const int32_t n = r.ArrayLength(false, 4);
    for (int32_t k = 0; k < n && r.ok(); ++k) r.Int32();
  }
  std::optional<std::string_view> user_data = r.NullableBytes();
  if (!r.ok()) return std::nullopt;
  return std::string(user_data.value_or(std::string_view()));
}

std::vector<TaskId> Sorted(const google::protobuf::RepeatedPtrField<proto::TaskId>& tasks) {
  std::vector<TaskId> out;
  out.reserve(tasks.size());
  for (const proto::TaskId& t : tasks) out.push_back(FromProto(t));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

GroupMembership::GroupMembership(GroupMembershipOptions options, LeaderAssign assign)
    : options_(std::move(options)),
      assign_(std::move(assign)),
      main_interrupter_(std::make_unique<internal::Interrupter>()),
      heartbeat_interrupter_(std::make_unique<internal::Interrupter>()) {
  absl::StatusOr<std::vector<BrokerAddress>> parsed =
      internal::ParseBootstrapServers(options_.bootstrap_servers);
  if (parsed.ok()) {
    bootstrap_ = *std::move(parsed);
  } else {
    // Reported by the first Join (constructors cannot return a status).
    bootstrap_status_ = parsed.status();
  }
  main_conn_ = std::make_unique<KafkaConnection>(options_.client_id, main_interrupter_.get());
  heartbeat_conn_ =
      std::make_unique<KafkaConnection>(options_.client_id, heartbeat_interrupter_.get());
}

GroupMembership::~GroupMembership() { StopHeartbeatThread(); }

bool GroupMembership::RebalanceNeeded() const { return rebalance_needed_.load(); }

const std::string& GroupMembership::member_id() const { return member_id_; }

int32_t GroupMembership::generation() const { return generation_.load(); }

void GroupMembership::Abort() {
  aborted_ = true;
  ++aborts_;
  main_interrupter_->Interrupt();
}

uint64_t GroupMembership::BeginInterruptible() {
  // Clear before reading the count: an Abort() racing with this either lands before the
  // read (and is ignored, as any earlier one) or leaves the interrupter set (and cancels).
  main_interrupter_->Clear();
  return aborts_.load();
}

// ---------------------------------------------------------------------------------------
// Coordinator discovery and retries.

absl::StatusOr<BrokerAddress> GroupMembership::FindCoordinator(
    const internal::Interrupter& interrupter, absl::Time deadline) {
  BrokerAddress bootstrap;
  {
    std::lock_guard<std::mutex> lock(coordinator_mu_);
    // Round robin, so one dead bootstrap broker cannot keep us from the others.
    bootstrap = bootstrap_[next_bootstrap_++ % bootstrap_.size()];
  }
  KafkaConnection conn(options_.client_id, &interrupter);
  if (absl::Status s = conn.Connect(bootstrap, deadline); !s.ok()) return s;
  protocol::FindCoordinatorRequest request;
  request.key = options_.group_id;
  request.key_type = protocol::FindCoordinatorRequest::kGroup;
  protocol::FindCoordinatorResponse response;
  if (absl::Status s = conn.Call(request, kFindCoordinatorVersion, &response, deadline); !s.ok()) {
    return s;
  }
  if (response.error_code != 0) {
    return absl::UnavailableError(absl::StrCat("FindCoordinator(", options_.group_id,
                                               "): ", KafkaErrorName(response.error_code), " ",
                                               response.error_message.value_or("")));
  }
  return BrokerAddress{response.host, response.port};
}

absl::Status GroupMembership::EnsureCoordinator(KafkaConnection& conn,
                                                const internal::Interrupter& interrupter,
                                                absl::Time deadline) {
  if (!bootstrap_status_.ok()) return bootstrap_status_;
  for (;;) {
    std::optional<BrokerAddress> known;
    {
      std::lock_guard<std::mutex> lock(coordinator_mu_);
      if (coordinator_) known = *coordinator_;
    }
    if (known) {
      if (conn.connected() && conn.address() == *known) return absl::OkStatus();
      absl::Status s = conn.Connect(*known, deadline);
      if (!s.ok() && !absl::IsCancelled(s)) CoordinatorLost(conn);
      return s;
    }
    absl::StatusOr<BrokerAddress> found = FindCoordinator(interrupter, deadline);
    if (!found.ok()) return found.status();
    std::lock_guard<std::mutex> lock(coordinator_mu_);
    coordinator_ = std::make_unique<BrokerAddress>(*found);
  }
}

void GroupMembership::CoordinatorLost(KafkaConnection& conn) {
  {
    std::lock_guard<std::mutex> lock(coordinator_mu_);
    if (coordinator_ && *coordinator_ == conn.address()) coordinator_.reset();
  }
  conn.Close();
}

bool GroupMembership::Backoff(const internal::Interrupter& interrupter, absl::Duration* backoff,
                              absl::Time deadline) {
  const absl::Time now = absl::Now();
  if (now >= deadline) return false;
  const absl::Time wake = std::min(now + *backoff, deadline);
  *backoff = std::min(*backoff * 2, absl::Milliseconds(options_.retry_backoff_max_ms));
  if (interrupter.SleepUntil(wake)) return false;
  return absl::Now() < deadline;
}

absl::Status GroupMembership::RunWithRetries(const std::string& what, absl::Time deadline,
                                             uint64_t aborts,
                                             const std::function<Attempt()>& attempt) {
  auto aborted = [&] { return aborts_.load() != aborts; };
  absl::Duration backoff = absl::Milliseconds(options_.retry_backoff_ms);
  absl::Status last = absl::DeadlineExceededError("no attempt made");
  for (;;) {
    if (aborted()) return absl::CancelledError(absl::StrCat(what, ": aborted"));
    Attempt a;
    if (absl::Status s = EnsureCoordinator(*main_conn_, *main_interrupter_, deadline); s.ok()) {
      a = attempt();
    } else {
      a = {Attempt::kRetry, s};  // EnsureCoordinator already forgot a dead coordinator
    }
    if (a.kind == Attempt::kDone) return a.status;
    if (aborted()) return absl::CancelledError(absl::StrCat(what, ": aborted"));
    if (a.kind == Attempt::kCoordinatorLost) CoordinatorLost(*main_conn_);
    last = a.status;
    spdlog::debug("group {}: {} will be retried: {}", options_.group_id, what, last.ToString());
    if (!Backoff(*main_interrupter_, &backoff, deadline)) {
      if (aborted()) return absl::CancelledError(absl::StrCat(what, ": aborted"));
      return absl::DeadlineExceededError(
          absl::StrCat(what, " gave up after retries; last error: ", last.ToString()));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Join.

absl::StatusOr<MembershipAssignment> GroupMembership::Join(const ClientSubscription& self,
                                                           absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::lock_guard<std::mutex> main(main_mu_);
  if (!bootstrap_status_.ok()) return bootstrap_status_;
  if (aborted_) return absl::CancelledError("Join: aborted");
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Heartbeats of the old generation would only be answered with errors from here on, and
    // the coordinator keeps a joining member alive without them.
    heartbeats_enabled_ = false;
    ++epoch_;
    if (member_id_unknown_) {
      member_id_.clear();
      member_id_unknown_ = false;
    }
  }
  StartHeartbeatThread();
  absl::StatusOr<MembershipAssignment> result = JoinLocked(self, deadline);
  std::lock_guard<std::mutex> lock(mu_);
  ++epoch_;
  if (result.ok()) {
    generation_ = result->generation;
    rebalance_needed_ = false;
    heartbeats_enabled_ = true;
    last_heartbeat_ok_ = Clock::now();
    next_heartbeat_ =
        last_heartbeat_ok_ + std::chrono::milliseconds(options_.heartbeat_interval_ms);
    cv_.notify_all();
    spdlog::info("group {}: member {} joined generation {}{}: {} active, {} standby tasks",
                 options_.group_id, result->member_id, result->generation,
                 result->leader ? " as leader" : "", result->active.size(), result->standby.size());
  } else {
    rebalance_needed_ = true;
    spdlog::warn("group {}: join failed: {}", options_.group_id, result.status().ToString());
  }
  return result;
}

absl::StatusOr<MembershipAssignment> GroupMembership::JoinLocked(const ClientSubscription& self,
                                                                 absl::Time deadline) {
  proto::SubscriptionInfo info;
  info.set_version(kInfoVersion);
  info.set_process_id(self.process_id);
  info.set_application_server(self.application_server);
  for (const TaskId& t : self.previous_active) ToProto(t, info.add_previous_active());
  for (const auto& [t, sum] : self.task_offset_sums) {
    proto::TaskOffsetSum* s = info.add_task_offset_sums();
    ToProto(t, s->mutable_task());
    s->set_offset_sum(sum);
  }
  const std::string metadata = EncodeSubscription(options_.topics, info.SerializeAsString());
  auto set_member_id = [&](const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    member_id_ = id;
  };
  // Neither JoinGroup (it waits for every member to rejoin) nor SyncGroup (it waits for the
  // leader's assignment) may take longer than the rebalance timeout; Kafka's clients allow
  // a few seconds more for the network.
  auto rpc_deadline = [&] {
    return std::min(deadline, absl::Now() + absl::Milliseconds(options_.rebalance_timeout_ms) +
                                  absl::Seconds(5));
  };

  absl::Duration backoff = absl::Milliseconds(options_.retry_backoff_ms);
  absl::Status last = absl::DeadlineExceededError("no attempt made");
  // Waits before the next attempt; false when there is no time left (or aborted).
  auto retry_later = [&](absl::Status why) {
    last = std::move(why);
    spdlog::debug("group {}: join will be retried: {}", options_.group_id, last.ToString());
    return Backoff(*main_interrupter_, &backoff, deadline);
  };
  auto give_up = [&]() -> absl::Status {
    if (aborted_) return absl::CancelledError("Join: aborted");
    return absl::DeadlineExceededError(
        absl::StrCat("joining group ", options_.group_id, " timed out; last: ", last.ToString()));
  };

  for (;;) {
    if (aborted_) return absl::CancelledError("Join: aborted");
    if (absl::Now() >= deadline) return give_up();
    if (absl::Status s = EnsureCoordinator(*main_conn_, *main_interrupter_, deadline); !s.ok()) {
      if (!retry_later(s)) return give_up();
      continue;
    }

    protocol::JoinGroupRequest join;
    join.group_id = options_.group_id;
    join.session_timeout_ms = options_.session_timeout_ms;
    join.rebalance_timeout_ms = options_.rebalance_timeout_ms;
    join.member_id = member_id_;
    join.group_instance_id = NonEmpty(options_.group_instance_id);
    join.protocol_type = kProtocolType;
    join.protocols.push_back({kProtocolName, metadata});
    protocol::JoinGroupResponse joined;
    if (absl::Status s = main_conn_->Call(join, kJoinGroupVersion, &joined, rpc_deadline());
        !s.ok()) {
      if (!absl::IsCancelled(s)) CoordinatorLost(*main_conn_);
      if (!retry_later(s)) return give_up();
      continue;
    }
    const int16_t join_error = joined.error_code;
    if (Is(join_error, ErrorCode::kMemberIdRequired)) {
      // KIP-394: the coordinator hands out the id first; join again with it.
      set_member_id(joined.member_id);
      continue;
    }
    if (Is(join_error, ErrorCode::kUnknownMemberId)) {
      // Expired or removed: join as a new member.
      set_member_id("");
      continue;
    }
    if (Is(join_error, ErrorCode::kRebalanceInProgress) ||
        Is(join_error, ErrorCode::kIllegalGeneration)) {
      continue;  // a retried join superseded this one; join again at once
    }
    if (IsCoordinatorMoved(join_error)) {
      CoordinatorLost(*main_conn_);
      if (!retry_later(absl::UnavailableError("JoinGroup: " + KafkaErrorName(join_error)))) {
        return give_up();
      }
      continue;
    }
    if (IsTransient(join_error)) {
      if (!retry_later(absl::UnavailableError("JoinGroup: " + KafkaErrorName(join_error)))) {
        return give_up();
      }
      continue;
    }
    if (join_error != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("JoinGroup(", options_.group_id, ") refused: ", KafkaErrorName(join_error)));
    }
    if (joined.protocol_name != kProtocolName) {
      return absl::FailedPreconditionError(absl::StrCat("group ", options_.group_id,
                                                        " chose protocol '", joined.protocol_name,
                                                        "', not '", kProtocolName, "'"));
    }
    set_member_id(joined.member_id);
    const bool leader = joined.leader == joined.member_id;

    protocol::SyncGroupRequest sync;
    sync.group_id = options_.group_id;
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    sync.group_instance_id = NonEmpty(options_.group_instance_id);
    // A static leader that rejoins a stable group without changes is told no members: the
    // group keeps its assignment and SyncGroup just hands it back.
    if (leader && !joined.members.empty()) {
      std::vector<std::pair<std::string, std::string>> member_metadata;
      for (const auto& m : joined.members) member_metadata.emplace_back(m.member_id, m.metadata);
      for (auto& [id, bytes] : ComputeAssignments(member_metadata)) {
        sync.assignments.push_back({id, std::move(bytes)});
      }
    }
    protocol::SyncGroupResponse synced;
    if (absl::Status s = main_conn_->Call(sync, kSyncGroupVersion, &synced, rpc_deadline());
        !s.ok()) {
      if (!absl::IsCancelled(s)) CoordinatorLost(*main_conn_);
      if (!retry_later(s)) return give_up();
      continue;
    }
    const int16_t sync_error = synced.error_code;
    if (Is(sync_error, ErrorCode::kRebalanceInProgress) ||
        Is(sync_error, ErrorCode::kIllegalGeneration)) {
      continue;  // someone joined or left meanwhile: the generation is already over
    }
    if (Is(sync_error, ErrorCode::kUnknownMemberId)) {
      set_member_id("");
      continue;
    }
    if (IsCoordinatorMoved(sync_error)) {
      CoordinatorLost(*main_conn_);
      if (!retry_later(absl::UnavailableError("SyncGroup: " + KafkaErrorName(sync_error)))) {
        return give_up();
      }
      continue;
    }
    if (IsTransient(sync_error)) {
      if (!retry_later(absl::UnavailableError("SyncGroup: " + KafkaErrorName(sync_error)))) {
        return give_up();
      }
      continue;
    }
    if (sync_error != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("SyncGroup(", options_.group_id, ") refused: ", KafkaErrorName(sync_error)));
    }

    std::optional<std::string> user_data = DecodeAssignmentUserData(synced.assignment);
    proto::AssignmentInfo assignment;
    if (!user_data || !assignment.ParseFromString(*user_data)) {
      return absl::DataLossError(
          absl::StrCat("group ", options_.group_id, ": undecodable assignment from the leader"));
    }
    if (assignment.error_code() != 0) {
      return absl::InternalError(absl::StrCat("group ", options_.group_id,
                                              ": the leader could not assign tasks (error ",
                                              assignment.error_code(), ")"));
    }
    MembershipAssignment out;
    out.generation = joined.generation_id;
    out.member_id = joined.member_id;
    out.leader = leader;
    out.active = Sorted(assignment.active());
    out.standby = Sorted(assignment.standby());
    for (const proto::HostTasks& h : assignment.hosts()) {
      std::vector<TaskId>& active = out.active_by_host[h.application_server()];
      for (const TaskId& t : Sorted(h.active())) active.push_back(t);
      std::sort(active.begin(), active.end());
      std::vector<TaskId>& standby = out.standby_by_host[h.application_server()];
      for (const TaskId& t : Sorted(h.standby())) standby.push_back(t);
      std::sort(standby.begin(), standby.end());
    }
    return out;
  }
}

std::vector<std::pair<std::string, std::string>> GroupMembership::ComputeAssignments(
    const std::vector<std::pair<std::string, std::string>>& member_metadata) {
  std::vector<ClientSubscription> subscriptions;
  for (const auto& [id, bytes] : member_metadata) {
    ClientSubscription c;
    c.member_id = id;
    std::optional<std::string> user_data = DecodeSubscriptionUserData(bytes);
    proto::SubscriptionInfo info;
    if (!user_data || !info.ParseFromString(*user_data)) {
      // Still assigned (as a process of its own with no state), so the group stays whole.
      spdlog::warn("group {}: undecodable subscription from member {}", options_.group_id, id);
    } else {
      c.process_id = info.process_id();
      c.application_server = info.application_server();
      for (const proto::TaskId& t : info.previous_active()) {
        c.previous_active.push_back(FromProto(t));
      }
      for (const proto::TaskOffsetSum& s : info.task_offset_sums()) {
        c.task_offset_sums[FromProto(s.task())] = s.offset_sum();
      }
    }
    subscriptions.push_back(std::move(c));
  }

  std::map<std::string, TaskAssignment> result;
  int32_t error = 0;
  try {
    if (assign_) result = assign_(subscriptions);
  } catch (const std::exception& e) {
    // Every member learns the generation is unusable, instead of the leader dying alone
    // and the group waiting for its session to time out.
    spdlog::error("group {}: task assignment failed: {}", options_.group_id, e.what());
    result.clear();
    error = kAssignmentFailed;
  }

  // Where each instance's tasks are, for interactive queries; threads of one instance
  // share an application_server and are merged.
  std::map<std::string, std::pair<std::set<TaskId>, std::set<TaskId>>> hosts;
  for (const ClientSubscription& c : subscriptions) {
    if (c.application_server.empty()) continue;
    auto& [active, standby] = hosts[c.application_server];
    auto it = result.find(c.member_id);
    if (it == result.end()) continue;
    active.insert(it->second.active.begin(), it->second.active.end());
    standby.insert(it->second.standby.begin(), it->second.standby.end());
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const ClientSubscription& c : subscriptions) {
    proto::AssignmentInfo info;
    info.set_version(kInfoVersion);
    info.set_error_code(error);
    const TaskAssignment* mine = nullptr;
    if (auto it = result.find(c.member_id); it != result.end()) mine = &it->second;
    if (mine) {
      for (const TaskId& t : mine->active) ToProto(t, info.add_active());
      for (const TaskId& t : mine->standby) ToProto(t, info.add_standby());
    }
    for (const auto& [server, tasks] : hosts) {
      proto::HostTasks* h = info.add_hosts();
      h->set_application_server(server);
      for (const TaskId& t : tasks.first) ToProto(t, h->add_active());
      for (const TaskId& t : tasks.second) ToProto(t, h->add_standby());
    }
    static const std::map<std::string, std::vector<int32_t>> kNoPartitions;
    out.emplace_back(c.member_id, EncodeAssignment(mine ? mine->partitions : kNoPartitions,
                                                   info.SerializeAsString()));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Offsets.

absl::Status GroupMembership::CommitOffsets(const std::vector<TopicPartitionOffset>& offsets) {
  std::lock_guard<std::mutex> main(main_mu_);
  const uint64_t aborts = BeginInterruptible();
  if (offsets.empty()) return absl::OkStatus();
  protocol::OffsetCommitRequest request;
  request.group_id = options_.group_id;
  request.generation_id = generation_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    request.member_id = member_id_;
  }
  request.group_instance_id = NonEmpty(options_.group_instance_id);
  std::map<std::string, size_t> topic_index;
  for (const TopicPartitionOffset& o : offsets) {
    auto [it, fresh] = topic_index.emplace(o.topic, request.topics.size());
    if (fresh) request.topics.push_back({o.topic, {}});
    request.topics[it->second].partitions.push_back(
        {o.partition, o.offset, -1, std::optional<std::string>(o.metadata)});
  }
  const absl::Time deadline = absl::Now() + absl::Milliseconds(options_.request_timeout_ms);
  return RunWithRetries("OffsetCommit", deadline, aborts, [&]() -> Attempt {
    protocol::OffsetCommitResponse response;
    if (absl::Status s = main_conn_->Call(request, kOffsetCommitVersion, &response, deadline);
        !s.ok()) {
      return {absl::IsCancelled(s) ? Attempt::kDone : Attempt::kCoordinatorLost, s};
    }
    for (const auto& topic : response.topics) {
      for (const auto& p : topic.partitions) {
        const int16_t e = p.error_code;
        if (e == 0) continue;
        const std::string what = absl::StrCat("OffsetCommit of ", topic.name, "-",
                                              p.partition_index, ": ", KafkaErrorName(e));
        if (IsCoordinatorMoved(e)) return {Attempt::kCoordinatorLost, absl::UnavailableError(what)};
        if (IsTransient(e)) return {Attempt::kRetry, absl::UnavailableError(what)};
        if (IsRejoinNeeded(e)) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (Is(e, ErrorCode::kUnknownMemberId)) member_id_unknown_ = true;
            rebalance_needed_ = true;
          }
          return {Attempt::kDone, absl::AbortedError(absl::StrCat(
                                      what, " (generation ", request.generation_id, ", member ",
                                      request.member_id, "): rejoin the group"))};
        }
        return {Attempt::kDone, absl::InvalidArgumentError(what)};
      }
    }
    return {Attempt::kDone, absl::OkStatus()};
  });
}

absl::StatusOr<std::vector<TopicPartitionOffset>> GroupMembership::FetchCommittedOffsets(
    const std::vector<std::pair<std::string, int32_t>>& partitions) {
  std::lock_guard<std::mutex> main(main_mu_);
  const uint64_t aborts = BeginInterruptible();
  std::vector<TopicPartitionOffset> out;
  for (const auto& [topic, p] : partitions) out.push_back({topic, p, -1, ""});
  if (partitions.empty()) return out;
  protocol::OffsetFetchRequest request;
  request.group_id = options_.group_id;
  // Kafka then answers UNSTABLE_OFFSET_COMMIT instead of an offset a pending transaction may
  // still replace; exactly-once needs that, and at-least-once loses nothing by it.
  request.require_stable = true;
  std::vector<protocol::OffsetFetchRequest::OffsetFetchRequestTopic> topics;
  std::map<std::string, size_t> topic_index;
  for (const auto& [topic, p] : partitions) {
    auto [it, fresh] = topic_index.emplace(topic, topics.size());
    if (fresh) topics.push_back({topic, {}});
    topics[it->second].partition_indexes.push_back(p);
  }
  request.topics = std::move(topics);

  const absl::Time deadline = absl::Now() + absl::Milliseconds(options_.request_timeout_ms);
  std::map<std::pair<std::string, int32_t>, std::pair<int64_t, std::string>> fetched;
  absl::Status s = RunWithRetries("OffsetFetch", deadline, aborts, [&]() -> Attempt {
    protocol::OffsetFetchResponse response;
    if (absl::Status s = main_conn_->Call(request, kOffsetFetchVersion, &response, deadline);
        !s.ok()) {
      return {absl::IsCancelled(s) ? Attempt::kDone : Attempt::kCoordinatorLost, s};
    }
    auto classify = [](int16_t e, const std::string& what) -> std::optional<Attempt> {
      if (e == 0 || Is(e, ErrorCode::kUnknownTopicOrPartition)) return std::nullopt;
      if (IsCoordinatorMoved(e))
        return Attempt{Attempt::kCoordinatorLost, absl::UnavailableError(what)};
      if (IsTransient(e) || Is(e, ErrorCode::kUnstableOffsetCommit)) {
        return Attempt{Attempt::kRetry, absl::UnavailableError(what)};
      }
      return Attempt{Attempt::kDone, absl::InternalError(what)};
    };
    if (auto a =
            classify(response.error_code, "OffsetFetch: " + KafkaErrorName(response.error_code))) {
      return *a;
    }
    fetched.clear();
    for (const auto& topic : response.topics) {
      for (const auto& p : topic.partitions) {
        if (auto a = classify(p.error_code,
                              absl::StrCat("OffsetFetch of ", topic.name, "-", p.partition_index,
                                           ": ", KafkaErrorName(p.error_code)))) {
          return *a;
        }
        fetched[{topic.name, p.partition_index}] = {
            Is(p.error_code, ErrorCode::kUnknownTopicOrPartition) ? -1 : p.committed_offset,
            p.metadata.value_or("")};
      }
    }
    return {Attempt::kDone, absl::OkStatus()};
  });
  if (!s.ok()) return s;
  for (TopicPartitionOffset& o : out) {
    auto it = fetched.find({o.topic, o.partition});
    if (it == fetched.end()) continue;
    o.offset = it->second.first;
    o.metadata = it->second.second;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Leave.

void GroupMembership::Leave() {
  std::lock_guard<std::mutex> main(main_mu_);
  StopHeartbeatThread();
  std::string member;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++epoch_;
    member = member_id_;
  }
  if (!member.empty() && bootstrap_status_.ok()) {
    // An earlier Abort() must not keep the coordinator from hearing that we are gone: that
    // is what spares the rest of the group a session timeout.
    const uint64_t aborts = BeginInterruptible();
    protocol::LeaveGroupRequest request;
    request.group_id = options_.group_id;
    request.members.push_back({member, NonEmpty(options_.group_instance_id)});
    const absl::Time deadline = absl::Now() + absl::Milliseconds(options_.request_timeout_ms);
    absl::Status s = RunWithRetries("LeaveGroup", deadline, aborts, [&]() -> Attempt {
      protocol::LeaveGroupResponse response;
      if (absl::Status s = main_conn_->Call(request, kLeaveGroupVersion, &response, deadline);
          !s.ok()) {
        return {absl::IsCancelled(s) ? Attempt::kDone : Attempt::kCoordinatorLost, s};
      }
      int16_t e = response.error_code;
      for (const auto& m : response.members) {
        if (e == 0) e = m.error_code;
      }
      // Already gone is as good as leaving.
      if (e == 0 || Is(e, ErrorCode::kUnknownMemberId)) return {Attempt::kDone, absl::OkStatus()};
      const std::string what = "LeaveGroup: " + KafkaErrorName(e);
      if (IsCoordinatorMoved(e)) return {Attempt::kCoordinatorLost, absl::UnavailableError(what)};
      if (IsTransient(e)) return {Attempt::kRetry, absl::UnavailableError(what)};
      return {Attempt::kDone, absl::InternalError(what)};
    });
    if (s.ok()) {
      spdlog::info("group {}: member {} left", options_.group_id, member);
    } else {
      spdlog::warn(
          "group {}: member {} could not leave cleanly (the coordinator will expire "
          "it): {}",
          options_.group_id, member, s.ToString());
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  member_id_.clear();
  member_id_unknown_ = false;
  generation_ = -1;
  rebalance_needed_ = false;
}

// ---------------------------------------------------------------------------------------
// Heartbeats.

void GroupMembership::StartHeartbeatThread() {
  if (heartbeat_thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_heartbeats_ = false;
  }
  heartbeat_interrupter_->Clear();
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
}

void GroupMembership::StopHeartbeatThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_heartbeats_ = true;
    heartbeats_enabled_ = false;
  }
  cv_.notify_all();
  // Cuts short a heartbeat waiting on a slow or dead coordinator.
  heartbeat_interrupter_->Interrupt();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
  heartbeat_interrupter_->Clear();
  heartbeat_conn_->Close();
}

absl::StatusOr<int16_t> GroupMembership::SendHeartbeat(const std::string& member_id,
                                                       int32_t generation) {
  const absl::Time deadline =
      absl::Now() +
      absl::Milliseconds(std::min(options_.session_timeout_ms, options_.request_timeout_ms));
  if (absl::Status s = EnsureCoordinator(*heartbeat_conn_, *heartbeat_interrupter_, deadline);
      !s.ok()) {
    return s;
  }
  protocol::HeartbeatRequest request;
  request.group_id = options_.group_id;
  request.generation_id = generation;
  request.member_id = member_id;
  request.group_instance_id = NonEmpty(options_.group_instance_id);
  protocol::HeartbeatResponse response;
  if (absl::Status s = heartbeat_conn_->Call(request, kHeartbeatVersion, &response, deadline);
      !s.ok()) {
    if (!absl::IsCancelled(s)) CoordinatorLost(*heartbeat_conn_);
    return s;
  }
  if (IsCoordinatorMoved(response.error_code)) CoordinatorLost(*heartbeat_conn_);
  return response.error_code;
}

void GroupMembership::HeartbeatLoop() {
  const auto interval = std::chrono::milliseconds(options_.heartbeat_interval_ms);
  const auto session = std::chrono::milliseconds(options_.session_timeout_ms);
  const auto initial_backoff = std::chrono::milliseconds(options_.retry_backoff_ms);
  const auto max_backoff = std::chrono::milliseconds(options_.retry_backoff_max_ms);
  auto backoff = initial_backoff;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_heartbeats_) {
    if (!heartbeats_enabled_) {
      cv_.wait(lock);
      continue;
    }
    if (Clock::now() < next_heartbeat_) {
      cv_.wait_until(lock, next_heartbeat_);
      continue;
    }
    const std::string member = member_id_;
    const int32_t generation = generation_;
    const uint64_t epoch = epoch_;
    lock.unlock();
    absl::StatusOr<int16_t> result = SendHeartbeat(member, generation);
    lock.lock();
    if (stop_heartbeats_) break;
    // A Join or Leave started meanwhile: this answer is about a generation nobody holds.
    if (epoch != epoch_ || !heartbeats_enabled_) continue;
    const Clock::time_point now = Clock::now();
    const int16_t code = result.ok() ? *result : int16_t{0};
    if (!result.ok() || IsCoordinatorMoved(code) || IsTransient(code)) {
      if (now - last_heartbeat_ok_ >= session) {
        spdlog::warn(
            "group {}: no heartbeat got through for the session timeout ({}); the "
            "coordinator has dropped member {}",
            options_.group_id, result.ok() ? KafkaErrorName(code) : result.status().ToString(),
            member);
        rebalance_needed_ = true;
        heartbeats_enabled_ = false;
      } else {
        next_heartbeat_ = now + backoff;
        backoff = std::min(backoff * 2, max_backoff);
      }
      continue;
    }
    backoff = initial_backoff;
    if (code == 0) {
      last_heartbeat_ok_ = now;
      next_heartbeat_ = now + interval;
    } else if (Is(code, ErrorCode::kRebalanceInProgress)) {
      // Keep heartbeating: it keeps the session alive while the owner commits and releases
      // its tasks before rejoining.
      if (!rebalance_needed_) {
        spdlog::info("group {}: rebalance in progress, member {} must rejoin", options_.group_id,
                     member);
      }
      rebalance_needed_ = true;
      last_heartbeat_ok_ = now;
      next_heartbeat_ = now + interval;
    } else if (IsRejoinNeeded(code)) {
      spdlog::info("group {}: heartbeat of member {} (generation {}): {}, must rejoin",
                   options_.group_id, member, generation, KafkaErrorName(code));
      if (Is(code, ErrorCode::kUnknownMemberId)) member_id_unknown_ = true;
      rebalance_needed_ = true;
      heartbeats_enabled_ = false;
    } else {
      spdlog::warn("group {}: heartbeat: {}", options_.group_id, KafkaErrorName(code));
      next_heartbeat_ = now + interval;
    }
  }
}

}  // namespace rill::streams
