#include "streams/query/http_query_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <exception>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"

namespace rill::streams {
namespace {

using httplib::Request;
using httplib::Response;

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 10000;
// One request per connection. httplib serves a connection on one worker thread from first to
// last request, so with a small pool a few idle keep-alive clients (dashboards, scrapers)
// would starve everyone else, and Stop would wait for them. A new TCP connection per query
// is cheap next to that.
constexpr size_t kRequestsPerConnection = 1;
// How long a connection may stay silent before its request; holds a worker meanwhile.
constexpr time_t kFirstRequestTimeoutSeconds = 2;
constexpr time_t kIoTimeoutSeconds = 5;
// No endpoint takes a body; this only bounds what a stray POST can make us buffer.
constexpr size_t kMaxPayload = 64 * 1024;
// User input echoed in error messages is cut so a huge path does not make a huge reply.
constexpr size_t kMaxEchoed = 200;

constexpr char kJson[] = "application/json";
constexpr char kPrometheusText[] = "text/plain; version=0.0.4; charset=utf-8";

// Keys and values are arbitrary bytes; invalid UTF-8 must not make dump() throw.
std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendJson(Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(Dump(body), kJson);
}

void SendError(Response& res, int status, std::string_view message) {
  SendJson(res, status, nlohmann::json{{"error", message}});
}

std::string Echo(std::string_view text) {
  if (text.size() <= kMaxEchoed) return std::string(text);
  return fmt::format("{}...", text.substr(0, kMaxEchoed));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict, unlike httplib's decoder (which passes malformed escapes through): a key with a
// broken escape is a client bug better reported than looked up under a mangled name.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;  // Truncated escape.
      int hi = HexDigit(in[i + 1]);
      int lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (plus_is_space && in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// absl::string_view is not std::string_view in Debian's Abseil build.
std::string Message(const absl::Status& status) { return std::string(status.message()); }

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

void SendStatus(Response& res, const absl::Status& status, std::string_view fallback_message) {
  int http_status = HttpStatusFor(status.code());
  if (http_status == 503) res.set_header("Retry-After", "1");  // Rebalances are short.
  // 503 is routine during rebalances; logging each one would flood the log.
  if (http_status >= 500 && http_status != 503) {
    spdlog::warn("interactive query failed: {}", status.ToString());
  }
  SendError(res, http_status,
            status.message().empty() ? std::string(fallback_message) : Message(status));
}

// For errors httplib itself produces (unparsable request, URI too long, ...).
std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 408:
      return "request timeout";
    case 413:
      return "payload too large";
    case 414:
      return "URI too long";
    case 416:
      return "range not satisfiable";
    case 417:
      return "expectation failed";
    case 431:
      return "request header fields too large";
    case 500:
      return "internal server error";
    default:
      return "request failed";
  }
}

struct QueryParams {
  std::vector<std::pair<std::string, std::string>> entries;

  absl::StatusOr<std::optional<std::string>> Single(std::string_view name) const {
    std::optional<std::string> found;
    for (const auto& [key, value] : entries) {
      if (key != name) continue;
      if (found.has_value()) {
        return absl::InvalidArgumentError(fmt::format("parameter '{}' given twice", name));
      }
      found = value;
    }
    return found;
  }
};

absl::StatusOr<QueryParams> ParseQuery(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> key = PercentDecode(pair.substr(0, eq), true);
    std::optional<std::string> value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key.has_value() || !value.has_value()) {
      return absl::InvalidArgumentError("malformed percent-encoding in the query string");
    }
    params.entries.emplace_back(*std::move(key), *std::move(value));
  }
  return params;
}

absl::StatusOr<size_t> ParseLimit(const std::optional<std::string>& text) {
  if (!text.has_value()) return kDefaultLimit;
  bool digits = !text->empty() && text->find_first_not_of("0123456789") == std::string::npos;
  if (!digits) {
    return absl::InvalidArgumentError(
        fmt::format("limit must be a positive integer, got '{}'", Echo(*text)));
  }
  uint64_t limit = 0;
  // All digits but unparsable means it overflowed: as good as "very large".
  if (!absl::SimpleAtoi(*text, &limit) || limit > kMaxLimit) return kMaxLimit;
  if (limit == 0) return absl::InvalidArgumentError("limit must be at least 1");
  return static_cast<size_t>(limit);
}

struct HostPort {
  std::string host;
  int port = 0;
};

absl::StatusOr<HostPort> ParseHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(
        fmt::format("expected HOST:PORT for the HTTP address, got '{}'", Echo(text)));
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return absl::InvalidArgumentError(fmt::format("malformed IPv6 address in '{}'", Echo(text)));
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        fmt::format("IPv6 addresses need brackets, e.g. [::1]:8080; got '{}'", Echo(text)));
  }
  int port = 0;
  if (port_text.empty() || port_text.find_first_not_of("0123456789") != std::string_view::npos ||
      !absl::SimpleAtoi(std::string(port_text), &port) || port > 65535) {
    return absl::InvalidArgumentError(
        fmt::format("port must be a number from 0 to 65535 in '{}'", Echo(text)));
  }
  return HostPort{std::string(host), port};
}

// Resolving up front turns a typo in the host into a clear error; httplib would only report
// that binding failed.
absl::Status CheckResolves(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(host.c_str(), "0", &hints, &result);
  if (rc != 0) {
    return absl::InvalidArgumentError(
        fmt::format("cannot resolve HTTP host '{}': {}", host, gai_strerror(rc)));
  }
  freeaddrinfo(result);
  return absl::OkStatus();
}

// httplib listens with a backlog of 5: a handful of clients connecting at once overflow it and
// wait for a SYN retransmit (a full second). Listening again on a bound socket only changes
// the backlog (Linux); the socket is a protected member, hence the subclass.
class BacklogServer : public httplib::Server {
 public:
  void WidenBacklog() { ::listen(svr_sock_, SOMAXCONN); }
};

}  // namespace

struct HttpQueryServer::Impl {
  Impl(QuerySource* source, StreamsMetrics* metrics) : source(source), metrics(metrics) {}

  void Handle(const Request& req, Response& res);
  void Route(const Request& req, Response& res);
  void ListStores(Response& res);
  void GetKey(std::string_view raw_store, std::string_view raw_key, Response& res);
  void RangeScan(std::string_view raw_store, std::string_view raw_query, Response& res);
  void GetWindows(std::string_view raw_store, std::string_view raw_key, std::string_view raw_query,
                  Response& res);
  void Health(Response& res);
  void Metrics(Response& res);

  QuerySource* const source;
  StreamsMetrics* const metrics;
  std::string host;
  int port = 0;
  BacklogServer server;
  std::thread listener;
  std::atomic<bool> listen_returned{false};
  std::mutex stop_mu;
};

void HttpQueryServer::Impl::Handle(const Request& req, Response& res) {
  try {
    Route(req, res);
  } catch (const std::exception& e) {
    // Any throw from the source (or from us) stays a 500 for this request; the process and
    // the other requests carry on.
    spdlog::error("interactive query {} failed: {}", Echo(req.target), e.what());
    SendError(res, 500, fmt::format("internal error: {}", e.what()));
  } catch (...) {
    spdlog::error("interactive query {} failed with an unknown exception", Echo(req.target));
    SendError(res, 500, "internal error");
  }
}

void HttpQueryServer::Impl::Route(const Request& req, Response& res) {
  // Route on the raw target, not httplib's decoded req.path: decoding first would make
  // "a%2Fb" (one key) indistinguishable from "a/b" (a path).
  std::string_view target = req.target;
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  if (path == "/healthz") return Health(res);
  if (path == "/metrics") return Metrics(res);
  if (path == "/v1/stores") return ListStores(res);
  if (path == "/v1/topology") {
    res.status = 200;
    res.set_content(source->TopologyDescription(), "text/plain; charset=utf-8");
    return;
  }
  if (path == "/v1/metadata") return SendJson(res, 200, source->Metadata());

  constexpr std::string_view kStoresPrefix = "/v1/stores/";
  if (path.starts_with(kStoresPrefix)) {
    std::string_view rest = path.substr(kStoresPrefix.size());
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return RangeScan(rest, query, res);
    std::string_view after_store = rest.substr(slash + 1);
    constexpr std::string_view kKeysPrefix = "keys/";
    if (after_store.starts_with(kKeysPrefix)) {
      // Everything after "keys/" is the key, slashes included, so keys that contain '/'
      // work even when the client did not escape it — except a trailing "/windows", which
      // asks for the key's windows (a key that itself ends in "/windows" escapes its '/').
      std::string_view key = after_store.substr(kKeysPrefix.size());
      constexpr std::string_view kWindowsSuffix = "/windows";
      if (key.size() > kWindowsSuffix.size() && key.ends_with(kWindowsSuffix)) {
        return GetWindows(rest.substr(0, slash), key.substr(0, key.size() - kWindowsSuffix.size()),
                          query, res);
      }
      return GetKey(rest.substr(0, slash), key, res);
    }
  }
  SendError(res, 404, fmt::format("no such endpoint: {}", Echo(path)));
}

void HttpQueryServer::Impl::ListStores(Response& res) {
  SendJson(res, 200, nlohmann::json{{"stores", source->StoreNames()}});
}

void HttpQueryServer::Impl::GetKey(std::string_view raw_store, std::string_view raw_key,
                                   Response& res) {
  std::optional<std::string> store = PercentDecode(raw_store, false);
  std::optional<std::string> key = PercentDecode(raw_key, false);
  if (!store.has_value() || !key.has_value()) {
    return SendError(res, 400, "malformed percent-encoding in the store name or key");
  }
  if (store->empty()) return SendError(res, 400, "empty store name");
  absl::StatusOr<std::optional<nlohmann::json>> value = source->Get(*store, *key);
  if (!value.ok()) {
    return SendStatus(res, value.status(), fmt::format("unknown store '{}'", Echo(*store)));
  }
  if (!value->has_value()) {
    return SendError(res, 404,
                     fmt::format("key '{}' not found in store '{}'", Echo(*key), Echo(*store)));
  }
  SendJson(res, 200, nlohmann::json{{"key", *key}, {"value", **std::move(value)}});
}

// from and to are window starts in ms, both inclusive; either may be left out (unbounded).
void HttpQueryServer::Impl::GetWindows(std::string_view raw_store, std::string_view raw_key,
                                       std::string_view raw_query, Response& res) {
  std::optional<std::string> store = PercentDecode(raw_store, false);
  std::optional<std::string> key = PercentDecode(raw_key, false);
  if (!store.has_value() || !key.has_value()) {
    return SendError(res, 400, "malformed percent-encoding in the store name or key");
  }
  if (store->empty()) return SendError(res, 400, "empty store name");
  absl::StatusOr<QueryParams> params = ParseQuery(raw_query);
  if (!params.ok()) return SendError(res, 400, Message(params.status()));
  int64_t bounds[2] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<std::optional<std::string>> text = params->Single(names[i]);
    if (!text.ok()) return SendError(res, 400, Message(text.status()));
    if (text->has_value() && !absl::SimpleAtoi(**text, &bounds[i])) {
      return SendError(res, 400,
                       fmt::format("'{}' must be a time in milliseconds, got '{}'", names[i],
                                   Echo(**text)));
    }
  }
  if (bounds[0] > bounds[1]) return SendError(res, 400, "'from' is after 'to'");
  absl::StatusOr<nlohmann::json> windows = source->Windows(*store, *key, bounds[0], bounds[1]);
  if (!windows.ok()) {
    return SendStatus(res, windows.status(), fmt::format("unknown store '{}'", Echo(*store)));
  }
  SendJson(res, 200, *std::move(windows));
}

void HttpQueryServer::Impl::RangeScan(std::string_view raw_store, std::string_view raw_query,
                                      Response& res) {
  std::optional<std::string> store = PercentDecode(raw_store, false);
  if (!store.has_value()) return SendError(res, 400, "malformed percent-encoding in store name");
  if (store->empty()) return SendError(res, 400, "empty store name");
  absl::StatusOr<QueryParams> params = ParseQuery(raw_query);
  if (!params.ok()) return SendError(res, 400, Message(params.status()));

  RangeQuery range;
  absl::StatusOr<std::optional<std::string>> from = params->Single("from");
  absl::StatusOr<std::optional<std::string>> to = params->Single("to");
  absl::StatusOr<std::optional<std::string>> limit_text = params->Single("limit");
  for (const absl::Status& status : {from.status(), to.status(), limit_text.status()}) {
    if (!status.ok()) return SendError(res, 400, Message(status));
  }
  absl::StatusOr<size_t> limit = ParseLimit(*limit_text);
  if (!limit.ok()) return SendError(res, 400, Message(limit.status()));
  range.from = *std::move(from);
  range.to = *std::move(to);
  range.limit = *limit;

  absl::StatusOr<RangePage> page = source->Range(*store, range);
  if (!page.ok()) {
    return SendStatus(res, page.status(), fmt::format("unknown store '{}'", Echo(*store)));
  }
  if (!page->entries.is_array()) {
    return SendError(res, 500, "the query source returned a malformed page");
  }
  nlohmann::json body = {{"entries", std::move(page->entries)}};
  if (page->next_from.has_value()) body["next"] = *page->next_from;
  SendJson(res, 200, body);
}

void HttpQueryServer::Impl::Health(Response& res) {
  std::string state = source->State();
  if (state == "RUNNING") return SendJson(res, 200, nlohmann::json{{"state", state}});
  if (state == "REBALANCING") {
    // Alive and making progress: restarting it would only cause another rebalance. Queries
    // may meanwhile answer 503 for stores that are moving.
    return SendJson(res, 200,
                    nlohmann::json{{"state", state},
                                   {"detail",
                                    "rebalancing: some stores may be unavailable "
                                    "until the rebalance completes"}});
  }
  SendJson(res, 503,
           nlohmann::json{{"state", state},
                          {"error", fmt::format("application is not running (state {})", state)}});
}

void HttpQueryServer::Impl::Metrics(Response& res) {
  if (metrics == nullptr) return SendError(res, 404, "metrics are not enabled");
  res.status = 200;
  res.set_content(metrics->Serialize(), kPrometheusText);
}

HttpQueryServer::HttpQueryServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpQueryServer::~HttpQueryServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpQueryServer>> HttpQueryServer::Start(std::string_view host_port,
                                                                        QuerySource* source,
                                                                        StreamsMetrics* metrics) {
  if (source == nullptr) return absl::InvalidArgumentError("HttpQueryServer needs a QuerySource");
  absl::StatusOr<HostPort> address = ParseHostPort(host_port);
  if (!address.ok()) return address.status();
  if (absl::Status resolved = CheckResolves(address->host); !resolved.ok()) return resolved;

  auto impl = std::make_unique<Impl>(source, metrics);
  Impl* raw = impl.get();
  BacklogServer& server = impl->server;
  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  // httplib's default sets SO_REUSEPORT, which would let a second server bind a port already
  // in use and silently split its traffic. SO_REUSEADDR only allows rebinding past TIME_WAIT.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.set_keep_alive_max_count(kRequestsPerConnection);
  server.set_keep_alive_timeout(kFirstRequestTimeoutSeconds);  // httplib waits this long.
  server.set_read_timeout(kIoTimeoutSeconds, 0);
  server.set_write_timeout(kIoTimeoutSeconds, 0);
  server.set_payload_max_length(kMaxPayload);

  // Every GET/HEAD is answered here, before httplib's regex routing: std::regex recurses per
  // character and a long path could exhaust the stack.
  server.set_pre_routing_handler([raw](const Request& req, Response& res) {
    if (req.method != "GET" && req.method != "HEAD") {
      // Let httplib read (and bound) the body so the connection stays in sync; no handler
      // matches, and the error handler below turns that into a 405.
      return httplib::Server::HandlerResponse::Unhandled;
    }
    raw->Handle(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const Request& req, Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // Ours.
        // A well-formed request with another method reaches no handler (400/404 from httplib).
        // Garbage also has a "method" (its first word); that stays a 400.
        bool other_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                            req.method == "DELETE" || req.method == "OPTIONS" ||
                            req.method == "TRACE" || req.method == "CONNECT";
        if (other_method && (res.status == 400 || res.status == 404)) {
          res.set_header("Allow", "GET, HEAD");
          SendError(res, 405, fmt::format("method {} not allowed; use GET", Echo(req.method)));
        } else {
          SendError(res, res.status, ReasonPhrase(res.status));
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    SendError(res, 500, "internal error");
  });

  errno = 0;
  int port = address->port;
  bool bound = port == 0 ? (port = server.bind_to_any_port(address->host)) > 0
                         : server.bind_to_port(address->host, port);
  if (!bound) {
    int error = errno;
    return absl::UnavailableError(fmt::format(
        "cannot listen on {}: {}", host_port,
        error != 0 ? std::error_code(error, std::generic_category()).message() : "bind failed"));
  }
  server.WidenBacklog();
  impl->host = address->host;
  impl->port = port;

  impl->listener = std::thread([raw] {
    raw->server.listen_after_bind();
    raw->listen_returned = true;
  });
  // Stop() is a no-op on an httplib server that has not entered its accept loop yet, so wait
  // for it (microseconds: the socket is already bound and listening).
  while (!server.is_running() && !raw->listen_returned) std::this_thread::yield();
  if (!server.is_running()) {
    impl->listener.join();
    return absl::InternalError(fmt::format("HTTP server on {} stopped at once", host_port));
  }
  spdlog::info("interactive queries served on http://{}:{}", impl->host, impl->port);
  return std::unique_ptr<HttpQueryServer>(new HttpQueryServer(std::move(impl)));
}

int HttpQueryServer::port() const { return impl_->port; }

std::string HttpQueryServer::address() const {
  bool ipv6 = impl_->host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", impl_->host, impl_->port)
              : fmt::format("{}:{}", impl_->host, impl_->port);
}

void HttpQueryServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mu);
  if (!impl_->listener.joinable()) return;
  impl_->server.stop();
  impl_->listener.join();
  spdlog::info("interactive query server on port {} stopped", impl_->port);
}

}  // namespace rill::streams
