#!/usr/bin/env bash
# kafkajs 2.2.4 transactional producer (commit, abort, sendOffsets) against rill-broker, read
# back by a kafkajs consumer, which is read_committed by default
# (tests/conformance/js/txn.js says what it checks).
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JS_DIR="$CONFORMANCE_DIR/js"
command -v node >/dev/null || fail "node is not installed (tools/install-deps.sh)"
[[ -d $JS_DIR/node_modules/kafkajs ]] ||
  fail "kafkajs is not installed: run tools/install-deps.sh (npm ci in $JS_DIR)"
is_mock && { note "SKIP (librdkafka mock): needs CreateTopics"; exit 0; }
# No initial rebalance delay (Kafka's default is 3 s): the lone consumer joins at once.
start_broker --group-initial-rebalance-delay-ms 0
timeout 120 node "$JS_DIR/txn.js" --bootstrap "$BOOTSTRAP" --topic "$(unique_topic kafkajs-txn)" ||
  fail "txn.js failed"
note "PASS"
