// Produce: validates each partition's batches (CRC, sizes, magic, max.message.bytes),
// appends them and reports the assigned base offset. acks=0 gets no response at all.
#include "broker/protocol/messages/produce.h"

#include "broker/protocol/record_batch.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"
#include "spdlog/spdlog.h"

namespace rill::broker {
namespace {

using protocol::ErrorCode;
using protocol::ToWire;

protocol::ProduceResponse::PartitionProduceResponse AppendPartition(
    TopicManager& topics, const std::string& topic,
    const protocol::ProduceRequest::PartitionProduceData& data, int16_t version) {
  protocol::ProduceResponse::PartitionProduceResponse out;
  out.index = data.index;
  out.base_offset = -1;
  std::shared_ptr<Partition> partition = topics.GetPartition(topic, data.index);
  if (!partition) {
    out.error_code = ToWire(ErrorCode::kUnknownTopicOrPartition);
    return out;
  }
  if (!data.records || data.records->empty()) {
    out.error_code = ToWire(ErrorCode::kCorruptMessage);
    return out;
  }
  const log::LogConfig config = partition->log().config();
  protocol::BatchValidation validation =
      protocol::ValidateBatches(*data.records, config.max_message_bytes);
  if (validation.error != ErrorCode::kNone) {
    spdlog::debug("rejected produce to {}-{}: {}", topic, data.index, validation.message);
    out.error_code = ToWire(validation.error);
    return out;
  }
  // As in Kafka: since Produce v3 a partition carries exactly one batch, clients may not
  // write control batches, and zstd needs Produce v7.
  if (validation.batches.size() != 1 || validation.batches[0].is_control()) {
    out.error_code = ToWire(ErrorCode::kInvalidRecord);
    return out;
  }
  if (validation.batches[0].compression() == protocol::Compression::kZstd && version < 7) {
    out.error_code = ToWire(ErrorCode::kUnsupportedCompressionType);
    return out;
  }
  PartitionAppend appended = partition->Append(std::string(*data.records), NowMs());
  if (appended.error != ErrorCode::kNone) {
    if (appended.error == ErrorCode::kKafkaStorageError) {
      spdlog::error("append to {}-{} failed", topic, data.index);
    }
    out.error_code = ToWire(appended.error);
    return out;
  }
  out.base_offset = appended.base_offset;
  out.log_append_time_ms = appended.log_append_time_ms;
  out.log_start_offset = partition->log().log_start_offset();
  return out;
}

}  // namespace

void HandleProduce(std::shared_ptr<RequestContext> ctx) {
  protocol::ProduceRequest request;
  if (!ctx->Decode(&request)) return;

  const bool valid_acks = request.acks == 0 || request.acks == 1 || request.acks == -1;
  protocol::ProduceResponse response;
  for (const auto& topic : request.topics) {
    auto& topic_out = response.responses.emplace_back();
    topic_out.name = topic.name;
    for (const auto& data : topic.partitions) {
      if (!valid_acks) {
        auto& p = topic_out.partitions.emplace_back();
        p.index = data.index;
        p.base_offset = -1;
        p.error_code = ToWire(ErrorCode::kInvalidRequiredAcks);
        continue;
      }
      topic_out.partitions.push_back(
          AppendPartition(ctx->services().topics, topic.name, data, ctx->version()));
    }
  }
  // With a single replica, acks=all is satisfied as soon as the leader has appended.
  if (request.acks == 0) return ctx->NoResponse();
  ctx->Respond(response);
}

}  // namespace rill::broker
