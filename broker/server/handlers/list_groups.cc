// ListGroups: every group this coordinator knows, optionally filtered by state (v4+).
#include "broker/protocol/messages/list_groups.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleListGroups(std::shared_ptr<RequestContext> ctx) {
  protocol::ListGroupsRequest request;
  if (!ctx->Decode(&request)) return;
  std::vector<group::GroupListing> groups;
  protocol::ListGroupsResponse response;
  response.error_code =
      protocol::ToWire(ctx->services().groups.ListGroups(request.states_filter, &groups));
  for (auto& g : groups) {
    response.groups.push_back({std::move(g.group_id), std::move(g.protocol_type),
                               std::move(g.state)});
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
