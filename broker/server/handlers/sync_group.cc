// SyncGroup: the leader delivers assignments; everyone gets theirs once it has.
#include "broker/protocol/messages/sync_group.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleSyncGroup(std::shared_ptr<RequestContext> ctx) {
  protocol::SyncGroupRequest request;
  if (!ctx->Decode(&request)) return;
  group::SyncRequest sync;
  sync.group_id = request.group_id;
  sync.generation_id = request.generation_id;
  sync.member_id = request.member_id;
  sync.group_instance_id = request.group_instance_id;
  for (auto& a : request.assignments) sync.assignments.emplace_back(a.member_id, std::move(a.assignment));
  ctx->services().groups.SyncGroup(sync, [ctx](group::SyncResult result) {
    protocol::SyncGroupResponse response;
    response.error_code = protocol::ToWire(result.error);
    response.assignment = std::move(result.assignment);
    ctx->Respond(response);
  });
}

}  // namespace rill::broker
