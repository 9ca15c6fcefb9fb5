// ApiVersions: advertises exactly the handler table.
#include "broker/protocol/messages/api_versions.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleApiVersions(std::shared_ptr<RequestContext> ctx) {
  protocol::ApiVersionsRequest request;
  protocol::Reader r = ctx->body();
  protocol::ApiVersionsResponse response;
  if (!request.Decode(r, ctx->version())) {
    // KIP-511: a request we cannot parse still gets our versions, with INVALID_REQUEST.
    response.error_code = protocol::ToWire(protocol::ErrorCode::kInvalidRequest);
  }
  for (const HandlerEntry& e : HandlerTable()) {
    response.api_keys.push_back({static_cast<int16_t>(e.api_key), e.min_version, e.max_version});
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
