// Poison records and failing user code through TopologyTestDriver: a record that cannot be
// deserialized is skipped and counted (log-and-continue) or fails the pipe ("fail"), and
// the deserialization policy holds whatever the processing policy is.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using KL = KeyValue<std::string, int64_t>;

Topology SumPerKey() {
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("in")
      .groupByKey()
      .reduce([](const int64_t& a, const int64_t& b) { return a + b; }, Materialized<>::as("sum"))
      .toStream()
      .to("out");
  return builder.build();
}

TEST(ErrorHandlingTest, PoisonValueIsSkippedAndCounted) {
  TopologyTestDriver driver(SumPerKey());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("a", 1, 1);
  input.pipeRawBytes(std::string("a"), std::string("\x01\x02\x03", 3), 2);  // 3 bytes: not an int64
  EXPECT_EQ(driver.droppedRecords().at("deserialization-error"), 1);
  input.pipeInput("a", 2, 3);  // processing goes on
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"a", 1}, KL{"a", 3}));
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("sum").get("a")), 3);
}

TEST(ErrorHandlingTest, NullValueForNonNullableTypeIsAPoisonRecord) {
  TopologyTestDriver driver(SumPerKey());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  input.pipeRawBytes(std::string("a"), std::nullopt, 1);
  input.pipeRawBytes(std::nullopt, std::string(8, '\0'), 2);  // null key for std::string
  EXPECT_EQ(driver.droppedRecords().at("deserialization-error"), 2);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("sum").get("a")), std::nullopt);
}

TEST(ErrorHandlingTest, PoisonTableRecordIsSkipped) {
  StreamsBuilder builder;
  builder.table<std::string, int64_t>("t", {}, Materialized<>::as("t"));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("t");
  input.pipeRawBytes(std::string("a"), std::string("xx"), 1);
  input.pipeInput("a", 7, 2);
  EXPECT_EQ(driver.droppedRecords().at("deserialization-error"), 1);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("t").get("a")), 7);
}

TEST(ErrorHandlingTest, FailHandlerMakesThePipeThrow) {
  TestDriverConfig config;
  config.deserialization_handler = "fail";
  TopologyTestDriver driver(SumPerKey(), config);
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  try {
    input.pipeRawBytes(std::string("a"), std::string("bad"), 1);
    FAIL() << "expected the poison record to fail the pipe";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("in-0@0"));  // topic-partition@offset
    EXPECT_THAT(e.what(), HasSubstr("deserialize"));
  }
  EXPECT_EQ(driver.droppedRecords().count("deserialization-error"), 0u);
}

TEST(ErrorHandlingTest, FailingDeserializationIsNotSwallowedByTheProcessingHandler) {
  TestDriverConfig config;
  config.deserialization_handler = "fail";
  config.processing_handler = "log-and-continue";
  TopologyTestDriver driver(SumPerKey(), config);
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  EXPECT_THROW(input.pipeRawBytes(std::string("a"), std::string("bad"), 1), StreamsException);
  EXPECT_EQ(driver.droppedRecords().count("processing-error"), 0u);
}

Topology ThrowOnNegative() {
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("in")
      .mapValues([](const int64_t& v) {
        if (v < 0) throw std::runtime_error("negative value");
        return v * 2;
      })
      .to("out");
  return builder.build();
}

TEST(ErrorHandlingTest, ProcessingErrorFailsByDefault) {
  TopologyTestDriver driver(ThrowOnNegative());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  try {
    input.pipeInput("a", -1, 1);
    FAIL() << "expected the user exception to fail the pipe";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("negative value"));
  }
}

TEST(ErrorHandlingTest, ProcessingErrorLogAndContinueSkipsTheRecord) {
  TestDriverConfig config;
  config.processing_handler = "log-and-continue";
  TopologyTestDriver driver(ThrowOnNegative(), config);
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("a", -1, 1);
  input.pipeInput("a", 4, 2);
  EXPECT_EQ(driver.droppedRecords().at("processing-error"), 1);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"a", 8}));
}

TEST(ErrorHandlingTest, PoisonRecordNeverReachesTheRepartitionedSubtopology) {
  StreamsBuilder builder;
  builder.stream<std::string, int64_t>("in")
      .selectKey([](const std::string& k, const int64_t&) { return k + "!"; })
      .groupByKey()
      .count(Materialized<>::as("c"));
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  input.pipeRawBytes(std::string("a"), std::string("?"), 1);
  input.pipeInput("a", 1, 2);
  EXPECT_EQ(driver.droppedRecords().at("deserialization-error"), 1);
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("c").get("a!")), 1);
}

}  // namespace
}  // namespace rill::streams
