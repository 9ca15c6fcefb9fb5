// The word count example as users run it: two `wordcount` processes share a 6-partition
// input on an EmbeddedCluster; one is killed with SIGKILL mid-stream; the survivor takes
// over its tasks, restores their state from the changelogs, and the final counts (HTTP and
// output topic) match the input under at-least-once: nothing lost, and over-counting only
// for records the killed instance processed after its last commit.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "broker/embedded_cluster.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/kafka_test_util.h"

namespace rill::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A wordcount child process.
class WordCountProcess {
 public:
  WordCountProcess(std::vector<std::string> args) : args_(std::move(args)) {}
  ~WordCountProcess() { Kill(SIGKILL); }
  void Start() {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<std::string> args = args_;
      args.insert(args.begin(), RILL_WORDCOUNT_BIN);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(RILL_WORDCOUNT_BIN, argv.data());
      ::_exit(127);
    }
  }
  // Returns the exit status (or -1).
  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  std::vector<std::string> args_;
  int pid_ = -1;
};

std::optional<nlohmann::json> GetJson(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get(path.c_str());
  if (!res || res->status != 200) return std::nullopt;
  auto json = nlohmann::json::parse(res->body, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

int64_t DecodeLong(const std::string& bytes) {
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return static_cast<int64_t>(v);
}

TEST(StreamsWordCountTest, TwoInstancesOneKilledCountsMatchAtLeastOnce) {
  broker::EmbeddedClusterOptions options;
  options.node_template.group.initial_rebalance_delay_ms = 0;
  broker::EmbeddedCluster cluster(options);
  ASSERT_TRUE(cluster.Start().ok());
  const std::string bootstrap = cluster.bootstrap_servers();
  ASSERT_EQ(CreateTopic(bootstrap, "text-lines", 6), "");
  ASSERT_EQ(CreateTopic(bootstrap, "word-counts", 6), "");

  char dir_template[] = "/tmp/rill-wc-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  int port_a = FreePort(), port_b = FreePort();
  auto args = [&](const std::string& name, int port) {
    return std::vector<std::string>{"--bootstrap-servers", bootstrap, "--application-id", "wc-test",
                                    "--state-dir", dir + "/" + name, "--http",
                                    "127.0.0.1:" + std::to_string(port), "--commit-interval-ms",
                                    "200", "--session-timeout-ms", "6000"};
  };
  WordCountProcess a(args("a", port_a)), b(args("b", port_b));
  a.Start();
  b.Start();
  // Both instances up and sharing the tasks.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto ma = GetJson(port_a, "/v1/metadata");
        auto mb = GetJson(port_b, "/v1/metadata");
        return ma && mb && (*ma)["state"] == "RUNNING" && (*mb)["state"] == "RUNNING" &&
               (*ma)["instances"].size() == 2 && (*mb)["instances"].size() == 2;
      },
      std::chrono::seconds(60)))
      << "instances did not both reach RUNNING with a shared assignment";

  // The input, produced at a steady pace in the background so that B is killed while
  // records are flowing (it holds processed but uncommitted work).
  const char* vocabulary[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
                              "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi"};
  std::mt19937 rng(7);
  constexpr int kLines = 6000;
  std::vector<std::string> lines;
  std::vector<std::vector<std::string>> line_words;
  std::map<std::string, int64_t> expected;
  for (int i = 0; i < kLines; ++i) {
    std::string line;
    std::vector<std::string> words;
    int n = 1 + static_cast<int>(rng() % 6);
    for (int w = 0; w < n; ++w) {
      words.push_back(vocabulary[rng() % std::size(vocabulary)]);
      line += (w ? " " : "") + words.back();
      ++expected[words.back()];
    }
    lines.push_back(line);
    line_words.push_back(words);
  }
  std::atomic<int> sent{0};
  std::thread feeder([&] {
    Producer producer({{"bootstrap.servers", bootstrap}, {"partitioner", "murmur2_random"},
                       {"linger.ms", "5"}});
    for (int i = 0; i < kLines; ++i) {
      producer.Send("text-lines", -1, "line-" + std::to_string(i), lines[i]);
      if (i % 100 == 99) {
        producer.Flush();
        sent = i + 1;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));  // pacing, not sync
      }
    }
    producer.Flush();
    sent = kLines;
  });
  // Kill B once it produced output and a third of the input is out.
  Consumer watcher({{"bootstrap.servers", bootstrap}, {"group.id", "wc-watch"}});
  watcher.Assign("word-counts", {0, 1, 2, 3, 4, 5});
  ASSERT_TRUE(WaitUntil([&] { return sent >= kLines / 3; }, std::chrono::seconds(60)));
  ASSERT_FALSE(watcher.ReadN(1, std::chrono::seconds(30)).empty()) << "no output before the kill";
  b.Kill(SIGKILL);
  const int sent_before_kill = sent;
  feeder.join();
  ASSERT_LT(sent_before_kill, kLines) << "the kill was not mid-stream";
  // Only records produced before the kill can have been counted twice.
  std::map<std::string, int64_t> first_part;
  for (int i = 0; i < std::min(kLines, sent_before_kill + 100); ++i) {
    for (const auto& w : line_words[i]) ++first_part[w];
  }

  // A takes over every task and counts everything.
  std::map<std::string, int64_t> counts;
  bool complete = WaitUntil(
      [&] {
        for (const auto& [word, n] : expected) {
          auto value = GetJson(port_a, "/v1/stores/counts/keys/" + word);
          if (!value) return false;
          counts[word] = (*value)["value"].get<int64_t>();
          if (counts[word] < n) return false;
        }
        return true;
      },
      std::chrono::seconds(120));
  ASSERT_TRUE(complete) << "survivor did not reach the expected counts";
  for (const auto& [word, n] : expected) {
    EXPECT_GE(counts[word], n) << word << ": lost records";
    EXPECT_LE(counts[word] - n, first_part[word])
        << word << ": over-counted beyond what the killed instance could have processed";
  }
  // The output topic's last value per word equals the store (after A's next commit).
  Consumer reader({{"bootstrap.servers", bootstrap}, {"group.id", "wc-read"}});
  reader.Assign("word-counts", {0, 1, 2, 3, 4, 5});
  std::map<std::string, int64_t> last;
  bool matches = WaitUntil(
      [&] {
        while (auto m = reader.ReadOne(std::chrono::milliseconds(200))) {
          if (m->key && m->value) last[*m->key] = DecodeLong(*m->value);
        }
        for (const auto& [word, n] : counts) {
          if (last[word] != n) return false;
        }
        return true;
      },
      std::chrono::seconds(60));
  EXPECT_TRUE(matches) << "word-counts topic does not end at the store's counts";
  // A clean stop exits 0.
  int status = a.Kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rill::testing
