// EndTxn: commits or aborts the producer's transaction (markers written before replying).
#include "broker/protocol/messages/end_txn.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"
#include "broker/txn/transaction_coordinator.h"

namespace rill::broker {

void HandleEndTxn(std::shared_ptr<RequestContext> ctx) {
  protocol::EndTxnRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::EndTxnResponse response;
  response.error_code = protocol::ToWire(ctx->services().transactions.EndTxn(
      request.transactional_id, request.producer_id, request.producer_epoch, request.committed,
      ctx->received()));
  ctx->Respond(response);
}

}  // namespace rill::broker
