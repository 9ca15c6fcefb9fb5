"""confluent-kafka-python (1.7.0, librdkafka underneath) group consumer against rill-broker.

Run twice by tests/conformance/python_confluent_group_test.sh, which restarts the broker in
between (SIGTERM) on the same data dir:

  --phase before: create the topic, produce PARTITIONS * PER_PARTITION records, read them
      all with a subscribed group consumer (no auto-commit), committing twice: the consumed
      positions half-way (commit()), then explicit offsets at the end. committed() must
      return exactly what was committed each time; AdminClient.list_groups must show the
      group Stable with this one member and its assignment, then Empty after close().
  --phase after: committed() must still return the offsets of phase one (reloaded from
      __consumer_offsets); produce NEW_PER_PARTITION more records per partition; a new
      consumer in the same group (auto.offset.reset=earliest, so lost offsets would replay
      old records) must get exactly the new records: none of the old ones, none missing.

confluent-kafka 1.7.0's TopicPartition has no offset metadata (added in 2.x), so commits
here carry none; the kafka-python and kafkajs tests cover metadata.
"""

import argparse
import sys
import time

from confluent_kafka import OFFSET_INVALID, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

PARTITIONS = 3
PER_PARTITION = 40
NEW_PER_PARTITION = 10
TIMEOUT_S = 60


def fail(message):
    print(f"[confluent_group] FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def note(message):
    print(f"[confluent_group] {message}", flush=True)


def produce(bootstrap, topic, prefix, first, count):
    """Produces `count` records to each partition, values f"{prefix}-{p}-{i}" from i=first."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    errors = []
    for p in range(PARTITIONS):
        for i in range(first, first + count):
            producer.produce(topic, key=f"k{i}", value=f"{prefix}-{p}-{i}", partition=p,
                             on_delivery=lambda err, msg: err and errors.append(err))
    if producer.flush(TIMEOUT_S) != 0:
        fail(f"{topic}: records still undelivered after {TIMEOUT_S} s")
    if errors:
        fail(f"{topic}: {len(errors)} delivery errors, first: {errors[0]}")


def consumer_for(bootstrap, group):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                     "client.id": "confluent-group-conformance",
                     "enable.auto.commit": False, "auto.offset.reset": "earliest",
                     "enable.partition.eof": False})


def committed(consumer, topic):
    """{partition: committed offset or None}, fetched from the broker."""
    tps = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)],
                             timeout=TIMEOUT_S)
    out = {}
    for tp in tps:
        if tp.error is not None:
            fail(f"committed({topic}/{tp.partition}): {tp.error}")
        out[tp.partition] = None if tp.offset == OFFSET_INVALID else tp.offset
    return out


def expect_committed(consumer, topic, want, when):
    got = committed(consumer, topic)
    if got != want:
        fail(f"{when}: committed offsets are {got}, want {want}")
    note(f"{when}: committed offsets {got}")


def group_info(admin, group):
    """The group as AdminClient.list_groups reports it (ListGroups + DescribeGroups)."""
    groups = admin.list_groups(group=group, timeout=TIMEOUT_S)
    if len(groups) != 1 or groups[0].id != group:
        fail(f"list_groups({group}) returned {[g.id for g in groups]}")
    if groups[0].error is not None:
        fail(f"list_groups({group}): {groups[0].error}")
    return groups[0]


def wait_group_state(admin, group, state):
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        info = group_info(admin, group)
        if info.state == state:
            return info
        if time.monotonic() > deadline:
            fail(f"group {group} is {info.state} after {TIMEOUT_S} s, want {state}")
        time.sleep(0.1)


def read(consumer, topic, count, on_message=None):
    """Polls until `count` records arrived; returns {(partition, offset): value}."""
    got = {}
    deadline = time.monotonic() + TIMEOUT_S
    while len(got) < count:
        if time.monotonic() > deadline:
            fail(f"{topic}: read {len(got)} of {count} records in {TIMEOUT_S} s")
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            fail(f"{topic}: consumer error: {msg.error()}")
        where = (msg.partition(), msg.offset())
        if where in got:
            fail(f"{topic}: {where} delivered twice")
        got[where] = msg.value().decode()
        if on_message:
            on_message(msg, len(got))
    return got


def expect_drained(consumer, topic):
    """Positions at the high watermarks: nothing beyond what was read can still come."""
    positions = consumer.position([TopicPartition(topic, p) for p in range(PARTITIONS)])
    for tp in positions:
        _, high = consumer.get_watermark_offsets(tp, timeout=TIMEOUT_S)
        if tp.offset != high:
            fail(f"{topic}/{tp.partition}: position {tp.offset}, high watermark {high}")


def phase_before(bootstrap, topic, group):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for t, future in admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS,
                                                   replication_factor=1)],
                                         request_timeout=30).items():
        try:
            future.result(timeout=TIMEOUT_S)
        except Exception as e:
            fail(f"create_topics({t}): {e}")
    produce(bootstrap, topic, "before", 0, PER_PARTITION)
    total = PARTITIONS * PER_PARTITION

    consumer = consumer_for(bootstrap, group)
    consumer.subscribe([topic])
    last = {}  # partition -> last offset read
    halfway = {}

    def commit_halfway(msg, n):
        last[msg.partition()] = msg.offset()
        if n != total // 2:
            return
        # commit() with no argument commits the consumed positions, synchronously here.
        consumer.commit(asynchronous=False)
        halfway.update({p: o + 1 for p, o in last.items()})
        expect_committed(consumer, topic,
                         {p: halfway.get(p) for p in range(PARTITIONS)}, "half-way commit")

    got = read(consumer, topic, total, commit_halfway)
    want = {(p, i): f"before-{p}-{i}" for p in range(PARTITIONS) for i in range(PER_PARTITION)}
    if got != want:
        fail(f"{topic}: the group consumer read {len(got)} records that differ from the "
             f"{len(want)} produced")
    expect_drained(consumer, topic)
    # Second commit: explicit offsets.
    consumer.commit(offsets=[TopicPartition(topic, p, PER_PARTITION) for p in range(PARTITIONS)],
                    asynchronous=False)
    expect_committed(consumer, topic, {p: PER_PARTITION for p in range(PARTITIONS)},
                     "final commit")

    info = wait_group_state(admin, group, "Stable")
    if info.protocol_type != "consumer" or len(info.members) != 1:
        fail(f"list_groups: protocol type {info.protocol_type!r}, {len(info.members)} members")
    member = info.members[0]
    if member.client_id != "confluent-group-conformance" or not member.assignment:
        fail(f"list_groups: member client id {member.client_id!r}, assignment "
             f"{member.assignment!r}")
    if topic.encode() not in member.assignment:
        fail(f"list_groups: the member's assignment does not name {topic}")
    note(f"list_groups: {group} Stable, protocol {info.protocol}, member {member.id} on "
         f"{member.client_host}")
    consumer.close()  # leaves the group
    info = wait_group_state(admin, group, "Empty")
    if info.members:
        fail(f"list_groups: {len(info.members)} members after close(), want none")
    note(f"read {total} records with 2 commits; group Empty after close()")


def phase_after(bootstrap, topic, group):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    info = group_info(admin, group)
    if info.state != "Empty":
        fail(f"after restart, group {group} is {info.state!r}, want Empty")
    consumer = consumer_for(bootstrap, group)
    # Before joining: the offsets came back from __consumer_offsets.
    expect_committed(consumer, topic, {p: PER_PARTITION for p in range(PARTITIONS)},
                     "after restart")
    produce(bootstrap, topic, "after", PER_PARTITION, NEW_PER_PARTITION)

    consumer.subscribe([topic])
    got = read(consumer, topic, PARTITIONS * NEW_PER_PARTITION)
    want = {(p, i): f"after-{p}-{i}" for p in range(PARTITIONS)
            for i in range(PER_PARTITION, PER_PARTITION + NEW_PER_PARTITION)}
    if got != want:
        old = sorted(k for k in got if k not in want)
        missing = sorted(k for k in want if k not in got)
        fail(f"{topic}: resumed consumer read old records {old[:10]} / missed {missing[:10]}")
    expect_drained(consumer, topic)
    consumer.commit(asynchronous=False)
    end = PER_PARTITION + NEW_PER_PARTITION
    expect_committed(consumer, topic, {p: end for p in range(PARTITIONS)}, "resumed consumer")
    consumer.close()
    note(f"resumed at the committed offsets: exactly the {len(want)} new records")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--phase", choices=["before", "after"], required=True)
    args = parser.parse_args()
    if args.phase == "before":
        phase_before(args.bootstrap, args.topic, args.group)
    else:
        phase_after(args.bootstrap, args.topic, args.group)
    note(f"PASS ({args.phase} restart)")


if __name__ == "__main__":
    main()
