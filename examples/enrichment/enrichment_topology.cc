// The enrichment topology in Rill's DSL: a stream-table join (re-keyed by customer, so
// repartitioned), a stream-global-table join (by a key taken from the value, no
// repartition), an aggregation and a windowed aggregation.
#include "examples/enrichment/enrichment_topology.h"

#include <chrono>

#include "streams/dsl/streams_builder.h"

namespace rill::examples {
namespace {

using json = nlohmann::json;

// A string field, empty when absent or not a string.
std::string StringField(const json& j, const char* name) {
  if (!j.is_object()) return "";
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::optional<json> EnrichOrder(const std::string& order_id, const json& order,
                                const json& customer, const json& product) {
  if (!order.is_object() || !customer.is_object() || !product.is_object()) return std::nullopt;
  auto quantity = order.find("quantity");
  auto price = product.find("price");
  if (quantity == order.end() || !quantity->is_number() || price == product.end() ||
      !price->is_number()) {
    return std::nullopt;
  }
  json out;
  out["order_id"] = order_id;
  out["customer_id"] = StringField(order, "customer_id");
  out["product_id"] = StringField(order, "product_id");
  out["quantity"] = *quantity;
  out["customer_name"] = StringField(customer, "name");
  out["customer_tier"] = StringField(customer, "tier");
  out["product_name"] = StringField(product, "name");
  out["price"] = *price;
  out["revenue"] = price->get<double>() * quantity->get<double>();
  return out;
}

streams::Topology BuildEnrichmentTopology() {
  using namespace rill::streams;
  using Enriched = std::optional<json>;
  StreamsBuilder builder;
  auto customers = builder.table<std::string, json>(
      kCustomersTopic, {}, Materialized<std::string, json>::as(kCustomersStore));
  auto products = builder.globalTable<std::string, json>(
      kProductsTopic, {}, Materialized<std::string, json>::as(kProductsStore));

  // Orders carry their order id as the key; the customer join needs the customer id, so the
  // stream is re-keyed (and repartitioned) with the order id kept in the value.
  auto by_customer =
      builder.stream<std::string, json>(kOrdersTopic)
          .filter([](const std::string&, const json& order) {
            return !StringField(order, "customer_id").empty() &&
                   !StringField(order, "product_id").empty();
          }, Named::as("valid-orders"))
          .mapValues([](const std::string& order_id, const json& order) {
            json o = order;
            o["order_id"] = order_id;
            return o;
          }, Named::as("with-order-id"))
          .selectKey([](const std::string&, const json& order) {
            return StringField(order, "customer_id");
          }, Named::as("by-customer"));
  auto enriched =
      by_customer
          .join(customers,
                [](const json& order, const json& customer) {
                  return json{{"order", order}, {"customer", customer}};
                },
                Named::as("join-customers"))
          .join(products,
                [](const std::string&, const json& oc) {
                  return StringField(oc["order"], "product_id");
                },
                [](const json& oc, const json& product) -> Enriched {
                  return EnrichOrder(StringField(oc["order"], "order_id"), oc["order"],
                                     oc["customer"], product);
                },
                Named::as("join-products"))
          .filter([](const std::string&, const Enriched& e) { return e.has_value(); })
          .mapValues([](const Enriched& e) { return *e; });

  enriched
      .selectKey([](const std::string&, const json& e) { return e["order_id"].get<std::string>(); })
      .to(kEnrichedOrdersTopic, Produced<std::string, json>::with(Serdes::String(), Serdes::Json()));

  auto revenue = [](const std::string&, const json& e, const double& total) {
    return total + e["revenue"].get<double>();
  };
  auto grouped = enriched.groupByKey(Grouped<std::string, json>::with(Serdes::String(), Serdes::Json()));
  grouped.aggregate([] { return 0.0; }, revenue,
                    Materialized<std::string, double>::as(kRevenueStore)
                        .withValueSerde(Serdes::Double()));
  grouped.windowedBy(TimeWindows::ofSizeWithNoGrace(std::chrono::hours(1)))
      .aggregate([] { return 0.0; }, revenue,
                 Materialized<std::string, double>::as(kHourlyRevenueStore)
                     .withValueSerde(Serdes::Double())
                     .withRetention(std::chrono::hours(24)));
  return builder.build();
}

}  // namespace rill::examples
