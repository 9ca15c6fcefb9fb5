// AddPartitionsToTxn: registers data partitions with the producer's open transaction.
#include "broker/protocol/messages/add_partitions_to_txn.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"
#include "broker/txn/transaction_coordinator.h"

namespace rill::broker {

void HandleAddPartitionsToTxn(std::shared_ptr<RequestContext> ctx) {
  protocol::AddPartitionsToTxnRequest request;
  if (!ctx->Decode(&request)) return;
  std::vector<txn::TopicPartition> partitions;
  for (const auto& t : request.topics) {
    for (int32_t p : t.partitions) partitions.emplace_back(t.name, p);
  }
  std::vector<protocol::ErrorCode> errors = ctx->services().transactions.AddPartitions(
      request.transactional_id, request.producer_id, request.producer_epoch, partitions);
  protocol::AddPartitionsToTxnResponse response;
  size_t i = 0;
  for (const auto& t : request.topics) {
    auto& topic_out = response.results.emplace_back();
    topic_out.name = t.name;
    for (int32_t p : t.partitions) {
      topic_out.results.push_back({p, protocol::ToWire(errors[i++])});
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
