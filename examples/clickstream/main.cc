// clickstream: clicks per user (key: user id, value: page, timestamp: event time) counted
// per minute, per five minutes (hopping by one) and per session (5 minutes of inactivity),
// each store queryable over HTTP for the last 24 hours. Without --bootstrap-servers it
// starts an embedded broker.
//
//   build/bin/clickstream                     # run until Ctrl-C; query on 127.0.0.1:8080
//   build/bin/clickstream --demo-clicks 2000  # generate an hour of clicks, wait for the
//                                             # counts, print window queries, exit
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "examples/clickstream/clickstream_topology.h"
#include "examples/common/example_support.h"
#include "nlohmann/json.hpp"
#include "streams/query/query_source.h"

ABSL_FLAG(int32_t, demo_clicks, 0,
          "Produce this many generated clicks spread over the last hour, wait until the "
          "per-minute counts are complete, print window queries and exit (0: run until "
          "SIGINT/SIGTERM)");
ABSL_FLAG(int32_t, input_partitions, 6, "Partitions of clicks when created");

namespace {

using rill::examples::ExampleRuntime;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int RunDemo(ExampleRuntime& rt, rill::streams::KafkaStreams& app, const std::string& http,
            int clicks) {
  using namespace rill::examples;
  const int64_t minute = 60000;
  const int64_t start = (NowMs() - 3600 * 1000) / minute * minute;
  std::mt19937 rng(3);
  std::map<std::string, std::map<int64_t, int64_t>> per_minute;
  std::vector<std::pair<std::string, std::string>> records;
  std::vector<int64_t> timestamps;
  for (int i = 0; i < clicks; ++i) {
    std::string user = "user-" + std::to_string(rng() % 10);
    int64_t ts = start + static_cast<int64_t>(i) * (3600 * 1000) / clicks;
    ++per_minute[user][ts / minute * minute];
    records.emplace_back(user, "/page/" + std::to_string(rng() % 25));
    timestamps.push_back(ts);
  }
  if (auto s = rt.Produce(kClicksTopic, records, timestamps); !s.ok()) {
    std::fprintf(stderr, "producing the demo input failed: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("Produced %d clicks of 10 users over the hour before now\n", clicks);
  // Stream time stops at the last click, so its minute is the only one still open; all
  // windows are final once every minute's count matches.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool complete = false;
  while (!complete && std::chrono::steady_clock::now() < deadline) {
    complete = true;
    for (const auto& [user, minutes] : per_minute) {
      auto windows = app.queries().Windows(kClicksPerMinuteStore, user, start, NowMs());
      if (!windows.ok() || windows->size() != minutes.size()) {
        complete = false;
        break;
      }
      for (const auto& w : *windows) {
        auto it = minutes.find(w["start"].get<int64_t>());
        if (it == minutes.end() || w["value"].get<int64_t>() != it->second) complete = false;
      }
      if (!complete) break;
    }
    if (!complete) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!complete) {
    std::fprintf(stderr, "the per-minute counts did not match the input within 120 s\n");
    return 1;
  }
  std::printf("Every user's per-minute counts match the input.\n\n");
  std::printf("Interactive queries (HTTP on %s):\n", http.c_str());
  const std::string from = std::to_string(start), to = std::to_string(start + 5 * minute);
  const std::vector<std::string> paths = {
      "/v1/stores/clicks-per-minute/keys/user-1/windows?from=" + from + "&to=" + to,
      "/v1/stores/clicks-per-5min-hopping/keys/user-1/windows?from=" + from + "&to=" + to,
      "/v1/stores/sessions/keys/user-1/windows?from=" + from + "&to=" + std::to_string(NowMs())};
  for (const std::string& path : paths) {
    std::printf("  GET %s\n    -> %s\n", path.c_str(), ExampleRuntime::HttpGet(http, path).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rill::examples;
  auto rt = ExampleRuntime::Start(argc, argv, "clickstream", {});
  if (!rt.ok()) {
    std::fprintf(stderr, "clickstream: %s\n", rt.status().ToString().c_str());
    return 1;
  }
  if (auto s = rill::streams::CreateTopicsIfMissing(
          (*rt)->bootstrap_servers(), {{kClicksTopic, absl::GetFlag(FLAGS_input_partitions)}});
      !s.ok()) {
    std::fprintf(stderr, "clickstream: creating topics: %s\n", s.ToString().c_str());
    return 1;
  }
  rill::streams::StreamsConfig config = (*rt)->Config();
  rill::streams::KafkaStreams app(BuildClickstreamTopology(), config);
  if (auto s = app.start(); !s.ok()) {
    std::fprintf(stderr, "clickstream: cannot start: %s\n", s.ToString().c_str());
    return 1;
  }
  std::string http = config.application_server;
  if (!http.empty() && http.substr(http.rfind(':') + 1) == "0") {
    http = http.substr(0, http.rfind(':') + 1) + std::to_string(app.http_port());
  }
  std::printf("clickstream (application.id %s) reading %s on %s\n", config.application_id.c_str(),
              kClicksTopic, (*rt)->bootstrap_servers().c_str());
  if (!http.empty()) {
    std::printf("HTTP queries: curl 'http://%s/v1/stores/sessions/keys/<user>/windows?from=0&to=%lld'\n",
                http.c_str(), static_cast<long long>(NowMs()));
  }
  std::fflush(stdout);
  int clicks = absl::GetFlag(FLAGS_demo_clicks);
  if (clicks > 0) {
    if (!ExampleRuntime::WaitRunning(app, 60000)) {
      std::fprintf(stderr, "clickstream: the application did not reach RUNNING\n");
      return 1;
    }
    int rc = RunDemo(**rt, app, http, clicks);
    app.close();
    return rc;
  }
  return (*rt)->RunUntilSignal(app);
}
