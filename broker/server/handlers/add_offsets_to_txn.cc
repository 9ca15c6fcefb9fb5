// AddOffsetsToTxn: registers the group's __consumer_offsets partition with the transaction.
#include "broker/protocol/messages/add_offsets_to_txn.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"
#include "broker/txn/transaction_coordinator.h"

namespace rill::broker {

void HandleAddOffsetsToTxn(std::shared_ptr<RequestContext> ctx) {
  protocol::AddOffsetsToTxnRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::AddOffsetsToTxnResponse response;
  response.error_code = protocol::ToWire(ctx->services().transactions.AddOffsets(
      request.transactional_id, request.producer_id, request.producer_epoch, request.group_id));
  ctx->Respond(response);
}

}  // namespace rill::broker
