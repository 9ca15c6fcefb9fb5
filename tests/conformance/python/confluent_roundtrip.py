"""confluent-kafka-python (1.7.0, librdkafka underneath) against a Kafka-protocol broker.

Creates topics with configs through AdminClient, produces keyed messages with headers, null
and empty values and explicit timestamps with acks=all and every compression codec, then
reads everything back with an assigned consumer (no group membership: the group id only
satisfies the client) and checks each message exactly. Exits non-zero on any mismatch.

confluent-kafka 1.7.0 crashes on null header values (fixed in 1.8.2), so none are sent.
"""

import argparse
import sys
import time
import uuid

from confluent_kafka import (OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, Consumer, KafkaException,
                             Producer, TopicPartition)
from confluent_kafka.admin import AdminClient, NewTopic

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PARTITIONS = 3
PER_PARTITION = 30
TIMEOUT_S = 60


def fail(message):
    print(f"[confluent_roundtrip] FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def note(message):
    print(f"[confluent_roundtrip] {message}", flush=True)


def expected_messages(codec):
    """Every message to produce, as dicts; the read-back must equal them field by field."""
    base_ts = 1_700_000_000_000
    messages = []
    for p in range(PARTITIONS):
        for i in range(PER_PARTITION):
            key = f"key-{p}-{i}".encode()
            if i % 10 == 3:
                value = None  # a tombstone
            elif i % 10 == 4:
                value = b""  # empty is not null
            elif i % 10 == 5:
                value = bytes(range(256)) * 40  # binary, 10 KiB
            else:
                value = f"value {codec}/{p}/{i} ünïcödé".encode()
            # Repeated header keys must survive in order; an empty header value is allowed.
            headers = [("codec", codec.encode()), ("i", str(i).encode()), ("dup", b"1"),
                       ("dup", b"2"), ("empty", b"")]
            messages.append(dict(partition=p, offset=i, key=key, value=value, headers=headers,
                                 timestamp=base_ts + p * 1000 + i))
    return messages


def create_topics(bootstrap, topics, mock):
    if mock:
        note("SKIP (librdkafka mock): AdminClient.create_topics; topics are auto-created")
        return
    admin = AdminClient({"bootstrap.servers": bootstrap})
    new = [NewTopic(t, num_partitions=PARTITIONS, replication_factor=1,
                    config={"retention.ms": "86400000", "cleanup.policy": "delete"})
           for t in topics]
    for topic, future in admin.create_topics(new, operation_timeout=30,
                                             request_timeout=30).items():
        try:
            future.result(timeout=TIMEOUT_S)
        except Exception as e:  # KafkaException carries the broker's error
            fail(f"create_topics({topic}): {e}")
    # A second create of the same topic must fail with TOPIC_ALREADY_EXISTS.
    again = admin.create_topics([NewTopic(topics[0], num_partitions=PARTITIONS,
                                          replication_factor=1)], request_timeout=30)
    try:
        again[topics[0]].result(timeout=TIMEOUT_S)
        fail(f"creating {topics[0]} twice succeeded")
    except KafkaException as e:
        if e.args[0].name() != "TOPIC_ALREADY_EXISTS":
            fail(f"creating {topics[0]} twice: expected TOPIC_ALREADY_EXISTS, got {e}")
    note(f"created {len(topics)} topics with configs; duplicate create rejected")


def check_metadata(bootstrap, topics, mock):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    md = admin.list_topics(timeout=TIMEOUT_S)
    for t in topics:
        if t not in md.topics:
            fail(f"list_topics does not list {t}: {sorted(md.topics)}")
        tm = md.topics[t]
        if tm.error is not None:
            fail(f"list_topics: {t}: {tm.error}")
        if not mock and len(tm.partitions) != PARTITIONS:
            fail(f"list_topics: {t} has {len(tm.partitions)} partitions, want {PARTITIONS}")
        for pid, pm in tm.partitions.items():
            if pm.leader < 0 or pm.error is not None:
                fail(f"list_topics: {t}/{pid} has no leader ({pm.error})")
    if not md.brokers:
        fail("list_topics returned no brokers")
    note(f"list_topics: {len(topics)} topics, {len(md.brokers)} broker(s)")


def produce(bootstrap, topic, codec, messages):
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                         "compression.type": codec, "linger.ms": 20})
    errors, delivered = [], []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)
        else:
            delivered.append((msg.partition(), msg.offset()))

    for m in messages:
        producer.produce(topic, key=m["key"], value=m["value"], partition=m["partition"],
                         headers=m["headers"], timestamp=m["timestamp"], on_delivery=on_delivery)
    if producer.flush(TIMEOUT_S) != 0:
        fail(f"{topic}: messages still undelivered after {TIMEOUT_S} s")
    if errors:
        fail(f"{topic}: {len(errors)} delivery errors, first: {errors[0]}")
    want = sorted((m["partition"], m["offset"]) for m in messages)
    if sorted(delivered) != want:
        fail(f"{topic}: delivery reports name offsets {sorted(delivered)[:10]}..., "
             f"want {want[:10]}...")


def consume(bootstrap, topic, count):
    # group.id is mandatory for this client's Consumer; assign() never joins the group.
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"unused-{uuid.uuid4()}",
                         "enable.auto.commit": False, "enable.partition.eof": False})
    tps = [TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)]
    consumer.assign(tps)
    got = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(got) < count and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            fail(f"{topic}: consumer error: {msg.error()}")
        got.append(dict(partition=msg.partition(), offset=msg.offset(), key=msg.key(),
                        value=msg.value(), headers=msg.headers() or [],
                        timestamp_type=msg.timestamp()[0], timestamp=msg.timestamp()[1]))
    # Nothing beyond what was produced: each partition's high watermark is exactly its count.
    for p in range(PARTITIONS):
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=TIMEOUT_S)
        if (low, high) != (0, PER_PARTITION):
            fail(f"{topic}/{p}: watermarks ({low}, {high}), want (0, {PER_PARTITION})")
    consumer.close()
    return got


def compare(topic, want, got):
    if len(got) != len(want):
        fail(f"{topic}: read {len(got)} messages, want {len(want)}")
    got = sorted(got, key=lambda m: (m["partition"], m["offset"]))
    for w, g in zip(want, got):
        if g["timestamp_type"] != TIMESTAMP_CREATE_TIME:
            fail(f"{topic}/{g['partition']}@{g['offset']}: timestamp type {g['timestamp_type']}")
        for field in ("partition", "offset", "key", "value", "headers", "timestamp"):
            if w[field] != g[field]:
                fail(f"{topic}/{w['partition']}@{w['offset']}: {field} is {g[field]!r:.200}, "
                     f"want {w[field]!r:.200}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--mock", action="store_true",
                        help="peer is librdkafka's mock cluster: skip admin APIs it lacks")
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    topics = {codec: f"confluent-{codec}-{run}" for codec in CODECS}
    create_topics(args.bootstrap, list(topics.values()), args.mock)
    for codec, topic in topics.items():
        want = expected_messages(codec)
        produce(args.bootstrap, topic, codec, want)
        got = consume(args.bootstrap, topic, len(want))
        compare(topic, want, got)
        note(f"{codec}: {len(want)} messages read back exactly")
    check_metadata(args.bootstrap, list(topics.values()), args.mock)
    note("PASS")


if __name__ == "__main__":
    main()
