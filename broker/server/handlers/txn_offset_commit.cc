// TxnOffsetCommit: consumer offsets inside a transaction, checked against the group's
// generation and member (KIP-447); visible once the transaction commits.
#include "broker/protocol/messages/txn_offset_commit.h"

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleTxnOffsetCommit(std::shared_ptr<RequestContext> ctx) {
  protocol::TxnOffsetCommitRequest request;
  if (!ctx->Decode(&request)) return;
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
  std::vector<protocol::ErrorCode> errors = ctx->services().groups.CommitTransactionalOffsets(
      request.group_id, request.producer_id, request.producer_epoch, request.generation_id,
      request.member_id, request.group_instance_id, entries);
  protocol::TxnOffsetCommitResponse response;
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
