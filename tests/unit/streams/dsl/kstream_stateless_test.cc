// KStream's stateless operators through TopologyTestDriver: filter, filterNot, map,
// mapValues, flatMap, flatMapValues, selectKey, peek, foreach, to (fixed topic, serdes,
// topic extractor), multi-topic sources, timestamps and headers.
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using KV = KeyValue<std::string, std::string>;

TEST(KStreamStatelessTest, FilterAndFilterNot) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, int64_t>("in");
  auto even = [](const std::string&, const int64_t& v) { return v % 2 == 0; };
  in.filter(even).to("even");
  in.filterNot(even).to("odd");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto evens = driver.createOutputTopic<std::string, int64_t>("even");
  auto odds = driver.createOutputTopic<std::string, int64_t>("odd");
  for (int64_t i = 1; i <= 5; ++i) input.pipeInput("k" + std::to_string(i), i, i);
  EXPECT_THAT(evens.readKeyValuesToList(), ElementsAre(KeyValue<std::string, int64_t>{"k2", 2},
                                                       KeyValue<std::string, int64_t>{"k4", 4}));
  EXPECT_THAT(odds.readKeyValuesToList(), ElementsAre(KeyValue<std::string, int64_t>{"k1", 1},
                                                      KeyValue<std::string, int64_t>{"k3", 3},
                                                      KeyValue<std::string, int64_t>{"k5", 5}));
}

TEST(KStreamStatelessTest, MapChangesKeyAndValueTypes) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .map([](const std::string& k, const std::string& v) {
        return KeyValue<int64_t, std::string>{static_cast<int64_t>(v.size()), k + ":" + v};
      })
      .map([](const int64_t& k, const std::string& v) { return std::make_pair(v, k * 10); })
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("a", "xyz", 5);
  Record<std::string, int64_t> r = output.readRecord();
  EXPECT_EQ(r.key, "a:xyz");
  EXPECT_EQ(r.value, 30);
  EXPECT_EQ(r.timestamp, 5);
  EXPECT_TRUE(output.isEmpty());
}

TEST(KStreamStatelessTest, MapValuesWithAndWithoutKey) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.mapValues([](const std::string& v) { return static_cast<int64_t>(v.size()); }).to("len");
  in.mapValues([](const std::string& k, const std::string& v) { return k + "=" + v; }).to("kv");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto len = driver.createOutputTopic<std::string, int64_t>("len");
  auto kv = driver.createOutputTopic<std::string, std::string>("kv");
  input.pipeInput("key", "hello", 1);
  EXPECT_THAT(len.readKeyValuesToList(), ElementsAre(KeyValue<std::string, int64_t>{"key", 5}));
  EXPECT_THAT(kv.readKeyValuesToList(), ElementsAre(KV{"key", "key=hello"}));
}

TEST(KStreamStatelessTest, FlatMapEmitsZeroOrMoreRecords) {
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("in")
      .flatMap([](const std::string& k, const int64_t& n) {
        std::vector<KeyValue<std::string, int64_t>> out;
        for (int64_t i = 0; i < n; ++i) out.push_back({k + std::to_string(i), i});
        return out;
      })
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("a", 0, 1);  // nothing
  EXPECT_TRUE(output.isEmpty());
  input.pipeInput("b", 3, 2);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KeyValue<std::string, int64_t>{"b0", 0},
                                                        KeyValue<std::string, int64_t>{"b1", 1},
                                                        KeyValue<std::string, int64_t>{"b2", 2}));
}

TEST(KStreamStatelessTest, FlatMapValuesWithAndWithoutKey) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.flatMapValues([](const std::string& v) { return std::vector<std::string>{v, v}; }).to("twice");
  in.flatMapValues([](const std::string& k, const std::string& v) {
      return std::vector<int64_t>{static_cast<int64_t>(k.size()), static_cast<int64_t>(v.size())};
    }).to("sizes");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto twice = driver.createOutputTopic<std::string, std::string>("twice");
  auto sizes = driver.createOutputTopic<std::string, int64_t>("sizes");
  input.pipeInput("ab", "xyz", 1);
  EXPECT_THAT(twice.readKeyValuesToList(), ElementsAre(KV{"ab", "xyz"}, KV{"ab", "xyz"}));
  EXPECT_THAT(sizes.readKeyValuesToList(), ElementsAre(KeyValue<std::string, int64_t>{"ab", 2},
                                                       KeyValue<std::string, int64_t>{"ab", 3}));
}

TEST(KStreamStatelessTest, SelectKeyKeepsValue) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .selectKey([](const std::string& k, const std::string& v) { return v + k; })
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  input.pipeInput("k", "v", 1);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KV{"vk", "v"}));
}

TEST(KStreamStatelessTest, PeekPassesThroughAndForeachIsTerminal) {
  std::vector<std::string> peeked;
  std::vector<std::string> each;
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.peek([&](const std::string& k, const std::string& v) { peeked.push_back(k + v); }).to("out");
  in.foreach ([&](const std::string& k, const std::string& v) { each.push_back(v + k); });
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  input.pipeInput("a", "1", 1);
  input.pipeInput("b", "2", 2);
  EXPECT_THAT(peeked, ElementsAre("a1", "b2"));
  EXPECT_THAT(each, ElementsAre("1a", "2b"));
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KV{"a", "1"}, KV{"b", "2"}));
}

TEST(KStreamStatelessTest, TimestampsAndHeadersFlowThrough) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .mapValues([](const std::string& v) { return v + "!"; })
      .filter([](const std::string&, const std::string&) { return true; })
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  Headers headers = {{"trace", std::string("abc")}, {"empty", std::nullopt}};
  input.pipeRecord(Record<std::string, std::string>{"k", "v", 1234, headers});
  Record<std::string, std::string> r = output.readRecord();
  EXPECT_EQ(r.value, "v!");
  EXPECT_EQ(r.timestamp, 1234);
  EXPECT_EQ(r.headers, headers);
}

TEST(KStreamStatelessTest, InputTopicAutoAdvancesTimestamps) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in", {}, {}, 100,
                                                                 std::chrono::milliseconds(10));
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  input.pipeKeyValueList({{"a", "1"}, {"b", "2"}});
  input.advanceTime(std::chrono::milliseconds(1000));
  input.pipeInput("c", "3");
  EXPECT_EQ(output.readRecord().timestamp, 100);
  EXPECT_EQ(output.readRecord().timestamp, 110);
  EXPECT_EQ(output.readRecord().timestamp, 1120);
}

TEST(KStreamStatelessTest, ConsumedAndProducedSerdes) {
  StreamsBuilder builder;
  builder.stream("in", Consumed<int32_t, double>::with(Serdes::Int32(), Serdes::Double()))
      .mapValues([](const double& d) { return static_cast<float>(d * 2); })
      .to("out", Produced<int32_t, float>::with(Serdes::Int32(), Serdes::Float()));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<int32_t, double>("in");
  auto output = driver.createOutputTopic<int32_t, float>("out");
  input.pipeInput(7, 1.25, 1);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KeyValue<int32_t, float>{7, 2.5f}));
  // On the wire: a 4-byte big-endian key and a 4-byte float, as Java's serializers write.
  input.pipeInput(1, 0.5, 2);
  auto raw =
      driver.createOutputTopic<std::string, std::string>("out", Serdes::String(), Serdes::String());
  Record<std::string, std::string> r = raw.readRecord();
  EXPECT_EQ(r.key, std::string("\0\0\0\x01", 4));
  EXPECT_EQ(r.value, std::string("\x3f\x80\0\0", 4));
}

TEST(KStreamStatelessTest, TopicExtractorRoutesPerRecord) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to(
      [](const std::string& k, const std::string&, const RecordMetadata* md) {
        return "out-" + k + "-" + (md != nullptr ? md->topic : std::string("none"));
      });
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("a", "1", 1);
  input.pipeInput("b", "2", 2);
  input.pipeInput("a", "3", 3);
  auto a = driver.createOutputTopic<std::string, std::string>("out-a-in");
  auto b = driver.createOutputTopic<std::string, std::string>("out-b-in");
  EXPECT_THAT(a.readKeyValuesToList(), ElementsAre(KV{"a", "1"}, KV{"a", "3"}));
  EXPECT_THAT(b.readKeyValuesToList(), ElementsAre(KV{"b", "2"}));
}

TEST(KStreamStatelessTest, SourceReadsSeveralTopicsInTimestampOrder) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>(std::vector<std::string>{"t1", "t2"}).to("out");
  TopologyTestDriver driver(builder.build());
  auto t1 = driver.createInputTopic<std::string, std::string>("t1");
  auto t2 = driver.createInputTopic<std::string, std::string>("t2");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  t1.pipeInput("a", "1", 5);
  t2.pipeInput("b", "2", 3);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KV{"a", "1"}, KV{"b", "2"}));
}

TEST(KStreamStatelessTest, OptionalValuesCarryTombstones) {
  StreamsBuilder builder;
  builder.stream<std::string, std::optional<std::string>>("in")
      .mapValues([](const std::optional<std::string>& v) -> std::optional<std::string> {
        if (!v) return std::nullopt;
        return *v + "!";
      })
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeRawBytes(std::string("k"), std::nullopt, 1);
  input.pipeInput("k", "v", 2);
  auto output = driver.createOutputTopic<std::string, std::optional<std::string>>("out");
  EXPECT_EQ(output.readValue(), std::nullopt);
  EXPECT_EQ(output.readValue(), std::optional<std::string>("v!"));
}

TEST(KStreamStatelessTest, UnknownInputTopicAndEmptyOutputThrow) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("out");
  TopologyTestDriver driver(builder.build());
  auto wrong = driver.createInputTopic<std::string, std::string>("not-an-input");
  EXPECT_THROW(wrong.pipeInput("k", "v", 1), StreamsException);
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  EXPECT_THROW(output.readRecord(), StreamsException);
}

TEST(KStreamStatelessTest, TopicWrittenAndReadIsCapturedAndReprocessed) {
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("numbers")
      .filter([](const std::string&, const int64_t& v) { return v < 3; })
      .mapValues([](const int64_t& v) { return v + 1; })
      .to("numbers");  // feeds itself until the filter stops it
  TopologyTestDriver driver(builder.build());
  driver.createInputTopic<std::string, int64_t>("numbers").pipeInput("k", 0, 1);
  auto numbers = driver.createOutputTopic<std::string, int64_t>("numbers");
  EXPECT_THAT(numbers.readKeyValuesToList(), ElementsAre(KeyValue<std::string, int64_t>{"k", 1},
                                                         KeyValue<std::string, int64_t>{"k", 2},
                                                         KeyValue<std::string, int64_t>{"k", 3}));
}

TEST(KStreamStatelessTest, CustomSerdeForAUserType) {
  struct Point {
    int32_t x = 0;
    int32_t y = 0;
  };
  // Two big-endian int32s.
  class PointSerde : public Serde<Point>::Impl {
   public:
    bool Serialize(const Point& p, std::string& out) const override {
      return Serdes::Int32().serialize(p.x, out) && Serdes::Int32().serialize(p.y, out);
    }
    absl::StatusOr<Point> Deserialize(std::optional<std::string_view> bytes) const override {
      if (!bytes || bytes->size() != 8) return absl::InvalidArgumentError("not a point");
      return Point{*Serdes::Int32().deserialize(bytes->substr(0, 4)),
                   *Serdes::Int32().deserialize(bytes->substr(4))};
    }
  };
  Serde<Point> points(std::make_shared<PointSerde>());
  StreamsBuilder builder;
  builder.stream("in", Consumed<std::string, Point>::with(Serdes::String(), points))
      .mapValues([](const Point& p) {
        return Point{p.y, p.x};
      })
      .to("out", Produced<std::string, Point>::with(Serdes::String(), points));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, Point>("in", Serdes::String(), points);
  auto output = driver.createOutputTopic<std::string, Point>("out", Serdes::String(), points);
  input.pipeInput("k", Point{1, 2}, 1);
  input.pipeRawBytes(std::string("k"), std::string("bad"), 2);
  Point p = output.readValue();
  EXPECT_EQ(p.x, 2);
  EXPECT_EQ(p.y, 1);
  EXPECT_TRUE(output.isEmpty());
  EXPECT_EQ(driver.droppedRecords().at("deserialization-error"), 1);
}

struct Point {
  int x = 0;
};

TEST(KStreamStatelessTest, MissingSerdeForCustomTypeThrowsNamingTheTopic) {
  StreamsBuilder builder;
  try {
    builder.stream<std::string, Point>("points");
    FAIL() << "expected a missing-serde error";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("points"));
    EXPECT_THAT(e.what(), HasSubstr("Consumed::with"));
  }
  StreamsBuilder builder2;
  auto points = builder2.stream<std::string, std::string>("in").mapValues(
      [](const std::string& v) { return Point{static_cast<int>(v.size())}; });
  EXPECT_THROW(points.to("out"), StreamsException);
}

}  // namespace
}  // namespace rill::streams
