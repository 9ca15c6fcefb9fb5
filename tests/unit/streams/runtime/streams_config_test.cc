// StreamsConfig: Kafka Streams property names, validation errors that name the property.
#include "streams/runtime/streams_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rill::streams {
namespace {

using ::testing::HasSubstr;

TEST(StreamsConfigTest, ReadsKafkaStreamsPropertyNames) {
  auto c = StreamsConfig::FromProperties({{"application.id", "app"},
                                          {"bootstrap.servers", "h:9092"},
                                          {"num.stream.threads", "3"},
                                          {"commit.interval.ms", "250"},
                                          {"max.task.idle.ms", "-1"},
                                          {"state.dir", "/var/rill"},
                                          {"statestore.cache.max.bytes", "1024"},
                                          {"application.server", "0.0.0.0:8080"},
                                          {"default.deserialization.exception.handler", "fail"},
                                          {"errors.dead.letter.queue.topic.name", "dlq"},
                                          {"consumer.fetch.min.bytes", "1"},
                                          {"producer.linger.ms", "5"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_stream_threads, 3);
  EXPECT_EQ(c->commit_interval_ms, 250);
  EXPECT_EQ(c->max_task_idle_ms, -1);
  EXPECT_EQ(c->cache_max_bytes, 1024u);
  EXPECT_EQ(c->deserialization_exception_handler, "fail");
  EXPECT_EQ(c->dead_letter_topic, "dlq");
  EXPECT_EQ(c->consumer_overrides.at("fetch.min.bytes"), "1");
  EXPECT_EQ(c->producer_overrides.at("linger.ms"), "5");
}

TEST(StreamsConfigTest, ErrorsNameTheProperty) {
  auto missing = StreamsConfig::FromProperties({{"bootstrap.servers", "h:1"}});
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("application.id"));
  auto typo = StreamsConfig::FromProperties(
      {{"application.id", "a"}, {"bootstrap.servers", "h:1"}, {"num.stream.thread", "2"}});
  EXPECT_THAT(std::string(typo.status().message()), HasSubstr("num.stream.thread: unknown"));
  auto not_number = StreamsConfig::FromProperties(
      {{"application.id", "a"}, {"bootstrap.servers", "h:1"}, {"commit.interval.ms", "soon"}});
  EXPECT_THAT(std::string(not_number.status().message()), HasSubstr("commit.interval.ms"));
  StreamsConfig c;
  c.application_id = "bad id!";
  c.bootstrap_servers = "h:1";
  EXPECT_THAT(std::string(c.Validate().message()), HasSubstr("application.id"));
  c.application_id = "ok";
  c.processing_guarantee = "exactly_once_v2";
  EXPECT_THAT(std::string(c.Validate().message()), HasSubstr("not available yet"));
  c.processing_guarantee = "at_least_once";
  c.num_stream_threads = 0;
  EXPECT_THAT(std::string(c.Validate().message()), HasSubstr("num.stream.threads"));
  c.num_stream_threads = 1;
  c.application_server = "no-port";
  EXPECT_THAT(std::string(c.Validate().message()), HasSubstr("application.server"));
  c.application_server = "";
  c.max_task_idle_ms = -2;
  EXPECT_THAT(std::string(c.Validate().message()), HasSubstr("max.task.idle.ms"));
  c.max_task_idle_ms = 0;
  EXPECT_TRUE(c.Validate().ok());
}

}  // namespace
}  // namespace rill::streams
