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

// Connects a raw TCP socket to host:port (the broker's listener); -1 on failure.
int ConnectRaw(const std::string& bootstrap);
// Writes all of `data`; false if the peer closed.
bool WriteAll(int fd, const std::string& data);
// Reads one size-prefixed response frame (without the size); nullopt when the peer closed
// or nothing arrived within `timeout`.
std::optional<std::string> ReadFrame(int fd, std::chrono::milliseconds timeout);
// True when the peer closes the connection within `timeout` (reads until EOF).
bool WaitForClose(int fd, std::chrono::milliseconds timeout);

}  // namespace rill::testing
