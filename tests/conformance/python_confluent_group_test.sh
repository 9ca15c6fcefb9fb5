#!/usr/bin/env bash
# confluent-kafka-python 1.7.0 group consumer against rill-broker, across a clean broker
# restart (SIGTERM): read a topic fully with two commits, restart, produce more, and a new
# consumer in the same group resumes exactly at the committed offsets
# (tests/conformance/python/confluent_group.py says what each phase checks).
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

/usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null ||
  fail "python3-confluent-kafka is not installed (tools/install-deps.sh)"
is_mock && { note "SKIP (librdkafka mock): needs CreateTopics and a broker restart"; exit 0; }
# No initial rebalance delay (Kafka's default is 3 s): a lone consumer joins at once.
start_broker --group-initial-rebalance-delay-ms 0
topic=$(unique_topic confluent-group)
group=$(unique_topic confluent-group-g)
run_phase() {
  timeout 120 /usr/bin/python3 "$CONFORMANCE_DIR/python/confluent_group.py" \
    --bootstrap "$BOOTSTRAP" --topic "$topic" --group "$group" --phase "$1" ||
    fail "confluent_group.py --phase $1 failed"
}
run_phase before
restart_broker
run_phase after
note "PASS"
