// HttpQueryServer: the HTTP interface of a running streams application (DESIGN.md §4
// "Interactive queries", §5). It serves store lookups and range scans, metadata, the
// topology, health and Prometheus metrics on application.server, asking a QuerySource for
// everything, so whether a key is answered locally or forwarded is the runtime's business.
//
//   GET /v1/stores                                 {"stores": [...]}
//   GET /v1/stores/{store}/keys/{key}              {"key": "<text>", "value": <json>}; the key
//                                                  is percent-decoded and may contain '/'
//   GET /v1/stores/{store}?from=&to=&limit=        {"entries": [...], "next": "<key text>"};
//                                                  "next" only when more remain; limit 1..,
//                                                  default 100, capped at 10000
//   GET /v1/topology                               text/plain description
//   GET /v1/metadata                               JSON from QuerySource::Metadata
//   GET /healthz                                   200 when RUNNING or REBALANCING, else 503
//   GET /metrics                                   Prometheus text format (404 without metrics)
//
// Every error is a JSON body {"error": "..."}: 400 bad request (bad key text, bad limit, bad
// percent-encoding), 404 unknown path, store or key, 405 non-GET methods, 503 store not
// queryable now, 500 the source failed.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rill::streams {

class QuerySource;
class StreamsMetrics;

class HttpQueryServer {
 public:
  // Worker threads answering requests. Bounded so that a burst of queries cannot take
  // threads away from stream processing; more connections wait in the accept queue. Each
  // connection carries one request (the reply says Connection: close), so no idle
  // keep-alive client can hold a worker.
  static constexpr int kThreads = 4;

  // Binds host:port ("127.0.0.1:8080", "[::1]:8080"; port 0 picks a free port) and serves on
  // its own threads until Stop or destruction. InvalidArgument when the address does not
  // parse or resolve, Unavailable when it cannot be bound (e.g. in use). `source` must
  // outlive the server; `metrics` may be null (then /metrics answers 404).
  static absl::StatusOr<std::unique_ptr<HttpQueryServer>> Start(std::string_view host_port,
                                                                QuerySource* source,
                                                                StreamsMetrics* metrics);

  ~HttpQueryServer();  // Stops.
  HttpQueryServer(const HttpQueryServer&) = delete;
  HttpQueryServer& operator=(const HttpQueryServer&) = delete;

  // The bound port (the chosen one when started with port 0).
  int port() const;
  // "host:port" as bound, e.g. to advertise as application.server after binding port 0.
  std::string address() const;

  // Stops accepting, finishes requests in flight and joins the threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpQueryServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace rill::streams
