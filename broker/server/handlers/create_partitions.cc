// CreatePartitions: grows a topic to a larger partition count (never shrinks it).
#include "broker/protocol/messages/create_partitions.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleCreatePartitions(std::shared_ptr<RequestContext> ctx) {
  protocol::CreatePartitionsRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::CreatePartitionsResponse response;
  for (const auto& t : request.topics) {
    AdminResult result;
    if (t.assignments) {
      for (const auto& a : *t.assignments) {
        for (int32_t b : a.broker_ids) {
          if (b != ctx->services().config.node_id) {
            result = {protocol::ErrorCode::kInvalidReplicaAssignment,
                      "Unknown broker " + std::to_string(b) + " in replica assignment"};
          }
        }
      }
    }
    if (result.ok()) {
      result = ctx->services().topics.CreatePartitions(t.name, t.count, request.validate_only);
    }
    auto& out = response.results.emplace_back();
    out.name = t.name;
    out.error_code = protocol::ToWire(result.error);
    if (!result.ok()) out.error_message = result.message;
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
