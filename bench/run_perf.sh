#!/usr/bin/env bash
# End-to-end throughput and latency of rill-broker against librdkafka's in-process mock
# cluster, measured by rill-perf --compare in one process per workload (DESIGN.md §6: the
# baseline is measured in the same run). Builds nothing: run `make build` (or build the
# rill-broker and rill-perf targets) first. Prints a markdown table for docs/PERFORMANCE.md.
#
#   bench/run_perf.sh [--build-dir DIR] [--quick]
#
#   --build-dir DIR   where bin/rill-perf and bin/rill-broker are (default: build)
#   --quick           small workloads, to check the script itself (numbers are noise)
#   RILL_PERF_BOOTSTRAP=host:port   measure that broker instead of starting rill-broker
#
# Workloads: 6 partitions; 100 B and 1 KiB payloads; produce with acks=1 and acks=all;
# consume (group-less, from the start of every partition); end-to-end latency at
# 10k msg/s with librdkafka's defaults, and again with fetch.wait.max.ms=5.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$ROOT/build
QUICK=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) BUILD_DIR=$(cd "$2" && pwd); shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_perf.sh: unknown argument $1 (--help)" >&2; exit 2 ;;
  esac
done
PERF=$BUILD_DIR/bin/rill-perf
BROKER=$BUILD_DIR/bin/rill-broker
[[ -x $PERF ]] || { echo "run_perf.sh: $PERF not built (make build)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rill-perf.XXXXXX")
LOG=$WORK/perf.log
BROKER_PID=""
cleanup() {
  local status=$?
  if [[ -n $BROKER_PID ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    timeout 10 tail --pid="$BROKER_PID" -f /dev/null || kill -KILL "$BROKER_PID" 2>/dev/null || true
  fi
  if [[ $status -ne 0 ]]; then
    echo "run_perf.sh: failed; rill-perf output in $LOG:" >&2
    tail -n 20 "$LOG" >&2 || true
    [[ -s $WORK/broker.err ]] && { echo "broker stderr:" >&2; tail -n 20 "$WORK/broker.err" >&2; }
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts rill-broker on a free port in a temp dir; sets BOOTSTRAP from its listening line.
start_broker() {
  [[ -x $BROKER ]] || { echo "run_perf.sh: $BROKER not built (make build)" >&2; exit 1; }
  mkdir -p "$WORK/data"
  mkfifo "$WORK/broker.stdout"
  stdbuf -oL "$BROKER" --node-id 1 --listen 127.0.0.1:0 --data-dir "$WORK/data" \
    >"$WORK/broker.stdout" 2>"$WORK/broker.err" &
  BROKER_PID=$!
  local fd line status
  exec {fd}<"$WORK/broker.stdout"
  BOOTSTRAP=""
  while [[ -z $BOOTSTRAP ]]; do
    status=0
    IFS= read -r -t 30 -u "$fd" line || status=$?
    ((status == 0)) || { echo "run_perf.sh: rill-broker did not start (see its stderr)" >&2; exit 1; }
    [[ $line =~ rill-broker\ listening\ on\ ([0-9.]+:[0-9]+) ]] && BOOTSTRAP=${BASH_REMATCH[1]}
  done
  cat <&"$fd" >/dev/null &  # keep draining so the broker never blocks on stdout
  exec {fd}<&-
}

if [[ -n ${RILL_PERF_BOOTSTRAP:-} ]]; then
  BOOTSTRAP=$RILL_PERF_BOOTSTRAP
  TARGET="broker at $BOOTSTRAP"
else
  start_broker
  TARGET="rill-broker (fresh data dir)"
fi

declare -A PRODUCE_MSGS CONSUME
if ((QUICK)); then
  PRODUCE_MSGS=(["100"]=20000 ["1024"]=5000)
  CONSUME=(["100"]="20000 2" ["1024"]="5000 2")
  LATENCY_SECONDS=2
else
  # Produce: ~100 MB (100 B) / ~200 MB (1 KiB) of payload per run.
  PRODUCE_MSGS=(["100"]=1000000 ["1024"]=200000)
  # Consume: "messages repeat". The mock keeps only ~5 MiB per partition, so each pass reads
  # a topic that fits (~20 MB over 6 partitions) and passes are summed.
  CONSUME=(["100"]="200000 10" ["1024"]="20000 10")
  LATENCY_SECONDS=10
fi
RUN_ID=$(date +%s)

# field LINE KEY: the value of KEY=... in a `result` line.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

# perf ARGS...: runs one rill-perf --compare; leaves its three result lines in R_MOCK,
# R_OURS and R_RATIO.
perf() {
  echo "+ rill-perf $*" >>"$LOG"
  local out
  if ! out=$("$PERF" "$@" --compare "$BOOTSTRAP" 2>>"$LOG"); then
    echo "$out" >>"$LOG"
    echo "run_perf.sh: rill-perf $* failed" >&2
    exit 1
  fi
  echo "$out" >>"$LOG"
  R_MOCK=$(grep '^result target=mock ' <<<"$out")
  R_OURS=$(grep '^result target=broker ' <<<"$out")
  R_RATIO=$(grep '^result target=ratio ' <<<"$out")
  echo "  done: rill-perf $*" >&2
}

size_label() { [[ $1 == 1024 ]] && echo "1 KiB" || echo "$1 B"; }

ROWS=()
throughput_row() {  # workload size acks
  ROWS+=("| $1 | $(size_label "$2") | $3 | $(field "$R_MOCK" msgs_per_sec) | $(field "$R_MOCK" mb_per_sec) | $(field "$R_OURS" msgs_per_sec) | $(field "$R_OURS" mb_per_sec) | $(field "$R_RATIO" msgs_per_sec) |")
}

echo "run_perf.sh: measuring $TARGET against the librdkafka mock (log: kept on failure)" >&2
for size in 100 1024; do
  for acks in 1 all; do
    perf produce --topic "perf-produce-$size-$acks-$RUN_ID" --partitions 6 --size "$size" \
      --acks "$acks" --messages "${PRODUCE_MSGS[$size]}"
    throughput_row produce "$size" "$acks"
  done
  read -r messages repeat <<<"${CONSUME[$size]}"
  perf consume --topic "perf-consume-$size-$RUN_ID" --partitions 6 --size "$size" --acks 1 \
    --messages "$messages" --repeat "$repeat"
  throughput_row consume "$size" "-"
done

LATENCY_ROWS=()
latency_row() {  # label
  LATENCY_ROWS+=("| $1 | $(field "$R_MOCK" p50_ms) / $(field "$R_MOCK" p99_ms) | $(field "$R_OURS" p50_ms) / $(field "$R_OURS" p99_ms) | $(field "$R_RATIO" p50_ms) / $(field "$R_RATIO" p99_ms) |")
}
perf latency --topic "perf-latency-$RUN_ID" --partitions 6 --size 100 --rate 10000 \
  --seconds "$LATENCY_SECONDS"
latency_row "librdkafka defaults (acks=all, linger.ms=5, fetch.wait.max.ms=500)"
perf latency --topic "perf-latency-fw5-$RUN_ID" --partitions 6 --size 100 --rate 10000 \
  --seconds "$LATENCY_SECONDS" -X fetch.wait.max.ms=5
latency_row "fetch.wait.max.ms=5 (otherwise defaults)"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cat <<EOF_TABLE

### Throughput and latency: $TARGET vs librdkafka mock cluster

Measured $(date -u +%Y-%m-%d) on ${cpu:-unknown CPU}, $(nproc) cores, librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?'),
one process per row (\`rill-perf <mode> --compare\`), 6 partitions, replication 1.
MB/s = 10^6 payload bytes per second. Ratio = rill / mock (higher is better).$( ((QUICK)) && echo ' **--quick run: numbers are noise.**')

| workload | payload | acks | mock msgs/s | mock MB/s | rill msgs/s | rill MB/s | rill/mock |
|---|---|---|---:|---:|---:|---:|---:|
$(printf '%s\n' "${ROWS[@]}")

End-to-end latency, 100 B at 10,000 msg/s for ${LATENCY_SECONDS} s, producer and consumer in one
process (ms, p50 / p99; ratio = rill / mock, lower is better). The mock answers a Fetch that
finds no data only after fetch.wait.max.ms, so with the defaults its latency mostly measures
that wait; the second row shortens it for both.

| settings | mock p50 / p99 | rill p50 / p99 | rill/mock p50 / p99 |
|---|---:|---:|---:|
$(printf '%s\n' "${LATENCY_ROWS[@]}")
EOF_TABLE
