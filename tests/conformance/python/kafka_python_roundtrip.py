"""kafka-python (2.0.2, pure Python) against a Kafka-protocol broker.

kafka-python works out the broker version itself: it sends ApiVersions v0 and infers a
version from the API versions the broker lists. The broker must come out as modern
(>= 2.1, which zstd also needs), or the client falls back to old message formats.
Then: KafkaAdminClient.create_topics, KafkaProducer with each compression_type (keys,
headers, null values, acks=all), and KafkaConsumer with assign() + seek_to_beginning() and no
group_id, checking every message read back. Exits non-zero on any mismatch.
"""

import argparse
import sys
import time
import uuid

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

CODECS = [None, "gzip", "snappy", "lz4", "zstd"]
PARTITIONS = 3
PER_PARTITION = 30
MIN_VERSION = (2, 1)  # zstd needs 2.1; anything older means the broker looked ancient
TIMEOUT_S = 60


def fail(message):
    print(f"[kafka_python_roundtrip] FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def note(message):
    print(f"[kafka_python_roundtrip] {message}", flush=True)


def expected_messages(codec):
    base_ts = 1_700_000_000_000
    messages = []
    for p in range(PARTITIONS):
        for i in range(PER_PARTITION):
            if i % 10 == 3:
                value = None
            elif i % 10 == 4:
                value = b""
            elif i % 10 == 5:
                value = bytes(range(256)) * 40
            else:
                value = f"value {codec}/{p}/{i} ünïcödé".encode()
            headers = [("codec", str(codec).encode()), ("i", str(i).encode()), ("dup", b"1"),
                       ("dup", b"2")]
            messages.append(dict(partition=p, offset=i, key=f"key-{p}-{i}".encode(),
                                 value=value, headers=headers,
                                 timestamp=base_ts + p * 1000 + i))
    return messages


def check_version(client_name, version):
    if version is None or tuple(version[:2]) < MIN_VERSION:
        fail(f"{client_name} inferred broker version {version}, want >= {MIN_VERSION}: the "
             "broker's ApiVersions response lacks the API versions kafka-python looks for")


def create_topics(bootstrap, topics, mock):
    if mock:
        note("SKIP (librdkafka mock): KafkaAdminClient.create_topics; topics auto-created")
        return
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka-python-conformance",
                             request_timeout_ms=TIMEOUT_S * 1000)
    check_version("KafkaAdminClient", admin.config["api_version"])
    new = [NewTopic(name=t, num_partitions=PARTITIONS, replication_factor=1,
                    topic_configs={"retention.ms": "86400000"}) for t in topics]
    response = admin.create_topics(new, timeout_ms=30000)
    for topic, code, *rest in response.topic_errors:
        if code != 0:
            fail(f"create_topics({topic}): error code {code} {rest}")
    try:
        admin.create_topics([NewTopic(name=topics[0], num_partitions=PARTITIONS,
                                      replication_factor=1)], timeout_ms=30000)
        fail(f"creating {topics[0]} twice succeeded")
    except TopicAlreadyExistsError:
        pass
    listed = set(admin.list_topics())
    missing = set(topics) - listed
    if missing:
        fail(f"list_topics misses {sorted(missing)}")
    admin.close()
    note(f"created {len(topics)} topics; duplicate create rejected; list_topics lists them")


def produce(bootstrap, topic, codec, messages):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type=codec,
                             linger_ms=20, request_timeout_ms=TIMEOUT_S * 1000)
    check_version("KafkaProducer", producer.config["api_version"])
    futures = [(m, producer.send(topic, key=m["key"], value=m["value"], partition=m["partition"],
                                 headers=m["headers"], timestamp_ms=m["timestamp"]))
               for m in messages]
    producer.flush(timeout=TIMEOUT_S)
    for m, future in futures:
        try:
            meta = future.get(timeout=TIMEOUT_S)
        except Exception as e:
            fail(f"{topic}: send failed: {e!r}")
        if (meta.partition, meta.offset) != (m["partition"], m["offset"]):
            fail(f"{topic}: message {m['key']} landed at {meta.partition}@{meta.offset}, want "
                 f"{m['partition']}@{m['offset']}")
    producer.close()
    return producer.config["api_version"]


def consume(bootstrap, topic, count):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest",
                             request_timeout_ms=TIMEOUT_S * 1000 + 1000)
    check_version("KafkaConsumer", consumer.config["api_version"])
    tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    got = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(got) < count and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            for r in records:
                got.append(dict(partition=r.partition, offset=r.offset, key=r.key, value=r.value,
                                headers=list(r.headers), timestamp=r.timestamp,
                                timestamp_type=r.timestamp_type))
    ends = consumer.end_offsets(tps)
    for tp in tps:
        if ends[tp] != PER_PARTITION:
            fail(f"{topic}/{tp.partition}: end offset {ends[tp]}, want {PER_PARTITION}")
    consumer.close()
    return got


def compare(topic, want, got):
    if len(got) != len(want):
        fail(f"{topic}: read {len(got)} messages, want {len(want)}")
    got = sorted(got, key=lambda m: (m["partition"], m["offset"]))
    for w, g in zip(want, got):
        if g["timestamp_type"] != 0:  # CreateTime
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
    topics = {codec: f"kafka-python-{codec or 'none'}-{run}" for codec in CODECS}
    create_topics(args.bootstrap, list(topics.values()), args.mock)
    version = None
    for codec, topic in topics.items():
        want = expected_messages(codec)
        version = produce(args.bootstrap, topic, codec, want)
        compare(topic, want, consume(args.bootstrap, topic, len(want)))
        note(f"{codec or 'none'}: {len(want)} messages read back exactly")
    note(f"PASS (kafka-python inferred broker version {version})")


if __name__ == "__main__":
    main()
