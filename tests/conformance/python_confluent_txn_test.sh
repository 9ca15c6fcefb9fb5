#!/usr/bin/env bash
# confluent-kafka-python 1.7.0 transactional producer with send_offsets_to_transaction
# against rill-broker (tests/conformance/python/confluent_txn.py says what it checks).
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

/usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null ||
  fail "python3-confluent-kafka is not installed (tools/install-deps.sh)"
is_mock && { note "SKIP (librdkafka mock): needs CreateTopics"; exit 0; }
# No initial rebalance delay (Kafka's default is 3 s): the lone consumer joins at once.
start_broker --group-initial-rebalance-delay-ms 0
timeout 120 /usr/bin/python3 "$CONFORMANCE_DIR/python/confluent_txn.py" \
  --bootstrap "$BOOTSTRAP" --topic "$(unique_topic confluent-txn)" ||
  fail "confluent_txn.py failed"
note "PASS"
