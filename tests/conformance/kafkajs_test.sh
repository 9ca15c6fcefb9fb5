#!/usr/bin/env bash
# kafkajs 2.2.4 against rill-broker: admin createTopics/listTopics/fetchTopicOffsets,
# produce (none, GZIP) with keys, headers, null values, acks=-1; read back with kafkajs's
# Fetch (no group; kafkajs_group_test.sh covers groups) and cross-check the same topics
# with kcat.
# tests/conformance/js/roundtrip.js says more.
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JS_DIR="$CONFORMANCE_DIR/js"
command -v node >/dev/null || fail "node is not installed (tools/install-deps.sh)"
command -v kcat >/dev/null || fail "kcat is not installed (tools/install-deps.sh)"
[[ -d $JS_DIR/node_modules/kafkajs ]] ||
  fail "kafkajs is not installed: run tools/install-deps.sh (npm ci in $JS_DIR)"
start_broker
mock_flag=()
is_mock && mock_flag=(--mock)
mkdir -p "$WORK/kafkajs"
timeout 240 node "$JS_DIR/roundtrip.js" --bootstrap "$BOOTSTRAP" --expect-dir "$WORK/kafkajs" \
  "${mock_flag[@]}" || fail "roundtrip.js failed"

# What kafkajs wrote must read back the same through librdkafka (partition, offset, key,
# value length; roundtrip.js already compared values and headers byte for byte).
for codec in none gzip; do
  topic=$(cat "$WORK/kafkajs/$codec.topic")
  timeout 60 kcat -C -b "$BOOTSTRAP" -t "$topic" -o beginning -e -q -f '%p|%o|%k|%S\n' \
    2>"$WORK/kcat.err" | sort -t'|' -k1,1n -k2,2n >"$WORK/kafkajs/$codec.actual" ||
    fail "kcat -C $topic failed: $(cat "$WORK/kcat.err")"
  expect_equal_files "$WORK/kafkajs/$codec.expected" "$WORK/kafkajs/$codec.actual" \
    "kcat read-back of kafkajs topic $topic"
  note "$codec: kcat reads what kafkajs wrote"
done
note "PASS"
