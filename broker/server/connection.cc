#include "broker/server/connection.h"

#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/request_header.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"
#include "spdlog/spdlog.h"

namespace rill::broker {
namespace {

// Read-ahead bound per connection: beyond this the connection stops reading until the
// handlers catch up, so one fast producer cannot queue unbounded memory.
constexpr size_t kMaxPendingRequests = 128;
constexpr size_t kMaxPendingBytes = 64 << 20;

// The smallest request: api key, version, correlation id, client id length.
constexpr uint32_t kMinFrameSize = 10;

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, BrokerServices& services)
    : socket_(std::move(socket)),
      strand_(asio::make_strand(socket_.get_executor())),
      services_(services) {
  std::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  peer_ = ec ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

void Connection::Start() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->ReadSize(); });
}

void Connection::Close(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  if (!why.empty()) spdlog::warn("closing connection from {}: {}", peer_, why);
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  pending_.clear();
}

void Connection::ReadSize() {
  if (closed_) return;
  asio::async_read(
      socket_, asio::buffer(size_buf_, 4),
      asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec, size_t) {
        if (ec) return self->Close("");
        uint32_t size = protocol::LoadBigEndian32(self->size_buf_);
        // Checked before allocating: an absurd size prefix costs nothing.
        if (size < kMinFrameSize ||
            size > static_cast<uint32_t>(self->services_.config.max_request_bytes)) {
          return self->Close("invalid request size " + std::to_string(size));
        }
        self->ReadBody(size);
      }));
}

void Connection::ReadBody(uint32_t size) {
  body_.resize(size);
  asio::async_read(
      socket_, asio::buffer(body_.data(), size),
      asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec, size_t) {
        if (ec) return self->Close("");
        self->pending_bytes_ += self->body_.size();
        self->pending_.push_back({std::move(self->body_), std::chrono::steady_clock::now()});
        self->body_.clear();
        self->MaybeProcessNext();
        if (self->pending_.size() >= kMaxPendingRequests ||
            self->pending_bytes_ >= kMaxPendingBytes) {
          self->reading_paused_ = true;
        } else {
          self->ReadSize();
        }
      }));
}

void Connection::MaybeProcessNext() {
  if (closed_ || in_flight_ || pending_.empty()) return;
  PendingRequest next = std::move(pending_.front());
  pending_.pop_front();
  pending_bytes_ -= next.frame.size();
  if (reading_paused_) {
    reading_paused_ = false;
    ReadSize();
  }
  in_flight_ = true;
  Dispatch(std::move(next.frame), next.received);
}

void Connection::Dispatch(std::string frame, std::chrono::steady_clock::time_point received) {
  protocol::Reader reader(frame);
  protocol::RequestHeader header;
  if (!protocol::DecodeRequestHeader(reader, &header)) {
    return Close("malformed request header: " + reader.error());
  }
  const HandlerEntry* entry = FindHandler(header.api_key);
  if (entry == nullptr) {
    return Close("unsupported api key " + std::to_string(header.api_key));
  }
  size_t body_offset = reader.position();
  auto ctx = std::make_shared<RequestContext>(shared_from_this(), services_, header,
                                              std::move(frame), body_offset, received);
  if (header.api_version < entry->min_version || header.api_version > entry->max_version) {
    if (header.api_key == static_cast<int16_t>(protocol::ApiKey::kApiVersions)) {
      // KIP-511: answer an ApiVersions request of a version we do not know with
      // UNSUPPORTED_VERSION and our ranges in the v0 layout, so the client can retry.
      protocol::ApiVersionsResponse response;
      response.error_code = protocol::ToWire(protocol::ErrorCode::kUnsupportedVersion);
      for (const HandlerEntry& e : HandlerTable()) {
        response.api_keys.push_back(
            {static_cast<int16_t>(e.api_key), e.min_version, e.max_version});
      }
      std::string out;
      protocol::Writer w(&out);
      size_t at = w.ReserveInt32();
      protocol::EncodeResponseHeader(w, header.correlation_id, 0);
      response.Encode(w, 0);
      w.PatchInt32(at, static_cast<int32_t>(out.size() - 4));
      return OnRequestFinished(std::move(out));
    }
    return Close("unsupported version " + std::to_string(header.api_version) + " of api key " +
                 std::to_string(header.api_key));
  }
  entry->handler(std::move(ctx));
}

void Connection::OnRequestFinished(std::string frame) {
  // May be called from any thread (e.g. a timer); hop onto the strand.
  asio::dispatch(strand_, [self = shared_from_this(), frame = std::move(frame)]() mutable {
    if (self->closed_) return;
    self->in_flight_ = false;
    if (!frame.empty()) {
      // Fetch responses are megabytes: move rather than copy when nothing is queued.
      if (self->out_queue_.empty()) {
        self->out_queue_ = std::move(frame);
      } else {
        self->out_queue_.append(frame);
      }
      self->Flush();
    }
    self->MaybeProcessNext();
  });
}

void Connection::Flush() {
  if (writing_ || out_queue_.empty() || closed_) return;
  writing_ = true;
  out_writing_.swap(out_queue_);
  out_queue_.clear();
  asio::async_write(
      socket_, asio::buffer(out_writing_),
      asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec, size_t) {
        self->writing_ = false;
        self->out_writing_.clear();
        if (ec) return self->Close("");
        self->Flush();
      }));
}

}  // namespace rill::broker
