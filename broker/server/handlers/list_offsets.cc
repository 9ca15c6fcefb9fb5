// ListOffsets: earliest (-2), latest (-1; the last stable offset for read_committed) and
// the first offset at or after a timestamp.
#include "broker/protocol/messages/list_offsets.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleListOffsets(std::shared_ptr<RequestContext> ctx) {
  protocol::ListOffsetsRequest request;
  if (!ctx->Decode(&request)) return;
  constexpr int64_t kLatest = -1, kEarliest = -2;
  protocol::ListOffsetsResponse response;
  for (const auto& topic : request.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = topic.name;
    for (const auto& p : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = p.partition_index;
      auto partition = ctx->services().topics.GetPartition(topic.name, p.partition_index);
      if (!partition) {
        out.error_code = protocol::ToWire(protocol::ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (p.timestamp == kLatest) {
        out.offset = request.isolation_level == 1 ? partition->last_stable_offset()
                                                  : partition->high_watermark();
      } else if (p.timestamp == kEarliest) {
        out.offset = partition->log().log_start_offset();
      } else if (p.timestamp < 0) {
        out.error_code = protocol::ToWire(protocol::ErrorCode::kInvalidRequest);
      } else if (auto found = partition->log().OffsetForTimestamp(p.timestamp)) {
        out.offset = found->first;
        out.timestamp = found->second;
      }
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
