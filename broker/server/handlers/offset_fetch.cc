// OffsetFetch: committed offsets (with metadata) of some or all partitions of a group;
// -1 where nothing was committed.
#include "broker/protocol/messages/offset_fetch.h"

#include <map>

#include "broker/group/group_coordinator.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {

void HandleOffsetFetch(std::shared_ptr<RequestContext> ctx) {
  protocol::OffsetFetchRequest request;
  if (!ctx->Decode(&request)) return;
  std::optional<std::vector<std::pair<std::string, std::vector<int32_t>>>> wanted;
  if (request.topics) {
    wanted.emplace();
    for (const auto& t : *request.topics) wanted->emplace_back(t.name, t.partition_indexes);
  }
  std::vector<group::FetchedOffset> fetched;
  protocol::ErrorCode top = ctx->services().groups.FetchOffsets(request.group_id, wanted, &fetched);
  protocol::OffsetFetchResponse response;
  response.error_code = protocol::ToWire(top);
  if (top != protocol::ErrorCode::kNone && ctx->version() < 2 && request.topics) {
    // v1 has no group-level error: repeat it on every partition asked for.
    for (const auto& t : *request.topics) {
      auto& topic_out = response.topics.emplace_back();
      topic_out.name = t.name;
      for (int32_t p : t.partition_indexes) {
        auto& out = topic_out.partitions.emplace_back();
        out.partition_index = p;
        out.error_code = protocol::ToWire(top);
      }
    }
  }
  std::map<std::string, size_t> topic_index;
  for (auto& f : fetched) {
    auto [it, inserted] = topic_index.emplace(f.topic, response.topics.size());
    if (inserted) response.topics.emplace_back().name = f.topic;
    auto& out = response.topics[it->second].partitions.emplace_back();
    out.partition_index = f.partition;
    out.committed_offset = f.offset;
    out.committed_leader_epoch = f.leader_epoch;
    out.metadata = std::move(f.metadata);
    out.error_code = protocol::ToWire(f.error);
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
