// The enrichment topology: orders joined with the customers table and the products global
// table into `enriched-orders`, plus revenue per customer, in total and per hour.
//
//   orders             key: order id     value: {"customer_id","product_id","quantity"}
//   customers (table)  key: customer id  value: {"name","tier"}
//   products (global)  key: product id   value: {"name","price"}
//   enriched-orders    key: order id     value: every field above, plus "revenue"
//
// Stores (queryable over HTTP): customers-store, products-store, revenue-per-customer
// (double, key customer id) and revenue-per-customer-hourly (one-hour tumbling windows kept
// for a day).
#pragma once

#include <optional>
#include <string>

#include "nlohmann/json.hpp"
#include "streams/topology/topology.h"

namespace rill::examples {

inline constexpr const char* kOrdersTopic = "orders";
inline constexpr const char* kCustomersTopic = "customers";
inline constexpr const char* kProductsTopic = "products";
inline constexpr const char* kEnrichedOrdersTopic = "enriched-orders";
inline constexpr const char* kCustomersStore = "customers-store";
inline constexpr const char* kProductsStore = "products-store";
inline constexpr const char* kRevenueStore = "revenue-per-customer";
inline constexpr const char* kHourlyRevenueStore = "revenue-per-customer-hourly";

// The enriched order for an order, its customer and its product (nullopt when a field is
// missing or has the wrong type: such orders are dropped, not crashed on).
std::optional<nlohmann::json> EnrichOrder(const std::string& order_id, const nlohmann::json& order,
                                          const nlohmann::json& customer,
                                          const nlohmann::json& product);

streams::Topology BuildEnrichmentTopology();

}  // namespace rill::examples
