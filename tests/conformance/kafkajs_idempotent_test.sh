#!/usr/bin/env bash
# kafkajs 2.2.4 idempotent producer against rill-broker: InitProducerId and sequenced batches
# are accepted, and a group consumer reads every record back exactly once, in order
# (tests/conformance/js/idempotent.js says what it checks).
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JS_DIR="$CONFORMANCE_DIR/js"
command -v node >/dev/null || fail "node is not installed (tools/install-deps.sh)"
[[ -d $JS_DIR/node_modules/kafkajs ]] ||
  fail "kafkajs is not installed: run tools/install-deps.sh (npm ci in $JS_DIR)"
is_mock && { note "SKIP (librdkafka mock): needs CreateTopics"; exit 0; }
# No initial rebalance delay (Kafka's default is 3 s): the lone consumer joins at once.
start_broker --group-initial-rebalance-delay-ms 0
timeout 120 node "$JS_DIR/idempotent.js" --bootstrap "$BOOTSTRAP" \
  --topic "$(unique_topic kafkajs-idem)" --group "$(unique_topic kafkajs-idem-g)" ||
  fail "idempotent.js failed"
note "PASS"
