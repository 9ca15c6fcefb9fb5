// The pieces both Rill streams benches run on (see streams_bench_common.h).
#include "streams_bench_common.h"

#include <dlfcn.h>
#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"
#include "streams/query/streams_metrics.h"

namespace rill::perf {

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return tv(u.ru_utime) + tv(u.ru_stime);
}

std::string UpperCase(const std::string& v) {
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void BigEndian64(int64_t v, char out[8]) {
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(u >> (56 - 8 * i));
}

void AppendBigEndian64(int64_t v, std::string& out) {
  char bytes[8];
  BigEndian64(v, bytes);
  out.append(bytes, sizeof(bytes));
}

int64_t FromBigEndian64(std::string_view b) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(b[i]);
  return static_cast<int64_t>(u);
}

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

const char* AllocatorName() {
  return dlsym(RTLD_DEFAULT, "mallctl") != nullptr ? "jemalloc" : "glibc malloc";
}

void SyncDisks() { ::sync(); }

BenchResources::~BenchResources() {
  if (state_dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(state_dir, ec);
}

bool StartBench(const std::string& bootstrap, const Workload& w, int64_t commit_interval_ms,
                const std::string& tag, const std::string& state_dir_prefix, BenchEnv* env,
                BenchResources* resources) {
  // The runtime's and the broker's info logs (joins, task counts) would bury the results.
  spdlog::set_level(spdlog::level::warn);
  env->timeout_ms = w.timeout_ms;
  env->commit_interval_ms = commit_interval_ms;
  for (const auto& [k, v] : w.user_props) {
    // options.cc lets only consumer.* and producer.* through.
    (k.rfind("consumer.", 0) == 0 ? env->consumer_props : env->producer_props)
        .emplace_back(k.substr(k.find('.') + 1), v);
  }
  env->start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  env->run_id = std::to_string(env->start_ms);
  env->bootstrap = bootstrap;
  if (env->bootstrap.empty()) {
    broker::EmbeddedClusterOptions options;
    // The first join of each application's group would otherwise wait Kafka's 3 s.
    options.node_template.group.initial_rebalance_delay_ms = 0;
    resources->cluster = std::make_unique<broker::EmbeddedCluster>(options);
    if (absl::Status st = resources->cluster->Start(); !st.ok()) {
      fmt::print(stderr, "rill-perf: starting the embedded broker: {}\n", st.ToString());
      return false;
    }
    env->bootstrap = resources->cluster->bootstrap_servers();
    fmt::print(
        "{} Rill broker embedded in this process on {} (data in {}): broker, clients and "
        "applications share this machine's {} core(s)\n",
        tag, env->bootstrap, resources->cluster->data_dir(), std::thread::hardware_concurrency());
  } else {
    fmt::print("{} broker at {}\n", tag, env->bootstrap);
  }
  std::string state_template = absl::StrCat("/tmp/", state_dir_prefix, ".XXXXXX");
  if (mkdtemp(state_template.data()) == nullptr) {
    fmt::print(stderr, "rill-perf: cannot create a temp state dir\n");
    return false;
  }
  resources->state_dir = state_template;
  env->state_root = state_template;
  return true;
}

bool CreateBenchTopics(const BenchEnv& env, const std::vector<streams::TopicSpec>& topics) {
  if (absl::Status st = streams::CreateTopicsIfMissing(env.bootstrap, topics, env.timeout_ms);
      !st.ok()) {
    fmt::print(stderr, "rill-perf: creating topics: {}\n", st.ToString());
    return false;
  }
  return true;
}

void PrintClientOverrides(const BenchEnv& env, const std::string& tag, const std::string& who) {
  for (const auto& [k, v] : env.consumer_props) {
    fmt::print("{} every consumer{}: {}={}\n", tag, who, k, v);
  }
  for (const auto& [k, v] : env.producer_props) {
    fmt::print("{} every producer{}: {}={}\n", tag, who, k, v);
  }
}

KafkaProps ConsumerSettings(const std::string& group) {
  return {{"group.id", group},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
          {"enable.partition.eof", "false"},
          {"fetch.wait.max.ms", "100"}};
}

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* c = static_cast<DeliveryCounts*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (c->errors++ == 0) c->first_error = rd_kafka_err2str(m->err);
  } else {
    ++c->delivered;
  }
}

absl::Status Produce(rd_kafka_t* rk, const std::string& topic, int32_t partition, const char* key,
                     size_t key_len, const char* value, size_t value_len, int64_t timestamp) {
  rd_kafka_resp_err_t err;
  while ((err = rd_kafka_producev(
              rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
              RD_KAFKA_V_KEY(const_cast<char*>(key), key_len),
              RD_KAFKA_V_VALUE(const_cast<char*>(value), value_len),
              RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
              RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    rd_kafka_poll(rk, 1);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("produce to ", topic, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<KafkaPtr> NewInputProducer(const BenchEnv& env, DeliveryCounts* counts) {
  ClientSpec spec;
  spec.bootstrap = env.bootstrap;
  spec.settings = {{"acks", "all"}, {"linger.ms", "20"}};
  spec.customize = [counts](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, counts);
  };
  return NewClient(spec);
}

absl::Status FlushInput(rd_kafka_t* rk, const DeliveryCounts& counts, int timeout_ms) {
  if (rd_kafka_flush(rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError("producing the input: not acknowledged in time");
  }
  if (counts.errors > 0) {
    return absl::InternalError(absl::StrCat("producing the input: ", counts.errors,
                                            " delivery errors, first: ", counts.first_error));
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

absl::StatusOr<int64_t> SumTopicRecords(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                        int timeout_ms) {
  int64_t total = 0;
  for (const std::string& t : topics) {
    auto n = WaitForTopic(rk, t, timeout_ms);
    if (!n.ok()) return n.status();
    auto s = SumHighWatermarks(rk, t, *n, timeout_ms);
    if (!s.ok()) return s.status();
    total += *s;
  }
  return total;
}

absl::Status CommitOffsets(const BenchEnv& env, const std::string& group, const std::string& topic,
                           const std::vector<int64_t>& offsets) {
  ClientSpec cs;
  cs.type = RD_KAFKA_CONSUMER;
  cs.bootstrap = env.bootstrap;
  cs.settings = ConsumerSettings(group);
  auto consumer = NewClient(cs);
  if (!consumer.ok()) return consumer.status();
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (size_t p = 0; p < offsets.size(); ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), static_cast<int32_t>(p))->offset =
        offsets[p];
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer->get(), list, /*async=*/0);
  for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) err = list->elems[i].err;
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_consumer_close(consumer->get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(
        absl::StrCat("committing offsets of ", topic, " for ", group, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::Status ReadBack(const BenchEnv& env, const std::string& topic, int partitions,
                      const std::vector<int64_t>& from,
                      const std::function<absl::Status(std::string_view, std::string_view)>& fn) {
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
  absl::Status status;
  const auto deadline = Clock::now() + std::chrono::milliseconds(env.timeout_ms);
  while (missing > 0 && status.ok() && Clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset < (*ends)[m->partition]) {
      --missing;
      status =
          fn(std::string_view(static_cast<const char*>(m->key), m->key == nullptr ? 0 : m->key_len),
             std::string_view(static_cast<const char*>(m->payload),
                              m->payload == nullptr ? 0 : m->len));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(c);
  if (!status.ok()) return status;
  if (missing > 0) return absl::DeadlineExceededError(absl::StrCat("reading ", topic, " back"));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> OutputTopic::Written() const {
  auto sum = SumHighWatermarks(admin.get(), name, partitions, timeout_ms);
  if (!sum.ok()) return sum.status();
  return *sum - start_sum;
}

absl::StatusOr<OutputTopic> WatchOutput(const BenchEnv& env, const std::string& topic) {
  OutputTopic out;
  out.name = topic;
  out.timeout_ms = env.timeout_ms;
  ClientSpec admin_spec;
  admin_spec.bootstrap = env.bootstrap;
  auto admin = NewClient(admin_spec);
  if (!admin.ok()) return admin.status();
  out.admin = std::move(*admin);
  auto partitions = WaitForTopic(out.admin.get(), topic, env.timeout_ms);
  if (!partitions.ok()) return partitions.status();
  out.partitions = *partitions;
  auto start = HighWatermarks(out.admin.get(), topic, out.partitions, env.timeout_ms);
  if (!start.ok()) return start.status();
  out.start = std::move(*start);
  for (int64_t o : out.start) out.start_sum += o;
  return out;
}

streams::StreamsConfig AppConfig(const BenchEnv& env, const std::string& application_id,
                                 const std::string& state_subdir) {
  streams::StreamsConfig config;
  config.application_id = application_id;
  config.bootstrap_servers = env.bootstrap;
  config.state_dir = absl::StrCat(env.state_root, "/", state_subdir);
  config.commit_interval_ms = env.commit_interval_ms;
  config.application_server = "";
  for (const auto& [k, v] : env.consumer_props) config.consumer_overrides[k] = v;
  for (const auto& [k, v] : env.producer_props) config.producer_overrides[k] = v;
  return config;
}

InternalTopicNames InternalTopicsOf(const streams::Topology& topology,
                                    const std::string& application_id) {
  InternalTopicNames names;
  for (const auto& t : topology.internal_topics()) {
    (t.kind == streams::internal::InternalTopic::Kind::kRepartition ? names.repartition
                                                                    : names.changelog)
        .push_back(absl::StrCat(application_id, "-", t.name));
  }
  return names;
}

absl::StatusOr<AppRun> RunUntilDone(streams::KafkaStreams& app, const std::string& what,
                                    int timeout_ms,
                                    const std::function<absl::StatusOr<bool>(double)>& done,
                                    const std::function<std::string()>& timeout_message) {
  AppRun run;
  run.cpu0 = ProcessCpuSeconds();
  run.start = Clock::now();
  const auto deadline = run.start + std::chrono::milliseconds(timeout_ms);
  if (auto s = app.start(); !s.ok()) return s;
  auto failed = [&app](const std::string& message) -> absl::Status {
    app.close();
    return absl::InternalError(message);
  };
  using State = streams::KafkaStreams::State;
  bool running = false;
  for (;;) {
    const State state = app.state();
    if (state == State::kError || state == State::kNotRunning) {
      return failed(
          absl::StrCat(what, ": application in state ", streams::KafkaStreams::StateName(state)));
    }
    if (!running && state == State::kRunning) {
      running = true;
      run.startup_seconds = Seconds(run.start, Clock::now());
    }
    if (Clock::now() > deadline) return failed(absl::StrCat(what, ": ", timeout_message()));
    if (running) {
      const std::string metrics = app.metrics().Serialize();
      const double processed = SumMetric(metrics, "rill_stream_records_processed_total");
      const double dropped = SumMetric(metrics, "rill_stream_dropped_records_total");
      if (dropped > 0) return failed(absl::StrCat(what, ": ", dropped, " records dropped"));
      if (processed > 0 && run.first_record_seconds < 0) {
        run.first_record_seconds = Seconds(run.start, Clock::now());
      }
      absl::StatusOr<bool> is_done = done(processed);
      if (!is_done.ok()) return failed(std::string(is_done.status().message()));
      if (*is_done) break;
    }
    std::this_thread::sleep_for(kDonePollInterval);
  }
  run.done_seconds = Seconds(run.start, Clock::now());
  run.done_cpu_seconds = ProcessCpuSeconds() - run.cpu0;
  return run;
}

absl::StatusOr<CloseTimes> CloseTimed(streams::KafkaStreams& app, const AppRun& run,
                                      const std::string& timeout_message) {
  const auto close_start = Clock::now();
  if (!app.close()) return absl::DeadlineExceededError(timeout_message);
  const auto closed = Clock::now();
  CloseTimes t;
  t.closed_cpu_seconds = ProcessCpuSeconds() - run.cpu0;
  t.close_seconds = Seconds(close_start, closed);
  t.closed_seconds = Seconds(run.start, closed);
  return t;
}

}  // namespace rill::perf
