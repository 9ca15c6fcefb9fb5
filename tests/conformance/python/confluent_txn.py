"""confluent-kafka-python 1.7.0 transactions against rill-broker (run by
tests/conformance/python_confluent_txn_test.sh).

A consume-transform-produce step: a group consumer reads the input topic, a transactional
producer writes the records to the output topic and commits the consumed offsets with
send_offsets_to_transaction in the same transaction; a second transaction is flushed to the
broker and then aborted. Checks: a read_committed consumer sees exactly the committed
records (never the aborted ones) and read_uncommitted sees both; the group's committed
offsets are exactly those sent in the committed transaction.
"""
import argparse
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def fail(message):
    print(f"[confluent_txn] FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def read_all(bootstrap, topic, isolation):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{isolation}",
                  "isolation.level": isolation, "enable.auto.commit": False,
                  "enable.partition.eof": True})
    c.assign([TopicPartition(topic, 0, 0)])
    values = []
    deadline = time.time() + 30
    while time.time() < deadline:
        m = c.poll(1.0)
        if m is None:
            continue
        if m.error():
            break  # partition EOF
        values.append(m.value().decode())
    c.close()
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    args = parser.parse_args()
    src, dst, group = args.topic + "-in", args.topic + "-out", args.topic + "-g"
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    for f in admin.create_topics([NewTopic(src, 1, 1), NewTopic(dst, 1, 1)]).values():
        f.result(30)
    plain = Producer({"bootstrap.servers": args.bootstrap})
    for i in range(10):
        plain.produce(src, value=f"in-{i}".encode())
    if plain.flush(30) != 0:
        fail("input not acknowledged")

    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": group,
                         "enable.auto.commit": False, "auto.offset.reset": "earliest",
                         "isolation.level": "read_committed"})
    consumer.subscribe([src])
    producer = Producer({"bootstrap.servers": args.bootstrap, "transactional.id": args.topic + "-txn"})
    producer.init_transactions(30)

    producer.begin_transaction()
    consumed = []
    deadline = time.time() + 30
    while len(consumed) < 10 and time.time() < deadline:
        m = consumer.poll(0.5)
        if m is None or m.error():
            continue
        consumed.append(m)
        producer.produce(dst, value=("out-" + m.value().decode()[3:]).encode())
    if len(consumed) != 10:
        fail(f"consumed {len(consumed)} of 10 input records")
    producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                         consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)

    producer.begin_transaction()
    for i in range(3):
        producer.produce(dst, value=f"aborted-{i}".encode())
    producer.flush(30)  # on the broker before the abort, so read_uncommitted sees them
    producer.abort_transaction(30)

    committed = consumer.committed([TopicPartition(src, 0)], timeout=30)
    if committed[0].offset != 10:
        fail(f"committed offset {committed[0].offset}, expected 10")
    consumer.close()

    expected = [f"out-{i}" for i in range(10)]
    got = read_all(args.bootstrap, dst, "read_committed")
    if got != expected:
        fail(f"read_committed saw {got}")
    got = read_all(args.bootstrap, dst, "read_uncommitted")
    if got != expected + [f"aborted-{i}" for i in range(3)]:
        fail(f"read_uncommitted saw {got}")
    print("[confluent_txn] PASS: committed visible, aborted hidden from read_committed, offsets committed in the transaction")


if __name__ == "__main__":
    main()
