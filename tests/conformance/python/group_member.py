"""A group consumer that stays in its group until SIGTERM, for rill_topics_groups_test.sh.

confluent-kafka-python (librdkafka): subscribes to --topic in --group, reads --count records,
commits their offsets synchronously and prints "committed N" (so the caller knows exactly
when the group has its offsets; kcat -G commits on librdkafka's timer), then keeps polling,
a Stable member, until SIGTERM, when it leaves the group with close() and exits 0.
"""

import argparse
import signal
import sys
import time

from confluent_kafka import Consumer

TIMEOUT_S = 60


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for flag in ("--bootstrap", "--topic", "--group", "--client-id"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "client.id": args.client_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([args.topic])
    read = 0
    deadline = time.monotonic() + TIMEOUT_S
    while read < args.count and not stop:
        if time.monotonic() > deadline:
            sys.exit(f"group_member: read {read} of {args.count} records in {TIMEOUT_S} s")
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            sys.exit(f"group_member: {msg.error()}")
        read += 1
    consumer.commit(asynchronous=False)
    print(f"committed {read}", flush=True)
    while not stop:
        consumer.poll(0.2)
    consumer.close()


if __name__ == "__main__":
    main()
