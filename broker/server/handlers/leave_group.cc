// LeaveGroup: one member (v0-2) or a batch of members, possibly by instance id (v3+).
#include "broker/protocol/messages/leave_group.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleLeaveGroup(std::shared_ptr<RequestContext> ctx) {
  protocol::LeaveGroupRequest request;
  if (!ctx->Decode(&request)) return;
  std::vector<group::MemberIdentity> members;
  if (ctx->version() >= 3) {
    for (const auto& m : request.members) members.push_back({m.member_id, m.group_instance_id});
  } else {
    members.push_back({request.member_id, std::nullopt});
  }
  std::vector<protocol::ErrorCode> member_errors;
  protocol::ErrorCode top =
      ctx->services().groups.LeaveGroup(request.group_id, members, &member_errors);
  protocol::LeaveGroupResponse response;
  if (ctx->version() >= 3) {
    response.error_code = protocol::ToWire(top);
    for (size_t i = 0; i < members.size(); ++i) {
      response.members.push_back({members[i].member_id, members[i].group_instance_id,
                                  protocol::ToWire(member_errors[i])});
    }
  } else {
    // v0-2 carry one member, whose outcome is the response's error.
    response.error_code =
        protocol::ToWire(top != protocol::ErrorCode::kNone ? top : member_errors[0]);
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
