// DeleteGroups: removes empty groups and their committed offsets.
#include "broker/protocol/messages/delete_groups.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleDeleteGroups(std::shared_ptr<RequestContext> ctx) {
  protocol::DeleteGroupsRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::DeleteGroupsResponse response;
  for (const std::string& id : request.groups_names) {
    response.results.push_back({id, protocol::ToWire(ctx->services().groups.DeleteGroup(id))});
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
