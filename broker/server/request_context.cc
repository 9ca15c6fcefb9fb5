#include "broker/server/request_context.h"

#include <chrono>

#include "broker/server/connection.h"

namespace rill::broker {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RequestContext::RequestContext(std::shared_ptr<Connection> connection, BrokerServices& services,
                               protocol::RequestHeader header, std::string frame,
                               size_t body_offset, std::chrono::steady_clock::time_point received)
    : connection_(std::move(connection)),
      services_(services),
      header_(std::move(header)),
      frame_(std::move(frame)),
      body_offset_(body_offset),
      received_(received) {}

protocol::Reader RequestContext::body() const {
  return protocol::Reader(std::string_view(frame_).substr(body_offset_));
}

const std::string& RequestContext::client_id() const {
  static const std::string kNone;
  return header_.client_id ? *header_.client_id : kNone;
}

std::string RequestContext::client_host() const {
  const std::string& peer = connection_->peer();
  return "/" + peer.substr(0, peer.rfind(':'));
}

void RequestContext::Finish(std::string frame) {
  if (finished_) return;
  finished_ = true;
  connection_->OnRequestFinished(std::move(frame));
}

void RequestContext::CloseConnection(const std::string& why) {
  finished_ = true;
  asio::dispatch(connection_->strand(), [c = connection_, why] { c->Close(why); });
}

void RequestContext::Post(std::function<void()> fn) {
  asio::post(connection_->strand(), std::move(fn));
}

std::function<void()> RequestContext::RunAfter(std::chrono::milliseconds delay,
                                               std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(connection_->strand(), delay);
  timer->async_wait([timer, fn = std::move(fn)](std::error_code ec) {
    if (!ec) fn();
  });
  auto strand = connection_->strand();
  return [timer, strand]() mutable { asio::post(strand, [timer] { timer->cancel(); }); };
}

}  // namespace rill::broker
