// DeleteRecords: raises a partition's log start offset (offset -1 = the high watermark).
#include "broker/protocol/messages/delete_records.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleDeleteRecords(std::shared_ptr<RequestContext> ctx) {
  protocol::DeleteRecordsRequest request;
  if (!ctx->Decode(&request)) return;
  using protocol::ErrorCode;
  protocol::DeleteRecordsResponse response;
  for (const auto& topic : request.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = topic.name;
    for (const auto& p : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = p.partition_index;
      out.low_watermark = -1;
      auto partition = ctx->services().topics.GetPartition(topic.name, p.partition_index);
      if (!partition) {
        out.error_code = protocol::ToWire(ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      int64_t offset = p.offset == -1 ? partition->high_watermark() : p.offset;
      if (offset < 0 || offset > partition->high_watermark()) {
        out.error_code = protocol::ToWire(ErrorCode::kOffsetOutOfRange);
        continue;
      }
      absl::Status s = partition->log().DeleteRecordsBefore(offset);
      if (!s.ok()) {
        out.error_code = protocol::ToWire(ErrorCode::kKafkaStorageError);
        continue;
      }
      out.low_watermark = partition->log().log_start_offset();
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
