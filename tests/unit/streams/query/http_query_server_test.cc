// Tests of HttpQueryServer over real HTTP (httplib::Client on 127.0.0.1, port 0) against a
// fake QuerySource backed by an in-test map.

// Debian's libcpp-httplib is a compiled library built with these, and they change the layout
// of httplib's classes; every translation unit using httplib must agree. rill_streams links
// httplib privately, so its compile flags do not reach this test.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif
#include "streams/query/http_query_server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"

namespace rill::streams {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using json = nlohmann::json;

// Stores are maps from key text to JSON value. Store "restoring" is always Unavailable; key
// text "not-a-number" does not parse; store "boom" throws.
class FakeSource : public QuerySource {
 public:
  FakeSource() {
    stores_["counts"] = {{"apple", 1}, {"banana", 2}, {"cherry", 3}, {"date", 4}, {"elder", 5}};
    stores_["profiles"] = {};
    stores_["restoring"] = {};
    stores_["boom"] = {};
  }

  void Put(const std::string& store, const std::string& key, json value) {
    std::lock_guard lock(mu_);
    stores_[store][key] = std::move(value);
  }
  void SetState(std::string state) {
    std::lock_guard lock(mu_);
    state_ = std::move(state);
  }
  RangeQuery last_range() {
    std::lock_guard lock(mu_);
    return last_range_;
  }

  std::vector<std::string> StoreNames() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> names;
    for (const auto& [name, store] : stores_) names.push_back(name);
    return names;
  }

  absl::StatusOr<std::optional<json>> Get(std::string_view store,
                                          std::string_view key_text) override {
    std::lock_guard lock(mu_);
    const Store* s = nullptr;
    if (absl::Status status = Find(store, &s); !status.ok()) return status;
    if (key_text == "not-a-number") {
      return absl::InvalidArgumentError("key 'not-a-number' is not a valid int64");
    }
    auto it = s->find(std::string(key_text));
    if (it == s->end()) return std::optional<json>();
    return std::optional<json>(it->second);
  }

  absl::StatusOr<RangePage> Range(std::string_view store, const RangeQuery& query) override {
    std::lock_guard lock(mu_);
    last_range_ = query;
    const Store* s = nullptr;
    if (absl::Status status = Find(store, &s); !status.ok()) return status;
    RangePage page;
    auto it = query.from.has_value() ? s->lower_bound(*query.from) : s->begin();
    for (; it != s->end(); ++it) {
      if (query.to.has_value() && it->first > *query.to) break;
      if (page.entries.size() == query.limit) {
        page.next_from = it->first;
        break;
      }
      page.entries.push_back({{"key", it->first}, {"value", it->second}});
    }
    return page;
  }

  // Store "clicks" is a window store: key "u/1" has windows starting at 0, 60000, 120000.
  absl::StatusOr<json> Windows(std::string_view store, std::string_view key_text, int64_t from,
                               int64_t to) override {
    if (store == "visits") return Sessions(key_text, from, to);
    if (store != "clicks") return QuerySource::Windows(store, key_text, from, to);
    json out = json::array();
    if (key_text != "u/1") return out;
    for (int64_t start : {0, 60000, 120000}) {
      if (start >= from && start <= to) {
        out.push_back({{"start", start}, {"end", start + 60000}, {"value", start / 60000 + 1}});
      }
    }
    return out;
  }

  // Store "visits" is a session store: key "alice" has sessions [0, 5000], [20000, 20000]
  // and [30000, 45000]; the runtime answers the sessions that overlap [from, to].
  static json Sessions(std::string_view key_text, int64_t from, int64_t to) {
    json out = json::array();
    if (key_text != "alice") return out;
    const int64_t sessions[][3] = {{0, 5000, 2}, {20000, 20000, 1}, {30000, 45000, 4}};
    for (const auto& [start, end, count] : sessions) {
      if (end >= from && start <= to) out.push_back({{"start", start}, {"end", end}, {"value", count}});
    }
    return out;
  }

  std::string TopologyDescription() override {
    return "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: "
           "[in])\n";
  }
  json Metadata() override {
    return {{"instances", json::array({{{"application_server", "127.0.0.1:8080"},
                                        {"tasks", {"0_0", "0_1"}},
                                        {"stores", {"counts"}}}})}};
  }
  std::string State() override {
    std::lock_guard lock(mu_);
    return state_;
  }

 private:
  using Store = std::map<std::string, json>;

  absl::Status Find(std::string_view store, const Store** out) {
    if (store == "restoring") return absl::UnavailableError("store 'restoring' is restoring");
    if (store == "boom") throw std::runtime_error("kaboom");
    auto it = stores_.find(std::string(store));
    if (it == stores_.end()) {
      return absl::NotFoundError("unknown store '" + std::string(store) + "'");
    }
    *out = &it->second;
    return absl::OkStatus();
  }

  std::mutex mu_;
  std::map<std::string, Store> stores_;
  std::string state_ = "RUNNING";
  RangeQuery last_range_;
};

class HttpQueryServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = HttpQueryServer::Start("127.0.0.1:0", &source_, &metrics_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
  }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", server_->port());
    // Paths in these tests are sent exactly as written (already percent-encoded or
    // deliberately malformed).
    client.set_url_encode(false);
    client.set_connection_timeout(5);
    client.set_read_timeout(5);
    return client;
  }

  // GET `path`, expecting `status` and a JSON body.
  json GetJson(const std::string& path, int status) {
    httplib::Client client = Client();
    httplib::Result res = client.Get(path);
    EXPECT_TRUE(res) << path << ": " << httplib::to_string(res.error());
    if (!res) return json();
    EXPECT_EQ(res->status, status) << path << " -> " << res->body;
    EXPECT_THAT(res->get_header_value("Content-Type"), StartsWith("application/json")) << path;
    json body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(body.is_discarded()) << path << " -> " << res->body;
    if (status >= 400) {
      EXPECT_TRUE(body.contains("error") && body["error"].is_string()) << res->body;
    }
    return body;
  }

  FakeSource source_;
  StreamsMetrics metrics_{"wordcount", "wordcount-client-1"};
  std::unique_ptr<HttpQueryServer> server_;
};

TEST_F(HttpQueryServerTest, ListsStores) {
  json body = GetJson("/v1/stores", 200);
  EXPECT_EQ(body, json({{"stores", {"boom", "counts", "profiles", "restoring"}}}));
}

TEST_F(HttpQueryServerTest, GetsKey) {
  EXPECT_EQ(GetJson("/v1/stores/counts/keys/banana", 200), json({{"key", "banana"}, {"value", 2}}));
}

TEST_F(HttpQueryServerTest, GetsWindowsOfAKeyBetweenFromAndTo) {
  EXPECT_EQ(GetJson("/v1/stores/clicks/keys/u/1/windows", 200),
            json::parse(R"([{"start":0,"end":60000,"value":1},{"start":60000,"end":120000,"value":2},)"
                        R"({"start":120000,"end":180000,"value":3}])"));
  EXPECT_EQ(GetJson("/v1/stores/clicks/keys/u%2F1/windows?from=60000&to=60000", 200),
            json::parse(R"([{"start":60000,"end":120000,"value":2}])"));
  EXPECT_EQ(GetJson("/v1/stores/clicks/keys/nobody/windows?from=0", 200), json::array());
}

TEST_F(HttpQueryServerTest, GetsSessionsOfAKeyOverlappingFromAndTo) {
  // Each session keeps its own start and end (sessions have no fixed size), and from/to
  // reach the source as given: sessions ending at or after `from`, starting at or before `to`.
  EXPECT_EQ(GetJson("/v1/stores/visits/keys/alice/windows", 200),
            json::parse(R"([{"start":0,"end":5000,"value":2},{"start":20000,"end":20000,"value":1},)"
                        R"({"start":30000,"end":45000,"value":4}])"));
  EXPECT_EQ(GetJson("/v1/stores/visits/keys/alice/windows?from=5000&to=20000", 200),
            json::parse(R"([{"start":0,"end":5000,"value":2},{"start":20000,"end":20000,"value":1}])"));
  EXPECT_EQ(GetJson("/v1/stores/visits/keys/alice/windows?from=40000&to=40000", 200),
            json::parse(R"([{"start":30000,"end":45000,"value":4}])"));
  EXPECT_EQ(GetJson("/v1/stores/visits/keys/alice/windows?from=5001&to=19999", 200), json::array());
}

TEST_F(HttpQueryServerTest, BadWindowQueriesAre400) {
  EXPECT_THAT(GetJson("/v1/stores/clicks/keys/u/1/windows?from=yesterday", 400)["error"].get<std::string>(),
              HasSubstr("'from' must be a time in milliseconds"));
  EXPECT_THAT(GetJson("/v1/stores/clicks/keys/u/1/windows?from=10&to=5", 400)["error"].get<std::string>(),
              HasSubstr("after"));
  EXPECT_THAT(GetJson("/v1/stores/counts/keys/apple/windows", 400)["error"].get<std::string>(),
              HasSubstr("has no windows"));
}

TEST_F(HttpQueryServerTest, HeadIsAnsweredLikeGet) {
  httplib::Result res = Client().Head("/v1/stores/counts/keys/banana");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(res->body.empty());
}

TEST_F(HttpQueryServerTest, AbsentKeyAndUnknownStoreAreDifferent404s) {
  json absent = GetJson("/v1/stores/counts/keys/zucchini", 404);
  json unknown = GetJson("/v1/stores/nope/keys/zucchini", 404);
  EXPECT_THAT(absent["error"].get<std::string>(), HasSubstr("zucchini"));
  EXPECT_THAT(absent["error"].get<std::string>(), HasSubstr("not found in store 'counts'"));
  EXPECT_THAT(unknown["error"].get<std::string>(), HasSubstr("unknown store 'nope'"));
  EXPECT_NE(absent["error"], unknown["error"]);
  // Ranges over an unknown store are 404 as well.
  EXPECT_THAT(GetJson("/v1/stores/nope", 404)["error"].get<std::string>(),
              HasSubstr("unknown store"));
}

TEST_F(HttpQueryServerTest, SourceStatusesMapToHttp) {
  EXPECT_THAT(GetJson("/v1/stores/counts/keys/not-a-number", 400)["error"].get<std::string>(),
              HasSubstr("not a valid int64"));
  httplib::Result res = Client().Get("/v1/stores/restoring/keys/x");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), "1");
  EXPECT_EQ(json::parse(res->body)["error"], "store 'restoring' is restoring");
  GetJson("/v1/stores/restoring", 503);
}

TEST_F(HttpQueryServerTest, ExceptionInSourceIs500AndServerCarriesOn) {
  EXPECT_THAT(GetJson("/v1/stores/boom/keys/x", 500)["error"].get<std::string>(),
              HasSubstr("kaboom"));
  GetJson("/v1/stores/counts/keys/apple", 200);
}

TEST_F(HttpQueryServerTest, KeysArePercentDecoded) {
  source_.Put("profiles", "hello world/x", "spaced");
  source_.Put("profiles", "a/b/c", "slashed");
  source_.Put("profiles", "ключ ☃", "unicode");
  source_.Put("profiles", "a+b", "plus");
  EXPECT_EQ(GetJson("/v1/stores/profiles/keys/hello%20world%2Fx", 200),
            json({{"key", "hello world/x"}, {"value", "spaced"}}));
  // Unescaped slashes belong to the key too.
  EXPECT_EQ(GetJson("/v1/stores/profiles/keys/a/b/c", 200)["value"], "slashed");
  EXPECT_EQ(GetJson("/v1/stores/profiles/keys/a%2Fb%2fc", 200)["value"], "slashed");
  EXPECT_EQ(GetJson("/v1/stores/profiles/keys/%D0%BA%D0%BB%D1%8E%D1%87%20%E2%98%83", 200),
            json({{"key", "ключ ☃"}, {"value", "unicode"}}));
  // '+' is only a space in query strings.
  EXPECT_EQ(GetJson("/v1/stores/profiles/keys/a+b", 200)["value"], "plus");
}

TEST_F(HttpQueryServerTest, ClientSideEncodingRoundTrips) {
  source_.Put("profiles", "hello world", "spaced");
  httplib::Client client("127.0.0.1", server_->port());  // Default: encodes the path.
  httplib::Result res = client.Get("/v1/stores/profiles/keys/hello world");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["key"], "hello world");
}

TEST_F(HttpQueryServerTest, MalformedInputIs400NotACrash) {
  for (const char* path :
       {"/v1/stores/counts/keys/%", "/v1/stores/counts/keys/%4", "/v1/stores/counts/keys/%zz",
        "/v1/stores/%G1/keys/a", "/v1/stores/counts?from=%", "/v1/stores/counts?limit=1&limit=2",
        "/v1/stores//keys/a", "/v1/stores/%"}) {
    GetJson(path, 400);
  }
  // Invalid UTF-8 in a key is answered (replaced), not thrown from the JSON encoder.
  json body = GetJson("/v1/stores/counts/keys/%FF%FE", 404);
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("not found"));
  // NUL bytes are just bytes.
  GetJson("/v1/stores/counts/keys/a%00b", 404);
  GetJson("/v1/stores/counts/keys/apple", 200);
}

TEST_F(HttpQueryServerTest, OverlongPathIsAJsonErrorNotACrash) {
  for (size_t length : {size_t{4000}, size_t{9000}, size_t{100000}}) {
    httplib::Result res = Client().Get("/v1/stores/counts/keys/" + std::string(length, 'k'));
    if (res) {  // The server may also just drop a request line this long.
      EXPECT_GE(res->status, 400) << length;
      if (!res->body.empty()) {
        json body = json::parse(res->body, nullptr, false);
        ASSERT_FALSE(body.is_discarded()) << res->body;
        EXPECT_TRUE(body.contains("error"));
        EXPECT_LE(body["error"].get<std::string>().size(), 400u);
      }
    }
  }
  GetJson("/v1/stores/counts/keys/apple", 200);
}

TEST_F(HttpQueryServerTest, GarbageOnTheSocketIsRejected) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string garbage = "\x01\x02 NOT HTTP AT ALL\r\n\r\n";
  ASSERT_EQ(write(fd, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) reply.append(buf, static_cast<size_t>(n));
  close(fd);
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(reply, HasSubstr("{\"error\":"));
  GetJson("/v1/stores/counts/keys/apple", 200);
}

TEST_F(HttpQueryServerTest, RangePages) {
  json first = GetJson("/v1/stores/counts?limit=2", 200);
  EXPECT_EQ(first["entries"], json::parse(R"([{"key":"apple","value":1},
                                               {"key":"banana","value":2}])"));
  ASSERT_TRUE(first.contains("next"));
  EXPECT_EQ(first["next"], "cherry");

  json rest = GetJson("/v1/stores/counts?limit=10&from=" + first["next"].get<std::string>(), 200);
  EXPECT_EQ(rest["entries"], json::parse(R"([{"key":"cherry","value":3},{"key":"date","value":4},
                                              {"key":"elder","value":5}])"));
  EXPECT_FALSE(rest.contains("next"));

  // Walking the whole store two at a time visits every key once.
  std::vector<std::string> keys;
  std::string path = "/v1/stores/counts?limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    json page = GetJson(path, 200);
    for (const json& entry : page["entries"]) keys.push_back(entry["key"]);
    if (!page.contains("next")) break;
    path = "/v1/stores/counts?limit=2&from=" + page["next"].get<std::string>();
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"apple", "banana", "cherry", "date", "elder"}));
}

TEST_F(HttpQueryServerTest, RangeBoundsAreDecodedAndPassedOn) {
  json body = GetJson("/v1/stores/counts?from=b&to=cherry", 200);
  EXPECT_EQ(body["entries"].size(), 2u);
  EXPECT_FALSE(body.contains("next"));
  RangeQuery query = source_.last_range();
  EXPECT_EQ(query.from, "b");
  EXPECT_EQ(query.to, "cherry");
  EXPECT_EQ(query.limit, 100u);  // Default.

  GetJson("/v1/stores/profiles?from=a+b%2Fc&to=%E2%98%83", 200);
  query = source_.last_range();
  EXPECT_EQ(query.from, "a b/c");
  EXPECT_EQ(query.to, "☃");

  GetJson("/v1/stores/counts?limit=20000", 200);
  EXPECT_EQ(source_.last_range().limit, 10000u);  // Capped.
  GetJson("/v1/stores/counts?limit=99999999999999999999999", 200);
  EXPECT_EQ(source_.last_range().limit, 10000u);
}

TEST_F(HttpQueryServerTest, BadLimitIs400) {
  for (const char* limit : {"abc", "0", "-1", "", "1.5", "2x", "%201"}) {
    json body = GetJson(std::string("/v1/stores/counts?limit=") + limit, 400);
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("limit")) << limit;
  }
}

TEST_F(HttpQueryServerTest, TopologyIsPlainText) {
  httplib::Result res = Client().Get("/v1/topology");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), StartsWith("text/plain"));
  EXPECT_EQ(res->body, source_.TopologyDescription());
}

TEST_F(HttpQueryServerTest, Metadata) {
  EXPECT_EQ(GetJson("/v1/metadata", 200), source_.Metadata());
}

TEST_F(HttpQueryServerTest, Healthz) {
  EXPECT_EQ(GetJson("/healthz", 200), json({{"state", "RUNNING"}}));

  source_.SetState("REBALANCING");
  json rebalancing = GetJson("/healthz", 200);
  EXPECT_EQ(rebalancing["state"], "REBALANCING");
  EXPECT_THAT(rebalancing["detail"].get<std::string>(), HasSubstr("rebalancing"));

  for (const char* state : {"CREATED", "PENDING_SHUTDOWN", "NOT_RUNNING", "ERROR"}) {
    source_.SetState(state);
    json body = GetJson("/healthz", 503);
    EXPECT_EQ(body["state"], state);
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr(state));
  }
}

TEST_F(HttpQueryServerTest, UnknownPathsAre404) {
  for (const char* path : {"/", "/v1", "/v2/stores", "/v1/stores/counts/", "/v1/stores/counts/x",
                           "/v1/stores/counts/keys", "/healthz/x", "/metricsx"}) {
    EXPECT_THAT(GetJson(path, 404)["error"].get<std::string>(), HasSubstr("no such endpoint"))
        << path;
  }
}

TEST_F(HttpQueryServerTest, OtherMethodsAre405) {
  httplib::Client client = Client();
  std::vector<httplib::Result> results;
  results.push_back(client.Post("/v1/stores", "{}", "application/json"));
  results.push_back(client.Post("/nowhere", std::string(1000, 'x'), "text/plain"));
  results.push_back(client.Put("/v1/stores/counts/keys/apple", "3", "application/json"));
  results.push_back(client.Delete("/v1/stores/counts/keys/apple"));
  results.push_back(client.Options("/v1/stores"));
  for (httplib::Result& res : results) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405) << res->body;
    EXPECT_EQ(res->get_header_value("Allow"), "GET, HEAD");
    json body = json::parse(res->body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << res->body;
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("not allowed"));
  }
  // The stores were not touched and the server still answers.
  EXPECT_EQ(GetJson("/v1/stores/counts/keys/apple", 200)["value"], 1);
}

TEST_F(HttpQueryServerTest, KeepAliveClientsAreServedOneRequestPerConnection) {
  httplib::Client client = Client();
  client.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    httplib::Result res = client.Get("/v1/stores/counts/keys/apple");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Connection"), "close");
  }
  httplib::Result post = client.Post("/v1/stores", std::string(100, 'x'), "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  httplib::Result after = client.Get("/v1/stores/counts/keys/banana");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(json::parse(after->body)["value"], 2);
  client.stop();
}

TEST_F(HttpQueryServerTest, MetricsEndpoint) {
  metrics_.RecordsProcessed("0_1").Increment(41);
  metrics_.RecordsProcessed("0_1").Increment();
  metrics_.DroppedRecords("0_1", StreamsMetrics::kNullKey).Increment(3);
  metrics_.ObserveCommitLatency(0.02);
  metrics_.SetTaskCount(2);
  metrics_.SetStoreEntries("counts", "0_1", 5);

  httplib::Result res = Client().Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), StartsWith("text/plain; version=0.0.4"));
  const std::string labels = "application_id=\"wordcount\",client_id=\"wordcount-client-1\"";
  EXPECT_THAT(res->body, HasSubstr("# TYPE rill_stream_records_processed_total counter"));
  EXPECT_THAT(res->body,
              HasSubstr("rill_stream_records_processed_total{" + labels + ",task=\"0_1\"} 42"));
  EXPECT_THAT(res->body, HasSubstr("rill_stream_dropped_records_total{" + labels +
                                   ",reason=\"null-key\",task=\"0_1\"} 3"));
  EXPECT_THAT(res->body, HasSubstr("rill_stream_commit_latency_seconds_count{" + labels + "} 1"));
  EXPECT_THAT(res->body, HasSubstr("rill_stream_tasks{" + labels + "} 2"));
  EXPECT_THAT(res->body, HasSubstr("rill_state_store_entries{" + labels +
                                   ",store=\"counts\",task=\"0_1\"} 5"));
}

TEST(HttpQueryServerStandaloneTest, MetricsWithoutStreamsMetricsIs404) {
  FakeSource source;
  auto server = HttpQueryServer::Start("127.0.0.1:0", &source, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  httplib::Client client("127.0.0.1", (*server)->port());
  httplib::Result res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_THAT(res->body, HasSubstr("metrics are not enabled"));
}

TEST_F(HttpQueryServerTest, PortInUseFailsClearly) {
  FakeSource other;
  std::string address = "127.0.0.1:" + std::to_string(server_->port());
  auto second = HttpQueryServer::Start(address, &other, nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  std::string message(second.status().message());
  EXPECT_THAT(message, HasSubstr(address));
  EXPECT_THAT(message, HasSubstr("in use"));
  // The first server is unaffected.
  GetJson("/v1/stores/counts/keys/apple", 200);
}

TEST(HttpQueryServerStandaloneTest, BadAddressesAreInvalidArgument) {
  FakeSource source;
  for (const char* address :
       {"", "8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536",
        "127.0.0.1:-1", "::1:8080", "[::1:8080", "no-such-host.invalid:0"}) {
    auto server = HttpQueryServer::Start(address, &source, nullptr);
    ASSERT_FALSE(server.ok()) << address;
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument)
        << address << ": " << server.status();
  }
  EXPECT_EQ(HttpQueryServer::Start("127.0.0.1:0", nullptr, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HttpQueryServerStandaloneTest, TwoServersServeConcurrently) {
  FakeSource a;
  FakeSource b;
  b.Put("counts", "apple", 100);
  auto server_a = HttpQueryServer::Start("127.0.0.1:0", &a, nullptr);
  auto server_b = HttpQueryServer::Start("127.0.0.1:0", &b, nullptr);
  ASSERT_TRUE(server_a.ok()) << server_a.status();
  ASSERT_TRUE(server_b.ok()) << server_b.status();
  ASSERT_NE((*server_a)->port(), (*server_b)->port());
  EXPECT_EQ((*server_a)->address(), "127.0.0.1:" + std::to_string((*server_a)->port()));

  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      const HttpQueryServer& server = i % 2 == 0 ? **server_a : **server_b;
      int expected = i % 2 == 0 ? 1 : 100;
      httplib::Client client("127.0.0.1", server.port());
      for (int r = 0; r < 20; ++r) {
        httplib::Result res = client.Get("/v1/stores/counts/keys/apple");
        if (res && res->status == 200 && json::parse(res->body)["value"] == expected) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST_F(HttpQueryServerTest, ConcurrentRequestsFromManyThreads) {
  constexpr int kThreads = 12;  // More than the server's worker threads.
  constexpr int kRequests = 40;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", server_->port());
      client.set_keep_alive(t % 2 == 0);  // Mix reused and fresh connections.
      for (int r = 0; r < kRequests; ++r) {
        std::string key = "t" + std::to_string(t) + "-" + std::to_string(r);
        source_.Put("profiles", key, r);
        httplib::Result get = client.Get("/v1/stores/profiles/keys/" + key);
        httplib::Result range = client.Get("/v1/stores/counts?limit=2");
        httplib::Result health = client.Get("/healthz");
        if (get && get->status == 200 && json::parse(get->body)["value"] == r && range &&
            range->status == 200 && health && health->status == 200) {
          ++ok;
        }
      }
      client.stop();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
}

TEST_F(HttpQueryServerTest, StopIsIdempotentAndClosesThePort) {
  int port = server_->port();
  server_->Stop();
  server_->Stop();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  httplib::Result res = client.Get("/healthz");
  EXPECT_FALSE(res);
  server_.reset();  // Destructor after Stop is fine too.

  // The port can be bound again right away.
  FakeSource source;
  auto again = HttpQueryServer::Start("127.0.0.1:" + std::to_string(port), &source, nullptr);
  EXPECT_TRUE(again.ok()) << again.status();
}

}  // namespace
}  // namespace rill::streams
