#include "tests/integration/kafka_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

#include "gtest/gtest.h"

namespace rill::testing {
namespace {

rd_kafka_conf_t* MakeConf(const Config& config) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : config) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      ADD_FAILURE() << "librdkafka config " << k << "=" << v << ": " << err;
    }
  }
  return conf;
}

Message ToMessage(const rd_kafka_message_t* m) {
  Message out;
  out.topic = rd_kafka_topic_name(m->rkt);
  out.partition = m->partition;
  out.offset = m->offset;
  out.timestamp = rd_kafka_message_timestamp(m, nullptr);
  if (m->key) out.key = std::string(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) out.value = std::string(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      Header h{name, std::nullopt};
      if (value) h.value = std::string(static_cast<const char*>(value), size);
      out.headers.push_back(std::move(h));
    }
  }
  return out;
}

}  // namespace

Producer::Producer(const Config& config) {
  rd_kafka_conf_t* conf = MakeConf(config);
  rd_kafka_conf_set_dr_msg_cb(conf, &Producer::OnDelivery);
  rd_kafka_conf_set_opaque(conf, this);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk_ == nullptr) throw std::runtime_error(std::string("producer: ") + err);
}

Producer::~Producer() {
  if (rk_) {
    rd_kafka_flush(rk_, 5000);
    rd_kafka_destroy(rk_);
  }
}

void Producer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  static_cast<Producer*>(opaque)->deliveries_.push_back({m->partition, m->offset, m->err});
}

void Producer::Send(const std::string& topic, int32_t partition,
                    const std::optional<std::string>& key, const std::optional<std::string>& value,
                    const std::vector<Header>& headers, int64_t timestamp) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (!headers.empty()) {
    hdrs = rd_kafka_headers_new(headers.size());
    for (const Header& h : headers) {
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                          h.value ? h.value->data() : nullptr,
                          h.value ? static_cast<ssize_t>(h.value->size()) : 0);
    }
  }
  const void* key_ptr = key ? key->data() : nullptr;
  const size_t key_len = key ? key->size() : 0;
  void* value_ptr = value ? const_cast<char*>(value->data()) : nullptr;
  const size_t value_len = value ? value->size() : 0;
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key_ptr, key_len), RD_KAFKA_V_VALUE(value_ptr, value_len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(timestamp),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk_, 10);
      continue;
    }
    if (err) {
      if (hdrs) rd_kafka_headers_destroy(hdrs);
      ADD_FAILURE() << "produce: " << rd_kafka_err2str(err);
    }
    return;
  }
}

bool Producer::Flush(std::chrono::milliseconds timeout) {
  return rd_kafka_flush(rk_, static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

Consumer::Consumer(const Config& config) {
  Config c = config;
  if (!c.contains("group.id")) c["group.id"] = "rill-test-unused";  // assign() needs no group
  c.emplace("enable.auto.commit", "false");
  c.emplace("enable.partition.eof", "false");
  rd_kafka_conf_t* conf = MakeConf(c);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk_ == nullptr) throw std::runtime_error(std::string("consumer: ") + err);
}

Consumer::~Consumer() {
  if (rk_) {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
}

void Consumer::Assign(const std::string& topic, const std::vector<int32_t>& partitions,
                      int64_t offset) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (int32_t p : partitions) rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = offset;
  rd_kafka_assign(rk_, list);
  rd_kafka_topic_partition_list_destroy(list);
}

std::optional<Message> Consumer::ReadOne(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100);
    if (m == nullptr) continue;
    if (m->err) {
      ADD_FAILURE() << "consume error: " << rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      continue;
    }
    Message out = ToMessage(m);
    rd_kafka_message_destroy(m);
    return out;
  }
  return std::nullopt;
}

std::vector<Message> Consumer::ReadN(size_t count, std::chrono::milliseconds timeout) {
  std::vector<Message> out;
  out.reserve(count);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100);
    if (m == nullptr) continue;
    if (m->err) {
      ADD_FAILURE() << "consume error: " << rd_kafka_message_errstr(m);
    } else {
      out.push_back(ToMessage(m));
    }
    rd_kafka_message_destroy(m);
  }
  return out;
}

std::string CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions,
                        const Config& configs, int replication_factor) {
  rd_kafka_conf_t* conf = MakeConf({{"bootstrap.servers", bootstrap}});
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) return err;
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, err, sizeof(err));
  if (!nt) {
    rd_kafka_destroy(rk);
    return err;
  }
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  std::string result = "timeout";
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  if (ev) {
    if (rd_kafka_event_error(ev)) {
      result = rd_kafka_event_error_string(ev);
    } else {
      size_t n;
      const rd_kafka_topic_result_t** res =
          rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
      result = (n == 1 && rd_kafka_topic_result_error(res[0]))
                   ? std::string(rd_kafka_err2name(rd_kafka_topic_result_error(res[0]))) + ": " +
                         (rd_kafka_topic_result_error_string(res[0])
                              ? rd_kafka_topic_result_error_string(res[0])
                              : "")
                   : "";
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  return result;
}

BrokerProcess::BrokerProcess(std::string data_dir, int port, std::vector<std::string> extra_flags)
    : data_dir_(std::move(data_dir)), port_(port), extra_flags_(std::move(extra_flags)) {}

BrokerProcess::~BrokerProcess() { Kill(SIGKILL); }

std::string BrokerProcess::Start() {
  int out[2];
  if (::pipe(out) != 0) return "";
  std::string listen = "127.0.0.1:" + std::to_string(port_);
  std::vector<std::string> args = {RILL_BROKER_BIN, "--node-id", "1", "--listen", listen,
                                   "--data-dir", data_dir_, "--log-level", "warn"};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(RILL_BROKER_BIN, argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* f = ::fdopen(out[0], "r");
  char line[256];
  std::string address;
  // Blocks until the broker prints its line or exits (EOF).
  if (std::fgets(line, sizeof(line), f)) {
    std::string text(line);
    const std::string prefix = "rill-broker listening on ";
    if (text.starts_with(prefix)) {
      address = text.substr(prefix.size(), text.find('\n') - prefix.size());
    }
  }
  std::fclose(f);
  return address;
}

void BrokerProcess::Kill(int sig) {
  if (pid_ > 0) {
    ::kill(pid_, sig);
    int status;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

int ConnectRaw(const std::string& bootstrap) {
  size_t colon = bootstrap.rfind(':');
  std::string host = bootstrap.substr(0, colon);
  int port = std::stoi(bootstrap.substr(colon + 1, bootstrap.find(',') - colon - 1));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

namespace {
// Reads exactly n bytes before the deadline.
bool ReadExact(int fd, char* out, size_t n, std::chrono::steady_clock::time_point deadline) {
  size_t done = 0;
  while (done < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t r = ::recv(fd, out + done, n - done, 0);
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}
}  // namespace

std::optional<std::string> ReadFrame(int fd, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  unsigned char size_buf[4];
  if (!ReadExact(fd, reinterpret_cast<char*>(size_buf), 4, deadline)) return std::nullopt;
  uint32_t size = (uint32_t{size_buf[0]} << 24) | (uint32_t{size_buf[1]} << 16) |
                  (uint32_t{size_buf[2]} << 8) | size_buf[3];
  std::string frame(size, '\0');
  if (!ReadExact(fd, frame.data(), size, deadline)) return std::nullopt;
  return frame;
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition
  }
  return condition();
}

bool WaitForClose(int fd, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
    if (r <= 0) return true;
  }
}

}  // namespace rill::testing

namespace rill::testing {

RawClient::RawClient(const std::string& bootstrap) : fd_(ConnectRaw(bootstrap)) {}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawClient::SendFrame(const std::string& frame) { return fd_ >= 0 && WriteAll(fd_, frame); }

std::optional<std::string> RawClient::ReceiveBody(int16_t api_key, int16_t version,
                                                  int32_t correlation_id,
                                                  std::chrono::milliseconds timeout) {
  auto frame = ReadFrame(fd_, timeout);
  if (!frame) return std::nullopt;
  broker::protocol::Reader r(*frame);
  if (r.Int32() != correlation_id) {
    ADD_FAILURE() << "response correlation id mismatch";
    return std::nullopt;
  }
  if (broker::protocol::ResponseHeaderVersion(api_key, version) >= 1) r.SkipTaggedFields();
  if (!r.ok()) return std::nullopt;
  return frame->substr(r.position());
}

}  // namespace rill::testing
