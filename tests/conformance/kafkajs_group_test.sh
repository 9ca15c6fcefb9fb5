#!/usr/bin/env bash
# kafkajs 2.2.4 consumer groups against rill-broker, across a broker crash (kill -9): read a
# topic fully with two commits carrying metadata, kill and restart the broker, produce more,
# and a new consumer in the same group resumes exactly at the committed offsets; admin
# listGroups/describeGroups/fetchOffsets/deleteGroups; then two members of one group share
# a topic (tests/conformance/js/group.js says what each phase checks).
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JS_DIR="$CONFORMANCE_DIR/js"
command -v node >/dev/null || fail "node is not installed (tools/install-deps.sh)"
[[ -d $JS_DIR/node_modules/kafkajs ]] ||
  fail "kafkajs is not installed: run tools/install-deps.sh (npm ci in $JS_DIR)"
is_mock && { note "SKIP (librdkafka mock): needs CreateTopics and a broker restart"; exit 0; }
# No initial rebalance delay (Kafka's default is 3 s): a lone consumer joins at once.
start_broker --group-initial-rebalance-delay-ms 0
run_phase() {
  timeout 120 node "$JS_DIR/group.js" --bootstrap "$BOOTSTRAP" --topic "$2" --group "$3" \
    --phase "$1" || fail "group.js --phase $1 failed"
}
topic=$(unique_topic kafkajs-group)
group=$(unique_topic kafkajs-group-g)
run_phase before "$topic" "$group"
restart_broker --kill
run_phase after "$topic" "$group"
run_phase pair "$(unique_topic kafkajs-pair)" "$(unique_topic kafkajs-pair-g)"
note "PASS"
