// A blocking client connection that speaks the Kafka wire protocol over plain TCP, for the
// streams group-membership client (librdkafka cannot run a custom assignor, so Rill talks the
// classic group protocol itself). One request at a time: send a size-prefixed frame, wait
// for the frame with the same correlation id. Requests and responses are the broker's own
// codecs (broker/protocol/messages), so client and broker cannot drift apart.
//
// Every wait is bounded by a deadline and can be cut short from another thread through an
// Interrupter, which is what makes shutdown prompt even while a JoinGroup waits minutes for
// the rest of the group. Any failure (timeout, interruption, I/O error, a reply that does not
// decode) closes the connection: the request may still be answered later, and a stream with
// an answer nobody waits for is useless.
//
// Not thread-safe: one thread uses a connection at a time (Interrupter is the exception).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/protocol/wire.h"

namespace rill::streams::internal {

// Wakes connections (and backoff waits) blocked on it in another thread. Level-triggered:
// once interrupted, every wait fails at once until Clear().
class Interrupter {
 public:
  Interrupter();
  ~Interrupter();
  Interrupter(const Interrupter&) = delete;
  Interrupter& operator=(const Interrupter&) = delete;

  void Interrupt();  // thread-safe
  void Clear();
  bool interrupted() const;
  // Sleeps until `deadline` unless interrupted first; returns true when interrupted.
  bool SleepUntil(absl::Time deadline) const;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;  // eventfd: readable while interrupted
};

struct BrokerAddress {
  std::string host;
  int32_t port = 0;
  bool operator==(const BrokerAddress&) const = default;
};

// Parses "host:port,host:port" (also "[v6addr]:port" and a "PLAINTEXT://" prefix).
absl::StatusOr<std::vector<BrokerAddress>> ParseBootstrapServers(std::string_view servers);

// "REBALANCE_IN_PROGRESS (27)" for a Kafka error code.
std::string KafkaErrorName(int16_t code);

class KafkaConnection {
 public:
  // `interrupter` must outlive the connection.
  KafkaConnection(std::string client_id, const Interrupter* interrupter);
  ~KafkaConnection();
  KafkaConnection(const KafkaConnection&) = delete;
  KafkaConnection& operator=(const KafkaConnection&) = delete;

  absl::Status Connect(const BrokerAddress& address, absl::Time deadline);
  bool connected() const { return fd_ >= 0; }
  // The address of the open connection (meaningless while !connected()).
  const BrokerAddress& address() const { return address_; }
  void Close();

  // Sends one request (header + body) and returns the response body, header stripped.
  // Unavailable for I/O errors, DeadlineExceeded, Cancelled when interrupted; the connection
  // is closed after any error.
  absl::StatusOr<std::string> RoundTrip(int16_t api_key, int16_t api_version, std::string_view body,
                                        absl::Time deadline);

  // Encodes `request` at `version`, waits for the reply and decodes it into *response.
  template <typename Request, typename Response>
  absl::Status Call(const Request& request, int16_t version, Response* response,
                    absl::Time deadline) {
    std::string body;
    broker::protocol::Writer w(&body);
    request.Encode(w, version);
    absl::StatusOr<std::string> reply =
        RoundTrip(static_cast<int16_t>(Request::kApiKey), version, body, deadline);
    if (!reply.ok()) return reply.status();
    broker::protocol::Reader r(*reply);
    if (!response->Decode(r, version)) {
      Close();
      return absl::DataLossError("undecodable response to API key " +
                                 std::to_string(static_cast<int>(Request::kApiKey)) + " v" +
                                 std::to_string(version) + ": " + r.error());
    }
    return absl::OkStatus();
  }

 private:
  // Waits until fd_ is ready for `events` (POLLIN/POLLOUT); the error says why not.
  absl::Status WaitReady(short events, absl::Time deadline);
  absl::Status WriteAll(std::string_view data, absl::Time deadline);
  absl::Status ReadExact(char* out, size_t n, absl::Time deadline);

  const std::string client_id_;
  const Interrupter* interrupter_;
  int fd_ = -1;
  BrokerAddress address_;
  int32_t next_correlation_id_ = 1;
};

}  // namespace rill::streams::internal
