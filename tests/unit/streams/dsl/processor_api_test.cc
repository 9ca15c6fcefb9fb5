// The Processor API through TopologyTestDriver: process() / processValues() with stores
// added by addStateStore, record metadata, forwarding to a named child, stream-time and
// wall-clock punctuation, and getStateStore errors.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "streams/dsl/streams_builder.h"
#include "streams/testing/topology_test_driver.h"

namespace rill::streams {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using KL = KeyValue<std::string, int64_t>;
using KV = KeyValue<std::string, std::string>;

// Counts records per key in store "counts" and forwards the running count.
class CountingProcessor : public Processor<std::string, std::string, std::string, int64_t> {
 public:
  void init(ProcessorContext<std::string, int64_t>& context) override {
    context_ = &context;
    store_.emplace(context.getStateStore<std::string, int64_t>("counts"));
  }
  void process(const Record<std::string, std::string>& record) override {
    int64_t n = store_->get(record.key).value_or(0) + 1;
    store_->put(record.key, n);
    context_->forward(record.withValue(n));
  }

 private:
  ProcessorContext<std::string, int64_t>* context_ = nullptr;
  std::optional<KeyValueStore<std::string, int64_t>> store_;
};

Topology CountingTopology(KeyValueBytesStoreSupplier supplier) {
  StreamsBuilder builder;
  builder.addStateStore(
      Stores::keyValueStoreBuilder(std::move(supplier), Serdes::String(), Serdes::Long()));
  builder.stream<std::string, std::string>("in")
      .process<std::string, int64_t>([] { return std::make_unique<CountingProcessor>(); },
                                     {"counts"})
      .to("out");
  return builder.build();
}

TEST(ProcessorApiTest, ProcessWithPersistentStore) {
  TopologyTestDriver driver(CountingTopology(Stores::persistentKeyValueStore("counts")));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, int64_t>("out");
  input.pipeInput("a", "x", 1);
  input.pipeInput("a", "y", 2);
  input.pipeInput("b", "z", 3);
  EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KL{"a", 1}, KL{"a", 2}, KL{"b", 1}));
  EXPECT_EQ((driver.getKeyValueStore<std::string, int64_t>("counts").get("a")), 2);
}

TEST(ProcessorApiTest, ProcessWithInMemoryStore) {
  TopologyTestDriver driver(CountingTopology(Stores::inMemoryKeyValueStore("counts")));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("a", "x", 1);
  input.pipeInput("a", "y", 2);
  auto store = driver.getKeyValueStore<std::string, int64_t>("counts");
  EXPECT_EQ(store.get("a"), 2);
  EXPECT_THAT(store.all().toList(), ElementsAre(KL{"a", 2}));
}

TEST(ProcessorApiTest, ProcessorStoreChangelogIsCaptured) {
  TopologyTestDriver driver(CountingTopology(Stores::persistentKeyValueStore("counts")));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("a", "x", 5);
  input.pipeInput("a", "y", 6);
  auto changelog = driver.createOutputTopic<std::string, int64_t>("test-app-counts-changelog");
  Record<std::string, int64_t> first = changelog.readRecord();
  EXPECT_EQ(first.key, "a");
  EXPECT_EQ(first.value, 1);
  EXPECT_EQ(first.timestamp, 5);
  EXPECT_EQ(changelog.readValue(), 2);
  EXPECT_TRUE(changelog.isEmpty());
}

// Stores every store operation of the typed KeyValueStore in a processor.
class StoreOpsProcessor : public Processor<std::string, std::string, std::string, std::string> {
 public:
  void init(ProcessorContext<std::string, std::string>& context) override { context_ = &context; }
  void process(const Record<std::string, std::string>& record) override {
    auto store = context_->getStateStore<std::string, std::string>("kv");
    store.putAll({{"a", "1"}, {"b", "2"}, {"c", "3"}});
    std::string out;
    out += store.putIfAbsent("a", "x").value_or("-");  // exists: "1", not written
    out += store.putIfAbsent("d", "4").value_or("-");  // absent: written
    out += store.remove("b").value_or("-");
    out += store.remove("zz").value_or("-");
    for (const auto& kv : store.range("a", "c").toList()) out += kv.key;
    for (const auto& kv : store.reverseAll().toList()) out += kv.key;
    for (const auto& kv : store.prefixScan(std::string("d"), Serdes::String()).toList()) {
      out += kv.value;
    }
    context_->forward(record.withValue(out));
  }

 private:
  ProcessorContext<std::string, std::string>* context_ = nullptr;
};

TEST(ProcessorApiTest, CachingUserStoreWritesChangelogOncePerCommit) {
  class TwiceProcessor : public Processor<std::string, std::string, std::string, int64_t> {
   public:
    void init(ProcessorContext<std::string, int64_t>& context) override { context_ = &context; }
    void process(const Record<std::string, std::string>& record) override {
      auto store = context_->getStateStore<std::string, int64_t>("counts");
      for (int i = 0; i < 2; ++i) store.put(record.key, store.get(record.key).value_or(0) + 1);
      context_->forward(record.withValue(*store.get(record.key)));  // reads see the cache
    }

   private:
    ProcessorContext<std::string, int64_t>* context_ = nullptr;
  };
  StreamsBuilder builder;
  builder.addStateStore(Stores::keyValueStoreBuilder(Stores::persistentKeyValueStore("counts"),
                                                     Serdes::String(), Serdes::Long())
                            .withCachingEnabled());
  builder.stream<std::string, std::string>("in")
      .process<std::string, int64_t>([] { return std::make_unique<TwiceProcessor>(); }, {"counts"})
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("a", "x", 1);
  input.pipeInput("a", "y", 2);
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("out").readKeyValuesToList()),
              ElementsAre(KL{"a", 2}, KL{"a", 4}));
  // Two puts per record, one changelog record per key and commit.
  EXPECT_THAT((driver.createOutputTopic<std::string, int64_t>("test-app-counts-changelog")
                   .readKeyValuesToList()),
              ElementsAre(KL{"a", 2}, KL{"a", 4}));
}

TEST(ProcessorApiTest, TypedStoreOperations) {
  StreamsBuilder builder;
  builder.addStateStore(Stores::keyValueStoreBuilder(Stores::inMemoryKeyValueStore("kv"),
                                                     Serdes::String(), Serdes::String()));
  builder.stream<std::string, std::string>("in")
      .process<std::string, std::string>([] { return std::make_unique<StoreOpsProcessor>(); },
                                         {"kv"})
      .to("out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, std::string>("in");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  input.pipeInput("k", "v", 1);
  // putIfAbsent: "1", "-"; remove: "2", "-"; range a..c: "ac"; reverseAll: "dca"; prefix d: "4".
  EXPECT_EQ(output.readValue(), "1-2-acdca4");
}

// Forwards the record's topic/partition/offset and the application and task.
class MetadataProcessor : public Processor<std::string, std::string, std::string, std::string> {
 public:
  void init(ProcessorContext<std::string, std::string>& context) override {
    context_ = &context;
    init_metadata_present_ = context.recordMetadata().has_value();
  }
  void process(const Record<std::string, std::string>& record) override {
    const auto& md = context_->recordMetadata();
    std::string out =
        md ? md->topic + "/" + std::to_string(md->partition) + "/" + std::to_string(md->offset)
           : "none";
    out += " " + context_->applicationId() + " " + context_->taskId().ToString();
    out += " st=" + std::to_string(context_->currentStreamTimeMs());
    out += " wall=" + std::to_string(context_->currentSystemTimeMs());
    out += init_metadata_present_ ? " init-md" : "";
    context_->forward(record.withValue(out));
  }

 private:
  ProcessorContext<std::string, std::string>* context_ = nullptr;
  bool init_metadata_present_ = false;
};

TEST(ProcessorApiTest, RecordMetadataNamesTopicPartitionOffset) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>(std::vector<std::string>{"in-a", "in-b"})
      .process<std::string, std::string>([] { return std::make_unique<MetadataProcessor>(); })
      .to("out");
  TestDriverConfig config;
  config.application_id = "md-app";
  config.initial_wall_clock_ms = 5000;
  TopologyTestDriver driver(builder.build(), config);
  auto a = driver.createInputTopic<std::string, std::string>("in-a");
  auto b = driver.createInputTopic<std::string, std::string>("in-b");
  auto output = driver.createOutputTopic<std::string, std::string>("out");
  a.pipeInput("k", "v", 10);
  a.pipeInput("k", "v", 20);
  b.pipeInput("k", "v", 15);  // stream time stays 20
  driver.advanceWallClockTime(std::chrono::milliseconds(7));
  a.pipeInput("k", "v", 30);
  EXPECT_EQ(output.readValue(), "in-a/0/0 md-app 0_0 st=10 wall=5000");
  EXPECT_EQ(output.readValue(), "in-a/0/1 md-app 0_0 st=20 wall=5000");
  EXPECT_EQ(output.readValue(), "in-b/0/0 md-app 0_0 st=20 wall=5000");
  EXPECT_EQ(output.readValue(), "in-a/0/2 md-app 0_0 st=30 wall=5007");
}

// Sends even values to child "evens" only and odd ones to every child.
class RoutingProcessor : public Processor<std::string, int64_t, std::string, int64_t> {
 public:
  void init(ProcessorContext<std::string, int64_t>& context) override { context_ = &context; }
  void process(const Record<std::string, int64_t>& record) override {
    if (record.value < 0) {
      context_->forward(record, "no-such-child");
    } else if (record.value % 2 == 0) {
      context_->forward(record, "evens");
    } else {
      context_->forward(record);
    }
  }

 private:
  ProcessorContext<std::string, int64_t>* context_ = nullptr;
};

TEST(ProcessorApiTest, ForwardToANamedChild) {
  StreamsBuilder builder;
  auto routed = builder.stream<std::string, int64_t>("in").process<std::string, int64_t>(
      [] { return std::make_unique<RoutingProcessor>(); }, {}, Named::as("router"));
  auto pass = [](const std::string&, const int64_t&) { return true; };
  routed.filter(pass, Named::as("evens")).to("evens-out");
  routed.filter(pass, Named::as("others")).to("others-out");
  TopologyTestDriver driver(builder.build());
  auto input = driver.createInputTopic<std::string, int64_t>("in");
  auto evens = driver.createOutputTopic<std::string, int64_t>("evens-out");
  auto others = driver.createOutputTopic<std::string, int64_t>("others-out");
  input.pipeInput("a", 2, 1);
  input.pipeInput("b", 3, 2);
  EXPECT_THAT(evens.readKeyValuesToList(), ElementsAre(KL{"a", 2}, KL{"b", 3}));
  EXPECT_THAT(others.readKeyValuesToList(), ElementsAre(KL{"b", 3}));
  // Forwarding to a child that does not exist fails the record.
  try {
    input.pipeInput("c", -1, 3);
    FAIL() << "expected forward to an unknown child to throw";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("no-such-child"));
  }
}

// Schedules a punctuation in init and records each call; forwards a record from each.
class PunctuatingProcessor : public Processor<std::string, std::string, std::string, std::string> {
 public:
  PunctuatingProcessor(PunctuationType type, std::vector<int64_t>* calls,
                       std::vector<bool>* metadata_seen)
      : type_(type), calls_(calls), metadata_seen_(metadata_seen) {}
  void init(ProcessorContext<std::string, std::string>& context) override {
    context.schedule(std::chrono::milliseconds(10), type_, [this, &context](int64_t t) {
      calls_->push_back(t);
      metadata_seen_->push_back(context.recordMetadata().has_value());
      context.forward(Record<std::string, std::string>{"tick", std::to_string(t), t, {}});
    });
  }
  void process(const Record<std::string, std::string>&) override {}

 private:
  PunctuationType type_;
  std::vector<int64_t>* calls_;
  std::vector<bool>* metadata_seen_;
};

Topology PunctuatingTopology(PunctuationType type, std::vector<int64_t>* calls,
                             std::vector<bool>* metadata_seen) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .process<std::string, std::string>(
          [=] { return std::make_unique<PunctuatingProcessor>(type, calls, metadata_seen); })
      .to("ticks");
  return builder.build();
}

TEST(ProcessorApiTest, StreamTimePunctuationFollowsRecordTimestamps) {
  std::vector<int64_t> calls;
  std::vector<bool> metadata_seen;
  TopologyTestDriver driver(
      PunctuatingTopology(PunctuationType::kStreamTime, &calls, &metadata_seen));
  auto input = driver.createInputTopic<std::string, std::string>("in");
  driver.advanceWallClockTime(std::chrono::milliseconds(1000));  // wall clock: irrelevant
  EXPECT_TRUE(calls.empty());
  input.pipeInput("k", "v", 0);   // stream time 0: the schedule (aligned to 0) is due
  input.pipeInput("k", "v", 5);   // next due at 10
  input.pipeInput("k", "v", 12);  // fires; next due at 20
  input.pipeInput("k", "v", 3);   // out of order: stream time stays 12
  input.pipeInput("k", "v", 35);  // fires once for the gap; next due at 40
  input.pipeInput("k", "v", 39);
  input.pipeInput("k", "v", 40);
  EXPECT_THAT(calls, ElementsAre(0, 12, 35, 40));
  EXPECT_THAT(metadata_seen, ElementsAre(false, false, false, false));
  auto ticks = driver.createOutputTopic<std::string, std::string>("ticks");
  Record<std::string, std::string> r = ticks.readRecord();
  EXPECT_EQ(r.value, "0");
  EXPECT_EQ(ticks.readRecord().timestamp, 12);
}

TEST(ProcessorApiTest, WallClockPunctuationFollowsAdvanceWallClockTime) {
  std::vector<int64_t> calls;
  std::vector<bool> metadata_seen;
  TestDriverConfig config;
  config.initial_wall_clock_ms = 1000;
  TopologyTestDriver driver(
      PunctuatingTopology(PunctuationType::kWallClockTime, &calls, &metadata_seen), config);
  auto input = driver.createInputTopic<std::string, std::string>("in");
  input.pipeInput("k", "v", 999999);  // stream time: irrelevant
  EXPECT_TRUE(calls.empty());
  driver.advanceWallClockTime(std::chrono::milliseconds(9));
  EXPECT_TRUE(calls.empty());
  driver.advanceWallClockTime(std::chrono::milliseconds(1));  // 1010: due
  driver.advanceWallClockTime(std::chrono::milliseconds(5));
  driver.advanceWallClockTime(std::chrono::milliseconds(30));  // 1045: once, not a burst
  driver.advanceWallClockTime(std::chrono::milliseconds(5));   // 1050
  EXPECT_THAT(calls, ElementsAre(1010, 1045, 1050));
  auto ticks = driver.createOutputTopic<std::string, std::string>("ticks");
  EXPECT_EQ(ticks.readValue(), "1010");
  EXPECT_EQ(ticks.getQueueSize(), 2u);
}

// Asks for stores it should not get, then reports what happened.
class BadStoreProcessor : public Processor<std::string, std::string, std::string, std::string> {
 public:
  explicit BadStoreProcessor(std::vector<std::string>* errors) : errors_(errors) {}
  void init(ProcessorContext<std::string, std::string>& context) override {
    try {
      context.getStateStore<int64_t, std::string>("kv");  // wrong key type
    } catch (const StreamsException& e) {
      errors_->push_back(e.what());
    }
    try {
      context.getStateStore<std::string, int64_t>("kv");  // wrong value type
    } catch (const StreamsException& e) {
      errors_->push_back(e.what());
    }
    try {
      context.getStateStore<std::string, std::string>("other");  // not connected
    } catch (const StreamsException& e) {
      errors_->push_back(e.what());
    }
  }
  void process(const Record<std::string, std::string>&) override {}

 private:
  std::vector<std::string>* errors_;
};

TEST(ProcessorApiTest, GetStateStoreWithWrongTypesThrows) {
  std::vector<std::string> errors;
  StreamsBuilder builder;
  builder.addStateStore(Stores::keyValueStoreBuilder(Stores::inMemoryKeyValueStore("kv"),
                                                     Serdes::String(), Serdes::String()));
  builder.stream<std::string, std::string>("in").process<std::string, std::string>(
      [&] { return std::make_unique<BadStoreProcessor>(&errors); }, {"kv"});
  TopologyTestDriver driver(builder.build());
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_THAT(errors[0], HasSubstr("<std::string, std::string>"));
  EXPECT_THAT(errors[1], HasSubstr("not the types requested"));
  EXPECT_THAT(errors[2], HasSubstr("not connected"));
  EXPECT_THROW((driver.getKeyValueStore<std::string, int64_t>("kv")), StreamsException);
  EXPECT_THROW((driver.getKeyValueStore<std::string, std::string>("nope")), StreamsException);
}

// Appends to the value a per-key sequence number kept in a store; cannot change the key.
class SequenceProcessor : public FixedKeyProcessor<std::string, std::string, std::string> {
 public:
  void init(FixedKeyProcessorContext<std::string, std::string>& context) override {
    context_ = &context;
  }
  void process(const FixedKeyRecord<std::string, std::string>& record) override {
    auto store = context_->getStateStore<std::string, int64_t>("seq");
    int64_t n = store.get(record.key()).value_or(0) + 1;
    store.put(record.key(), n);
    context_->forward(record.withValue(record.value() + "#" + std::to_string(n)));
  }
  void close() override { ++closed; }
  static inline int closed = 0;

 private:
  FixedKeyProcessorContext<std::string, std::string>* context_ = nullptr;
};

TEST(ProcessorApiTest, ProcessValuesWithStoreKeepsKeyAndNeedsNoRepartition) {
  SequenceProcessor::closed = 0;
  StreamsBuilder builder;
  builder.addStateStore(Stores::keyValueStoreBuilder(Stores::persistentKeyValueStore("seq"),
                                                     Serdes::String(), Serdes::Long())
                            .withLoggingDisabled());
  builder.stream<std::string, std::string>("in")
      .processValues<std::string>([] { return std::make_unique<SequenceProcessor>(); }, {"seq"})
      .groupByKey()
      .count();
  builder.stream<std::string, std::string>("in2")
      .processValues<std::string>([] { return std::make_unique<SequenceProcessor>(); }, {"seq"})
      .to("out");
  Topology topology = builder.build();
  // processValues keeps the key: the count needs no repartition, and both streams share
  // the store, so one sub-topology.
  EXPECT_EQ(topology.subtopologies().size(), 1u);
  {
    TopologyTestDriver driver(std::move(topology));
    auto in2 = driver.createInputTopic<std::string, std::string>("in2");
    auto output = driver.createOutputTopic<std::string, std::string>("out");
    in2.pipeInput("a", "x", 1);
    in2.pipeInput("a", "y", 2);
    EXPECT_THAT(output.readKeyValuesToList(), ElementsAre(KV{"a", "x#1"}, KV{"a", "y#2"}));
    // Logging disabled: no changelog.
    EXPECT_TRUE(driver.OutputQueue("test-app-seq-changelog").empty());
  }
  EXPECT_EQ(SequenceProcessor::closed, 2);  // both nodes' processors closed with the driver
}

TEST(ProcessorApiTest, ProcessOutputRepartitionsBeforeGrouping) {
  StreamsBuilder builder;
  builder.addStateStore(Stores::keyValueStoreBuilder(Stores::inMemoryKeyValueStore("counts"),
                                                     Serdes::String(), Serdes::Long()));
  builder.stream<std::string, std::string>("in")
      .process<std::string, int64_t>([] { return std::make_unique<CountingProcessor>(); },
                                     {"counts"})
      .groupByKey()
      .count();
  // process() may change the key: a grouping after it repartitions.
  EXPECT_EQ(builder.build().subtopologies().size(), 2u);
}

TEST(ProcessorApiTest, BuildFailsForAStoreThatWasNotAdded) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").process<std::string, int64_t>(
      [] { return std::make_unique<CountingProcessor>(); }, {"counts"});
  try {
    builder.build();
    FAIL() << "expected build() to reject an unknown store";
  } catch (const StreamsException& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown store 'counts'"));
  }
}

}  // namespace
}  // namespace rill::streams
