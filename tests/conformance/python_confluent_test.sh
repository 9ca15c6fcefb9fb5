#!/usr/bin/env bash
# confluent-kafka-python 1.7.0 against rill-broker: admin create/list, produce with keys,
# headers, null values, acks=all and every codec, assigned-consumer read-back
# (tests/conformance/python/confluent_roundtrip.py).
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

/usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null ||
  fail "python3-confluent-kafka is not installed (tools/install-deps.sh)"
start_broker
mock_flag=()
is_mock && mock_flag=(--mock)
timeout 240 /usr/bin/python3 "$CONFORMANCE_DIR/python/confluent_roundtrip.py" \
  --bootstrap "$BOOTSTRAP" "${mock_flag[@]}" || fail "confluent_roundtrip.py failed"
