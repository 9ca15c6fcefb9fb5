// One in-flight request on a connection: its header and body, the services handlers may
// use, and the ways to finish it (Respond with a typed response, or NoResponse for
// acks=0 produce). A handler may finish later (a parked Fetch) by keeping the shared
// pointer; the connection answers requests strictly in arrival order.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "broker/protocol/request_header.h"
#include "broker/protocol/wire.h"
#include "broker/server/broker_services.h"

namespace rill::broker {

class Connection;

class RequestContext : public std::enable_shared_from_this<RequestContext> {
 public:
  RequestContext(std::shared_ptr<Connection> connection, BrokerServices& services,
                 protocol::RequestHeader header, std::string frame, size_t body_offset,
                 std::chrono::steady_clock::time_point received);

  const protocol::RequestHeader& header() const { return header_; }
  int16_t version() const { return header_.api_version; }
  BrokerServices& services() { return services_; }
  // A reader positioned at the start of the request body.
  protocol::Reader body() const;
  const std::string& client_id() const;
  // When the request's last byte was read from the socket (before any queueing).
  std::chrono::steady_clock::time_point received() const { return received_; }
  // "/ip" of the client, as Kafka shows it in DescribeGroups.
  std::string client_host() const;

  // Encodes `response` at the request's version behind the right response header and
  // sends it (after every earlier request's response).
  // `size_hint`: the expected encoded size, so large responses are built without
  // reallocating (and re-faulting) the frame as it grows.
  template <typename Response>
  void Respond(const Response& response, size_t size_hint = 0) {
    std::string frame;
    if (size_hint > 0) frame.reserve(size_hint);
    protocol::Writer w(&frame);
    size_t size_at = w.ReserveInt32();
    protocol::EncodeResponseHeader(
        w, header_.correlation_id,
        protocol::ResponseHeaderVersion(header_.api_key, header_.api_version));
    response.Encode(w, header_.api_version);
    w.PatchInt32(size_at, static_cast<int32_t>(frame.size() - 4));
    Finish(std::move(frame));
  }
  // Decodes the request body at the request's version. On malformed input the client's
  // connection is closed (Kafka does the same) and false is returned: the handler just
  // returns.
  template <typename Request>
  bool Decode(Request* request) {
    protocol::Reader r = body();
    if (request->Decode(r, header_.api_version)) return true;
    CloseConnection("malformed request (api key " + std::to_string(header_.api_key) +
                    " v" + std::to_string(header_.api_version) + "): " + r.error());
    return false;
  }

  // Completes the request without a response (Produce with acks=0).
  void NoResponse() { Finish(std::string()); }
  // The request was malformed: log `why` and close this client's connection.
  void CloseConnection(const std::string& why);

  // Runs `fn` on this connection's serial executor.
  void Post(std::function<void()> fn);
  // Runs `fn` on the connection's executor after `delay` unless cancelled first.
  // Returns a function that cancels it.
  std::function<void()> RunAfter(std::chrono::milliseconds delay, std::function<void()> fn);

 private:
  void Finish(std::string frame);

  std::shared_ptr<Connection> connection_;
  BrokerServices& services_;
  protocol::RequestHeader header_;
  std::string frame_;
  size_t body_offset_;
  std::chrono::steady_clock::time_point received_;
  bool finished_ = false;
};

}  // namespace rill::broker
