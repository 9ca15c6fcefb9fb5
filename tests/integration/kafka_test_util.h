// Helpers for integration tests that drive the broker with librdkafka (C API): config
// building, a producer that waits for every delivery report, and a consumer that reads
// assigned partitions until a condition holds. All waits are bounded and fail the test
// with a message instead of hanging.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rill::testing {

using Config = std::map<std::string, std::string>;

struct Header {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const Header&) const = default;
};

struct Message {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

struct Delivery {
  int32_t partition = -1;
  int64_t offset = -1;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

// A producer that tracks delivery reports.
class Producer {
 public:
  explicit Producer(const Config& config);
  ~Producer();
  // Enqueues one record (retries on a full queue). partition -1 = partitioner.
  void Send(const std::string& topic, int32_t partition, const std::optional<std::string>& key,
            const std::optional<std::string>& value, const std::vector<Header>& headers = {},
            int64_t timestamp = 0);
  // Waits for all outstanding deliveries; returns false on timeout.
  bool Flush(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  const std::vector<Delivery>& deliveries() const { return deliveries_; }
  rd_kafka_t* handle() { return rk_; }

 private:
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
  rd_kafka_t* rk_ = nullptr;
  std::vector<Delivery> deliveries_;
};

// A consumer with manual assignment (no group membership).
class Consumer {
 public:
  explicit Consumer(const Config& config);
  ~Consumer();
  void Assign(const std::string& topic, const std::vector<int32_t>& partitions,
              int64_t offset = RD_KAFKA_OFFSET_BEGINNING);
  // Polls until `count` messages arrived or `timeout` passed; returns what arrived.
  std::vector<Message> ReadN(size_t count,
                             std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Polls once for up to `timeout`; nullopt when nothing arrived.
  std::optional<Message> ReadOne(std::chrono::milliseconds timeout);
  rd_kafka_t* handle() { return rk_; }

 private:
  rd_kafka_t* rk_ = nullptr;
};

// Creates a topic through the admin API; returns the error string ("" on success).
std::string CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions,
                        const Config& configs = {}, int replication_factor = 1);

// A rill-broker child process on a fixed port and data directory, so it can be killed
// (SIGKILL included) and restarted where it was. Start() returns "host:port" once the
// broker printed its listening line, or "" if it exited first.
class BrokerProcess {
 public:
  BrokerProcess(std::string data_dir, int port, std::vector<std::string> extra_flags = {});
  ~BrokerProcess();
  std::string Start();
  void Kill(int sig);

 private:
  std::string data_dir_;
  int port_;
  std::vector<std::string> extra_flags_;
  int pid_ = -1;
};

// A loopback port that was free a moment ago.
int FreePort();

// Connects a raw TCP socket to host:port (the broker's listener); -1 on failure.
int ConnectRaw(const std::string& bootstrap);
// Writes all of `data`; false if the peer closed.
bool WriteAll(int fd, const std::string& data);
// Reads one size-prefixed response frame (without the size); nullopt when the peer closed
// or nothing arrived within `timeout`.
std::optional<std::string> ReadFrame(int fd, std::chrono::milliseconds timeout);
// True when the peer closes the connection within `timeout` (reads until EOF).
bool WaitForClose(int fd, std::chrono::milliseconds timeout);

// Polls `condition` (every 20 ms) until it holds or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace rill::testing

namespace rill::testing {

// A raw Kafka-protocol client for tests that need exact requests and error codes:
// encodes a request struct with its header, sends it, and decodes the response.
class RawClient {
 public:
  explicit RawClient(const std::string& bootstrap);
  ~RawClient();
  bool connected() const { return fd_ >= 0; }

  // Sends `request` at `version` and decodes the reply into *response. False when the
  // connection closed, nothing arrived within the timeout, or the reply did not decode.
  template <typename Request, typename Response>
  bool Call(const Request& request, int16_t version, Response* response,
            std::chrono::milliseconds timeout = std::chrono::seconds(30));

  int fd() const { return fd_; }

 private:
  bool SendFrame(const std::string& frame);
  std::optional<std::string> ReceiveBody(int16_t api_key, int16_t version, int32_t correlation_id,
                                         std::chrono::milliseconds timeout);

  int fd_ = -1;
  int32_t next_correlation_id_ = 1;
};

}  // namespace rill::testing

#include "broker/protocol/request_header.h"
#include "broker/protocol/wire.h"

namespace rill::testing {

template <typename Request, typename Response>
bool RawClient::Call(const Request& request, int16_t version, Response* response,
                     std::chrono::milliseconds timeout) {
  const int32_t correlation_id = next_correlation_id_++;
  std::string frame;
  broker::protocol::Writer w(&frame);
  size_t at = w.ReserveInt32();
  broker::protocol::EncodeRequestHeader(
      w, {static_cast<int16_t>(Request::kApiKey), version, correlation_id, "rill-raw-client"});
  request.Encode(w, version);
  w.PatchInt32(at, static_cast<int32_t>(frame.size() - 4));
  if (!SendFrame(frame)) return false;
  auto body = ReceiveBody(static_cast<int16_t>(Request::kApiKey), version, correlation_id, timeout);
  if (!body) return false;
  broker::protocol::Reader r(*body);
  return response->Decode(r, version);
}

}  // namespace rill::testing
