// KafkaStreams in-process on an EmbeddedCluster: restoration from changelogs (with and
// without local state), poison records to the dead-letter topic, state transitions, and
// start-up errors that must be clear.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "broker/embedded_cluster.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"
#include "streams/runtime/internal/task_checkpoint.h"
#include "streams/runtime/kafka_streams.h"
#include "streams/runtime/topic_admin.h"
#include "tests/integration/kafka_test_util.h"

namespace rill::testing {
namespace {

using streams::KafkaStreams;
using Clock = std::chrono::steady_clock;

std::string Long(int64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

class StreamsRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker::EmbeddedClusterOptions options;
    options.node_template.group.initial_rebalance_delay_ms = 0;
    cluster_ = std::make_unique<broker::EmbeddedCluster>(options);
    ASSERT_TRUE(cluster_->Start().ok());
    bootstrap_ = cluster_->bootstrap_servers();
    char tmpl[] = "/tmp/rill-rt-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  streams::StreamsConfig Config(const std::string& app, const std::string& state) {
    streams::StreamsConfig c;
    c.application_id = app;
    c.bootstrap_servers = bootstrap_;
    c.state_dir = dir_ + "/" + state;
    c.commit_interval_ms = 100;
    c.session_timeout_ms = 6000;
    c.heartbeat_interval_ms = 1000;
    return c;
  }

  // Sum per key of int64 values, materialized in "sums".
  static streams::Topology SumTopology() {
    streams::StreamsBuilder builder;
    builder.stream<std::string, int64_t>("numbers")
        .groupByKey()
        .reduce([](const int64_t& a, const int64_t& b) { return a + b; },
                streams::Materialized<>::as("sums"))
        .toStream()
        .to("sums-out");
    return builder.build();
  }

  std::unique_ptr<broker::EmbeddedCluster> cluster_;
  std::string bootstrap_;
  std::string dir_;
};

std::optional<int64_t> StoreValue(KafkaStreams& app, const std::string& store,
                                  const std::string& key) {
  auto v = app.queries().Get(store, key);
  if (!v.ok() || !*v) return std::nullopt;
  return (**v).get<int64_t>();
}

TEST_F(StreamsRuntimeTest, StateRestoresFromChangelogWithAndWithoutLocalState) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"numbers", 3}}).ok());
  Producer producer({{"bootstrap.servers", bootstrap_}, {"partitioner", "murmur2_random"}});
  auto produce = [&](int from, int to) {
    for (int i = from; i < to; ++i) producer.Send("numbers", -1, "k" + std::to_string(i % 10), Long(i));
    ASSERT_TRUE(producer.Flush());
  };
  auto expected_sum = [](int key, int upto) {
    int64_t s = 0;
    for (int i = 0; i < upto; ++i) {
      if (i % 10 == key) s += i;
    }
    return s;
  };
  auto all_match = [&](KafkaStreams& app, int upto) {
    for (int k = 0; k < 10; ++k) {
      if (StoreValue(app, "sums", "k" + std::to_string(k)) != expected_sum(k, upto)) return false;
    }
    return true;
  };
  produce(0, 1000);
  {
    KafkaStreams app(SumTopology(), Config("restore-app", "one"));
    ASSERT_TRUE(app.start().ok());
    ASSERT_TRUE(WaitUntil([&] { return all_match(app, 1000); })) << "first run did not sum";
    ASSERT_TRUE(app.close());
  }
  // Each task's checkpoint sums the changelog offsets its store committed: what the next
  // rebalance reports to the assignor. 10 keys over 3 partitions: every changelog partition
  // got at least one record, and together they hold the 10 keys' last updates or more.
  int64_t offset_sum = 0;
  for (int p = 0; p < 3; ++p) {
    auto sum = streams::internal::ReadTaskOffsetSum(dir_ + "/one/restore-app/0_" + std::to_string(p));
    ASSERT_TRUE(sum.has_value()) << "task 0_" << p << " has no checkpoint";
    offset_sum += *sum;
  }
  EXPECT_GE(offset_sum, 10 - 3);
  // Same state directory: the store resumes from its local checkpoint.
  produce(1000, 1500);
  {
    KafkaStreams app(SumTopology(), Config("restore-app", "one"));
    ASSERT_TRUE(app.start().ok());
    ASSERT_TRUE(WaitUntil([&] { return all_match(app, 1500); })) << "restart with local state";
    ASSERT_TRUE(app.close());
  }
  // A fresh state directory: everything comes back from the changelog.
  produce(1500, 2000);
  {
    KafkaStreams app(SumTopology(), Config("restore-app", "two"));
    ASSERT_TRUE(app.start().ok());
    ASSERT_TRUE(WaitUntil([&] { return all_match(app, 2000); })) << "restore from changelog";
    ASSERT_TRUE(app.close());
  }
}

// Clicks per user in one-minute tumbling windows (store "per-minute", retention one day),
// with record timestamps as event time.
streams::Topology WindowedCountTopology() {
  streams::StreamsBuilder builder;
  builder.stream<std::string, std::string>("clicks")
      .groupByKey()
      .windowedBy(streams::TimeWindows::ofSizeAndGrace(std::chrono::minutes(1),
                                                       std::chrono::seconds(10)))
      .count(streams::Materialized<std::string, int64_t>::as("per-minute")
                 .withRetention(std::chrono::hours(24)));
  return builder.build();
}

TEST_F(StreamsRuntimeTest, WindowStoreRestoresAndAnswersWindowQueries) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"clicks", 2}}).ok());
  Producer producer({{"bootstrap.servers", bootstrap_}, {"partitioner", "murmur2_random"}});
  const int64_t base = 1'700'000'040'000;  // a whole minute (28,333,334 minutes)
  // user u<i%4>: click i at base + i seconds, so minute m holds clicks 60m .. 60m + 59.
  auto produce = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      producer.Send("clicks", -1, "u" + std::to_string(i % 4), "page", {}, base + i * 1000);
    }
    ASSERT_TRUE(producer.Flush());
  };
  auto expected = [&](int user, int upto) {
    std::map<int64_t, int64_t> per_minute;
    for (int i = 0; i < upto; ++i) {
      if (i % 4 == user) per_minute[base + (i / 60) * 60'000]++;
    }
    return per_minute;
  };
  auto all_match = [&](KafkaStreams& app, int upto) {
    for (int user = 0; user < 4; ++user) {
      auto windows = app.queries().Windows("per-minute", "u" + std::to_string(user), base,
                                           base + 24 * 3'600'000LL);
      if (!windows.ok()) return false;
      std::map<int64_t, int64_t> got;
      for (const auto& w : *windows) {
        if (w["end"].get<int64_t>() != w["start"].get<int64_t>() + 60'000) return false;
        got[w["start"].get<int64_t>()] = w["value"].get<int64_t>();
      }
      if (got != expected(user, upto)) return false;
    }
    return true;
  };
  produce(0, 300);  // five minutes
  {
    KafkaStreams app(WindowedCountTopology(), Config("windows-app", "one"));
    ASSERT_TRUE(app.start().ok());
    ASSERT_TRUE(WaitUntil([&] { return all_match(app, 300); }))
        << "first run: u0 -> "
        << [&] {
             auto w = app.queries().Windows("per-minute", "u0", base, base + 24 * 3'600'000LL);
             return w.ok() ? w->dump() : w.status().ToString();
           }();
    // A window store answers window queries only; a key-value query says so.
    auto kv = app.queries().Get("per-minute", "u0");
    EXPECT_TRUE(absl::IsInvalidArgument(kv.status())) << kv.status();
    ASSERT_TRUE(app.close());
  }
  produce(300, 420);
  {
    // A fresh state directory: the windows come back from the changelog and counting
    // continues where it stopped.
    KafkaStreams app(WindowedCountTopology(), Config("windows-app", "two"));
    ASSERT_TRUE(app.start().ok());
    ASSERT_TRUE(WaitUntil([&] { return all_match(app, 420); })) << "restore from changelog";
    ASSERT_TRUE(app.close());
  }
}

TEST_F(StreamsRuntimeTest, PoisonRecordGoesToDeadLetterTopicAndProcessingContinues) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"numbers", 1}, {"dlq", 1}}).ok());
  streams::StreamsConfig config = Config("poison-app", "p");
  config.dead_letter_topic = "dlq";
  KafkaStreams app(SumTopology(), config);
  ASSERT_TRUE(app.start().ok());
  Producer producer({{"bootstrap.servers", bootstrap_}});
  producer.Send("numbers", 0, "a", Long(5));
  producer.Send("numbers", 0, "a", std::string("not-a-long"));  // 10 bytes: poison
  producer.Send("numbers", 0, "a", Long(7));
  ASSERT_TRUE(producer.Flush());
  ASSERT_TRUE(WaitUntil([&] { return StoreValue(app, "sums", "a") == 12; }));
  Consumer dlq({{"bootstrap.servers", bootstrap_}, {"group.id", "dlq-reader"}});
  dlq.Assign("dlq", {0});
  auto records = dlq.ReadN(1, std::chrono::seconds(30));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].value, "not-a-long");
  bool has_source = false;
  for (const auto& h : records[0].headers) {
    if (h.name == "rill.source") has_source = h.value == std::optional<std::string>("numbers-0@1");
  }
  EXPECT_TRUE(has_source) << "dead-letter record must name topic-partition@offset";
  std::string metrics = app.metrics().Serialize();
  EXPECT_NE(metrics.find("deserialization-error"), std::string::npos);
  EXPECT_TRUE(app.close());
}

TEST_F(StreamsRuntimeTest, StateListenerSeesLifecycle) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"numbers", 2}}).ok());
  KafkaStreams app(SumTopology(), Config("listener-app", "l"));
  std::mutex mu;
  std::vector<KafkaStreams::State> seen;
  app.setStateListener([&](KafkaStreams::State now, KafkaStreams::State) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(now);
  });
  EXPECT_EQ(app.state(), KafkaStreams::State::kCreated);
  ASSERT_TRUE(app.start().ok());
  ASSERT_TRUE(WaitUntil([&] { return app.state() == KafkaStreams::State::kRunning; }));
  EXPECT_FALSE(app.start().ok()) << "a second start must be refused";
  ASSERT_TRUE(app.close());
  EXPECT_EQ(app.state(), KafkaStreams::State::kNotRunning);
  std::lock_guard<std::mutex> lock(mu);
  std::vector<KafkaStreams::State> want = {KafkaStreams::State::kRebalancing,
                                           KafkaStreams::State::kRunning,
                                           KafkaStreams::State::kPendingShutdown,
                                           KafkaStreams::State::kNotRunning};
  EXPECT_EQ(seen, want);
}

// orders (key customer id) joined with the customers table into "enriched".
streams::Topology StreamTableJoinTopology() {
  streams::StreamsBuilder builder;
  auto customers = builder.table<std::string, std::string>(
      "customers", {}, streams::Materialized<std::string, std::string>::as("customers-store"));
  builder.stream<std::string, std::string>("orders")
      .leftJoin(customers,
                [](const std::string& order, const std::optional<std::string>& name) {
                  return order + "@" + name.value_or("?");
                })
      .to("enriched");
  return builder.build();
}

TEST_F(StreamsRuntimeTest, StreamTableJoinRunsAndCopartitioningIsChecked) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(
                  bootstrap_, {{"orders", 3}, {"customers", 3}, {"enriched", 3}, {"customers-6", 6}})
                  .ok());
  Producer producer({{"bootstrap.servers", bootstrap_}, {"partitioner", "murmur2_random"}});
  for (int c = 0; c < 5; ++c) {
    producer.Send("customers", -1, "c" + std::to_string(c), "name" + std::to_string(c), {}, 1000);
  }
  ASSERT_TRUE(producer.Flush());
  {
    KafkaStreams app(StreamTableJoinTopology(), Config("join-app", "j"));
    ASSERT_TRUE(app.start().ok());
    // Orders go in once the table holds every customer (Rill has no max.task.idle.ms yet to
    // hold orders back until the table partition has caught up): every order then finds its
    // customer, except those of the customer that does not exist.
    ASSERT_TRUE(WaitUntil([&] {
      for (int c = 0; c < 5; ++c) {
        auto v = app.queries().Get("customers-store", "c" + std::to_string(c));
        if (!v.ok() || !v->has_value()) return false;
      }
      return true;
    }));
    for (int i = 0; i < 20; ++i) {
      producer.Send("orders", -1, "c" + std::to_string(i % 6), "o" + std::to_string(i), {},
                    2000 + i);
    }
    ASSERT_TRUE(producer.Flush());
    Consumer out({{"bootstrap.servers", bootstrap_}, {"group.id", "enriched-reader"}});
    out.Assign("enriched", {0, 1, 2});
    auto records = out.ReadN(20, std::chrono::seconds(60));
    ASSERT_EQ(records.size(), 20u);
    std::map<std::string, std::string> by_order;
    for (const auto& r : records) {
      const std::string v = r.value.value_or("");
      by_order[v.substr(0, v.find('@'))] = v;
    }
    for (int i = 0; i < 20; ++i) {
      std::string expected = "o" + std::to_string(i) + "@" +
                             (i % 6 == 5 ? std::string("?") : "name" + std::to_string(i % 6));
      EXPECT_EQ(by_order["o" + std::to_string(i)], expected);
    }
    EXPECT_TRUE(app.close());
  }
  // customers-6 has 6 partitions, orders 3: the join is refused at start, naming both.
  {
    streams::StreamsBuilder builder;
    auto customers = builder.table<std::string, std::string>("customers-6");
    builder.stream<std::string, std::string>("orders")
        .join(customers, [](const std::string& o, const std::string& n) { return o + n; })
        .to("enriched");
    KafkaStreams app(builder.build(), Config("bad-join-app", "b"));
    absl::Status s = app.start();
    EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
    EXPECT_NE(s.message().find("orders (3 partitions)"), std::string::npos) << s;
    EXPECT_NE(s.message().find("customers-6 (6 partitions)"), std::string::npos) << s;
  }
}

TEST_F(StreamsRuntimeTest, StartErrorsAreClear) {
  // Missing source topic.
  {
    KafkaStreams app(SumTopology(), Config("missing-app", "m"));
    absl::Status s = app.start();
    EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
    EXPECT_NE(s.message().find("numbers"), std::string::npos) << s;
  }
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"numbers", 1}}).ok());
  // Exactly-once is not in this version: refused, not silently downgraded.
  {
    streams::StreamsConfig c = Config("eos-app", "e");
    c.processing_guarantee = "exactly_once_v2";
    KafkaStreams app(SumTopology(), c);
    EXPECT_TRUE(absl::IsInvalidArgument(app.start()));
  }
  // Two instances can't share a state directory.
  {
    KafkaStreams first(SumTopology(), Config("lock-app", "shared"));
    ASSERT_TRUE(first.start().ok());
    KafkaStreams second(SumTopology(), Config("lock-app", "shared"));
    absl::Status s = second.start();
    EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
    EXPECT_TRUE(first.close());
  }
}

// A topology whose output for key "big" is larger than the producer accepts (librdkafka's
// message.max.bytes, 1 MB), so producing it fails.
streams::Topology OversizedOutputTopology() {
  streams::StreamsBuilder builder;
  builder.stream<std::string, std::string>("words")
      .mapValues([](const std::string& k, const std::string& v) {
        return k == "big" ? std::string(2 << 20, 'x') : v;
      })
      .to("words-out");
  return builder.build();
}

TEST_F(StreamsRuntimeTest, ProductionFailureStopsTheInstanceUnderFailPolicy) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"words", 1}, {"words-out", 1}}).ok());
  KafkaStreams app(OversizedOutputTopology(), Config("produce-fail-app", "f"));
  std::mutex mu;
  std::string uncaught;
  app.setUncaughtExceptionHandler([&](const std::string& error) {
    std::lock_guard<std::mutex> lock(mu);
    uncaught = error;
  });
  ASSERT_TRUE(app.start().ok());
  Producer producer({{"bootstrap.servers", bootstrap_}});
  producer.Send("words", 0, "big", std::string("x"));
  ASSERT_TRUE(producer.Flush());
  ASSERT_TRUE(WaitUntil([&] { return app.state() == KafkaStreams::State::kError; }));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(uncaught.find("words-out"), std::string::npos) << uncaught;
}

TEST_F(StreamsRuntimeTest, ProductionFailureIsSkippedUnderLogAndContinue) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"words", 1}, {"words-out", 1}}).ok());
  streams::StreamsConfig config = Config("produce-continue-app", "c");
  config.production_exception_handler = "log-and-continue";
  KafkaStreams app(OversizedOutputTopology(), config);
  ASSERT_TRUE(app.start().ok());
  Producer producer({{"bootstrap.servers", bootstrap_}});
  producer.Send("words", 0, "small", std::string("before"));
  producer.Send("words", 0, "big", std::string("x"));
  producer.Send("words", 0, "small", std::string("after"));
  ASSERT_TRUE(producer.Flush());
  Consumer out({{"bootstrap.servers", bootstrap_}, {"group.id", "out-reader"}});
  out.Assign("words-out", {0});
  auto records = out.ReadN(2, std::chrono::seconds(30));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].value, "before");
  EXPECT_EQ(records[1].value, "after");
  EXPECT_EQ(app.state(), KafkaStreams::State::kRunning);
  EXPECT_TRUE(app.close());
}

TEST_F(StreamsRuntimeTest, TwoThreadsShareTheTasksOfOneInstance) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"numbers", 4}}).ok());
  streams::StreamsConfig config = Config("threads-app", "t");
  config.num_stream_threads = 2;
  KafkaStreams app(SumTopology(), config);
  ASSERT_TRUE(app.start().ok());
  // The threads join one after the other (the broker's initial rebalance delay is 0 here):
  // wait for the assignment that includes both.
  ASSERT_TRUE(WaitUntil([&] {
    nlohmann::json md = app.queries().Metadata();
    if (md["state"] != "RUNNING" || md["local_threads"].size() != 2) return false;
    for (const auto& t : md["local_threads"]) {
      if (t["active_tasks"].empty()) return false;
    }
    return true;
  })) << app.queries().Metadata().dump();
  Producer producer({{"bootstrap.servers", bootstrap_}, {"partitioner", "murmur2_random"}});
  for (int i = 0; i < 400; ++i) producer.Send("numbers", -1, "k" + std::to_string(i % 20), Long(1));
  ASSERT_TRUE(producer.Flush());
  ASSERT_TRUE(WaitUntil([&] {
    for (int k = 0; k < 20; ++k) {
      if (StoreValue(app, "sums", "k" + std::to_string(k)) != 20) return false;
    }
    return true;
  })) << "both threads' tasks must be counted and queryable";
  nlohmann::json md = app.queries().Metadata();
  ASSERT_EQ(md["local_threads"].size(), 2u);
  size_t tasks = 0;
  for (const auto& t : md["local_threads"]) {
    EXPECT_FALSE(t["active_tasks"].empty()) << md.dump();
    tasks += t["active_tasks"].size();
  }
  EXPECT_EQ(tasks, 4u) << "1 sub-topology x 4 partitions: " << md.dump();
  EXPECT_TRUE(app.close());
}

}  // namespace
}  // namespace rill::testing
