// DescribeGroups: state, protocol and members (with metadata and assignment once Stable).
#include "broker/protocol/messages/describe_groups.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleDescribeGroups(std::shared_ptr<RequestContext> ctx) {
  protocol::DescribeGroupsRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::DescribeGroupsResponse response;
  for (const std::string& id : request.groups) {
    group::GroupDescription d = ctx->services().groups.DescribeGroup(id);
    auto& out = response.groups.emplace_back();
    out.error_code = protocol::ToWire(d.error);
    out.group_id = id;
    out.group_state = d.state;
    out.protocol_type = d.protocol_type;
    out.protocol_data = d.protocol_name;
    for (auto& m : d.members) {
      out.members.push_back({m.member_id, m.group_instance_id, m.client_id, m.client_host,
                             std::move(m.metadata), std::move(m.assignment)});
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
