// enrichment: orders joined with customers (table) and products (global table) into
// `enriched-orders`, with revenue per customer in total and per hour, all queryable over
// HTTP. Without --bootstrap-servers it starts an embedded broker.
//
//   build/bin/enrichment                     # run until Ctrl-C; query on 127.0.0.1:8080
//   build/bin/enrichment --demo-orders 500   # generate customers, products and orders,
//                                            # wait for the revenue, print queries, exit
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "examples/common/example_support.h"
#include "examples/enrichment/enrichment_topology.h"
#include "nlohmann/json.hpp"
#include "streams/query/query_source.h"

ABSL_FLAG(int32_t, demo_orders, 0,
          "Produce generated customers, products and this many orders, wait until the revenue "
          "is complete, print a few HTTP queries and exit (0: run until SIGINT/SIGTERM)");
ABSL_FLAG(int32_t, input_partitions, 6, "Partitions of the topics when created");

namespace {

using json = nlohmann::json;
using rill::examples::ExampleRuntime;

// Waits until `done()` or 120 s.
template <class F>
bool WaitFor(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int RunDemo(ExampleRuntime& rt, rill::streams::KafkaStreams& app, const std::string& http,
            int orders) {
  using namespace rill::examples;
  std::mt19937 rng(7);
  const char* tiers[] = {"gold", "silver", "bronze"};
  std::vector<std::pair<std::string, std::string>> customers, products, order_records;
  for (int c = 0; c < 20; ++c) {
    customers.emplace_back("c" + std::to_string(c),
                           json{{"name", "Customer " + std::to_string(c)}, {"tier", tiers[c % 3]}}.dump());
  }
  std::map<std::string, double> price;
  for (int p = 0; p < 10; ++p) {
    price["p" + std::to_string(p)] = 1.5 * (p + 1);
    products.emplace_back("p" + std::to_string(p),
                          json{{"name", "Product " + std::to_string(p)}, {"price", 1.5 * (p + 1)}}.dump());
  }
  std::map<std::string, double> expected;
  for (int i = 0; i < orders; ++i) {
    std::string c = "c" + std::to_string(rng() % 20), p = "p" + std::to_string(rng() % 10);
    int quantity = 1 + static_cast<int>(rng() % 5);
    expected[c] += price[p] * quantity;
    order_records.emplace_back("o" + std::to_string(i),
                               json{{"customer_id", c}, {"product_id", p}, {"quantity", quantity}}.dump());
  }
  if (auto s = rt.Produce(kCustomersTopic, customers); !s.ok()) return 1;
  if (auto s = rt.Produce(kProductsTopic, products); !s.ok()) return 1;
  // Orders go in once the customers table is loaded: a stream-table join sees the table as
  // it is when the order is processed.
  if (!WaitFor([&] {
        for (const auto& [id, value] : customers) {
          auto v = app.queries().Get(kCustomersStore, id);
          if (!v.ok() || !*v) return false;
        }
        return true;
      })) {
    std::fprintf(stderr, "the customers table did not load within 120 s\n");
    return 1;
  }
  auto started = std::chrono::steady_clock::now();
  if (auto s = rt.Produce(kOrdersTopic, order_records); !s.ok()) return 1;
  std::printf("Produced %zu customers, %zu products (global table) and %d orders\n",
              customers.size(), products.size(), orders);
  bool complete = WaitFor([&] {
    for (const auto& [c, total] : expected) {
      auto v = app.queries().Get(kRevenueStore, c);
      if (!v.ok() || !*v || std::fabs((**v).get<double>() - total) > 1e-6) return false;
    }
    return true;
  });
  if (!complete) {
    std::fprintf(stderr, "revenue per customer did not reach the expected values in 120 s\n");
    return 1;
  }
  std::printf("Revenue of all %zu customers matches the orders after %.2f s.\n\n", expected.size(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  std::printf("Interactive queries (HTTP on %s):\n", http.c_str());
  const std::string first = expected.begin()->first;
  const std::vector<std::string> paths = {
      "/v1/stores", "/v1/stores/products-store/keys/p3", "/v1/stores/customers-store/keys/" + first,
      "/v1/stores/revenue-per-customer/keys/" + first,
      "/v1/stores/revenue-per-customer-hourly/keys/" + first + "/windows?from=0&to=" +
          std::to_string(INT64_MAX / 2)};
  for (const std::string& path : paths) {
    std::printf("  GET %s\n    -> %s\n", path.c_str(), ExampleRuntime::HttpGet(http, path).c_str());
  }
  std::printf("\nThe enriched orders are in the topic enriched-orders (JSON, key = order id).\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rill::examples;
  auto rt = ExampleRuntime::Start(argc, argv, "enrichment", {});
  if (!rt.ok()) {
    std::fprintf(stderr, "enrichment: %s\n", rt.status().ToString().c_str());
    return 1;
  }
  int partitions = absl::GetFlag(FLAGS_input_partitions);
  // orders and customers must be co-partitioned for the join: same partition count.
  if (auto s = rill::streams::CreateTopicsIfMissing(
          (*rt)->bootstrap_servers(), {{kOrdersTopic, partitions},
                                       {kCustomersTopic, partitions},
                                       {kProductsTopic, 1},
                                       {kEnrichedOrdersTopic, partitions}});
      !s.ok()) {
    std::fprintf(stderr, "enrichment: creating topics: %s\n", s.ToString().c_str());
    return 1;
  }
  rill::streams::StreamsConfig config = (*rt)->Config();
  rill::streams::KafkaStreams app(BuildEnrichmentTopology(), config);
  if (auto s = app.start(); !s.ok()) {
    std::fprintf(stderr, "enrichment: cannot start: %s\n", s.ToString().c_str());
    return 1;
  }
  std::string http = config.application_server;
  if (!http.empty() && http.substr(http.rfind(':') + 1) == "0") {
    http = http.substr(0, http.rfind(':') + 1) + std::to_string(app.http_port());
  }
  std::printf("enrichment (application.id %s) on %s\n", config.application_id.c_str(),
              (*rt)->bootstrap_servers().c_str());
  if (!http.empty()) {
    std::printf("HTTP queries: curl http://%s/v1/stores/revenue-per-customer/keys/<customer>\n",
                http.c_str());
  }
  std::fflush(stdout);
  int orders = absl::GetFlag(FLAGS_demo_orders);
  if (orders > 0) {
    if (!ExampleRuntime::WaitRunning(app, 60000)) {
      std::fprintf(stderr, "enrichment: the application did not reach RUNNING\n");
      return 1;
    }
    int rc = RunDemo(**rt, app, http, orders);
    app.close();
    return rc;
  }
  return (*rt)->RunUntilSignal(app);
}
