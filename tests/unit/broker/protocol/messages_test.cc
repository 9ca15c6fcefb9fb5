// Every request and response codec, at every supported version: encode -> decode gives the
// same value, re-encoding gives the same bytes, fields that a version lacks are neither
// written nor read (they come back as Kafka's defaults), and every truncation of the
// encoding fails to decode.
#include <gtest/gtest.h>

#include <string>

#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/create_partitions.h"
#include "broker/protocol/messages/create_topics.h"
#include "broker/protocol/messages/delete_records.h"
#include "broker/protocol/messages/delete_topics.h"
#include "broker/protocol/messages/describe_configs.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/list_offsets.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/wire.h"
#include "tests/unit/broker/protocol/codec_test_util.h"

namespace rill::broker::protocol {
namespace {

using namespace ::rill::broker::protocol::testing;

TEST(MessagesTest, ApiVersionsRequest) {
  RoundTripEveryVersion<ApiVersionsRequest>(
      [] {
        return ApiVersionsRequest{.client_software_name = "librdkafka",
                                  .client_software_version = "2.0.2"};
      },
      [](ApiVersionsRequest& m, int16_t v) {
        if (v < 3) m = ApiVersionsRequest{};
      });
}

TEST(MessagesTest, ApiVersionsResponse) {
  RoundTripEveryVersion<ApiVersionsResponse>(
      [] {
        return ApiVersionsResponse{
            .error_code = 35,
            .api_keys = {{0, 3, 7}, {1, 4, 11}, {18, 0, 3}},
            .throttle_time_ms = 100,
        };
      },
      [](ApiVersionsResponse& m, int16_t v) {
        if (v < 1) m.throttle_time_ms = 0;
      });
}

TEST(MessagesTest, MetadataRequest) {
  RoundTripEveryVersion<MetadataRequest>(
      [] {
        return MetadataRequest{.topics = {{{"a"}, {"bb"}}}, .allow_auto_topic_creation = false};
      },
      [](MetadataRequest& m, int16_t v) {
        if (v < 4) m.allow_auto_topic_creation = true;
      });
}

TEST(MessagesTest, MetadataRequestAllTopics) {
  // v1+: null means every topic; an empty array means none.
  for (int16_t v = 1; v <= MetadataRequest::kMaxVersion; ++v) {
    for (const auto& topics :
         {std::optional<std::vector<MetadataRequest::MetadataRequestTopic>>{},
          std::optional<std::vector<MetadataRequest::MetadataRequestTopic>>{std::in_place}}) {
      MetadataRequest m{.topics = topics};
      std::string bytes = Encode(m, v);
      Reader r(bytes);
      MetadataRequest decoded;
      ASSERT_TRUE(decoded.Decode(r, v));
      EXPECT_EQ(decoded.topics, topics) << v;
    }
  }
  // v0 has no null: asking for all topics is an empty array, and a null is malformed.
  EXPECT_EQ(Encode(MetadataRequest{}, 0), std::string(4, '\0'));
  std::string null_array(4, '\xff');
  Reader r(null_array);
  MetadataRequest decoded;
  EXPECT_FALSE(decoded.Decode(r, 0));
}

TEST(MessagesTest, MetadataResponse) {
  RoundTripEveryVersion<MetadataResponse>(
      [] {
        return MetadataResponse{
            .throttle_time_ms = 5,
            .brokers = {{1, "h1", 9092, "rack-a"}, {2, "h2", 9093, std::nullopt}},
            .cluster_id = "cluster",
            .controller_id = 1,
            .topics =
                {{.error_code = 0,
                  .name = "t",
                  .is_internal = true,
                  .partitions = {{0, 0, 1, {1, 2}, {1}}, {9, 1, 2, {2, 1}, {}}}},
                 {.error_code = 3, .name = "missing", .is_internal = false, .partitions = {}}},
        };
      },
      [](MetadataResponse& m, int16_t v) {
        if (v < 3) m.throttle_time_ms = 0;
        if (v < 2) m.cluster_id.reset();
        if (v < 1) {
          m.controller_id = -1;
          for (auto& b : m.brokers) b.rack.reset();
          for (auto& t : m.topics) t.is_internal = false;
        }
      });
}

TEST(MessagesTest, ProduceRequest) {
  static const std::string kBatch = std::string("\x00\x01\x02 batch", 9);
  RoundTripEveryVersion<ProduceRequest>(
      [] {
        return ProduceRequest{
            .transactional_id = "txn-1",
            .acks = -1,
            .timeout_ms = 30000,
            .topics = {{"t", {{0, kBatch}, {1, std::nullopt}, {2, std::string_view()}}}, {"u", {}}},
        };
      },
      [](ProduceRequest&, int16_t) {});
  RoundTripEveryVersion<ProduceRequest>(
      [] {
        return ProduceRequest{
            .transactional_id = std::nullopt, .acks = 1, .timeout_ms = 0, .topics = {}};
      },
      [](ProduceRequest&, int16_t) {});
}

TEST(MessagesTest, ProduceRequestRecordsAliasTheInput) {
  ProduceRequest m;
  m.topics = {{"t", {{0, std::string_view("records")}}}};
  std::string bytes = Encode(m, 3);
  Reader r(bytes);
  ProduceRequest decoded;
  ASSERT_TRUE(decoded.Decode(r, 3));
  const std::string_view records = *decoded.topics[0].partitions[0].records;
  EXPECT_EQ(records, "records");
  EXPECT_GE(records.data(), bytes.data());
  EXPECT_LE(records.data() + records.size(), bytes.data() + bytes.size());
}

TEST(MessagesTest, ProduceResponse) {
  RoundTripEveryVersion<ProduceResponse>(
      [] {
        return ProduceResponse{
            .responses = {{"t", {{0, 0, 100, 1234, 7}, {1, 6, -1, -1, 3}}}, {"u", {}}},
            .throttle_time_ms = 9,
        };
      },
      [](ProduceResponse& m, int16_t v) {
        if (v < 5) {
          for (auto& t : m.responses) {
            for (auto& p : t.partitions) p.log_start_offset = -1;
          }
        }
      });
}

TEST(MessagesTest, FetchRequest) {
  RoundTripEveryVersion<FetchRequest>(
      [] {
        return FetchRequest{
            .replica_id = 3,
            .max_wait_ms = 500,
            .min_bytes = 1,
            .max_bytes = 52428800,
            .isolation_level = 1,
            .session_id = 77,
            .session_epoch = 3,
            .topics = {{"t", {{0, 5, 100, 10, 1048576}, {1, 6, 200, 20, 1}}}, {"u", {}}},
            .forgotten_topics_data = {{"old", {0, 1}}, {"older", {}}},
            .rack_id = "rack-1",
        };
      },
      [](FetchRequest& m, int16_t v) {
        if (v < 7) {
          m.session_id = 0;
          m.session_epoch = -1;
          m.forgotten_topics_data.clear();
        }
        for (auto& t : m.topics) {
          for (auto& p : t.partitions) {
            if (v < 9) p.current_leader_epoch = -1;
            if (v < 5) p.log_start_offset = -1;
          }
        }
        if (v < 11) m.rack_id.clear();
      });
}

TEST(MessagesTest, FetchResponse) {
  RoundTripEveryVersion<FetchResponse>(
      [] {
        using Aborted = FetchResponse::AbortedTransaction;
        return FetchResponse{
            .throttle_time_ms = 1,
            .error_code = 70,
            .session_id = 123,
            .responses = {{"t",
                           {{.partition_index = 0,
                             .error_code = 0,
                             .high_watermark = 1000,
                             .last_stable_offset = 990,
                             .log_start_offset = 5,
                             .aborted_transactions = std::vector<Aborted>{{7, 900}, {8, 950}},
                             .preferred_read_replica = 2,
                             .records = std::string_view("batches")},
                            {.partition_index = 1,
                             .error_code = 1,
                             .high_watermark = -1,
                             .last_stable_offset = -1,
                             .log_start_offset = -1,
                             .aborted_transactions = std::nullopt,
                             .preferred_read_replica = -1,
                             .records = std::nullopt},
                            {.partition_index = 2,
                             .error_code = 0,
                             .high_watermark = 0,
                             .last_stable_offset = 0,
                             .log_start_offset = 0,
                             .aborted_transactions = std::vector<Aborted>{},
                             .preferred_read_replica = 1,
                             .records = std::string_view()}}},
                          {"u", {}}},
        };
      },
      [](FetchResponse& m, int16_t v) {
        if (v < 7) {
          m.error_code = 0;
          m.session_id = 0;
        }
        for (auto& t : m.responses) {
          for (auto& p : t.partitions) {
            if (v < 5) p.log_start_offset = -1;
            if (v < 11) p.preferred_read_replica = -1;
          }
        }
      });
}

TEST(MessagesTest, ListOffsetsRequest) {
  RoundTripEveryVersion<ListOffsetsRequest>(
      [] {
        return ListOffsetsRequest{
            .replica_id = 2,
            .isolation_level = 1,
            .topics = {{"t", {{0, -1}, {1, -2}, {2, 1600000000000}}}, {"u", {}}},
        };
      },
      [](ListOffsetsRequest& m, int16_t v) {
        if (v < 2) m.isolation_level = 0;
      });
}

TEST(MessagesTest, ListOffsetsResponse) {
  RoundTripEveryVersion<ListOffsetsResponse>(
      [] {
        return ListOffsetsResponse{
            .throttle_time_ms = 3,
            .topics = {{"t", {{0, 0, 1600000000000, 42}, {1, 3, -1, -1}}}, {"u", {}}},
        };
      },
      [](ListOffsetsResponse& m, int16_t v) {
        if (v < 2) m.throttle_time_ms = 0;
      });
}

TEST(MessagesTest, CreateTopicsRequest) {
  RoundTripEveryVersion<CreateTopicsRequest>(
      [] {
        return CreateTopicsRequest{
            .topics = {{.name = "a",
                        .num_partitions = 3,
                        .replication_factor = 1,
                        .assignments = {},
                        .configs = {{"cleanup.policy", "compact"}, {"retention.ms", std::nullopt}}},
                       {.name = "b",
                        .num_partitions = -1,
                        .replication_factor = -1,
                        .assignments = {{0, {1, 2}}, {1, {2, 1}}, {2, {}}},
                        .configs = {}}},
            .timeout_ms = 5000,
            .validate_only = true,
        };
      },
      [](CreateTopicsRequest& m, int16_t v) {
        if (v < 1) m.validate_only = false;
      });
}

TEST(MessagesTest, CreateTopicsResponse) {
  RoundTripEveryVersion<CreateTopicsResponse>(
      [] {
        return CreateTopicsResponse{
            .throttle_time_ms = 8,
            .topics = {{"a", 0, std::nullopt}, {"b", 36, "Topic 'b' already exists."}},
        };
      },
      [](CreateTopicsResponse& m, int16_t v) {
        if (v < 2) m.throttle_time_ms = 0;
        if (v < 1) {
          for (auto& t : m.topics) t.error_message.reset();
        }
      });
}

TEST(MessagesTest, DeleteTopicsRequest) {
  RoundTripEveryVersion<DeleteTopicsRequest>(
      [] {
        return DeleteTopicsRequest{.topic_names = {"a", "bb", ""}, .timeout_ms = 1000};
      },
      [](DeleteTopicsRequest&, int16_t) {});
}

TEST(MessagesTest, DeleteTopicsResponse) {
  RoundTripEveryVersion<DeleteTopicsResponse>(
      [] {
        return DeleteTopicsResponse{.throttle_time_ms = 2, .responses = {{"a", 0}, {"b", 3}}};
      },
      [](DeleteTopicsResponse& m, int16_t v) {
        if (v < 1) m.throttle_time_ms = 0;
      });
}

TEST(MessagesTest, DescribeConfigsRequest) {
  RoundTripEveryVersion<DescribeConfigsRequest>(
      [] {
        return DescribeConfigsRequest{
            .resources = {{2, "t", std::vector<std::string>{"retention.ms", "cleanup.policy"}},
                          {4, "1", std::nullopt},
                          {2, "u", std::vector<std::string>{}}},
            .include_synonyms = true,
        };
      },
      [](DescribeConfigsRequest& m, int16_t v) {
        if (v < 1) m.include_synonyms = false;
      });
}

TEST(MessagesTest, DescribeConfigsResponse) {
  RoundTripEveryVersion<DescribeConfigsResponse>(
      [] {
        return DescribeConfigsResponse{
            .throttle_time_ms = 4,
            .results = {{.error_code = 0,
                         .error_message = std::nullopt,
                         .resource_type = 2,
                         .resource_name = "t",
                         .configs = {{.name = "retention.ms",
                                      .value = "1000",
                                      .read_only = false,
                                      .is_default = true,
                                      .config_source = 1,
                                      .is_sensitive = false,
                                      .synonyms = {{"retention.ms", "1000", 1},
                                                   {"log.retention.ms", std::nullopt, 5}}},
                                     {.name = "ssl.key.password",
                                      .value = std::nullopt,
                                      .read_only = true,
                                      .is_default = false,
                                      .config_source = 5,
                                      .is_sensitive = true,
                                      .synonyms = {}}}},
                        {.error_code = 3,
                         .error_message = "unknown topic",
                         .resource_type = 2,
                         .resource_name = "x",
                         .configs = {}}},
        };
      },
      [](DescribeConfigsResponse& m, int16_t v) {
        for (auto& res : m.results) {
          for (auto& c : res.configs) {
            if (v != 0) c.is_default = false;
            if (v < 1) {
              c.config_source = -1;
              c.synonyms.clear();
            }
          }
        }
      });
}

TEST(MessagesTest, CreatePartitionsRequest) {
  using Assignment = CreatePartitionsRequest::CreatePartitionsAssignment;
  RoundTripEveryVersion<CreatePartitionsRequest>(
      [] {
        return CreatePartitionsRequest{
            .topics = {{"t", 4, std::vector<Assignment>{{{1, 2}}, {{2, 1}}}},
                       {"u", 2, std::nullopt}},
            .timeout_ms = 1000,
            .validate_only = true,
        };
      },
      [](CreatePartitionsRequest&, int16_t) {});
}

TEST(MessagesTest, CreatePartitionsResponse) {
  RoundTripEveryVersion<CreatePartitionsResponse>(
      [] {
        return CreatePartitionsResponse{
            .throttle_time_ms = 1,
            .results = {{"t", 0, std::nullopt}, {"u", 37, "bad count"}},
        };
      },
      [](CreatePartitionsResponse&, int16_t) {});
}

TEST(MessagesTest, DeleteRecordsRequest) {
  RoundTripEveryVersion<DeleteRecordsRequest>(
      [] {
        return DeleteRecordsRequest{.topics = {{"t", {{0, 10}, {1, -1}}}, {"u", {}}},
                                    .timeout_ms = 100};
      },
      [](DeleteRecordsRequest&, int16_t) {});
}

TEST(MessagesTest, DeleteRecordsResponse) {
  RoundTripEveryVersion<DeleteRecordsResponse>(
      [] {
        return DeleteRecordsResponse{.throttle_time_ms = 1,
                                     .topics = {{"t", {{0, 10, 0}, {1, -1, 1}}}, {"u", {}}}};
      },
      [](DeleteRecordsResponse&, int16_t) {});
}

TEST(MessagesTest, HostileArrayLengthIsRejectedWithoutAllocating) {
  // DeleteTopics v0 claiming 2^31-1 topic names in a 4-byte body.
  const std::string bytes("\x7f\xff\xff\xff", 4);
  Reader r(bytes);
  DeleteTopicsRequest m;
  EXPECT_FALSE(m.Decode(r, 0));
  EXPECT_TRUE(m.topic_names.empty());
  EXPECT_EQ(m.topic_names.capacity(), 0u);
}

TEST(MessagesTest, NullWhereKafkaForbidsItFails) {
  // ProduceRequest v3: transactional_id null, acks, timeout, then a null topics array.
  const std::string bytes("\xff\xff\x00\x01\x00\x00\x00\x00\xff\xff\xff\xff", 12);
  Reader r(bytes);
  ProduceRequest m;
  EXPECT_FALSE(m.Decode(r, 3));
}

}  // namespace
}  // namespace rill::broker::protocol
