#!/usr/bin/env bash
# kafka-python 2.0.2 consumer groups against rill-broker, across a broker crash (kill -9):
# read a topic fully with two commits carrying metadata, kill and restart the broker,
# produce more, and a new consumer in the same group resumes exactly at the committed
# offsets; admin list/describe/offsets/delete; then two members of one group share a topic
# (tests/conformance/python/kafka_python_group.py says what each phase checks).
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

/usr/bin/python3 -c 'import kafka' 2>/dev/null ||
  fail "python3-kafka is not installed (tools/install-deps.sh)"
is_mock && { note "SKIP (librdkafka mock): needs CreateTopics and a broker restart"; exit 0; }
# No initial rebalance delay (Kafka's default is 3 s): a lone consumer joins at once.
start_broker --group-initial-rebalance-delay-ms 0
run_phase() {
  timeout 120 /usr/bin/python3 "$CONFORMANCE_DIR/python/kafka_python_group.py" \
    --bootstrap "$BOOTSTRAP" --topic "$2" --group "$3" --phase "$1" ||
    fail "kafka_python_group.py --phase $1 failed"
}
topic=$(unique_topic kafka-python-group)
group=$(unique_topic kafka-python-group-g)
run_phase before "$topic" "$group"
restart_broker --kill
run_phase after "$topic" "$group"
run_phase pair "$(unique_topic kafka-python-pair)" "$(unique_topic kafka-python-pair-g)"
note "PASS"
