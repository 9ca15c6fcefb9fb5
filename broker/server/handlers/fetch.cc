// Fetch: reads whole batches from each requested partition up to the byte limits. When
// fewer than min_bytes are available the request parks until an append to one of its
// partitions wakes it or max_wait_ms passes — never by the timer alone.
#include "broker/protocol/messages/fetch.h"

#include <algorithm>
#include <atomic>

#include "absl/status/status.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"
#include "spdlog/spdlog.h"

namespace rill::broker {
namespace {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;
using protocol::ToWire;

// One Fetch request from decode to response; lives until it responds. All of its methods
// run on the connection's strand, except OnAppend which only posts.
class FetchOperation : public AppendWaiter, public std::enable_shared_from_this<FetchOperation> {
 public:
  FetchOperation(std::shared_ptr<RequestContext> ctx, FetchRequest request)
      : ctx_(std::move(ctx)), request_(std::move(request)) {}

  void Start() {
    if (!TryRespond(/*expired=*/request_.max_wait_ms <= 0)) {
      auto self = shared_from_this();
      cancel_timer_ = ctx_->RunAfter(std::chrono::milliseconds(request_.max_wait_ms),
                                     [self] { self->TryRespond(/*expired=*/true); });
    }
  }

  void OnAppend() override {
    if (done_.load()) return;
    auto self = shared_from_this();
    ctx_->Post([self] { self->TryRespond(/*expired=*/false); });
  }

 private:
  // Reads every partition; responds when enough data arrived, an error needs reporting,
  // or the wait expired. Returns true once responded.
  bool TryRespond(bool expired) {
    if (done_.load()) return true;
    TopicManager& topics = ctx_->services().topics;
    FetchResponse response;
    std::vector<std::string> buffers;
    // Reserved up front: the response holds views into these strings, so they must
    // never move.
    size_t requested = 0;
    for (const auto& topic : request_.topics) requested += topic.partitions.size();
    buffers.reserve(requested);
    int64_t total_bytes = 0;
    bool any_error = false;
    int64_t remaining = std::min<int64_t>(request_.max_bytes > 0 ? request_.max_bytes : 0,
                                          std::max(ctx_->services().config.fetch_max_bytes,
                                                   request_.min_bytes));
    auto self = shared_from_this();

    for (const auto& topic : request_.topics) {
      auto& topic_out = response.responses.emplace_back();
      topic_out.topic = topic.topic;
      for (const auto& p : topic.partitions) {
        auto& out = topic_out.partitions.emplace_back();
        out.partition_index = p.partition;
        std::shared_ptr<Partition> partition = topics.GetPartition(topic.topic, p.partition);
        if (!partition) {
          out.error_code = ToWire(ErrorCode::kUnknownTopicOrPartition);
          out.high_watermark = -1;
          any_error = true;
          continue;
        }
        // Register before reading, so an append landing between the read and the park
        // still wakes this fetch. A fetch that responds leaves a stale entry that the
        // partition drops (weak reference, done_ flag).
        if (!expired) partition->AddWaiter(self);
        const int64_t hw = partition->high_watermark();
        out.high_watermark = hw;
        // Read after the high watermark, so clamp: the LSO never exceeds the HW sent.
        out.last_stable_offset = std::min(partition->last_stable_offset(), hw);
        out.log_start_offset = partition->log().log_start_offset();
        if (request_.isolation_level == 1) out.aborted_transactions.emplace();
        if (p.fetch_offset > hw || p.fetch_offset < out.log_start_offset) {
          out.error_code = ToWire(ErrorCode::kOffsetOutOfRange);
          any_error = true;
          continue;
        }
        if (p.fetch_offset == hw) continue;
        // KIP-74: once something was returned, a partition gets at most what is left of
        // the response budget; the first batch of the response is always whole.
        if (total_bytes > 0 && remaining <= 0) continue;
        int32_t limit = p.partition_max_bytes;
        if (remaining < limit) limit = static_cast<int32_t>(std::max<int64_t>(remaining, 1));
        std::string& buf = buffers.emplace_back();
        const int64_t upper = request_.isolation_level == 1 ? out.last_stable_offset : hw;
        absl::Status s = partition->log().Read(p.fetch_offset, limit, upper, &buf);
        if (!s.ok()) {
          out.error_code = ToWire(absl::IsOutOfRange(s) ? ErrorCode::kOffsetOutOfRange
                                                        : ErrorCode::kKafkaStorageError);
          any_error = true;
          buffers.pop_back();
          continue;
        }
        if (!buf.empty()) out.records = std::string_view(buf);
        if (request_.isolation_level == 1 && !buf.empty()) {
          // The consumer drops the records of these transactions; it needs every aborted
          // transaction overlapping what is returned, [fetch_offset, last offset].
          int64_t last = p.fetch_offset;
          std::string_view rest(buf);
          while (rest.size() >= protocol::kRecordBatchHeaderSize) {
            auto h = protocol::ParseRecordBatchHeader(rest);
            if (!h || h->total_size() > rest.size()) break;
            last = std::max(last, h->last_offset());
            rest.remove_prefix(h->total_size());
          }
          for (const txn::AbortedTxn& a : partition->AbortedTransactions(p.fetch_offset, last + 1)) {
            out.aborted_transactions->push_back({a.producer_id, a.first_offset});
          }
        }
        total_bytes += static_cast<int64_t>(buf.size());
        remaining -= static_cast<int64_t>(buf.size());
      }
    }

    if (!expired && !any_error && total_bytes < request_.min_bytes) return false;
    done_.store(true);
    if (cancel_timer_) cancel_timer_();
    // Records stay empty (not null) where nothing was read, as Kafka sends them.
    for (auto& t : response.responses) {
      for (auto& p : t.partitions) {
        if (!p.records) p.records = std::string_view();
      }
    }
    // Records plus per-partition overhead (ids, offsets, aborted list) plus headers.
    size_t partitions = 0;
    for (const auto& t : response.responses) partitions += t.partitions.size() + 1;
    ctx_->Respond(response, static_cast<size_t>(total_bytes) + partitions * 128 + 256);
    return true;
  }

  std::shared_ptr<RequestContext> ctx_;
  FetchRequest request_;
  std::function<void()> cancel_timer_;
  std::atomic<bool> done_{false};
};

}  // namespace

void HandleFetch(std::shared_ptr<RequestContext> ctx) {
  FetchRequest request;
  if (!ctx->Decode(&request)) return;
  auto op = std::make_shared<FetchOperation>(std::move(ctx), std::move(request));
  op->Start();
}

}  // namespace rill::broker
