#include "broker/server/server.h"

#include <mutex>

#include "asio.hpp"
#include "broker/server/connection.h"
#include "spdlog/spdlog.h"

namespace rill::broker {

struct Server::Impl {
  explicit Impl(BrokerServices& s) : services(s), acceptor(io) {}

  void Accept() {
    acceptor.async_accept(asio::make_strand(io), [this](std::error_code ec,
                                                        asio::ip::tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
        spdlog::warn("accept failed: {}", ec.message());
      } else {
        auto connection = std::make_shared<Connection>(std::move(socket), services);
        {
          std::lock_guard<std::mutex> lock(mu);
          connections.push_back(connection);
          // Drop entries of connections that have ended.
          std::erase_if(connections, [](const auto& w) { return w.expired(); });
        }
        connection->Start();
      }
      Accept();
    });
  }

  BrokerServices& services;
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::weak_ptr<Connection>> connections;
  std::vector<std::shared_ptr<asio::steady_timer>> timers;
  bool stopped = false;
};

Server::Server(BrokerServices& services) : impl_(std::make_unique<Impl>(services)) {}

Server::~Server() { Stop(); }

absl::Status Server::Start(const std::string& host, int port, int io_threads) {
  std::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError("invalid listen address " + host);
  asio::ip::tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                                  ec.message());
  }
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  for (int i = 0; i < std::max(1, io_threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
  return absl::OkStatus();
}

void Server::Every(int64_t interval_ms, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->io);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->timers.push_back(timer);
  }
  auto tick = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak_tick = tick;
  *tick = [timer, interval_ms, fn = std::move(fn), weak_tick]() {
    timer->expires_after(std::chrono::milliseconds(interval_ms));
    timer->async_wait([timer, fn, weak_tick](std::error_code ec) {
      if (ec) return;
      fn();
      if (auto t = weak_tick.lock()) (*t)();
    });
  };
  (*tick)();
  // The tick function must live as long as the timer chain; park it with the timer.
  std::lock_guard<std::mutex> lock(impl_->mu);
  ticks_.push_back(tick);
}

void Server::DropConnections() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& weak : impl_->connections) {
    if (auto c = weak.lock()) {
      asio::post(c->strand(), [c] { c->Close("dropped (fault injection)"); });
    }
  }
}

void Server::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->io, [this] {
    std::error_code ec;
    impl_->acceptor.close(ec);
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& t : impl_->timers) t->cancel();
    for (auto& weak : impl_->connections) {
      if (auto c = weak.lock()) {
        asio::post(c->strand(), [c] { c->Close(""); });
      }
    }
  });
  // Let the closes run, then stop the loop.
  asio::post(impl_->io, [this] { impl_->io.stop(); });
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace rill::broker
