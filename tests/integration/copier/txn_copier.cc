// rill_txn_copier: a consume-transform-produce copier in transactions, like Kafka's
// TransactionalMessageCopier. It reads `--input` with a read_committed group consumer and,
// in transactions of up to `--transaction-size` records, writes every record unchanged to
// the same partition of `--output`, committing the consumed offsets in the same
// transaction (send_offsets_to_transaction). It exits 0 once it has copied everything up
// to the input's end. Killed at any moment and restarted, the output must still hold every
// input record exactly once: that is what tests/integration/transactions_test.cc checks.
//
//   rill_txn_copier --bootstrap H:P --input in --output out --group g --transactional-id t
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

struct Args {
  std::string bootstrap, input, output, group, transactional_id;
  int transaction_size = 300;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "rill_txn_copier: %s\n", why.c_str());
  std::exit(2);
}

rd_kafka_conf_t* Conf(const std::map<std::string, std::string>& kv) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : kv) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      Die(err);
    }
  }
  return conf;
}

void Check(rd_kafka_error_t* error, const char* what) {
  if (error == nullptr) return;
  std::string message = std::string(what) + ": " + rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  Die(message);
}

// True once the consumer's position reached the end of every assigned partition.
bool CaughtUp(rd_kafka_t* consumer) {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(consumer, &assignment) || assignment->cnt == 0) {
    if (assignment) rd_kafka_topic_partition_list_destroy(assignment);
    return false;
  }
  rd_kafka_position(consumer, assignment);
  // A partition with nothing consumed in this run has no position yet: its committed
  // offset is where it stands.
  rd_kafka_topic_partition_list_t* committed = rd_kafka_topic_partition_list_copy(assignment);
  rd_kafka_committed(consumer, committed, 10000);
  for (int i = 0; i < assignment->cnt; ++i) {
    if (assignment->elems[i].offset < 0) assignment->elems[i].offset = committed->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(committed);
  bool done = true;
  for (int i = 0; i < assignment->cnt && done; ++i) {
    int64_t low = 0, high = 0;
    const auto& tp = assignment->elems[i];
    if (rd_kafka_query_watermark_offsets(consumer, tp.topic, tp.partition, &low, &high, 5000)) {
      done = false;
    } else if (high > low) {
      done = tp.offset >= high;
    }
    if (!done && std::getenv("RILL_COPIER_DEBUG")) {
      std::fprintf(stderr, "not caught up: %s-%d at %ld\n", tp.topic, tp.partition,
                   static_cast<long>(tp.offset));
    }
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  return done;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--bootstrap") args.bootstrap = v;
    else if (k == "--input") args.input = v;
    else if (k == "--output") args.output = v;
    else if (k == "--group") args.group = v;
    else if (k == "--transactional-id") args.transactional_id = v;
    else if (k == "--transaction-size") args.transaction_size = std::stoi(v);
    else Die("unknown flag " + k);
  }
  char err[512];
  rd_kafka_t* producer = rd_kafka_new(
      RD_KAFKA_PRODUCER,
      Conf({{"bootstrap.servers", args.bootstrap},
            {"transactional.id", args.transactional_id},
            {"transaction.timeout.ms", "20000"},
            {"linger.ms", "5"}}),
      err, sizeof(err));
  if (!producer) Die(err);
  rd_kafka_t* consumer = rd_kafka_new(
      RD_KAFKA_CONSUMER,
      Conf({{"bootstrap.servers", args.bootstrap},
            {"group.id", args.group},
            {"isolation.level", "read_committed"},
            {"enable.auto.commit", "false"},
            {"auto.offset.reset", "earliest"},
            {"session.timeout.ms", "6000"},
            // A restarted copier takes its predecessor's place without waiting for the
            // dead one's session to expire (static membership).
            {"group.instance.id", args.transactional_id + "-member"}}),
      err, sizeof(err));
  if (!consumer) Die(err);
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, args.input.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);

  Check(rd_kafka_init_transactions(producer, 30000), "init_transactions");
  long copied = 0;
  while (true) {
    Check(rd_kafka_begin_transaction(producer), "begin_transaction");
    int in_txn = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (in_txn < args.transaction_size && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50);
      if (m == nullptr) continue;
      if (m->err) {
        rd_kafka_message_destroy(m);
        continue;
      }
      rd_kafka_resp_err_t e;
      while ((e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(args.output.c_str()),
                                    RD_KAFKA_V_PARTITION(m->partition),
                                    RD_KAFKA_V_KEY(m->key, m->key_len),
                                    RD_KAFKA_V_VALUE(m->payload, m->len),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
             RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(producer, 10);
      }
      if (e) Die(std::string("produce: ") + rd_kafka_err2str(e));
      rd_kafka_message_destroy(m);
      ++in_txn;
    }
    rd_kafka_topic_partition_list_t* positions = nullptr;
    rd_kafka_assignment(consumer, &positions);
    rd_kafka_position(consumer, positions);
    rd_kafka_consumer_group_metadata_t* cgmd = rd_kafka_consumer_group_metadata(consumer);
    rd_kafka_error_t* error =
        rd_kafka_send_offsets_to_transaction(producer, positions, cgmd, 30000);
    rd_kafka_consumer_group_metadata_destroy(cgmd);
    rd_kafka_topic_partition_list_destroy(positions);
    if (!error) error = rd_kafka_commit_transaction(producer, 30000);
    if (error) {
      if (rd_kafka_error_txn_requires_abort(error)) {
        // Abortable: abort, then rewind the consumer to the committed offsets.
        rd_kafka_error_destroy(error);
        Check(rd_kafka_abort_transaction(producer, 30000), "abort_transaction");
        rd_kafka_topic_partition_list_t* assignment = nullptr;
        rd_kafka_assignment(consumer, &assignment);
        rd_kafka_committed(consumer, assignment, 30000);
        for (int i = 0; i < assignment->cnt; ++i) {
          if (assignment->elems[i].offset < 0) assignment->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
        }
        rd_kafka_seek_partitions(consumer, assignment, 30000);
        rd_kafka_topic_partition_list_destroy(assignment);
        continue;
      }
      Check(error, "commit_transaction");
    }
    copied += in_txn;
    if (in_txn == 0 && CaughtUp(consumer)) break;
  }
  std::printf("copied %ld records\n", copied);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_destroy(producer);
  return 0;
}
