// The example topologies end to end on an EmbeddedCluster, in-process: inputs produced with
// librdkafka, outputs read back from topics and stores, and compared with results the test
// computes on its own from the same inputs (not with the examples' code).
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "broker/embedded_cluster.h"
#include "examples/clickstream/clickstream_topology.h"
#include "examples/enrichment/enrichment_topology.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "streams/query/query_source.h"
#include "streams/runtime/kafka_streams.h"
#include "streams/runtime/topic_admin.h"
#include "tests/integration/kafka_test_util.h"
#include "tests/integration/streams_cluster_test.h"

namespace rill::testing {
namespace {

using json = nlohmann::json;
using streams::KafkaStreams;

using StreamsExamplesTest = StreamsClusterTest;

struct Order {
  std::string id, customer, product;
  int quantity = 0;
  int64_t timestamp = 0;
};

// Orders over three hours for 8 customers and 5 products; the products' prices change
// halfway (a global table update) and one product is deleted; one order names a customer
// that does not exist and one is missing its product id: both produce nothing.
TEST_F(StreamsExamplesTest, EnrichmentJoinsOrdersWithCustomersAndGlobalProducts) {
  using namespace rill::examples;
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{kOrdersTopic, 3},
                                                          {kCustomersTopic, 3},
                                                          {kProductsTopic, 2},
                                                          {kEnrichedOrdersTopic, 3}})
                  .ok());
  Producer producer({{"bootstrap.servers", bootstrap_}, {"partitioner", "murmur2_random"}});
  std::map<std::string, json> customers, products;
  for (int c = 0; c < 8; ++c) {
    customers["c" + std::to_string(c)] = {{"name", "name-" + std::to_string(c)},
                                          {"tier", c % 2 ? "gold" : "silver"}};
  }
  for (int p = 0; p < 5; ++p) {
    products["p" + std::to_string(p)] = {{"name", "product-" + std::to_string(p)},
                                         {"price", 2.0 + p}};
  }
  for (const auto& [k, v] : customers) producer.Send(kCustomersTopic, -1, k, v.dump(), {}, 1);
  for (const auto& [k, v] : products) producer.Send(kProductsTopic, -1, k, v.dump(), {}, 1);
  ASSERT_TRUE(producer.Flush());

  KafkaStreams app(BuildEnrichmentTopology(), Config("enrichment-e2e"));
  // start() returns once the global table is loaded: every product is there at once.
  ASSERT_TRUE(app.start().ok());
  for (const auto& [k, v] : products) {
    auto got = app.queries().Get(kProductsStore, k);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(got->has_value()) << k;
    EXPECT_EQ(**got, v);
  }
  ASSERT_TRUE(WaitUntil([&] {
    for (const auto& [k, v] : customers) {
      auto got = app.queries().Get(kCustomersStore, k);
      if (!got.ok() || !got->has_value()) return false;
    }
    return true;
  }));

  std::mt19937 rng(11);
  const int64_t hour = 3600 * 1000;
  const int64_t base = 1700000000000 / hour * hour;  // an hour boundary
  auto send = [&](const Order& o) {
    producer.Send(kOrdersTopic, -1, o.id,
                  json{{"customer_id", o.customer}, {"product_id", o.product}, {"quantity", o.quantity}}.dump(),
                  {}, o.timestamp);
  };
  // Expected results, computed here: revenue per customer and per (customer, hour).
  std::map<std::string, double> revenue;
  std::map<std::pair<std::string, int64_t>, double> hourly;
  std::map<std::string, json> enriched;
  auto expect = [&](const Order& o) {
    const json& c = customers[o.customer];
    const json& p = products[o.product];
    double r = p["price"].get<double>() * o.quantity;
    revenue[o.customer] += r;
    hourly[{o.customer, o.timestamp / hour * hour}] += r;
    enriched[o.id] = {{"order_id", o.id},          {"customer_id", o.customer},
                      {"product_id", o.product},   {"quantity", o.quantity},
                      {"customer_name", c["name"]}, {"customer_tier", c["tier"]},
                      {"product_name", p["name"]}, {"price", p["price"]},
                      {"revenue", r}};
  };
  auto revenue_matches = [&] {
    for (const auto& [c, total] : revenue) {
      auto got = app.queries().Get(kRevenueStore, c);
      if (!got.ok() || !got->has_value() || std::fabs((**got).get<double>() - total) > 1e-9) {
        return false;
      }
    }
    return true;
  };
  // Three hours of orders, one hour at a time: the hourly windows have no grace, so an
  // order of an earlier hour arriving after a later one would be dropped as late (Kafka
  // Streams' semantics); within an hour, order does not matter.
  int order_count = 0;
  for (int h = 0; h < 3; ++h) {
    for (int i = 0; i < 20; ++i) {
      Order o{"o" + std::to_string(order_count++), "c" + std::to_string(rng() % 8),
              "p" + std::to_string(rng() % 5), 1 + static_cast<int>(rng() % 4),
              base + h * hour + static_cast<int64_t>(rng() % hour)};
      send(o);
      expect(o);
    }
    if (h == 0) {
      producer.Send(kOrdersTopic, -1, "o-unknown-customer",
                    json{{"customer_id", "nobody"}, {"product_id", "p1"}, {"quantity", 1}}.dump(), {},
                    base);
      producer.Send(kOrdersTopic, -1, "o-no-product",
                    json{{"customer_id", "c1"}, {"quantity", 1}}.dump(), {}, base);
    }
    ASSERT_TRUE(producer.Flush());
    ASSERT_TRUE(WaitUntil(revenue_matches)) << "hour " << h;
  }

  // The global table changes while the application runs: p0 doubles its price, p4 is
  // deleted. Later orders see the new table; a deleted product joins nothing.
  products["p0"]["price"] = 4.0;
  producer.Send(kProductsTopic, -1, "p0", products["p0"].dump(), {}, 2);
  producer.Send(kProductsTopic, -1, "p4", std::nullopt, {}, 2);
  ASSERT_TRUE(producer.Flush());
  ASSERT_TRUE(WaitUntil([&] {
    auto p0 = app.queries().Get(kProductsStore, "p0");
    auto p4 = app.queries().Get(kProductsStore, "p4");
    return p0.ok() && p0->has_value() && (**p0)["price"] == 4.0 && p4.ok() && !p4->has_value();
  }));
  std::vector<Order> second;
  for (int i = 0; i < 30; ++i) {
    second.push_back({"q" + std::to_string(i), "c" + std::to_string(rng() % 8),
                      "p" + std::to_string(rng() % 5), 1 + static_cast<int>(rng() % 4),
                      base + 3 * hour + static_cast<int64_t>(rng() % hour)});
  }
  for (const Order& o : second) send(o);
  ASSERT_TRUE(producer.Flush());
  size_t expected_records = static_cast<size_t>(order_count);
  for (const Order& o : second) {
    if (o.product == "p4") continue;  // deleted: the inner join drops it
    expect(o);
    ++expected_records;
  }
  ASSERT_TRUE(WaitUntil(revenue_matches));

  // enriched-orders: exactly the expected records, keyed by order id, all fields.
  Consumer out({{"bootstrap.servers", bootstrap_}, {"group.id", "enriched-reader"}});
  out.Assign(kEnrichedOrdersTopic, {0, 1, 2});
  auto records = out.ReadN(expected_records, std::chrono::seconds(60));
  ASSERT_EQ(records.size(), expected_records);
  EXPECT_FALSE(out.ReadOne(std::chrono::milliseconds(500)).has_value());
  std::map<std::string, json> got;
  for (const auto& r : records) got[r.key.value_or("")] = json::parse(r.value.value_or("null"));
  EXPECT_EQ(got, enriched);

  // The hourly store: every (customer, hour) window, over the HTTP query path's source.
  for (const auto& [c, total] : revenue) {
    auto windows = app.queries().Windows(kHourlyRevenueStore, c, 0, base + 10 * hour);
    ASSERT_TRUE(windows.ok()) << windows.status();
    std::map<int64_t, double> by_start;
    for (const auto& w : *windows) {
      EXPECT_EQ(w["end"].get<int64_t>() - w["start"].get<int64_t>(), hour);
      by_start[w["start"].get<int64_t>()] = w["value"].get<double>();
    }
    std::map<int64_t, double> want;
    for (const auto& [key, value] : hourly) {
      if (key.first == c) want[key.second] = value;
    }
    ASSERT_EQ(by_start.size(), want.size()) << c;
    for (const auto& [start, value] : want) EXPECT_NEAR(by_start[start], value, 1e-9) << c;
  }
  EXPECT_TRUE(app.close());
}

// Clicks of 6 users over 90 minutes with pauses long enough to split sessions. Expected
// windows are computed here from the definitions: tumbling [m, m+1min), hopping windows of
// 5 minutes starting every minute, sessions that merge clicks at most 5 minutes apart.
TEST_F(StreamsExamplesTest, ClickstreamCountsClicksPerMinuteHoppingWindowAndSession) {
  using namespace rill::examples;
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{kClicksTopic, 3}}).ok());
  const int64_t minute = 60000;
  const int64_t base = 1700000000000 / minute * minute;
  std::mt19937 rng(5);
  std::map<std::string, std::vector<int64_t>> clicks;  // per user, increasing
  std::vector<std::pair<std::string, int64_t>> all;
  int64_t t = base;
  for (int i = 0; i < 400; ++i) {
    // Mostly seconds apart, sometimes a pause of 4-12 minutes (some bridge, some split).
    t += (rng() % 20 == 0) ? (4 + static_cast<int64_t>(rng() % 9)) * minute
                           : static_cast<int64_t>(rng() % 20000);
    std::string user = "u" + std::to_string(rng() % 6);
    clicks[user].push_back(t);
    all.emplace_back(user, t);
  }
  Producer producer({{"bootstrap.servers", bootstrap_}, {"partitioner", "murmur2_random"}});
  for (const auto& [user, ts] : all) producer.Send(kClicksTopic, -1, user, "/page", {}, ts);
  ASSERT_TRUE(producer.Flush());

  using Windows = std::map<std::pair<int64_t, int64_t>, int64_t>;  // [start, end] -> count
  std::map<std::string, Windows> tumbling, hopping, sessions;
  for (const auto& [user, ts] : clicks) {
    for (int64_t c : ts) {
      int64_t start = c / minute * minute;
      ++tumbling[user][{start, start + minute}];
      for (int64_t s = start; s > c - 5 * minute; s -= minute) ++hopping[user][{s, s + 5 * minute}];
    }
    int64_t first = ts[0], last = ts[0], count = 1;
    for (size_t i = 1; i < ts.size(); ++i) {
      if (ts[i] - last <= 5 * minute) {
        last = ts[i];
        ++count;
      } else {
        sessions[user][{first, last}] = count;
        first = last = ts[i];
        count = 1;
      }
    }
    sessions[user][{first, last}] = count;
  }

  KafkaStreams app(BuildClickstreamTopology(), Config("clickstream-e2e"));
  ASSERT_TRUE(app.start().ok());
  auto read = [&](const char* store, const std::string& user) {
    Windows got;
    auto windows = app.queries().Windows(store, user, 0, base + 24 * 60 * minute);
    if (!windows.ok()) return got;
    for (const auto& w : *windows) {
      got[{w["start"].get<int64_t>(), w["end"].get<int64_t>()}] = w["value"].get<int64_t>();
    }
    return got;
  };
  auto all_match = [&] {
    for (const auto& [user, ts] : clicks) {
      if (read(kClicksPerMinuteStore, user) != tumbling[user] ||
          read(kClicksHoppingStore, user) != hopping[user] ||
          read(kSessionsStore, user) != sessions[user]) {
        return false;
      }
    }
    return true;
  };
  bool matched = WaitUntil(all_match, std::chrono::seconds(90));
  for (const auto& [user, ts] : clicks) {
    EXPECT_EQ(read(kClicksPerMinuteStore, user), tumbling[user]) << user;
    EXPECT_EQ(read(kClicksHoppingStore, user), hopping[user]) << user;
    EXPECT_EQ(read(kSessionsStore, user), sessions[user]) << user;
  }
  EXPECT_TRUE(matched);
  size_t total_sessions = 0;
  for (const auto& [user, s] : sessions) total_sessions += s.size();
  EXPECT_GT(total_sessions, clicks.size());  // the pauses did split sessions
  EXPECT_TRUE(app.close());
}

}  // namespace
}  // namespace rill::testing
