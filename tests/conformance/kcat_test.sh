#!/usr/bin/env bash
# kcat (librdkafka 2.0.2) against rill-broker: produce keyed messages with headers and null
# values to several partitions with every compression codec, read everything back with
# kcat -C -e and compare it byte for byte, and check kcat -L lists the topics.
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v kcat >/dev/null || fail "kcat not installed (tools/install-deps.sh)"
start_broker

PARTITIONS=3
PER_PARTITION=40
CODECS=(none gzip snappy lz4 zstd)
# One big value per codec run: several KB, repetitive, so compression matters.
BIG_VALUE=$(printf 'big-%04d ' $(seq 1 1500))

for codec in "${CODECS[@]}"; do
  topic=$(unique_topic "kcat-$codec")
  create_topic "$topic" "$PARTITIONS"
  expected="$WORK/$codec.expected"
  : >"$expected"
  for ((p = 0; p < PARTITIONS; p++)); do
    input="$WORK/$codec-$p.in"
    : >"$input"
    for ((i = 0; i < PER_PARTITION; i++)); do
      key="key-$p-$i"
      case $((i % 10)) in
        3) value="" ;; # produced as a NULL value (-Z)
        7) value=$BIG_VALUE ;;
        *) value="value $codec/$p/$i with spaces, commas and ünïcödé ✓" ;;
      esac
      printf '%s\t%s\n' "$key" "$value" >>"$input"
      printf '%s|%s|%s|%s|%s\n' "$p" "$i" "$key" "${value:-NULL}" \
        "codec=$codec,partition=$p,empty=" >>"$expected"
    done
    # Lines on stdin (a file argument would be sent as one message). -K: key delimiter;
    # -Z: empty value -> NULL; -H: headers on every message (one with an empty value);
    # acks=all, and a linger so batches hold several records and compression has work.
    kcat -P -b "$BOOTSTRAP" -t "$topic" -p "$p" -z "$codec" -K $'\t' -Z \
      -H "codec=$codec" -H "partition=$p" -H "empty=" \
      -X acks=all -X linger.ms=20 <"$input" 2>"$WORK/kcat-p.err" ||
      fail "kcat -P ($codec, partition $p) failed: $(cat "$WORK/kcat-p.err")"
  done

  actual="$WORK/$codec.actual"
  timeout 60 kcat -C -b "$BOOTSTRAP" -t "$topic" -o beginning -e -q -Z \
    -f '%p|%o|%k|%s|%h\n' 2>"$WORK/kcat-c.err" | sort -t'|' -k1,1n -k2,2n >"$actual" ||
    fail "kcat -C ($codec) failed: $(cat "$WORK/kcat-c.err")"
  expect_equal_files "$expected" "$actual" "read-back of $codec topic $topic"
  note "$codec: $((PARTITIONS * PER_PARTITION)) messages read back exactly"

  kcat -L -b "$BOOTSTRAP" -t "$topic" >"$WORK/metadata.txt" 2>&1 ||
    fail "kcat -L failed: $(cat "$WORK/metadata.txt")"
  grep -q "topic \"$topic\" with" "$WORK/metadata.txt" ||
    fail "kcat -L does not list $topic: $(cat "$WORK/metadata.txt")"
  if is_mock; then
    skip_on_mock "partition count of $topic (auto-created)"
  else
    grep -q "topic \"$topic\" with $PARTITIONS partitions" "$WORK/metadata.txt" ||
      fail "kcat -L: $topic should have $PARTITIONS partitions: $(cat "$WORK/metadata.txt")"
    for ((p = 0; p < PARTITIONS; p++)); do
      grep -qE "partition $p, leader 1, replicas: 1, isrs: 1" "$WORK/metadata.txt" ||
        fail "kcat -L: partition $p of $topic should be led by broker 1: $(cat "$WORK/metadata.txt")"
    done
  fi
done

# Whole-cluster metadata lists every topic made above.
kcat -L -b "$BOOTSTRAP" >"$WORK/all-metadata.txt" 2>&1 || fail "kcat -L (all topics) failed"
for codec in "${CODECS[@]}"; do
  grep -q "topic \"kcat-$codec-" "$WORK/all-metadata.txt" ||
    fail "kcat -L (all topics) misses the $codec topic"
done
note "PASS"
