#!/usr/bin/env bash
# kafka-python 2.0.2 against rill-broker: version probing (must detect a modern broker),
# admin create_topics, every compression_type, assign + seek_to_beginning read-back
# without a group (tests/conformance/python/kafka_python_roundtrip.py).
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

/usr/bin/python3 -c 'import kafka, lz4, zstandard, snappy' 2>/dev/null ||
  fail "python3-kafka and its codecs (python3-lz4, -zstandard, -snappy) are required (tools/install-deps.sh)"
start_broker
mock_flag=()
is_mock && mock_flag=(--mock)
timeout 240 /usr/bin/python3 "$CONFORMANCE_DIR/python/kafka_python_roundtrip.py" \
  --bootstrap "$BOOTSTRAP" "${mock_flag[@]}" || fail "kafka_python_roundtrip.py failed"
