// One client connection: reads size-prefixed request frames, hands them to handlers one
// at a time in arrival order, and writes responses in that same order (Kafka clients
// pipeline requests and match responses by order). A malformed frame closes only this
// connection. Internal to the server; all work runs on the connection's strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "asio.hpp"
#include "broker/server/broker_services.h"

namespace rill::broker {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, BrokerServices& services);

  void Start();
  // Closes the socket; pending work finishes without sending.
  void Close(const std::string& why);

  // Called by RequestContext when a request finishes; an empty frame sends nothing.
  void OnRequestFinished(std::string frame);
  asio::strand<asio::any_io_executor>& strand() { return strand_; }
  const std::string& peer() const { return peer_; }

 private:
  void ReadSize();
  void ReadBody(uint32_t size);
  void MaybeProcessNext();
  void Dispatch(std::string frame, std::chrono::steady_clock::time_point received);
  void Flush();

  asio::ip::tcp::socket socket_;
  asio::strand<asio::any_io_executor> strand_;
  BrokerServices& services_;
  std::string peer_;
  char size_buf_[4];
  std::string body_;

  struct PendingRequest {
    std::string frame;
    std::chrono::steady_clock::time_point received;
  };
  std::deque<PendingRequest> pending_;  // requests read but not yet dispatched
  size_t pending_bytes_ = 0;
  bool reading_paused_ = false;
  bool in_flight_ = false;            // a request is being handled
  std::string out_queue_;             // responses waiting for the current write
  std::string out_writing_;           // the buffer being written
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace rill::broker
