// KafkaStreams in-process on an EmbeddedCluster: restoration from changelogs (with and
// without local state), poison records to the dead-letter topic, state transitions, and
// start-up errors that must be clear.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <thread>
#include <vector>

#include <httplib.h>

#include "broker/embedded_cluster.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"
#include "streams/runtime/internal/task_checkpoint.h"
#include "streams/runtime/kafka_streams.h"
#include "streams/runtime/topic_admin.h"
#include "tests/integration/kafka_test_util.h"
#include "tests/integration/streams_cluster_test.h"

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

class StreamsRuntimeTest : public StreamsClusterTest {
 protected:
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

// Visits per user in sessions with a 5-minute inactivity gap and 10 minutes of grace
// (store "visits", retention one day), with record timestamps as event time.
streams::Topology SessionCountTopology() {
  streams::StreamsBuilder builder;
  builder.stream<std::string, std::string>("visits")
      .groupByKey()
      .windowedBy(streams::SessionWindows::ofInactivityGapAndGrace(std::chrono::minutes(5),
                                                                   std::chrono::minutes(10)))
      .count(streams::Materialized<std::string, int64_t>::as("visits")
                 .withRetention(std::chrono::hours(24)));
  return builder.build();
}

TEST_F(StreamsRuntimeTest, SessionStoreRestoresMergesAndAnswersHttpSessionQueries) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"visits", 2}}).ok());
  Producer producer({{"bootstrap.servers", bootstrap_}, {"partitioner", "murmur2_random"}});
  const int64_t base = 1'700'000'000'000;
  constexpr int64_t kMinute = 60'000;
  // User u<i> visits at `minute` (+ i seconds, so every user's sessions differ).
  auto at = [&](int user, int64_t minute) { return base + minute * kMinute + user * 1000; };
  auto produce = [&](std::initializer_list<int64_t> minutes) {
    for (int64_t minute : minutes) {
      for (int user = 0; user < 4; ++user) {
        producer.Send("visits", -1, "u" + std::to_string(user), "page", {}, at(user, minute));
      }
    }
    ASSERT_TRUE(producer.Flush());
  };
  using Sessions = std::set<std::tuple<int64_t, int64_t, int64_t>>;  // (start, end, count)
  const int port = FreePort();
  // The key's sessions overlapping [from, to], over HTTP.
  auto query = [&](int user, int64_t from, int64_t to) -> std::optional<Sessions> {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    const std::string path = "/v1/stores/visits/keys/u" + std::to_string(user) +
                             "/windows?from=" + std::to_string(from) + "&to=" + std::to_string(to);
    auto res = client.Get(path.c_str());
    if (!res || res->status != 200) return std::nullopt;
    auto json = nlohmann::json::parse(res->body, nullptr, false);
    if (json.is_discarded() || !json.is_array()) return std::nullopt;
    Sessions out;
    for (const auto& s : json) {
      out.insert({s["start"].get<int64_t>(), s["end"].get<int64_t>(), s["value"].get<int64_t>()});
    }
    return out;
  };
  auto all_match = [&](const std::function<Sessions(int)>& expected) {
    for (int user = 0; user < 4; ++user) {
      if (query(user, base, base + 3'600'000) != expected(user)) return false;
    }
    return true;
  };
  auto config = [&](const std::string& state) {
    streams::StreamsConfig c = Config("sessions-app", state);
    c.application_server = "127.0.0.1:" + std::to_string(port);
    return c;
  };

  // Two sessions per user: minutes 0-2 (3 visits) and 10-11 (2 visits), 8 minutes apart.
  produce({0, 1, 2, 10, 11});
  auto first = [&](int u) {
    return Sessions{{at(u, 0), at(u, 2), 3}, {at(u, 10), at(u, 11), 2}};
  };
  {
    KafkaStreams app(SessionCountTopology(), config("one"));
    ASSERT_TRUE(app.start().ok());
    ASSERT_TRUE(WaitUntil([&] { return all_match(first); })) << "first run";
    ASSERT_TRUE(app.close());
  }
  // A fresh state directory: the sessions come back from the changelog. Then a visit at
  // minute 6 bridges them (within grace: stream time 11 - 10 - 5 < 11) into one session of
  // 6 visits, and minute 30 starts a new one.
  produce({6, 30});
  auto second = [&](int u) {
    return Sessions{{at(u, 0), at(u, 11), 6}, {at(u, 30), at(u, 30), 1}};
  };
  {
    KafkaStreams app(SessionCountTopology(), config("two"));
    ASSERT_TRUE(app.start().ok());
    ASSERT_TRUE(WaitUntil([&] { return all_match(second); }))
        << "restore from changelog and merge: u0 -> " << [&] {
             auto s = query(0, base, base + 3'600'000);
             std::string out;
             if (!s) return std::string("no answer");
             for (const auto& [start, end, n] : *s) {
               out += "[" + std::to_string(start - base) + "," + std::to_string(end - base) +
                      "]=" + std::to_string(n) + " ";
             }
             return out;
           }();
    // from/to select the sessions that overlap them: minute 20 is in no session, minute 5
    // only in the merged one.
    EXPECT_EQ(query(1, at(1, 20), at(1, 20)), Sessions{});
    EXPECT_EQ(query(1, at(1, 5), at(1, 5)), (Sessions{{at(1, 0), at(1, 11), 6}}));
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
  // Orders go in first and everything is on the broker before the application starts:
  // max.task.idle.ms (default 0) keeps each join task from processing an order until its
  // customers partition was fetched to the end, so every order finds its customer (all
  // customers are older), except those of the customer that does not exist.
  for (int i = 0; i < 20; ++i) {
    producer.Send("orders", -1, "c" + std::to_string(i % 6), "o" + std::to_string(i), {},
                  2000 + i);
  }
  ASSERT_TRUE(producer.Flush());
  for (int c = 0; c < 5; ++c) {
    producer.Send("customers", -1, "c" + std::to_string(c), "name" + std::to_string(c), {}, 1000);
  }
  ASSERT_TRUE(producer.Flush());
  {
    KafkaStreams app(StreamTableJoinTopology(), Config("join-app", "j"));
    ASSERT_TRUE(app.start().ok());
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

// Left stream-stream join of "ssj-left" and "ssj-right" (window 10 s, no grace) into
// "ssj-out", with named stores so the changelogs are easy to tell apart.
streams::Topology StreamStreamLeftJoinTopology() {
  streams::StreamsBuilder builder;
  auto left = builder.stream<std::string, std::string>("ssj-left");
  auto right = builder.stream<std::string, std::string>("ssj-right");
  left.leftJoin(right,
                [](const std::string& l, const std::optional<std::string>& r) {
                  return l + "+" + r.value_or("null");
                },
                streams::JoinWindows::ofTimeDifferenceWithNoGrace(std::chrono::seconds(10)),
                streams::StreamJoined<>::as("ssj").withOuterJoinEmitInterval(std::chrono::milliseconds(0)))
      .to("ssj-out");
  return builder.build();
}

TEST_F(StreamsRuntimeTest, StreamStreamJoinStoresRestoreFromTheirChangelogs) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"ssj-left", 1}, {"ssj-right", 1}, {"ssj-out", 1}}).ok());
  Producer producer({{"bootstrap.servers", bootstrap_}});
  Consumer out({{"bootstrap.servers", bootstrap_}, {"group.id", "ssj-reader"}});
  out.Assign("ssj-out", {0});
  auto next_value = [&]() -> std::string {
    auto records = out.ReadN(1, std::chrono::seconds(60));
    return records.empty() ? "<nothing>" : records[0].value.value_or("<null>");
  };
  const int64_t t = 1'700'000'000'000;
  {
    KafkaStreams app(StreamStreamLeftJoinTopology(), Config("ssj-app", "one"));
    ASSERT_TRUE(app.start().ok());
    // A and B find no partner and are parked; M is matched, so it leaves the shared store.
    producer.Send("ssj-left", 0, "a", "A", {}, t);
    producer.Send("ssj-left", 0, "b", "B", {}, t);
    producer.Send("ssj-left", 0, "m", "M", {}, t);
    ASSERT_TRUE(producer.Flush());
    producer.Send("ssj-right", 0, "m", "m", {}, t);
    ASSERT_TRUE(producer.Flush());
    // M comes after A and B in one partition: once M+m is out, all were processed.
    EXPECT_EQ(next_value(), "M+m");
    ASSERT_TRUE(app.close());
  }
  // A fresh state directory: every join store comes back from its changelog only.
  KafkaStreams app(StreamStreamLeftJoinTopology(), Config("ssj-app", "two"));
  ASSERT_TRUE(app.start().ok());
  // The left window store still has A (and the shared store its parked entry, which the
  // match removes).
  producer.Send("ssj-right", 0, "a", "a", {}, t + 2'000);
  ASSERT_TRUE(producer.Flush());
  EXPECT_EQ(next_value(), "A+a");
  // Closing B's window emits B's null result from the restored shared store; A and M were
  // matched, so nothing else comes out of that scan.
  producer.Send("ssj-left", 0, "z", "Z", {}, t + 100'000);
  ASSERT_TRUE(producer.Flush());
  EXPECT_EQ(next_value(), "B+null");
  producer.Send("ssj-right", 0, "z", "z", {}, t + 100'000);
  ASSERT_TRUE(producer.Flush());
  EXPECT_EQ(next_value(), "Z+z");
  EXPECT_TRUE(app.close());
}

// Final counts per 10 s window (no grace) of "events", suppressed until each window closes,
// to "finals" (keys: Windowed<string> bytes, values: int64).
streams::Topology FinalCountsTopology() {
  streams::StreamsBuilder builder;
  builder.stream<std::string, std::string>("events")
      .groupByKey()
      .windowedBy(streams::TimeWindows::ofSizeWithNoGrace(std::chrono::seconds(10)))
      .count()
      .suppress(streams::Suppressed::untilWindowCloses(streams::BufferConfig::unbounded())
                    .withName("finals-buffer"))
      .toStream()
      .to("finals", streams::Produced<streams::Windowed<std::string>, int64_t>::with(
                        streams::WindowedSerdes::TimeWindowed<std::string>(
                            streams::Serdes::String(), 10'000),
                        streams::Serdes::Int64()));
  return builder.build();
}

TEST_F(StreamsRuntimeTest, SuppressionBufferSurvivesARestartAndEmitsOnce) {
  ASSERT_TRUE(streams::CreateTopicsIfMissing(bootstrap_, {{"events", 1}, {"finals", 1}}).ok());
  Producer producer({{"bootstrap.servers", bootstrap_}});
  const int64_t base = 1'700'000'040'000;  // a multiple of 10 s
  auto send = [&](const std::string& key, int64_t at) {
    producer.Send("events", 0, key, "x", {}, base + at);
    ASSERT_TRUE(producer.Flush());
  };
  // A final result as the sink writes it: key bytes + 8-byte window start, 8-byte count.
  auto final_result = [&](const std::string& key, int64_t start, int64_t count) {
    return key + Long(base + start) + "=" + Long(count);
  };
  Consumer finals({{"bootstrap.servers", bootstrap_}});
  finals.Assign("finals", {0});
  auto read = [&](size_t n) {
    std::vector<std::string> out;
    for (const Message& m : finals.ReadN(n)) out.push_back(m.key.value_or("") + "=" + m.value.value_or(""));
    return out;
  };
  {
    KafkaStreams app(FinalCountsTopology(), Config("suppress-app", "s"));
    ASSERT_TRUE(app.start().ok());
    send("a", 0);
    send("a", 1'000);
    send("b", 2'000);
    send("c", 15'000);  // closes [0 s, 10 s); c's window [10 s, 20 s) stays buffered
    EXPECT_EQ(read(2), (std::vector<std::string>{final_result("a", 0, 2), final_result("b", 0, 1)}));
    ASSERT_TRUE(app.close());
  }
  {
    // The same state directory; the in-memory buffer comes back from its changelog.
    KafkaStreams app(FinalCountsTopology(), Config("suppress-app", "s"));
    ASSERT_TRUE(app.start().ok());
    send("d", 25'000);  // closes c's window: emitted now, and a's and b's not again
    send("e", 35'000);  // closes d's window
    EXPECT_EQ(read(2), (std::vector<std::string>{final_result("c", 10'000, 1),
                                                 final_result("d", 20'000, 1)}));
    ASSERT_TRUE(app.close());
  }
}

}  // namespace
}  // namespace rill::testing
