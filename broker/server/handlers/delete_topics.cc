// DeleteTopics: removes the topics' logs and metadata.
#include "broker/protocol/messages/delete_topics.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleDeleteTopics(std::shared_ptr<RequestContext> ctx) {
  protocol::DeleteTopicsRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::DeleteTopicsResponse response;
  for (const std::string& name : request.topic_names) {
    auto& out = response.responses.emplace_back();
    out.name = name;
    out.error_code = protocol::ToWire(ctx->services().topics.DeleteTopic(name).error);
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
