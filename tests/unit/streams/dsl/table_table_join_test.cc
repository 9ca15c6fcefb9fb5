// KTable-KTable equi-joins through TopologyTestDriver: the Kafka Streams developer guide's
// table-table join table (inner, left and outer), row by row, tombstones included.
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using ::testing::ElementsAre;
using Out = std::optional<std::string>;
const std::optional<std::string> kNull;

std::string Show(const std::optional<std::string>& v) { return v ? *v : "null"; }

// Key "k" throughout; each row updates one side (nullopt: a tombstone). The expected
// outputs are the guide's columns: "" for no output, "null" for a tombstone.
struct Row {
  int64_t ts;
  bool left;  // which side the row updates
  std::optional<std::string> value;
  std::string inner, left_join, outer;
};

const std::vector<Row> kRows = {
    {1, true, kNull, "", "", ""},
    {2, false, kNull, "", "", ""},
    {3, true, "A", "", "[A,null]", "[A,null]"},
    {4, false, "a", "[A,a]", "[A,a]", "[A,a]"},
    {5, true, "B", "[B,a]", "[B,a]", "[B,a]"},
    {6, false, "b", "[B,b]", "[B,b]", "[B,b]"},
    {7, true, kNull, "null", "null", "[null,b]"},
    {8, false, kNull, "", "", "null"},
    {9, true, "C", "", "[C,null]", "[C,null]"},
    {10, false, "c", "[C,c]", "[C,c]", "[C,c]"},
    {11, false, kNull, "null", "[C,null]", "[C,null]"},
    {12, true, kNull, "", "null", "null"},
    {13, false, kNull, "", "", ""},
    {14, false, "d", "", "", "[null,d]"},
    {15, true, "D", "[D,d]", "[D,d]", "[D,d]"},
};

TEST(TableTableJoinTest, InnerLeftAndOuterFollowTheDeveloperGuideTable) {
  StreamsBuilder builder;
  auto nullable = Serdes::Nullable(Serdes::String());
  auto left = builder.table<std::string, std::string>(
      "left", {}, Materialized<std::string, std::string>::as("left-store").withCachingDisabled());
  auto right = builder.table<std::string, std::string>(
      "right", {}, Materialized<std::string, std::string>::as("right-store").withCachingDisabled());
  left.join(right, [](const std::string& l, const std::string& r) { return "[" + l + "," + r + "]"; })
      .toChangelogStream()
      .to("inner", Produced<std::string, Out>::with(Serdes::String(), nullable));
  left.leftJoin(right, [](const std::string& l, const std::optional<std::string>& r) {
        return "[" + l + "," + Show(r) + "]";
      })
      .toChangelogStream()
      .to("left-join", Produced<std::string, Out>::with(Serdes::String(), nullable));
  left.outerJoin(right, [](const std::optional<std::string>& l, const std::optional<std::string>& r) {
        return "[" + Show(l) + "," + Show(r) + "]";
      })
      .toChangelogStream()
      .to("outer", Produced<std::string, Out>::with(Serdes::String(), nullable));
  TopologyTestDriver driver(builder.build());
  auto l = driver.createInputTopic<std::string, Out>("left", Serdes::String(), nullable);
  auto r = driver.createInputTopic<std::string, Out>("right", Serdes::String(), nullable);
  auto inner = driver.createOutputTopic<std::string, Out>("inner", Serdes::String(), nullable);
  auto left_join = driver.createOutputTopic<std::string, Out>("left-join", Serdes::String(), nullable);
  auto outer = driver.createOutputTopic<std::string, Out>("outer", Serdes::String(), nullable);
  auto next = [](TestOutputTopic<std::string, Out>& topic) -> std::string {
    if (topic.isEmpty()) return "";
    std::string shown = Show(topic.readValue());
    return topic.isEmpty() ? shown : shown + " (and more)";
  };
  for (const Row& row : kRows) {
    (row.left ? l : r).pipeInput("k", row.value, row.ts);
    EXPECT_EQ(next(inner), row.inner) << "inner, row ts " << row.ts;
    EXPECT_EQ(next(left_join), row.left_join) << "left, row ts " << row.ts;
    EXPECT_EQ(next(outer), row.outer) << "outer, row ts " << row.ts;
  }
}

TEST(TableTableJoinTest, JoinedTableCanBeJoinedAgainThroughItsValueGetter) {
  StreamsBuilder builder;
  auto a = builder.table<std::string, std::string>("a", {}, Materialized<std::string, std::string>::as("a-store"));
  auto b = builder.table<std::string, std::string>("b", {}, Materialized<std::string, std::string>::as("b-store"));
  auto ab = a.join(b, [](const std::string& x, const std::string& y) { return x + y; });
  builder.stream<std::string, std::string>("s")
      .join(ab, [](const std::string& s, const std::string& v) { return s + ":" + v; })
      .to("out");
  TopologyTestDriver driver(builder.build());
  driver.createInputTopic<std::string, std::string>("a").pipeInput("k", "A", 1);
  driver.createInputTopic<std::string, std::string>("b").pipeInput("k", "B", 2);
  driver.createInputTopic<std::string, std::string>("s").pipeInput("k", "s", 3);
  auto out = driver.createOutputTopic<std::string, std::string>("out");
  ASSERT_FALSE(out.isEmpty());
  EXPECT_EQ(out.readValue(), "s:AB");
}

}  // namespace
}  // namespace rill::streams
