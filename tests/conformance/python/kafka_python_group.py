"""kafka-python (2.0.2, pure Python) consumer groups against rill-broker.

Run three times by tests/conformance/python_kafka_group_test.sh, which kills the broker with
SIGKILL between the first two runs and starts it again on the same data dir:

  --phase before: create the topic, produce PARTITIONS * PER_PARTITION records, read them
      all with a subscribed group consumer (no auto-commit), committing twice with offset
      metadata: the consumed positions half-way, then the end offsets. committed() and
      KafkaAdminClient.list_consumer_group_offsets must return each commit (offset and
      metadata); describe_consumer_groups must show the group Stable with this member and
      every partition assigned; list_consumer_groups must list it.
  --phase after: list_consumer_group_offsets must still return phase one's offsets and
      metadata (a kill -9 loses no acknowledged commit); produce NEW_PER_PARTITION more per
      partition; a new consumer in the same group (auto_offset_reset=earliest, so lost
      offsets would replay old records) must get exactly the new records. Then
      delete_consumer_groups removes the group and its offsets.
  --phase pair: two consumers of one group, each on its own thread, must split the
      partitions between them (both get some, none twice) before anything is produced;
      then together they read every record exactly once and commit, and
      describe_consumer_groups shows both members.
"""

import argparse
import sys
import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

PARTITIONS = 3
PER_PARTITION = 40
NEW_PER_PARTITION = 10
PAIR_PARTITIONS = 4
PAIR_PER_PARTITION = 25
TIMEOUT_S = 60
CLIENT_ID = "kafka-python-group-conformance"


def fail(message):
    print(f"[kafka_python_group] FAIL: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def note(message):
    print(f"[kafka_python_group] {message}", flush=True)


def admin_for(bootstrap):
    return KafkaAdminClient(bootstrap_servers=bootstrap, client_id=CLIENT_ID,
                            request_timeout_ms=TIMEOUT_S * 1000)


def create_topic(admin, topic, partitions):
    response = admin.create_topics([NewTopic(name=topic, num_partitions=partitions,
                                             replication_factor=1)], timeout_ms=30000)
    for name, code, *rest in response.topic_errors:
        if code != 0:
            fail(f"create_topics({name}): error code {code} {rest}")


def produce(bootstrap, topic, partitions, prefix, first, count):
    """Produces `count` records to each partition, values f"{prefix}-{p}-{i}" from i=first."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                             request_timeout_ms=TIMEOUT_S * 1000)
    futures = [producer.send(topic, key=f"k{i}".encode(), value=f"{prefix}-{p}-{i}".encode(),
                             partition=p)
               for p in range(partitions) for i in range(first, first + count)]
    producer.flush(timeout=TIMEOUT_S)
    for future in futures:
        try:
            future.get(timeout=TIMEOUT_S)
        except Exception as e:
            fail(f"{topic}: send failed: {e!r}")
    producer.close()


def consumer_for(bootstrap, group, client_id=CLIENT_ID):
    # Short heartbeats so a member learns of a rebalance quickly; a bounded poll interval
    # (the JoinGroup rebalance timeout) so a member that never rejoins cannot stall a test;
    # small polls so the half-way commit really falls half-way.
    return KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=client_id,
                         enable_auto_commit=False, auto_offset_reset="earliest",
                         max_poll_records=10,
                         heartbeat_interval_ms=500, max_poll_interval_ms=30000,
                         request_timeout_ms=TIMEOUT_S * 1000 + 1000)


def admin_offsets(admin, group):
    """{(topic, partition): (offset, metadata)} from list_consumer_group_offsets."""
    return {(tp.topic, tp.partition): (om.offset, om.metadata)
            for tp, om in admin.list_consumer_group_offsets(group).items()}


def expect_offsets(consumer, admin, group, topic, want, when):
    """Both the consumer's committed() and the admin API must report `want`:
    {partition: (offset, metadata)}; partitions not in `want` have no committed offset."""
    got = admin_offsets(admin, group)
    want_admin = {(topic, p): om for p, om in want.items()}
    if got != want_admin:
        fail(f"{when}: list_consumer_group_offsets returned {got}, want {want_admin}")
    if consumer is not None:
        for p in range(PARTITIONS):
            c = consumer.committed(TopicPartition(topic, p), metadata=True)
            got_c = None if c is None else (c.offset, c.metadata)
            if got_c != want.get(p):
                fail(f"{when}: committed({topic}/{p}) is {got_c}, want {want.get(p)}")
    note(f"{when}: committed {sorted(want.items())}")


def describe(admin, group):
    described = admin.describe_consumer_groups([group])
    if len(described) != 1 or described[0].group != group:
        fail(f"describe_consumer_groups({group}) returned {described}")
    return described[0]


def wait_for(what, condition):
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            fail(f"timed out after {TIMEOUT_S} s waiting for {what}")
        time.sleep(0.05)


def read(consumer, topic, count, on_batch=None):
    """Polls until `count` records arrived; returns {(partition, offset): value}."""
    got = {}
    deadline = time.monotonic() + TIMEOUT_S
    while len(got) < count:
        if time.monotonic() > deadline:
            fail(f"{topic}: read {len(got)} of {count} records in {TIMEOUT_S} s")
        for tp, records in consumer.poll(timeout_ms=500).items():
            for r in records:
                if (r.partition, r.offset) in got:
                    fail(f"{topic}: {r.partition}@{r.offset} delivered twice")
                got[(r.partition, r.offset)] = r.value.decode()
        if on_batch:
            on_batch(got)
    return got


def expect_drained(consumer, topic, partitions):
    """Positions at the end offsets: nothing beyond what was read can still come."""
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    ends = consumer.end_offsets(tps)
    for tp in tps:
        if consumer.position(tp) != ends[tp]:
            fail(f"{topic}/{tp.partition}: position {consumer.position(tp)}, end {ends[tp]}")


def phase_before(bootstrap, topic, group):
    admin = admin_for(bootstrap)
    create_topic(admin, topic, PARTITIONS)
    produce(bootstrap, topic, PARTITIONS, "before", 0, PER_PARTITION)
    total = PARTITIONS * PER_PARTITION

    consumer = consumer_for(bootstrap, group)
    consumer.subscribe([topic])
    halfway = {}

    def commit_halfway(got):
        if halfway or len(got) < total // 2:
            return
        for (p, o) in got:
            halfway[p] = max(halfway.get(p, 0), o + 1)
        consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(o, f"half-{p}")
                         for p, o in halfway.items()})
        expect_offsets(consumer, admin, group, topic,
                       {p: (o, f"half-{p}") for p, o in halfway.items()}, "half-way commit")

    got = read(consumer, topic, total, commit_halfway)
    want = {(p, i): f"before-{p}-{i}" for p in range(PARTITIONS) for i in range(PER_PARTITION)}
    if got != want:
        fail(f"{topic}: the group consumer read {len(got)} records that differ from the "
             f"{len(want)} produced")
    expect_drained(consumer, topic, PARTITIONS)
    consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(PER_PARTITION, f"final-{p}")
                     for p in range(PARTITIONS)})
    expect_offsets(consumer, admin, group, topic,
                   {p: (PER_PARTITION, f"final-{p}") for p in range(PARTITIONS)},
                   "final commit")

    d = describe(admin, group)
    if d.state != "Stable" or d.protocol_type != "consumer" or len(d.members) != 1:
        fail(f"describe_consumer_groups: {d}")
    m = d.members[0]
    assigned = {(t, p) for t, ps in m.member_assignment.assignment for p in ps}
    if m.client_id != CLIENT_ID or assigned != {(topic, p) for p in range(PARTITIONS)}:
        fail(f"describe_consumer_groups: member {m.client_id!r} assigned {sorted(assigned)}")
    listed = dict(admin.list_consumer_groups())
    if listed.get(group) != "consumer":
        fail(f"list_consumer_groups lacks {group} as a consumer group: {listed}")
    note(f"describe: {group} Stable, protocol {d.protocol}, member {m.member_id} on "
         f"{m.client_host} with all {PARTITIONS} partitions; list_consumer_groups lists it")
    consumer.close(autocommit=False)
    admin.close()
    note(f"read {total} records with 2 commits (offset metadata kept)")


def phase_after(bootstrap, topic, group):
    admin = admin_for(bootstrap)
    # Before anyone joins: the offsets and their metadata came back from __consumer_offsets.
    expect_offsets(None, admin, group, topic,
                   {p: (PER_PARTITION, f"final-{p}") for p in range(PARTITIONS)},
                   "after restart")
    if group not in dict(admin.list_consumer_groups()):
        fail(f"after restart, list_consumer_groups lacks {group}")
    produce(bootstrap, topic, PARTITIONS, "after", PER_PARTITION, NEW_PER_PARTITION)

    consumer = consumer_for(bootstrap, group)
    consumer.subscribe([topic])
    got = read(consumer, topic, PARTITIONS * NEW_PER_PARTITION)
    want = {(p, i): f"after-{p}-{i}" for p in range(PARTITIONS)
            for i in range(PER_PARTITION, PER_PARTITION + NEW_PER_PARTITION)}
    if got != want:
        old = sorted(k for k in got if k not in want)
        missing = sorted(k for k in want if k not in got)
        fail(f"{topic}: resumed consumer read old records {old[:10]} / missed {missing[:10]}")
    expect_drained(consumer, topic, PARTITIONS)
    end = PER_PARTITION + NEW_PER_PARTITION
    consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(end, "resumed")
                     for p in range(PARTITIONS)})
    expect_offsets(consumer, admin, group, topic, {p: (end, "resumed") for p in range(PARTITIONS)},
                   "resumed consumer")
    consumer.close(autocommit=False)
    note(f"resumed at the committed offsets: exactly the {len(want)} new records")

    wait_for(f"{group} to be Empty", lambda: describe(admin, group).state == "Empty")
    result = admin.delete_consumer_groups([group])
    if result != [(group, result[0][1])] or result[0][1].errno != 0:
        fail(f"delete_consumer_groups({group}) returned {result}")
    if group in dict(admin.list_consumer_groups()):
        fail(f"{group} is still listed after delete_consumer_groups")
    if admin_offsets(admin, group):
        fail(f"{group} still has committed offsets after delete_consumer_groups")
    admin.close()
    note(f"delete_consumer_groups removed {group} and its offsets")


class Member(threading.Thread):
    """One group member polling on its own thread until told to stop."""

    def __init__(self, bootstrap, topic, group, name):
        super().__init__(name=name, daemon=True)
        self.consumer = consumer_for(bootstrap, group, client_id=name)
        self.topic = topic
        self.lock = threading.Lock()
        self.assignment = set()
        self.records = []  # (partition, offset, value)
        self.stop = threading.Event()
        self.committed = threading.Event()
        self.error = None

    def run(self):
        try:
            self.consumer.subscribe([self.topic])
            while not self.stop.is_set():
                batch = self.consumer.poll(timeout_ms=200)
                with self.lock:
                    self.assignment = {tp.partition for tp in self.consumer.assignment()}
                    for records in batch.values():
                        self.records.extend((r.partition, r.offset, r.value.decode())
                                            for r in records)
            self.consumer.commit()  # the consumed positions
            self.committed.set()
            self.consumer.close(autocommit=False)
        except Exception as e:  # reported by the main thread
            self.error = e
            self.committed.set()

    def snapshot(self):
        with self.lock:
            return set(self.assignment), list(self.records)


def phase_pair(bootstrap, topic, group):
    admin = admin_for(bootstrap)
    create_topic(admin, topic, PAIR_PARTITIONS)
    members = [Member(bootstrap, topic, group, f"{CLIENT_ID}-{i}") for i in range(2)]
    for m in members:
        m.start()

    def split():
        a, b = (m.snapshot()[0] for m in members)
        return a and b and not a & b and a | b == set(range(PAIR_PARTITIONS))

    # Produce only once both hold partitions, so no record is read before a rebalance.
    wait_for("both members to hold disjoint partitions covering the topic", split)
    assignments = [sorted(m.snapshot()[0]) for m in members]
    note(f"two members split the partitions: {assignments}")
    d = describe(admin, group)
    if d.state != "Stable" or sorted(x.client_id for x in d.members) != \
            sorted(m.name for m in members):
        fail(f"describe_consumer_groups with two members: {d}")

    produce(bootstrap, topic, PAIR_PARTITIONS, "pair", 0, PAIR_PER_PARTITION)
    total = PAIR_PARTITIONS * PAIR_PER_PARTITION
    wait_for(f"{total} records between the two members",
             lambda: sum(len(m.snapshot()[1]) for m in members) >= total)
    for m in members:
        m.stop.set()
    for m in members:
        if not m.committed.wait(TIMEOUT_S):
            fail(f"{m.name} did not stop in time")
        m.join(TIMEOUT_S)
        if m.error is not None:
            fail(f"{m.name}: {m.error!r}")
    seen = {}
    for m in members:
        assigned, records = m.snapshot()
        for p, o, value in records:
            if (p, o) in seen:
                fail(f"{topic}/{p}@{o} read by {seen[(p, o)][0]} and {m.name}")
            if p not in assigned:
                fail(f"{m.name} read {topic}/{p}, which it was not assigned")
            seen[(p, o)] = (m.name, value)
    want = {(p, i): f"pair-{p}-{i}" for p in range(PAIR_PARTITIONS)
            for i in range(PAIR_PER_PARTITION)}
    if {k: v for k, (_, v) in seen.items()} != want:
        fail(f"{topic}: the two members read {len(seen)} records that differ from the "
             f"{len(want)} produced")
    offsets = admin_offsets(admin, group)
    if offsets != {(topic, p): (PAIR_PER_PARTITION, "") for p in range(PAIR_PARTITIONS)}:
        fail(f"after both members committed: {offsets}")
    admin.close()
    note(f"two members read all {total} records exactly once and committed the end offsets")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--phase", choices=["before", "after", "pair"], required=True)
    args = parser.parse_args()
    {"before": phase_before, "after": phase_after, "pair": phase_pair}[args.phase](
        args.bootstrap, args.topic, args.group)
    note(f"PASS ({args.phase})")


if __name__ == "__main__":
    main()
