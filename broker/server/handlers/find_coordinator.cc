// FindCoordinator: this node coordinates every group and every transactional id.
#include "broker/protocol/messages/find_coordinator.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleFindCoordinator(std::shared_ptr<RequestContext> ctx) {
  protocol::FindCoordinatorRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::FindCoordinatorResponse response;
  if (request.key_type != protocol::FindCoordinatorRequest::kGroup &&
      request.key_type != protocol::FindCoordinatorRequest::kTransaction) {
    response.error_code = protocol::ToWire(protocol::ErrorCode::kInvalidRequest);
    response.error_message = "unknown coordinator key type";
    response.node_id = -1;
    response.port = -1;
  } else if (request.key.empty()) {
    response.error_code = protocol::ToWire(protocol::ErrorCode::kInvalidGroupId);
    response.node_id = -1;
    response.port = -1;
  } else {
    response.node_id = ctx->services().config.node_id;
    response.host = ctx->services().advertised_host;
    response.port = ctx->services().advertised_port;
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
