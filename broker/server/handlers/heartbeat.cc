// Heartbeat: keeps a member's session alive and tells it when to rejoin.
#include "broker/protocol/messages/heartbeat.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleHeartbeat(std::shared_ptr<RequestContext> ctx) {
  protocol::HeartbeatRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::HeartbeatResponse response;
  response.error_code = protocol::ToWire(ctx->services().groups.Heartbeat(
      request.group_id, request.generation_id, request.member_id, request.group_instance_id));
  ctx->Respond(response);
}

}  // namespace rill::broker
