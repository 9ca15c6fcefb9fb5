// wordcount: counts the words of `text-lines` into the queryable store `counts` and the
// topic `word-counts`. Without --bootstrap-servers it starts an embedded broker.
//
//   build/bin/wordcount                         # run until Ctrl-C; query on 127.0.0.1:8080
//   build/bin/wordcount --demo-lines 2000       # what `make demo` runs: generate input,
//                                               # wait for the counts, print queries, exit
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "examples/common/example_support.h"
#include "examples/wordcount/word_count_topology.h"
#include "streams/query/query_source.h"

ABSL_FLAG(int32_t, demo_lines, 0,
          "Produce this many generated lines, wait until the counts are complete, print a few "
          "HTTP queries and exit (0: run until SIGINT/SIGTERM)");
ABSL_FLAG(int32_t, input_partitions, 6, "Partitions of text-lines and word-counts when created");

namespace {

using rill::examples::ExampleRuntime;

const char* const kVocabulary[] = {"the",  "quick", "brown", "fox",   "jumps", "over",
                                   "lazy", "dog",   "a",     "river", "rill",  "stream",
                                   "runs", "to",    "sea",   "kafka", "table", "window"};

int RunDemo(ExampleRuntime& rt, rill::streams::KafkaStreams& app, const std::string& http,
            int lines) {
  std::mt19937 rng(42);
  std::vector<std::pair<std::string, std::string>> records;
  std::map<std::string, int64_t> expected;
  for (int i = 0; i < lines; ++i) {
    std::string line;
    int n = 3 + static_cast<int>(rng() % 8);
    for (int w = 0; w < n; ++w) {
      const char* word = kVocabulary[rng() % std::size(kVocabulary)];
      line += (w ? " " : "") + std::string(w == 0 ? "The" : word);
      ++expected[w == 0 ? "the" : word];
    }
    records.emplace_back("line-" + std::to_string(i), line);
  }
  auto started = std::chrono::steady_clock::now();
  if (auto s = rt.Produce(rill::examples::kTextLinesTopic, records); !s.ok()) {
    std::fprintf(stderr, "producing the demo input failed: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("Produced %d lines (%zu distinct words) to %s\n", lines, expected.size(),
              rill::examples::kTextLinesTopic);
  // Wait until every word's count in the store is the expected one.
  auto deadline = started + std::chrono::seconds(120);
  bool complete = false;
  while (!complete && std::chrono::steady_clock::now() < deadline) {
    complete = true;
    for (const auto& [word, count] : expected) {
      auto value = app.queries().Get(rill::examples::kCountsStore, word);
      if (!value.ok() || !*value || **value != count) {
        complete = false;
        break;
      }
    }
    if (!complete) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!complete) {
    std::fprintf(stderr, "the counts did not reach the expected values within 120 s\n");
    return 1;
  }
  std::printf("All %zu counts match the input after %.2f s.\n\n", expected.size(), seconds);
  std::printf("Interactive queries (HTTP on %s):\n", http.c_str());
  for (const char* path : {"/v1/stores", "/v1/stores/counts/keys/fox", "/v1/stores/counts/keys/rill",
                           "/v1/stores/counts?from=a&to=f&limit=3", "/healthz"}) {
    std::printf("  GET %s\n    -> %s\n", path, ExampleRuntime::HttpGet(http, path).c_str());
  }
  std::printf(
      "\nWhere to look next (this demo now stops its broker and exits):\n"
      "  build/bin/wordcount        runs until Ctrl-C, embedded broker, HTTP on 127.0.0.1:8080\n"
      "  curl http://127.0.0.1:8080/v1/topology     the Kafka Streams-style description\n"
      "  curl http://127.0.0.1:8080/metrics         Prometheus metrics\n"
      "  curl http://127.0.0.1:8080/v1/metadata     tasks per instance (start a second one\n"
      "       with --bootstrap-servers, --state-dir and --http to share the work)\n"
      "  examples/wordcount/word_count_topology.cc  the DSL code; docs/STREAMS.md the guide\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Topic creation needs the partition count before flags are parsed by ExampleRuntime;
  // absl's flag default applies when --input-partitions is not given.
  auto rt = ExampleRuntime::Start(argc, argv, "wordcount", {});
  if (!rt.ok()) {
    std::fprintf(stderr, "wordcount: %s\n", rt.status().ToString().c_str());
    return 1;
  }
  int partitions = absl::GetFlag(FLAGS_input_partitions);
  if (auto s = rill::streams::CreateTopicsIfMissing(
          (*rt)->bootstrap_servers(), {{rill::examples::kTextLinesTopic, partitions},
                                       {rill::examples::kWordCountsTopic, partitions}});
      !s.ok()) {
    std::fprintf(stderr, "wordcount: creating topics: %s\n", s.ToString().c_str());
    return 1;
  }
  rill::streams::StreamsConfig config = (*rt)->Config();
  rill::streams::KafkaStreams app(rill::examples::BuildWordCountTopology(), config);
  if (auto s = app.start(); !s.ok()) {
    std::fprintf(stderr, "wordcount: cannot start: %s\n", s.ToString().c_str());
    return 1;
  }
  std::string http = config.application_server;
  if (!http.empty() && http.substr(http.rfind(':') + 1) == "0") {
    http = http.substr(0, http.rfind(':') + 1) + std::to_string(app.http_port());
  }
  std::printf("wordcount (application.id %s) reading %s on %s\n", config.application_id.c_str(),
              rill::examples::kTextLinesTopic, (*rt)->bootstrap_servers().c_str());
  if (!http.empty()) std::printf("HTTP queries: curl http://%s/v1/stores/counts/keys/<word>\n", http.c_str());
  std::fflush(stdout);
  int lines = absl::GetFlag(FLAGS_demo_lines);
  if (lines > 0) {
    if (!ExampleRuntime::WaitRunning(app, 60000)) {
      std::fprintf(stderr, "wordcount: the application did not reach RUNNING\n");
      return 1;
    }
    int rc = RunDemo(**rt, app, http, lines);
    app.close();
    return rc;
  }
  return (*rt)->RunUntilSignal(app);
}
