#include "streams/runtime/internal/kafka_connection.h"

#include <librdkafka/rdkafka.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/protocol/request_header.h"

namespace rill::streams::internal {
namespace {

// Larger replies than this are garbage (or not Kafka): refuse rather than allocate.
constexpr uint32_t kMaxResponseBytes = 256u << 20;

// Milliseconds until `deadline` for poll(), clamped to [0, INT_MAX].
int PollTimeoutMs(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  // Round up so a wait never ends just before the deadline and spins.
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1)));
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

std::string ErrnoText(int err) { return std::strerror(err); }

}  // namespace

Interrupter::Interrupter() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Interrupter::~Interrupter() {
  if (fd_ >= 0) ::close(fd_);
}

void Interrupter::Interrupt() {
  const uint64_t one = 1;
  // Only fails when the counter would overflow, i.e. it is already readable.
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof(one));
}

void Interrupter::Clear() {
  uint64_t value;
  [[maybe_unused]] ssize_t n = ::read(fd_, &value, sizeof(value));
}

bool Interrupter::interrupted() const {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

bool Interrupter::SleepUntil(absl::Time deadline) const {
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int timeout = PollTimeoutMs(deadline);
    const int n = ::poll(&p, 1, timeout);
    if (n > 0) return true;
    if (n == 0 && absl::Now() >= deadline) return false;
    // EINTR, or poll woke a hair early: go on waiting.
  }
}

absl::StatusOr<std::vector<BrokerAddress>> ParseBootstrapServers(std::string_view servers) {
  // absl::string_view throughout: this absl build does not alias it to std::string_view.
  std::vector<BrokerAddress> out;
  for (absl::string_view item : absl::StrSplit(absl::string_view(servers.data(), servers.size()),
                                               ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    if (size_t scheme = item.find("://"); scheme != absl::string_view::npos) {
      item.remove_prefix(scheme + 3);
    }
    BrokerAddress a;
    absl::string_view port;
    if (!item.empty() && item.front() == '[') {
      const size_t close = item.find(']');
      if (close == absl::string_view::npos || close + 1 >= item.size() || item[close + 1] != ':') {
        return absl::InvalidArgumentError(absl::StrCat("bad broker address '", item, "'"));
      }
      a.host = std::string(item.substr(1, close - 1));
      port = item.substr(close + 2);
    } else {
      const size_t colon = item.rfind(':');
      if (colon == absl::string_view::npos || colon == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad broker address '", item, "' (want host:port)"));
      }
      a.host = std::string(item.substr(0, colon));
      port = item.substr(colon + 1);
    }
    if (!absl::SimpleAtoi(port, &a.port) || a.port <= 0 || a.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in broker address '", item, "'"));
    }
    out.push_back(std::move(a));
  }
  if (out.empty()) return absl::InvalidArgumentError("no bootstrap servers given");
  return out;
}

std::string KafkaErrorName(int16_t code) {
  // librdkafka's broker error enum uses Kafka's numbers, and knows every name.
  return absl::StrCat(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code)), " (", code, ")");
}

KafkaConnection::KafkaConnection(std::string client_id, const Interrupter* interrupter)
    : client_id_(std::move(client_id)), interrupter_(interrupter) {}

KafkaConnection::~KafkaConnection() { Close(); }

void KafkaConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::Status KafkaConnection::WaitReady(short events, absl::Time deadline) {
  for (;;) {
    pollfd p[2] = {{fd_, events, 0}, {interrupter_->fd(), POLLIN, 0}};
    const int n = ::poll(p, 2, PollTimeoutMs(deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError("poll: " + ErrnoText(errno));
    }
    if (p[1].revents & POLLIN) return absl::CancelledError("interrupted");
    // Errors and hang-ups are reported by the recv/send/getsockopt that follows.
    if (p[0].revents != 0) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no answer from ", address_.host, ":", address_.port, " in time"));
    }
  }
}

absl::Status KafkaConnection::Connect(const BrokerAddress& address, absl::Time deadline) {
  Close();
  address_ = address;
  if (interrupter_->interrupted()) return absl::CancelledError("interrupted");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  // getaddrinfo cannot be interrupted, but names here are IPs or local resolver hits.
  if (int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("resolving ", address.host, ": ", ::gai_strerror(rc)));
  }
  absl::Status last = absl::UnavailableError("no address for " + address.host);
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd_ < 0) {
      last = absl::UnavailableError("socket: " + ErrnoText(errno));
      continue;
    }
    // Requests are small and each waits for its answer: Nagle would only add latency.
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(fd_, ai->ai_addr, ai->ai_addrlen) == 0) break;
    if (errno != EINPROGRESS) {
      last = absl::UnavailableError(
          absl::StrCat("connect to ", address.host, ":", address.port, ": ", ErrnoText(errno)));
      Close();
      continue;
    }
    last = WaitReady(POLLOUT, deadline);
    if (last.ok()) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) break;
      last = absl::UnavailableError(
          absl::StrCat("connect to ", address.host, ":", address.port, ": ", ErrnoText(err)));
    }
    Close();
    if (absl::IsCancelled(last) || absl::IsDeadlineExceeded(last)) break;
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) return last;
  next_correlation_id_ = 1;
  return absl::OkStatus();
}

absl::Status KafkaConnection::WriteAll(std::string_view data, absl::Time deadline) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (absl::Status s = WaitReady(POLLOUT, deadline); !s.ok()) return s;
      continue;
    }
    return absl::UnavailableError(
        absl::StrCat("send to ", address_.host, ":", address_.port, ": ", ErrnoText(errno)));
  }
  return absl::OkStatus();
}

absl::Status KafkaConnection::ReadExact(char* out, size_t n, absl::Time deadline) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::recv(fd_, out + done, n - done, 0);
    if (r > 0) {
      done += static_cast<size_t>(r);
      continue;
    }
    if (r == 0) {
      return absl::UnavailableError(
          absl::StrCat("connection to ", address_.host, ":", address_.port, " closed"));
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (absl::Status s = WaitReady(POLLIN, deadline); !s.ok()) return s;
      continue;
    }
    return absl::UnavailableError(
        absl::StrCat("recv from ", address_.host, ":", address_.port, ": ", ErrnoText(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> KafkaConnection::RoundTrip(int16_t api_key, int16_t api_version,
                                                       std::string_view body, absl::Time deadline) {
  if (fd_ < 0) return absl::FailedPreconditionError("not connected");
  const int32_t correlation_id = next_correlation_id_++;
  std::string frame;
  broker::protocol::Writer w(&frame);
  const size_t size_at = w.ReserveInt32();
  broker::protocol::EncodeRequestHeader(w, {api_key, api_version, correlation_id, client_id_});
  w.Raw(body);
  w.PatchInt32(size_at, static_cast<int32_t>(frame.size() - 4));

  absl::Status s = WriteAll(frame, deadline);
  char size_buf[4];
  if (s.ok()) s = ReadExact(size_buf, sizeof(size_buf), deadline);
  std::string reply;
  if (s.ok()) {
    const uint32_t size = broker::protocol::LoadBigEndian32(size_buf);
    if (size < 4 || size > kMaxResponseBytes) {
      s = absl::DataLossError(absl::StrCat("response frame of ", size, " bytes"));
    } else {
      reply.resize(size);
      s = ReadExact(reply.data(), size, deadline);
    }
  }
  if (!s.ok()) {
    Close();
    return s;
  }
  broker::protocol::Reader r(reply);
  const int32_t got = r.Int32();
  if (broker::protocol::ResponseHeaderVersion(api_key, api_version) >= 1) r.SkipTaggedFields();
  if (!r.ok() || got != correlation_id) {
    Close();
    return absl::DataLossError(
        absl::StrCat("response correlation id ", got, ", expected ", correlation_id));
  }
  return reply.substr(r.position());
}

}  // namespace rill::streams::internal
