// OffsetDelete: drops committed offsets of topics the group no longer consumes.
#include "broker/protocol/messages/offset_delete.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleOffsetDelete(std::shared_ptr<RequestContext> ctx) {
  protocol::OffsetDeleteRequest request;
  if (!ctx->Decode(&request)) return;
  std::vector<std::pair<std::string, int32_t>> partitions;
  for (const auto& t : request.topics) {
    for (const auto& p : t.partitions) partitions.emplace_back(t.name, p.partition_index);
  }
  std::vector<protocol::ErrorCode> errors;
  protocol::OffsetDeleteResponse response;
  response.error_code = protocol::ToWire(
      ctx->services().groups.DeleteOffsets(request.group_id, partitions, &errors));
  if (response.error_code == 0) {
    size_t i = 0;
    for (const auto& t : request.topics) {
      auto& topic_out = response.topics.emplace_back();
      topic_out.name = t.name;
      for (const auto& p : t.partitions) {
        topic_out.partitions.push_back({p.partition_index, protocol::ToWire(errors[i++])});
      }
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
