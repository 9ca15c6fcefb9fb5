// The broker's network front end: accepts TCP connections on the listener and runs them
// on a small pool of io threads (Asio). Knows nothing about Kafka APIs beyond handing
// frames to the connection layer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "broker/server/broker_services.h"

namespace rill::broker {

class Server {
 public:
  explicit Server(BrokerServices& services);
  ~Server();

  // Binds host:port (port 0 picks one) and starts the io threads.
  absl::Status Start(const std::string& host, int port, int io_threads);
  int port() const { return port_; }
  // Runs `fn` every `interval_ms` on an io thread until Stop().
  void Every(int64_t interval_ms, std::function<void()> fn);
  // Closes every open client connection; the listener keeps accepting.
  void DropConnections();
  // Stops accepting, closes connections and joins the io threads.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::shared_ptr<std::function<void()>>> ticks_;
  int port_ = 0;
};

}  // namespace rill::broker
