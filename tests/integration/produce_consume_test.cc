// librdkafka producers and consumers against the embedded broker: every compression
// codec, headers, null keys and values, each acks setting, and many partitions. Each
// record carries its sequence number so loss, duplication and reordering all show.
#include <map>
#include <set>

#include "broker/embedded_cluster.h"
#include "gtest/gtest.h"
#include "tests/integration/kafka_test_util.h"

namespace rill {
namespace {

using testing::Config;
using testing::Consumer;
using testing::Header;
using testing::Message;
using testing::Producer;

class ProduceConsumeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.Start().ok()); }

  std::string bootstrap() const { return cluster_.bootstrap_servers(); }

  // Produces `count` records round-robin over `partitions` partitions, every 7th with a
  // null key and every 11th with a null value, all with two headers, then reads them all
  // back and checks content and per-partition order.
  void RoundTrip(const std::string& topic, int partitions, int count, const std::string& acks,
                 const std::string& compression) {
    ASSERT_EQ(testing::CreateTopic(bootstrap(), topic, partitions), "");
    {
      Producer producer({{"bootstrap.servers", bootstrap()},
                         {"acks", acks},
                         {"compression.type", compression},
                         {"linger.ms", "5"}});
      for (int i = 0; i < count; ++i) {
        std::optional<std::string> key;
        if (i % 7 != 0) key = "k" + std::to_string(i);
        std::optional<std::string> value;
        if (i % 11 != 0) value = "value-" + std::to_string(i) + std::string(i % 50, 'x');
        producer.Send(topic, i % partitions, key, value,
                      {{"seq", std::to_string(i)}, {"h2", std::nullopt}});
      }
      ASSERT_TRUE(producer.Flush());
      ASSERT_EQ(producer.deliveries().size(), static_cast<size_t>(count));
      for (const auto& d : producer.deliveries()) {
        ASSERT_EQ(d.err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(d.err);
      }
    }
    Consumer consumer({{"bootstrap.servers", bootstrap()}});
    std::vector<int32_t> all;
    for (int p = 0; p < partitions; ++p) all.push_back(p);
    consumer.Assign(topic, all);
    std::vector<Message> got = consumer.ReadN(count);
    ASSERT_EQ(got.size(), static_cast<size_t>(count));

    std::map<int32_t, int64_t> last_offset;
    std::map<int32_t, int> last_seq;
    std::set<int> seen;
    for (const Message& m : got) {
      ASSERT_EQ(m.headers.size(), 2u);
      ASSERT_EQ(m.headers[0].name, "seq");
      int seq = std::stoi(*m.headers[0].value);
      EXPECT_EQ(m.headers[1], (Header{"h2", std::nullopt}));
      EXPECT_TRUE(seen.insert(seq).second) << "duplicate record " << seq;
      EXPECT_EQ(m.partition, seq % partitions);
      if (seq % 7 == 0) {
        EXPECT_FALSE(m.key.has_value());
      } else {
        EXPECT_EQ(m.key, "k" + std::to_string(seq));
      }
      if (seq % 11 == 0) {
        EXPECT_FALSE(m.value.has_value());
      } else {
        EXPECT_EQ(m.value, "value-" + std::to_string(seq) + std::string(seq % 50, 'x'));
      }
      // Offsets are dense and records keep their order within a partition.
      auto it = last_offset.find(m.partition);
      EXPECT_EQ(m.offset, it == last_offset.end() ? 0 : it->second + 1);
      last_offset[m.partition] = m.offset;
      if (last_seq.contains(m.partition)) {
        EXPECT_GT(seq, last_seq[m.partition]);
      }
      last_seq[m.partition] = seq;
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(count));
  }

  broker::EmbeddedCluster cluster_;
};

TEST_F(ProduceConsumeTest, HundredThousandRecordsUncompressed) {
  RoundTrip("plain", 6, 100000, "all", "none");
}
TEST_F(ProduceConsumeTest, HundredThousandRecordsGzip) { RoundTrip("gzip", 6, 100000, "all", "gzip"); }
TEST_F(ProduceConsumeTest, HundredThousandRecordsSnappy) {
  RoundTrip("snappy", 6, 100000, "all", "snappy");
}
TEST_F(ProduceConsumeTest, HundredThousandRecordsLz4) { RoundTrip("lz4", 6, 100000, "all", "lz4"); }
TEST_F(ProduceConsumeTest, HundredThousandRecordsZstd) {
  RoundTrip("zstd", 6, 100000, "all", "zstd");
}
TEST_F(ProduceConsumeTest, AcksOne) { RoundTrip("acks1", 6, 20000, "1", "none"); }
// acks=0 gets no response from the broker at all; over loopback nothing is lost.
TEST_F(ProduceConsumeTest, AcksZero) { RoundTrip("acks0", 6, 20000, "0", "lz4"); }

TEST_F(ProduceConsumeTest, AutoCreatedTopicOnFirstProduce) {
  {
    Producer producer({{"bootstrap.servers", bootstrap()}});
    producer.Send("auto-created", -1, std::string("k"), std::string("v"));
    ASSERT_TRUE(producer.Flush());
    ASSERT_EQ(producer.deliveries().size(), 1u);
    EXPECT_EQ(producer.deliveries()[0].err, RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(producer.deliveries()[0].offset, 0);
  }
  Consumer consumer({{"bootstrap.servers", bootstrap()}});
  consumer.Assign("auto-created", {0});
  auto got = consumer.ReadN(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, "v");
}

}  // namespace
}  // namespace rill
