// OffsetCommit: checked against the group's generation and member, then written to
// __consumer_offsets before the response goes out.
#include "broker/protocol/messages/offset_commit.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleOffsetCommit(std::shared_ptr<RequestContext> ctx) {
  protocol::OffsetCommitRequest request;
  if (!ctx->Decode(&request)) return;
  // Offsets for partitions that do not exist are refused, as in Kafka; the rest go to
  // the coordinator.
  std::vector<group::CommitEntry> entries;
  std::vector<bool> known;
  for (const auto& t : request.topics) {
    for (const auto& p : t.partitions) {
      known.push_back(ctx->services().topics.GetPartition(t.name, p.partition_index) != nullptr);
      if (known.back()) {
        entries.push_back({t.name, p.partition_index, p.committed_offset,
                           p.committed_leader_epoch, p.committed_metadata});
      }
    }
  }
  std::vector<protocol::ErrorCode> errors = ctx->services().groups.CommitOffsets(
      request.group_id, request.generation_id, request.member_id, request.group_instance_id,
      entries);
  protocol::OffsetCommitResponse response;
  size_t i = 0, k = 0;
  for (const auto& t : request.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::ErrorCode e =
          known[k++] ? errors[i++] : protocol::ErrorCode::kUnknownTopicOrPartition;
      topic_out.partitions.push_back({p.partition_index, protocol::ToWire(e)});
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
