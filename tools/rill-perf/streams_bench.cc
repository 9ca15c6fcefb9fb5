// Rill word count and stateless map versus hand-written librdkafka loops (see streams_bench.h).
#include "streams_bench.h"

#include <dlfcn.h>
#include <fmt/core.h>
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "broker/embedded_cluster.h"
#include "examples/wordcount/word_count_topology.h"
#include "kafka_client.h"
#include "spdlog/spdlog.h"
#include "streams/dsl/streams_builder.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"
#include "streams/runtime/kafka_streams.h"
#include "streams/runtime/topic_admin.h"

namespace rill::perf {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kVocabularySize = 4096;
constexpr int kWordsPerLine = 8;
// How often the driver checks whether a Rill application is done: the resolution of its
// end time, at a cost (one metrics snapshot or one watermark query) the application barely
// notices.
constexpr auto kDonePollInterval = std::chrono::milliseconds(10);

enum class Kind { kWordCount, kMap };
const char* KindName(Kind k) { return k == Kind::kWordCount ? "wordcount" : "map"; }

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// User + system CPU seconds of this whole process (clients, application and, when embedded,
// the broker).
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return tv(u.ru_utime) + tv(u.ru_stime);
}

// The map workload's function, shared by the hand loop and the Rill topology.
std::string UpperCase(const std::string& v) {
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Kafka's LongSerializer bytes, as the word count topology writes its counts.
void BigEndian64(int64_t v, char out[8]) {
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(u >> (56 - 8 * i));
}

int64_t FromBigEndian64(const void* data) {
  const auto* b = static_cast<const unsigned char*>(data);
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | b[i];
  return static_cast<int64_t>(u);
}

// Distinct pronounceable lower-case words of 2-4 syllables, the same for every run.
std::vector<std::string> MakeVocabulary() {
  static constexpr char kOnsets[] = "bcdfghjklmnprstvwz";
  static constexpr char kVowels[] = "aeiou";
  std::mt19937 rng(7);
  absl::flat_hash_set<std::string> seen;
  std::vector<std::string> words;
  while (static_cast<int>(words.size()) < kVocabularySize) {
    std::string w;
    const int syllables = 2 + static_cast<int>(rng() % 3);
    for (int s = 0; s < syllables; ++s) {
      w.push_back(kOnsets[rng() % (sizeof(kOnsets) - 1)]);
      w.push_back(kVowels[rng() % (sizeof(kVowels) - 1)]);
    }
    if (seen.insert(w).second) words.push_back(std::move(w));
  }
  return words;
}

struct Input {
  std::vector<std::string> vocabulary;
  std::vector<int64_t> expected;  // final count of vocabulary[i]
  int64_t lines = 0;
  int64_t words = 0;
  int64_t bytes = 0;
  int partitions = 0;
  // Where this run's lines start in each partition of text-lines (0 on a fresh broker).
  std::vector<int64_t> start_offsets;
};

// Everything the pipelines share: where the broker is and what the input is.
struct Env {
  std::string bootstrap;
  std::string run_id;
  int timeout_ms = 0;
  int64_t commit_interval_ms = 0;
  std::string state_root;  // temp dir holding each Rill application's state.dir
  // -X consumer.<k>=<v> / producer.<k>=<v>: for the hand loops' and the runtime's clients.
  KafkaProps consumer_props;
  KafkaProps producer_props;
  Input input;
};

struct DeliveryCounts {
  int64_t delivered = 0;
  int64_t errors = 0;
  std::string first_error;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* c = static_cast<DeliveryCounts*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (c->errors++ == 0) c->first_error = rd_kafka_err2str(m->err);
  } else {
    ++c->delivered;
  }
}

absl::Status Produce(rd_kafka_t* rk, const std::string& topic, int32_t partition, const char* key,
                     size_t key_len, const char* value, size_t value_len) {
  rd_kafka_resp_err_t err;
  while (
      (err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                               RD_KAFKA_V_KEY(const_cast<char*>(key), key_len),
                               RD_KAFKA_V_VALUE(const_cast<char*>(value), value_len),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
      RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    rd_kafka_poll(rk, 1);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("produce to ", topic, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SumHighWatermarks(rd_kafka_t* rk, const std::string& topic, int partitions,
                                          int timeout_ms) {
  auto highs = HighWatermarks(rk, topic, partitions, timeout_ms);
  if (!highs.ok()) return highs.status();
  int64_t sum = 0;
  for (int64_t h : *highs) sum += h;
  return sum;
}

// Generates the lines (8 words drawn uniformly from the vocabulary, keys "0", "1", ...,
// line i to partition i % partitions) and produces them to text-lines. Not timed.
absl::Status ProduceInput(const Env& env, Input* in, int64_t lines) {
  DeliveryCounts counts;
  ClientSpec spec;
  spec.bootstrap = env.bootstrap;
  spec.settings = {{"acks", "all"}, {"linger.ms", "20"}};
  spec.customize = [&counts](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, &counts);
  };
  auto producer = NewClient(spec);
  if (!producer.ok()) return producer.status();
  rd_kafka_t* rk = producer->get();
  auto partitions = WaitForTopic(rk, examples::kTextLinesTopic, env.timeout_ms);
  if (!partitions.ok()) return partitions.status();
  in->partitions = *partitions;
  auto starts = HighWatermarks(rk, examples::kTextLinesTopic, in->partitions, env.timeout_ms);
  if (!starts.ok()) return starts.status();
  in->start_offsets = *starts;

  in->vocabulary = MakeVocabulary();
  in->expected.assign(in->vocabulary.size(), 0);
  std::mt19937_64 rng(42);
  std::string line;
  for (int64_t i = 0; i < lines; ++i) {
    line.clear();
    for (int w = 0; w < kWordsPerLine; ++w) {
      const size_t index = rng() % in->vocabulary.size();
      if (w > 0) line.push_back(' ');
      line += in->vocabulary[index];
      ++in->expected[index];
    }
    const std::string key = std::to_string(i);
    if (auto s = Produce(rk, examples::kTextLinesTopic, static_cast<int32_t>(i % in->partitions),
                         key.data(), key.size(), line.data(), line.size());
        !s.ok()) {
      return s;
    }
    in->bytes += static_cast<int64_t>(line.size());
    rd_kafka_poll(rk, 0);
  }
  in->lines = lines;
  in->words = lines * kWordsPerLine;
  if (rd_kafka_flush(rk, env.timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError("producing the input: not acknowledged in time");
  }
  if (counts.errors > 0) {
    return absl::InternalError(absl::StrCat("producing the input: ", counts.errors,
                                            " delivery errors, first: ", counts.first_error));
  }
  return absl::OkStatus();
}

// The librdkafka settings of the Rill runtime's clients (streams/runtime/stream_thread.cc),
// so the hand loop differs from the framework only in what it does between them.
KafkaProps ConsumerSettings(const std::string& group) {
  return {{"group.id", group},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
          {"enable.partition.eof", "false"},
          {"fetch.wait.max.ms", "100"}};
}
KafkaProps ProducerSettings() {
  return {{"acks", "all"},
          {"enable.idempotence", "true"},
          {"linger.ms", "20"},
          {"partitioner", "murmur2_random"}};
}

rd_kafka_topic_partition_list_t* InputPartitions(const Input& in) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(in.partitions);
  for (int p = 0; p < in.partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, examples::kTextLinesTopic, p)->offset =
        in.start_offsets[p] > 0 ? in.start_offsets[p] : RD_KAFKA_OFFSET_BEGINNING;
  }
  return list;
}

struct RunResult {
  Kind kind = Kind::kWordCount;
  std::string label;   // "hand" or "rill"
  double seconds = 0;  // from the start to all input consumed and all outputs acknowledged
  double cpu_seconds = 0;
  int64_t outputs = 0;  // records written to the output topic
  // Until the first input record was consumed (hand) or processed (rill; seen by polling
  // the metrics every 10 ms): what starting the clients and the runtime cost.
  double first_record_seconds = -1;
  // Rill only: phases and internal traffic.
  double startup_seconds = -1;    // start() until state RUNNING
  double processed_seconds = -1;  // until every record was processed (wordcount) or
                                  // every output was acknowledged (map)
  double final_commit_seconds = -1;
  double close_seconds = -1;  // close() (wordcount: part of `seconds`; map: after it)
  int64_t changelog_records = -1;
  int64_t repartition_records = -1;
};

// The "no framework" limit: one consumer, one producer, a hash map, no commits.
absl::StatusOr<RunResult> RunHand(const Env& env, Kind kind, const std::string& output_topic) {
  const Input& in = env.input;
  RunResult r;
  r.kind = kind;
  r.label = "hand";
  DeliveryCounts delivery;
  const double cpu0 = ProcessCpuSeconds();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(env.timeout_ms);

  ClientSpec cs;
  cs.type = RD_KAFKA_CONSUMER;
  cs.bootstrap = env.bootstrap;
  cs.settings = ConsumerSettings(absl::StrCat("rill-perf-hand-", KindName(kind), "-", env.run_id));
  cs.user_props = env.consumer_props;
  auto consumer = NewClient(cs);
  if (!consumer.ok()) return consumer.status();
  rd_kafka_t* c = consumer->get();
  rd_kafka_poll_set_consumer(c);
  ClientSpec ps;
  ps.bootstrap = env.bootstrap;
  ps.settings = ProducerSettings();
  ps.user_props = env.producer_props;
  ps.customize = [&delivery](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, &delivery);
  };
  auto producer = NewClient(ps);
  if (!producer.ok()) return producer.status();
  rd_kafka_t* p = producer->get();

  // Metadata for both topics first, as a careful hand-written loop would: without known
  // leaders librdkafka starts fetching and producing on a 500 ms retry timer.
  TopicPtr in_topic(rd_kafka_topic_new(c, examples::kTextLinesTopic, nullptr));
  if (auto s = WarmUpTopic(c, in_topic.get(), env.timeout_ms); !s.ok()) return s;
  TopicPtr out_topic(rd_kafka_topic_new(p, output_topic.c_str(), nullptr));
  if (auto s = WarmUpTopic(p, out_topic.get(), env.timeout_ms); !s.ok()) return s;
  rd_kafka_topic_partition_list_t* assignment = InputPartitions(in);
  rd_kafka_resp_err_t err = rd_kafka_assign(c, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("assign: ", rd_kafka_err2str(err)));
  }

  absl::flat_hash_map<std::string, int64_t> counts;
  char count_bytes[8];
  int64_t lines = 0;
  while (lines < in.lines) {
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("hand ", KindName(kind), ": consumed ", lines, " of ", in.lines, " lines"));
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
    if (m == nullptr) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fmt::print(stderr, "rill-perf: hand consumer: {}\n", rd_kafka_message_errstr(m));
      rd_kafka_message_destroy(m);
      continue;
    }
    ++lines;
    if (lines == 1) r.first_record_seconds = Seconds(start, Clock::now());
    const std::string line(static_cast<const char*>(m->payload), m->len);
    absl::Status s;
    if (kind == Kind::kWordCount) {
      for (std::string& word : examples::SplitWords(line)) {
        auto [it, inserted] = counts.try_emplace(std::move(word), 0);
        BigEndian64(++it->second, count_bytes);
        s = Produce(p, output_topic, RD_KAFKA_PARTITION_UA, it->first.data(), it->first.size(),
                    count_bytes, sizeof(count_bytes));
        if (!s.ok()) break;
        ++r.outputs;
      }
    } else {
      const std::string upper = UpperCase(line);
      s = Produce(p, output_topic, RD_KAFKA_PARTITION_UA, static_cast<const char*>(m->key),
                  m->key_len, upper.data(), upper.size());
      ++r.outputs;
    }
    rd_kafka_message_destroy(m);
    if (!s.ok()) return s;
    rd_kafka_poll(p, 0);  // delivery reports
  }
  const int remaining_ms = static_cast<int>(std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()));
  if (rd_kafka_flush(p, remaining_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError(absl::StrCat("hand ", KindName(kind), ": flush timed out"));
  }
  r.seconds = Seconds(start, Clock::now());
  r.cpu_seconds = ProcessCpuSeconds() - cpu0;
  rd_kafka_consumer_close(c);
  if (delivery.errors > 0 || delivery.delivered != r.outputs) {
    return absl::InternalError(absl::StrCat(
        "hand ", KindName(kind), ": ", delivery.delivered, " of ", r.outputs,
        " outputs acknowledged, ", delivery.errors, " errors (first: ", delivery.first_error, ")"));
  }
  if (kind == Kind::kWordCount) {
    for (size_t i = 0; i < in.vocabulary.size(); ++i) {
      auto it = counts.find(in.vocabulary[i]);
      const int64_t got = it == counts.end() ? 0 : it->second;
      if (got != in.expected[i]) {
        return absl::InternalError(absl::StrCat("hand wordcount: '", in.vocabulary[i], "' counted ",
                                                got, ", expected ", in.expected[i]));
      }
    }
  }
  return r;
}

// Sum of every series of one metric in a Prometheus text snapshot.
double SumMetric(const std::string& text, const std::string& name) {
  double sum = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (text.compare(pos, name.size(), name) == 0 && pos + name.size() < end &&
        (text[pos + name.size()] == '{' || text[pos + name.size()] == ' ')) {
      const size_t space = text.rfind(' ', end - 1);
      if (space != std::string::npos && space > pos) {
        sum += std::strtod(text.c_str() + space + 1, nullptr);
      }
    }
    pos = end + 1;
  }
  return sum;
}

// Under an existing text-lines that already held data, a fresh application must not start
// at offset 0: commit this run's start offsets for its group (an empty group takes a
// group-less commit) so the runtime's committed-offset lookup starts there.
absl::Status CommitStartOffsets(const Env& env, const std::string& group) {
  const Input& in = env.input;
  if (std::all_of(in.start_offsets.begin(), in.start_offsets.end(),
                  [](int64_t o) { return o == 0; })) {
    return absl::OkStatus();
  }
  ClientSpec cs;
  cs.type = RD_KAFKA_CONSUMER;
  cs.bootstrap = env.bootstrap;
  cs.settings = ConsumerSettings(group);
  auto consumer = NewClient(cs);
  if (!consumer.ok()) return consumer.status();
  rd_kafka_topic_partition_list_t* list = InputPartitions(in);
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = in.start_offsets[i];
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer->get(), list, /*async=*/0);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_consumer_close(consumer->get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(
        absl::StrCat("committing start offsets for ", group, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

// Reads `topic` from `from` to its end and returns the last value per key (8-byte counts).
absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> LastCounts(
    const Env& env, const std::string& topic, int partitions, const std::vector<int64_t>& from) {
  ClientSpec cs;
  cs.type = RD_KAFKA_CONSUMER;
  cs.bootstrap = env.bootstrap;
  cs.settings = ConsumerSettings(absl::StrCat("rill-perf-verify-", env.run_id));
  auto consumer = NewClient(cs);
  if (!consumer.ok()) return consumer.status();
  rd_kafka_t* c = consumer->get();
  rd_kafka_poll_set_consumer(c);
  auto ends = HighWatermarks(c, topic, partitions, env.timeout_ms);
  if (!ends.ok()) return ends.status();
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  int64_t missing = 0;
  for (int p = 0; p < partitions; ++p) {
    if (from[p] >= (*ends)[p]) continue;
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = from[p];
    missing += (*ends)[p] - from[p];
  }
  rd_kafka_assign(c, list);
  rd_kafka_topic_partition_list_destroy(list);
  absl::flat_hash_map<std::string, int64_t> last;
  const auto deadline = Clock::now() + std::chrono::milliseconds(env.timeout_ms);
  while (missing > 0 && Clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset < (*ends)[m->partition]) {
      --missing;
      if (m->key != nullptr && m->payload != nullptr && m->len == 8) {
        last[std::string(static_cast<const char*>(m->key), m->key_len)] =
            FromBigEndian64(m->payload);
      }
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(c);
  if (missing > 0) return absl::DeadlineExceededError(absl::StrCat("reading ", topic, " back"));
  return last;
}

streams::Topology BuildMapTopology(const std::string& output_topic) {
  streams::StreamsBuilder builder;
  builder.stream<std::string, std::string>(examples::kTextLinesTopic)
      .mapValues([](const std::string& v) { return UpperCase(v); })
      .to(output_topic);
  return builder.build();
}

// The framework: a KafkaStreams instance with one stream thread and at-least-once.
absl::StatusOr<RunResult> RunRill(const Env& env, Kind kind, const std::string& output_topic) {
  const Input& in = env.input;
  RunResult r;
  r.kind = kind;
  r.label = "rill";
  streams::StreamsConfig config;
  config.application_id = absl::StrCat("rill-perf-", KindName(kind), "-", env.run_id);
  config.bootstrap_servers = env.bootstrap;
  config.state_dir = absl::StrCat(env.state_root, "/", KindName(kind));
  config.commit_interval_ms = env.commit_interval_ms;
  config.application_server = "";
  for (const auto& [k, v] : env.consumer_props) config.consumer_overrides[k] = v;
  for (const auto& [k, v] : env.producer_props) config.producer_overrides[k] = v;
  if (auto s = CommitStartOffsets(env, config.application_id); !s.ok()) return s;

  // A client for watermark queries, connected before the clock starts.
  ClientSpec admin_spec;
  admin_spec.bootstrap = env.bootstrap;
  auto admin = NewClient(admin_spec);
  if (!admin.ok()) return admin.status();
  auto out_partitions = WaitForTopic(admin->get(), output_topic, env.timeout_ms);
  if (!out_partitions.ok()) return out_partitions.status();
  auto out_start = HighWatermarks(admin->get(), output_topic, *out_partitions, env.timeout_ms);
  if (!out_start.ok()) return out_start.status();
  int64_t out_start_sum = 0;
  for (int64_t o : *out_start) out_start_sum += o;

  streams::Topology topology = kind == Kind::kWordCount ? examples::BuildWordCountTopology()
                                                        : BuildMapTopology(output_topic);
  std::vector<std::string> repartition_topics;
  std::vector<std::string> changelog_topics;
  for (const auto& t : topology.internal_topics()) {
    (t.kind == streams::internal::InternalTopic::Kind::kRepartition ? repartition_topics
                                                                    : changelog_topics)
        .push_back(absl::StrCat(config.application_id, "-", t.name));
  }
  // Every input line is processed once by the first sub-topology; for the word count every
  // word once more, read back from the repartition topic.
  const double expected_processed =
      static_cast<double>(in.lines + (kind == Kind::kWordCount ? in.words : 0));

  streams::KafkaStreams app(std::move(topology), config);
  const double cpu0 = ProcessCpuSeconds();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(env.timeout_ms);
  if (auto s = app.start(); !s.ok()) return s;
  auto failed = [&app](const std::string& what) -> absl::Status {
    app.close();
    return absl::InternalError(what);
  };
  using State = streams::KafkaStreams::State;
  bool running = false;
  for (;;) {
    const State state = app.state();
    if (state == State::kError || state == State::kNotRunning) {
      return failed(absl::StrCat("rill ", KindName(kind), ": application in state ",
                                 streams::KafkaStreams::StateName(state)));
    }
    if (!running && state == State::kRunning) {
      running = true;
      r.startup_seconds = Seconds(start, Clock::now());
    }
    if (Clock::now() > deadline) {
      return failed(absl::StrCat("rill ", KindName(kind), ": not done within the timeout"));
    }
    if (running) {
      const std::string metrics = app.metrics().Serialize();
      const double processed = SumMetric(metrics, "rill_stream_records_processed_total");
      const double dropped = SumMetric(metrics, "rill_stream_dropped_records_total");
      if (dropped > 0) {
        return failed(absl::StrCat("rill ", KindName(kind), ": ", dropped, " records dropped"));
      }
      if (processed > 0 && r.first_record_seconds < 0) {
        r.first_record_seconds = Seconds(start, Clock::now());
      }
      if (kind == Kind::kWordCount) {
        if (processed >= expected_processed) break;
      } else {
        auto sum = SumHighWatermarks(admin->get(), output_topic, *out_partitions, env.timeout_ms);
        if (!sum.ok()) return failed(std::string(sum.status().message()));
        if (*sum - out_start_sum >= in.lines) break;
      }
    }
    std::this_thread::sleep_for(kDonePollInterval);
  }
  r.processed_seconds = Seconds(start, Clock::now());
  const double cpu_processed = ProcessCpuSeconds();
  if (kind == Kind::kWordCount) {
    // A few counts straight from the store (through its cache) before the final commit.
    for (size_t i = 0; i < in.vocabulary.size(); i += in.vocabulary.size() / 16) {
      auto v = app.queries().Get(examples::kCountsStore, in.vocabulary[i]);
      if (!v.ok() || !v->has_value() || !(*v)->is_number_integer() ||
          (*v)->get<int64_t>() != in.expected[i]) {
        return failed(absl::StrCat("rill wordcount: store count of '", in.vocabulary[i], "' is ",
                                   v.ok() && v->has_value() ? (*v)->dump() : "missing",
                                   ", expected ", in.expected[i]));
      }
    }
  }
  // The final commit: flush the caches into RocksDB, the changelog and the output topic,
  // wait for the producer's acknowledgements, commit the input offsets.
  const std::string before_close = app.metrics().Serialize();
  const auto close_start = Clock::now();
  if (!app.close()) return absl::DeadlineExceededError("rill: close() timed out");
  const auto closed = Clock::now();
  const double cpu1 = ProcessCpuSeconds();
  r.close_seconds = Seconds(close_start, closed);
  const std::string after_close = app.metrics().Serialize();
  r.final_commit_seconds = SumMetric(after_close, "rill_stream_commit_latency_seconds_sum") -
                           SumMetric(before_close, "rill_stream_commit_latency_seconds_sum");
  // The word count's outputs exist only after the final commit, which close() makes; the
  // map's are all acknowledged before it.
  if (kind == Kind::kWordCount) {
    r.seconds = Seconds(start, closed);
    r.cpu_seconds = cpu1 - cpu0;
  } else {
    r.seconds = r.processed_seconds;
    r.cpu_seconds = cpu_processed - cpu0;
  }

  auto out_end = SumHighWatermarks(admin->get(), output_topic, *out_partitions, env.timeout_ms);
  if (!out_end.ok()) return out_end.status();
  r.outputs = *out_end - out_start_sum;
  auto sum_topics = [&](const std::vector<std::string>& topics) -> absl::StatusOr<int64_t> {
    int64_t total = 0;
    for (const std::string& t : topics) {
      auto n = WaitForTopic(admin->get(), t, env.timeout_ms);
      if (!n.ok()) return n.status();
      auto s = SumHighWatermarks(admin->get(), t, *n, env.timeout_ms);
      if (!s.ok()) return s.status();
      total += *s;
    }
    return total;
  };
  auto changelog = sum_topics(changelog_topics);
  if (!changelog.ok()) return changelog.status();
  r.changelog_records = *changelog;
  auto repartition = sum_topics(repartition_topics);
  if (!repartition.ok()) return repartition.status();
  r.repartition_records = *repartition;

  if (kind == Kind::kWordCount) {
    // Every word's last count in the output topic is its final count: the outputs the
    // clock waited for are complete, not just acknowledged.
    auto last = LastCounts(env, output_topic, *out_partitions, *out_start);
    if (!last.ok()) return last.status();
    for (size_t i = 0; i < in.vocabulary.size(); ++i) {
      auto it = last->find(in.vocabulary[i]);
      const int64_t got = it == last->end() ? 0 : it->second;
      if (got != in.expected[i]) {
        return absl::InternalError(absl::StrCat("rill wordcount: last output for '",
                                                in.vocabulary[i], "' is ", got, ", expected ",
                                                in.expected[i]));
      }
    }
  } else if (r.outputs != in.lines) {
    return absl::InternalError(
        absl::StrCat("rill map: ", r.outputs, " outputs for ", in.lines, " input lines"));
  }
  return r;
}

void PrintRun(const Env& env, const RunResult& r) {
  const Input& in = env.input;
  const double lines_per_sec = in.lines / r.seconds;
  const double words_per_sec = in.words / r.seconds;
  const bool count = r.kind == Kind::kWordCount;
  const char* kind = KindName(r.kind);
  fmt::print(
      "[{} {}] {} lines in {:.3f} s: {:.0f} lines/s{}; {} output records; first input "
      "record after {:.3f} s; {:.2f} CPU s (whole process)\n",
      r.label, kind, in.lines, r.seconds, lines_per_sec,
      count ? fmt::format(", {:.0f} words/s", words_per_sec) : "", r.outputs,
      r.first_record_seconds, r.cpu_seconds);
  if (r.label == "rill") {
    fmt::print(
        "[rill {}] RUNNING after {:.3f} s; {} {:.3f} s; close() took {:.3f} s, its commit "
        "{:.3f} s; {} changelog records, {} repartition records\n",
        kind, r.startup_seconds,
        count ? "every record processed after" : "every output acknowledged after",
        r.processed_seconds, r.close_seconds, r.final_commit_seconds, r.changelog_records,
        r.repartition_records);
  }
  fmt::print(
      "result target={} mode=streams workload={} lines={} words={} seconds={:.3f} "
      "lines_per_sec={:.0f} words_per_sec={:.0f} output_records={} first_record_seconds={:.3f} "
      "cpu_seconds={:.2f}",
      r.label, kind, in.lines, count ? in.words : 0, r.seconds, lines_per_sec,
      count ? words_per_sec : 0, r.outputs, r.first_record_seconds, r.cpu_seconds);
  if (r.label == "rill") {
    fmt::print(
        " startup_seconds={:.3f} processed_seconds={:.3f} close_seconds={:.3f} "
        "final_commit_seconds={:.3f} changelog_records={} repartition_records={} "
        "commit_interval_ms={}",
        r.startup_seconds, r.processed_seconds, r.close_seconds, r.final_commit_seconds,
        r.changelog_records, r.repartition_records, env.commit_interval_ms);
  }
  fmt::print("\n");
  std::fflush(stdout);
}

void PrintRatio(const RunResult& rill, const RunResult& hand) {
  const double ratio = hand.seconds / rill.seconds;  // throughput ratio rill / hand
  const double cpu_ratio = rill.cpu_seconds / hand.cpu_seconds;
  fmt::print("[ratio {}] rill / hand throughput = {:.3f}{}; CPU seconds rill / hand = {:.2f}\n",
             KindName(rill.kind), ratio,
             rill.kind == Kind::kWordCount
                 ? (ratio >= 0.7 ? " (target >= 0.7: met)" : " (target >= 0.7: not met)")
                 : "",
             cpu_ratio);
  fmt::print(
      "result target=ratio mode=streams workload={} lines_per_sec={:.3f} cpu_seconds={:.3f}\n",
      KindName(rill.kind), ratio, cpu_ratio);
  std::fflush(stdout);
}

// Each pipeline's writes reach the disk before the next one starts, so none is throttled
// by the write-back of the one before (docs/PERFORMANCE.md, "Disk write-back").
void SyncDisks() { ::sync(); }

}  // namespace

int RunStreamsBench(const std::string& bootstrap_arg, const Workload& w, const StreamsWorkload& s) {
  // The runtime's and the broker's info logs (joins, task counts) would bury the results.
  spdlog::set_level(spdlog::level::warn);
  Env env;
  env.timeout_ms = w.timeout_ms;
  env.commit_interval_ms = s.commit_interval_ms;
  for (const auto& [k, v] : w.user_props) {
    // options.cc lets only consumer.* and producer.* through.
    (k.rfind("consumer.", 0) == 0 ? env.consumer_props : env.producer_props)
        .emplace_back(k.substr(k.find('.') + 1), v);
  }
  env.run_id = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  std::unique_ptr<broker::EmbeddedCluster> cluster;
  env.bootstrap = bootstrap_arg;
  if (env.bootstrap.empty()) {
    broker::EmbeddedClusterOptions options;
    // The first join of the application's group would otherwise wait Kafka's 3 s.
    options.node_template.group.initial_rebalance_delay_ms = 0;
    cluster = std::make_unique<broker::EmbeddedCluster>(options);
    if (absl::Status st = cluster->Start(); !st.ok()) {
      fmt::print(stderr, "rill-perf: starting the embedded broker: {}\n", st.ToString());
      return 1;
    }
    env.bootstrap = cluster->bootstrap_servers();
    fmt::print(
        "[streams] Rill broker embedded in this process on {} (data in {}): broker, clients "
        "and applications share this machine's {} core(s)\n",
        env.bootstrap, cluster->data_dir(), std::thread::hardware_concurrency());
  } else {
    fmt::print("[streams] broker at {}\n", env.bootstrap);
  }
  char state_template[] = "/tmp/rill-perf-streams.XXXXXX";
  if (mkdtemp(state_template) == nullptr) {
    fmt::print(stderr, "rill-perf: cannot create a temp state dir\n");
    return 1;
  }
  env.state_root = state_template;
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } remove_state{env.state_root};

  const std::string hand_counts = absl::StrCat("rill-perf-hand-word-counts-", env.run_id);
  const std::string hand_upper = absl::StrCat("rill-perf-hand-upper-", env.run_id);
  const std::string rill_upper = absl::StrCat("rill-perf-upper-", env.run_id);
  const int p = w.partitions;
  if (absl::Status st =
          streams::CreateTopicsIfMissing(env.bootstrap,
                                         {{examples::kTextLinesTopic, p, w.replication_factor},
                                          {examples::kWordCountsTopic, p, w.replication_factor},
                                          {hand_counts, p, w.replication_factor},
                                          {hand_upper, p, w.replication_factor},
                                          {rill_upper, p, w.replication_factor}},
                                         w.timeout_ms);
      !st.ok()) {
    fmt::print(stderr, "rill-perf: creating topics: {}\n", st.ToString());
    return 1;
  }
  const auto produce_start = Clock::now();
  if (absl::Status st = ProduceInput(env, &env.input, s.lines); !st.ok()) {
    fmt::print(stderr, "rill-perf: {}\n", st.ToString());
    return 1;
  }
  const Input& in = env.input;
  fmt::print(
      "[streams] input: {} lines, {} words ({}-word vocabulary drawn uniformly, {} words per "
      "line), {:.1f} MB, {} partitions of {}; produced in {:.2f} s (not timed)\n",
      in.lines, in.words, in.vocabulary.size(), kWordsPerLine, in.bytes / 1e6, in.partitions,
      examples::kTextLinesTopic, Seconds(produce_start, Clock::now()));
  fmt::print(
      "[streams] clients: acks=all, enable.idempotence=true, linger.ms=20, "
      "partitioner=murmur2_random; consumer fetch.wait.max.ms=100 (the Rill runtime's settings, "
      "used by the hand loops too); Rill: 1 stream thread, at_least_once, "
      "commit.interval.ms={}, statestore.cache.max.bytes=10 MiB\n",
      env.commit_interval_ms);
  // jemalloc exports mallctl; glibc's malloc does not. Both pipelines share the process's.
  fmt::print("[streams] allocator (both pipelines): {}\n",
             dlsym(RTLD_DEFAULT, "mallctl") != nullptr ? "jemalloc" : "glibc malloc");
  for (const auto& [k, v] : env.consumer_props) {
    fmt::print("[streams] every consumer (hand and Rill): {}={}\n", k, v);
  }
  for (const auto& [k, v] : env.producer_props) {
    fmt::print("[streams] every producer (hand and Rill): {}={}\n", k, v);
  }
  std::fflush(stdout);

  struct Pipeline {
    Kind kind;
    bool rill;
    std::string output;
  };
  const Pipeline pipelines[] = {{Kind::kWordCount, false, hand_counts},
                                {Kind::kWordCount, true, examples::kWordCountsTopic},
                                {Kind::kMap, false, hand_upper},
                                {Kind::kMap, true, rill_upper}};
  std::map<std::pair<int, bool>, RunResult> results;
  bool ok = true;
  for (const Pipeline& pl : pipelines) {
    SyncDisks();
    auto r = pl.rill ? RunRill(env, pl.kind, pl.output) : RunHand(env, pl.kind, pl.output);
    if (!r.ok()) {
      fmt::print(stderr, "rill-perf: [{} {}] {}\n", pl.rill ? "rill" : "hand", KindName(pl.kind),
                 r.status().ToString());
      ok = false;
      continue;
    }
    PrintRun(env, *r);
    results[{static_cast<int>(pl.kind), pl.rill}] = *r;
    auto hand = results.find({static_cast<int>(pl.kind), false});
    if (pl.rill && hand != results.end()) PrintRatio(*r, hand->second);
  }
  return ok ? 0 : 1;
}

}  // namespace rill::perf
