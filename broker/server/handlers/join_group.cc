// JoinGroup: hands the member to the coordinator; the response comes when the rebalance
// completes (possibly seconds later, from the coordinator's tick).
#include "broker/protocol/messages/join_group.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleJoinGroup(std::shared_ptr<RequestContext> ctx) {
  protocol::JoinGroupRequest request;
  if (!ctx->Decode(&request)) return;
  group::JoinRequest join;
  join.group_id = request.group_id;
  join.session_timeout_ms = request.session_timeout_ms;
  join.rebalance_timeout_ms =
      request.rebalance_timeout_ms < 0 ? request.session_timeout_ms : request.rebalance_timeout_ms;
  join.member_id = request.member_id;
  join.group_instance_id = request.group_instance_id;
  join.protocol_type = request.protocol_type;
  for (auto& p : request.protocols) join.protocols.emplace_back(p.name, std::move(p.metadata));
  join.client_id = ctx->client_id();
  join.client_host = ctx->client_host();
  join.require_known_member_id = ctx->version() >= 4;
  ctx->services().groups.JoinGroup(join, [ctx](group::JoinResult result) {
    protocol::JoinGroupResponse response;
    response.error_code = protocol::ToWire(result.error);
    response.generation_id = result.generation_id;
    response.protocol_name = result.protocol_name;
    response.leader = result.leader;
    response.member_id = result.member_id;
    for (auto& m : result.members) {
      response.members.push_back({m.member_id, m.group_instance_id, std::move(m.metadata)});
    }
    ctx->Respond(response);
  });
}

}  // namespace rill::broker
