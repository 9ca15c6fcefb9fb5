// InitProducerId: a fresh producer id (epoch 0) for idempotent producers; for
// transactional ids the transaction coordinator's id and (bumped, fencing) epoch.
#include "broker/protocol/messages/init_producer_id.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"
#include "broker/txn/producer_id_manager.h"
#include "broker/txn/transaction_coordinator.h"

namespace rill::broker {

void HandleInitProducerId(std::shared_ptr<RequestContext> ctx) {
  protocol::InitProducerIdRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::InitProducerIdResponse response;
  response.producer_id = -1;
  response.producer_epoch = -1;
  if (request.transactional_id && !request.transactional_id->empty()) {
    txn::InitProducerIdResult r = ctx->services().transactions.InitProducerId(
        *request.transactional_id, request.transaction_timeout_ms, request.producer_id,
        request.producer_epoch);
    response.error_code = protocol::ToWire(r.error);
    response.producer_id = r.producer_id;
    response.producer_epoch = r.producer_epoch;
  } else {
    // Without a transactional id every call gets a new id, also when a v3+ client asks to
    // bump the epoch of its current one (as Kafka does).
    auto id = ctx->services().producer_ids.NextId();
    if (!id.ok()) {
      response.error_code = protocol::ToWire(protocol::ErrorCode::kUnknownServerError);
    } else {
      response.producer_id = *id;
      response.producer_epoch = 0;
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
