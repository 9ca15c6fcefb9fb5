// Rill word count and stateless map versus hand-written librdkafka loops (see streams_bench.h).
#include "streams_bench.h"

#include <fmt/core.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "examples/wordcount/word_count_topology.h"
#include "kafka_client.h"
#include "streams/dsl/streams_builder.h"
#include "streams/query/query_source.h"
#include "streams/query/streams_metrics.h"
#include "streams/runtime/kafka_streams.h"
#include "streams_bench_common.h"

namespace rill::perf {
namespace {

constexpr int kVocabularySize = 4096;
constexpr int kWordsPerLine = 8;

enum class Kind { kWordCount, kMap };
const char* KindName(Kind k) { return k == Kind::kWordCount ? "wordcount" : "map"; }

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
struct Env : BenchEnv {
  Input input;
};

// Generates the lines (8 words drawn uniformly from the vocabulary, keys "0", "1", ...,
// line i to partition i % partitions) and produces them to text-lines. Not timed.
absl::Status ProduceInput(const Env& env, Input* in, int64_t lines) {
  DeliveryCounts counts;
  auto producer = NewInputProducer(env, &counts);
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
  return FlushInput(rk, counts, env.timeout_ms);
}

// The librdkafka producer settings of the Rill runtime's clients, as ConsumerSettings.
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

// Under an existing text-lines that already held data, a fresh application must not start
// at offset 0: commit this run's start offsets for its group (an empty group takes a
// group-less commit) so the runtime's committed-offset lookup starts there.
absl::Status CommitStartOffsets(const Env& env, const std::string& group) {
  const Input& in = env.input;
  if (std::all_of(in.start_offsets.begin(), in.start_offsets.end(),
                  [](int64_t o) { return o == 0; })) {
    return absl::OkStatus();
  }
  return CommitOffsets(env, group, examples::kTextLinesTopic, in.start_offsets);
}

// Reads `topic` from `from` to its end and returns the last value per key (8-byte counts).
absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> LastCounts(
    const Env& env, const std::string& topic, int partitions, const std::vector<int64_t>& from) {
  absl::flat_hash_map<std::string, int64_t> last;
  auto s =
      ReadBack(env, topic, partitions, from, [&last](std::string_view key, std::string_view value) {
        if (key.data() != nullptr && value.data() != nullptr && value.size() == 8) {
          last[std::string(key)] = FromBigEndian64(value);
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
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
  const streams::StreamsConfig config =
      AppConfig(env, absl::StrCat("rill-perf-", KindName(kind), "-", env.run_id), KindName(kind));
  if (auto s = CommitStartOffsets(env, config.application_id); !s.ok()) return s;

  auto out = WatchOutput(env, output_topic);
  if (!out.ok()) return out.status();

  streams::Topology topology = kind == Kind::kWordCount ? examples::BuildWordCountTopology()
                                                        : BuildMapTopology(output_topic);
  const InternalTopicNames internal = InternalTopicsOf(topology, config.application_id);
  // Every input line is processed once by the first sub-topology; for the word count every
  // word once more, read back from the repartition topic.
  const double expected_processed =
      static_cast<double>(in.lines + (kind == Kind::kWordCount ? in.words : 0));

  streams::KafkaStreams app(std::move(topology), config);
  auto done = [&](double processed) -> absl::StatusOr<bool> {
    if (kind == Kind::kWordCount) return processed >= expected_processed;
    auto written = out->Written();
    if (!written.ok()) return written.status();
    return *written >= in.lines;
  };
  auto run = RunUntilDone(app, absl::StrCat("rill ", KindName(kind)), env.timeout_ms, done,
                          [] { return std::string("not done within the timeout"); });
  if (!run.ok()) return run.status();
  r.startup_seconds = run->startup_seconds;
  r.first_record_seconds = run->first_record_seconds;
  r.processed_seconds = run->done_seconds;
  if (kind == Kind::kWordCount) {
    // A few counts straight from the store (through its cache) before the final commit.
    for (size_t i = 0; i < in.vocabulary.size(); i += in.vocabulary.size() / 16) {
      auto v = app.queries().Get(examples::kCountsStore, in.vocabulary[i]);
      if (!v.ok() || !v->has_value() || !(*v)->is_number_integer() ||
          (*v)->get<int64_t>() != in.expected[i]) {
        app.close();
        return absl::InternalError(absl::StrCat(
            "rill wordcount: store count of '", in.vocabulary[i], "' is ",
            v.ok() && v->has_value() ? (*v)->dump() : "missing", ", expected ", in.expected[i]));
      }
    }
  }
  // The final commit: flush the caches into RocksDB, the changelog and the output topic,
  // wait for the producer's acknowledgements, commit the input offsets.
  const std::string before_close = app.metrics().Serialize();
  auto closed = CloseTimed(app, *run, "rill: close() timed out");
  if (!closed.ok()) return closed.status();
  r.close_seconds = closed->close_seconds;
  const std::string after_close = app.metrics().Serialize();
  r.final_commit_seconds = SumMetric(after_close, "rill_stream_commit_latency_seconds_sum") -
                           SumMetric(before_close, "rill_stream_commit_latency_seconds_sum");
  // The word count's outputs exist only after the final commit, which close() makes; the
  // map's are all acknowledged before it.
  if (kind == Kind::kWordCount) {
    r.seconds = closed->closed_seconds;
    r.cpu_seconds = closed->closed_cpu_seconds;
  } else {
    r.seconds = r.processed_seconds;
    r.cpu_seconds = run->done_cpu_seconds;
  }

  auto written = out->Written();
  if (!written.ok()) return written.status();
  r.outputs = *written;
  auto changelog = SumTopicRecords(out->admin.get(), internal.changelog, env.timeout_ms);
  if (!changelog.ok()) return changelog.status();
  r.changelog_records = *changelog;
  auto repartition = SumTopicRecords(out->admin.get(), internal.repartition, env.timeout_ms);
  if (!repartition.ok()) return repartition.status();
  r.repartition_records = *repartition;

  if (kind == Kind::kWordCount) {
    // Every word's last count in the output topic is its final count: the outputs the
    // clock waited for are complete, not just acknowledged.
    auto last = LastCounts(env, output_topic, out->partitions, out->start);
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

}  // namespace

int RunStreamsBench(const std::string& bootstrap_arg, const Workload& w, const StreamsWorkload& s) {
  Env env;
  BenchResources resources;
  if (!StartBench(bootstrap_arg, w, s.commit_interval_ms, "[streams]", "rill-perf-streams", &env,
                  &resources)) {
    return 1;
  }

  const std::string hand_counts = absl::StrCat("rill-perf-hand-word-counts-", env.run_id);
  const std::string hand_upper = absl::StrCat("rill-perf-hand-upper-", env.run_id);
  const std::string rill_upper = absl::StrCat("rill-perf-upper-", env.run_id);
  const int p = w.partitions;
  if (!CreateBenchTopics(env, {{examples::kTextLinesTopic, p, w.replication_factor},
                               {examples::kWordCountsTopic, p, w.replication_factor},
                               {hand_counts, p, w.replication_factor},
                               {hand_upper, p, w.replication_factor},
                               {rill_upper, p, w.replication_factor}})) {
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
  // Both pipelines share the process's allocator.
  fmt::print("[streams] allocator (both pipelines): {}\n", AllocatorName());
  PrintClientOverrides(env, "[streams]", " (hand and Rill)");
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
