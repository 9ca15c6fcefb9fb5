#!/usr/bin/env bash
# End-to-end throughput, latency and consumer-group timings of rill-broker against
# librdkafka's in-process mock cluster, measured by rill-perf --compare in one process per
# workload (DESIGN.md §6: the baseline is measured in the same run). Builds nothing: run
# `make build` (or build the rill-broker and rill-perf targets) first. Prints a markdown
# table for docs/PERFORMANCE.md.
#
#   bench/run_perf.sh [--build-dir DIR] [--quick] [--runs N] [--no-idle-wait] [--log FILE]
#
#   --build-dir DIR   where bin/rill-perf and bin/rill-broker are (default: build)
#   --quick           small workloads, one run, no idle wait: checks the script itself
#   --runs N          run every comparison N times and report medians (default 3)
#   --no-idle-wait    start at once instead of waiting (up to 20 min) for the 1-minute load
#                     average to drop below 0.7
#   --log FILE        keep every rill-perf output there (default: a temp file, kept on failure)
#   RILL_PERF_BOOTSTRAP=host:port   measure that broker instead of starting rill-broker
#
# Workloads: 6 partitions; 100 B and 1 KiB payloads; produce with acks=1 and acks=all;
# consume (group-less, from the start of every partition); end-to-end latency at
# 10k msg/s with librdkafka's defaults, and again with fetch.wait.max.ms=5; consumer-group
# join (1, 3, 10 members) and rebalance after a clean leave and a kill (3 members) on a
# 12-partition topic, against a rill-broker with group.initial.rebalance.delay.ms=0 and
# (join only) one with the default 3000; `rill-perf streams` (Rill's word count and a
# stateless map against hand-written librdkafka loops, 500,000 lines of 8 words, 6
# partitions) on a Rill broker embedded in rill-perf (RILL_PERF_BOOTSTRAP: on that broker);
# `rill-perf streams-windows` (tumbling, hopping and session windowed counts and a
# stream-table join against a stateless map on Rill, 200,000 click records) likewise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$ROOT/build
QUICK=0
RUNS=""
IDLE_WAIT=1
IDLE_LOAD=0.7
IDLE_MAX_SECONDS=1200
LOG=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) BUILD_DIR=$(cd "$2" && pwd); shift 2 ;;
    --quick) QUICK=1; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    --no-idle-wait) IDLE_WAIT=0; shift ;;
    --log) LOG=$2; shift 2 ;;
    -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_perf.sh: unknown argument $1 (--help)" >&2; exit 2 ;;
  esac
done
if ((QUICK)); then
  RUNS=${RUNS:-1}
  IDLE_WAIT=0
fi
RUNS=${RUNS:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "run_perf.sh: --runs takes a positive count" >&2; exit 2; }
PERF=$BUILD_DIR/bin/rill-perf
BROKER=$BUILD_DIR/bin/rill-broker
[[ -x $PERF ]] || { echo "run_perf.sh: $PERF not built (make build)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rill-perf.XXXXXX")
LOG=${LOG:-$WORK/perf.log}
: >"$LOG"
BROKER_PIDS=()
cleanup() {
  local status=$?
  local pid
  for pid in "${BROKER_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      timeout 10 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if [[ $status -ne 0 ]]; then
    echo "run_perf.sh: failed; rill-perf output in $LOG:" >&2
    tail -n 20 "$LOG" >&2 || true
    for err in "$WORK"/*.err; do
      [[ -s $err ]] && { echo "$err:" >&2; tail -n 20 "$err" >&2; }
    done
    rm -rf "$WORK"/*.data  # the logs stay for a look; the partition logs are large
    return
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_broker NAME ARGS...: starts rill-broker on a free port in a temp dir; sets
# BROKER_ADDR from its listening line and appends its pid to BROKER_PIDS.
start_broker() {
  [[ -x $BROKER ]] || { echo "run_perf.sh: $BROKER not built (make build)" >&2; exit 1; }
  local name=$1
  shift
  mkdir -p "$WORK/$name.data"
  mkfifo "$WORK/$name.stdout"
  stdbuf -oL "$BROKER" --node-id 1 --listen 127.0.0.1:0 --data-dir "$WORK/$name.data" "$@" \
    >"$WORK/$name.stdout" 2>"$WORK/$name.err" &
  BROKER_PIDS+=($!)
  local fd line status
  exec {fd}<"$WORK/$name.stdout"
  BROKER_ADDR=""
  while [[ -z $BROKER_ADDR ]]; do
    status=0
    IFS= read -r -t 30 -u "$fd" line || status=$?
    ((status == 0)) || { echo "run_perf.sh: rill-broker did not start (see its stderr)" >&2; exit 1; }
    [[ $line =~ rill-broker\ listening\ on\ ([0-9.]+:[0-9]+) ]] && BROKER_ADDR=${BASH_REMATCH[1]}
  done
  cat <&"$fd" >/dev/null &  # keep draining so the broker never blocks on stdout
  exec {fd}<&-
}

# Other engineers compile on the same machine: wait (bounded) for a quiet one.
load1() { cut -d' ' -f1 /proc/loadavg; }
START_LOAD=$(load1)
QUIET_NOTE="1-minute load average $START_LOAD at the start"
if ((IDLE_WAIT)); then
  waited=0
  while awk -v l="$(load1)" -v max="$IDLE_LOAD" 'BEGIN { exit !(l >= max) }'; do
    if ((waited >= IDLE_MAX_SECONDS)); then
      echo "run_perf.sh: load average still $(load1) after ${waited}s; measuring anyway" >&2
      break
    fi
    echo "run_perf.sh: load average $(load1) >= $IDLE_LOAD; waiting (${waited}s so far)" >&2
    sleep 30
    waited=$((waited + 30))
  done
  QUIET_NOTE="1-minute load average $START_LOAD when the script started, $(load1) when measuring began after ${waited} s of waiting for < $IDLE_LOAD"
fi

GROUP_DEFAULT_NOTE="default 3000"
if [[ -n ${RILL_PERF_BOOTSTRAP:-} ]]; then
  BOOTSTRAP=$RILL_PERF_BOOTSTRAP
  GROUP_BOOTSTRAP=$RILL_PERF_BOOTSTRAP
  TARGET="broker at $BOOTSTRAP"
  GROUP_DELAY_NOTE="the broker's own setting"
  GROUP_DEFAULT_NOTE="the broker's own setting"
else
  start_broker main
  BOOTSTRAP=$BROKER_ADDR
  # The first join of an empty group waits group.initial.rebalance.delay.ms (3000 ms, as in
  # Kafka) for more members; a second broker without that wait shows the protocol's own cost.
  start_broker group0 --group-initial-rebalance-delay-ms 0
  GROUP_BOOTSTRAP=$BROKER_ADDR
  TARGET="rill-broker (fresh data dir)"
  GROUP_DELAY_NOTE="0"
fi

declare -A PRODUCE_MSGS CONSUME
if ((QUICK)); then
  PRODUCE_MSGS=(["100"]=20000 ["1024"]=5000)
  CONSUME=(["100"]="20000 2" ["1024"]="5000 2")
  LATENCY_SECONDS=2
  STREAMS_LINES=20000
  WINDOWS_RECORDS=20000
else
  # Produce: ~100 MB (100 B) / ~200 MB (1 KiB) of payload per run.
  PRODUCE_MSGS=(["100"]=1000000 ["1024"]=200000)
  # Consume: "messages repeat". The mock keeps only ~5 MiB per partition, so each pass reads
  # a topic that fits (~20 MB over 6 partitions) and passes are summed.
  CONSUME=(["100"]="200000 10" ["1024"]="20000 10")
  LATENCY_SECONDS=10
  # ~30 MB of text, 4,000,000 words: the Rill word count runs for 10+ s.
  STREAMS_LINES=500000
  # ~4 hours of event time for 1,000 users: the whole mode runs for about 1.5 minutes.
  WINDOWS_RECORDS=200000
fi
RUN_ID=$(date +%s)

# CPU seconds used by everything on the machine, and by our brokers (from /proc).
hz=$(getconf CLK_TCK)
machine_cpu() { awk -v hz="$hz" '/^cpu / { print ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat; }
brokers_cpu() {
  local pid total=0
  for pid in "${BROKER_PIDS[@]}"; do
    [[ -r /proc/$pid/stat ]] || continue
    total=$(awk -v hz="$hz" -v t="$total" '{ sub(/^.*\) /, ""); print t + ($12 + $13) / hz }' \
      "/proc/$pid/stat")
  done
  echo "$total"
}
MAX_FOREIGN=0

# perf [--against HOST:PORT] ARGS...: runs one rill-perf --compare RUNS times; leaves every
# run's result lines in R_MOCK, R_OURS and R_RATIO. Also tracks the CPU other processes took
# during a run (MAX_FOREIGN, in cores), since the machine is shared.
perf() {
  local bootstrap=$BOOTSTRAP
  if [[ $1 == --against ]]; then
    bootstrap=$2
    shift 2
  fi
  R_MOCK=""
  R_OURS=""
  R_RATIO=""
  local run out cpu0 ours0 wall0 cpu1 ours1 wall1 perf_cpu foreign
  for ((run = 1; run <= RUNS; run++)); do
    # Start every run with no dirty page cache: once ~10% of RAM is dirty the kernel's
    # writeback throttles the broker's writes, and a run would measure what the runs before
    # it wrote rather than its own workload (docs/PERFORMANCE.md, "Disk write-back").
    sync
    echo "+ rill-perf $* --compare $bootstrap  # run $run/$RUNS, load $(load1)" >>"$LOG"
    cpu0=$(machine_cpu)
    ours0=$(brokers_cpu)
    wall0=$(date +%s.%N)
    local TIMEFORMAT='%U %S'
    if ! { time out=$("$PERF" "$@" --compare "$bootstrap" 2>>"$LOG"); } 2>"$WORK/time"; then
      echo "$out" >>"$LOG"
      echo "run_perf.sh: rill-perf $* failed" >&2
      exit 1
    fi
    cpu1=$(machine_cpu)
    ours1=$(brokers_cpu)
    wall1=$(date +%s.%N)
    perf_cpu=$(awk '{ print $1 + $2 }' "$WORK/time")
    foreign=$(awk -v c="$cpu1" -v d="$cpu0" -v o="$ours1" -v p="$ours0" -v r="$perf_cpu" \
      -v w="$wall1" -v v="$wall0" 'BEGIN { f = ((c - d) - (o - p) - r) / (w - v); printf "%.2f", f < 0 ? 0 : f }')
    MAX_FOREIGN=$(awk -v a="$MAX_FOREIGN" -v b="$foreign" 'BEGIN { print (b > a ? b : a) }')
    echo "$out" >>"$LOG"
    echo "# other processes used $foreign cores on average during this run" >>"$LOG"
    R_MOCK+=$(grep '^result target=mock ' <<<"$out")$'\n'
    R_OURS+=$(grep '^result target=broker ' <<<"$out")$'\n'
    R_RATIO+=$(grep '^result target=ratio ' <<<"$out")$'\n'
    echo "  done ($run/$RUNS, others used $foreign cores): rill-perf $*" >&2
  done
}

# med LINES KEY [MATCH]: the median over runs of KEY=... in the result lines containing MATCH.
# The ratio columns are medians of the per-run ratios (each measured within one process).
med() {
  local lines=$1
  [[ -n ${3:-} ]] && lines=$(grep -F -- "$3" <<<"$lines" || true)
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$lines" | sort -g | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) print "?"
      else if (NR % 2) print v[(NR + 1) / 2]
      else print (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# span LINES KEY MATCH: "min–max" over runs of KEY=... in the lines containing MATCH.
span() {
  grep -F -- "$3" <<<"$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p" | sort -g |
    awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR > 1) printf " (%s–%s)", lo, hi }'
}

size_label() { [[ $1 == 1024 ]] && echo "1 KiB" || echo "$1 B"; }

ROWS=()
throughput_row() {  # workload size acks
  ROWS+=("| $1 | $(size_label "$2") | $3 | $(med "$R_MOCK" msgs_per_sec) | $(med "$R_MOCK" mb_per_sec) | $(med "$R_OURS" msgs_per_sec) | $(med "$R_OURS" mb_per_sec) | $(med "$R_RATIO" msgs_per_sec) |")
}

echo "run_perf.sh: measuring $TARGET against the librdkafka mock, $RUNS run(s) each (log: kept on failure)" >&2
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
  LATENCY_ROWS+=("| $1 | $(med "$R_MOCK" p50_ms) / $(med "$R_MOCK" p99_ms) | $(med "$R_OURS" p50_ms) / $(med "$R_OURS" p99_ms) | $(med "$R_RATIO" p50_ms) / $(med "$R_RATIO" p99_ms) |")
}
perf latency --topic "perf-latency-$RUN_ID" --partitions 6 --size 100 --rate 10000 \
  --seconds "$LATENCY_SECONDS"
latency_row "librdkafka defaults (acks=all, linger.ms=5, fetch.wait.max.ms=500)"
perf latency --topic "perf-latency-fw5-$RUN_ID" --partitions 6 --size 100 --rate 10000 \
  --seconds "$LATENCY_SECONDS" -X fetch.wait.max.ms=5
latency_row "fetch.wait.max.ms=5 (otherwise defaults)"

GROUP_ROWS=()
group_row() {  # scenario members delay-note
  local m="scenario=$1 members=$2 "
  GROUP_ROWS+=("| $1 | $2 | $3 | $(med "$R_MOCK" ms "$m")$(span "$R_MOCK" ms "$m") | $(med "$R_OURS" ms "$m")$(span "$R_OURS" ms "$m") | $(med "$R_RATIO" ms "$m") |")
}
perf --against "$GROUP_BOOTSTRAP" group --topic "perf-group-$RUN_ID" --partitions 12 \
  --members 1,3,10 --rebalance-members 3 --session-timeout-ms 6000
for n in 1 3 10; do group_row join "$n" "$GROUP_DELAY_NOTE"; done
group_row leave 3 "$GROUP_DELAY_NOTE"
group_row kill 3 "$GROUP_DELAY_NOTE"
perf --against "$BOOTSTRAP" group --topic "perf-group-default-$RUN_ID" --partitions 12 \
  --members 1,3,10 --scenarios join --session-timeout-ms 6000
for n in 1 3 10; do group_row join "$n" "$GROUP_DEFAULT_NOTE"; done

# Streams: each run is one rill-perf process with its own embedded broker (or the given
# one), so it is not a --compare run: the baseline (the hand loop) is inside the run.
R_STREAMS=""
STREAMS_FOREIGN=0
STREAMS_ARGS=(streams --lines "$STREAMS_LINES" --partitions 6)
# Both pipelines of a run share one process and so one allocator: jemalloc, as the shipped
# streams examples link it (docs/PERFORMANCE.md, "Allocator"; STREAMS_ALLOCATOR=glibc to
# measure with glibc's malloc instead).
STREAMS_PRELOAD=""
if [[ ${STREAMS_ALLOCATOR:-jemalloc} == jemalloc ]]; then
  STREAMS_PRELOAD="$(pkg-config --variable=libdir jemalloc)/libjemalloc.so.2"
  [[ -f $STREAMS_PRELOAD ]] || { echo "run_perf.sh: $STREAMS_PRELOAD missing (libjemalloc-dev)" >&2; exit 1; }
fi
[[ -n ${RILL_PERF_BOOTSTRAP:-} ]] && STREAMS_ARGS+=(--bootstrap-servers "$RILL_PERF_BOOTSTRAP")
# streams_perf RESULTS ARGS...: runs `rill-perf ARGS` RUNS times (allocator as above), logs
# each run with the cores other processes used meanwhile, and appends every run's result
# lines to the variable named RESULTS.
streams_perf() {
  local -n results=$1
  shift
  local run out cpu0 ours0 wall0 foreign
  for ((run = 1; run <= RUNS; run++)); do
    sync
    echo "+ rill-perf $*  # run $run/$RUNS, load $(load1)" >>"$LOG"
    cpu0=$(machine_cpu)
    ours0=$(brokers_cpu)
    wall0=$(date +%s.%N)
    local TIMEFORMAT='%U %S'
    if ! { time out=$(LD_PRELOAD="$STREAMS_PRELOAD" "$PERF" "$@" 2>>"$LOG"); } 2>"$WORK/time"; then
      echo "$out" >>"$LOG"
      echo "run_perf.sh: rill-perf $* failed" >&2
      exit 1
    fi
    foreign=$(awk -v c="$(machine_cpu)" -v d="$cpu0" -v o="$(brokers_cpu)" -v p="$ours0" \
      -v r="$(awk '{ print $1 + $2 }' "$WORK/time")" -v w="$(date +%s.%N)" -v v="$wall0" \
      'BEGIN { f = ((c - d) - (o - p) - r) / (w - v); printf "%.2f", f < 0 ? 0 : f }')
    STREAMS_FOREIGN=$(awk -v a="$STREAMS_FOREIGN" -v b="$foreign" 'BEGIN { print (b > a ? b : a) }')
    MAX_FOREIGN=$(awk -v a="$MAX_FOREIGN" -v b="$foreign" 'BEGIN { print (b > a ? b : a) }')
    echo "$out" >>"$LOG"
    echo "# other processes used $foreign cores on average during this run" >>"$LOG"
    results+=$(grep '^result target=' <<<"$out")$'\n'
    echo "  done ($run/$RUNS, others used $foreign cores): rill-perf $*" >&2
  done
}
streams_perf R_STREAMS "${STREAMS_ARGS[@]}"
STREAMS_ROWS=()
streams_row() {  # workload
  local m="workload=$1 " hand rill ratio words=""
  hand=$(grep -F -- "target=hand " <<<"$R_STREAMS" || true)
  rill=$(grep -F -- "target=rill " <<<"$R_STREAMS" || true)
  ratio=$(grep -F -- "target=ratio " <<<"$R_STREAMS" || true)
  if [[ $1 == wordcount ]]; then
    words=" / $(med "$hand" words_per_sec "$m") | $(med "$rill" lines_per_sec "$m") / $(med "$rill" words_per_sec "$m")"
  else
    words=" | $(med "$rill" lines_per_sec "$m")"
  fi
  STREAMS_ROWS+=("| $1 | $(med "$hand" lines_per_sec "$m")$words | $(med "$ratio" lines_per_sec "$m")$(span "$ratio" lines_per_sec "$m") | $(med "$hand" output_records "$m") | $(med "$rill" output_records "$m") | $(med "$hand" cpu_seconds "$m") / $(med "$rill" cpu_seconds "$m") |")
}
streams_row wordcount
streams_row map

# Windowed counts and a stream-table join against a stateless map, all on Rill, in one
# process per run (the baseline is inside the run, as for streams).
R_WINDOWS=""
WINDOWS_ARGS=(streams-windows --records "$WINDOWS_RECORDS" --partitions 6)
[[ -n ${RILL_PERF_BOOTSTRAP:-} ]] && WINDOWS_ARGS+=(--bootstrap-servers "$RILL_PERF_BOOTSTRAP")
streams_perf R_WINDOWS "${WINDOWS_ARGS[@]}"
WINDOWS_ROWS=()
windows_row() {  # workload
  local m="workload=$1 " rill ratio="–" closed="–"
  rill=$(grep -F -- "target=rill " <<<"$R_WINDOWS" || true)
  if [[ $1 != stateless ]]; then
    local r
    r=$(grep -F -- "target=ratio " <<<"$R_WINDOWS" || true)
    ratio="$(med "$r" ratio "$m")$(span "$r" ratio "$m")"
    closed="$(med "$r" closed_ratio "$m")"
  fi
  WINDOWS_ROWS+=("| $1 | $(med "$rill" records_per_sec "$m") | $(med "$rill" closed_records_per_sec "$m") | $ratio | $closed | $(med "$rill" output_records "$m") | $(med "$rill" changelog_records "$m") | $(med "$rill" closed_cpu_seconds "$m") |")
}
for w in stateless tumbling hopping session join; do windows_row "$w"; done
if [[ -n ${RILL_PERF_BOOTSTRAP:-} ]]; then
  STREAMS_BROKER="the broker at $RILL_PERF_BOOTSTRAP"
else
  STREAMS_BROKER="a Rill broker embedded in rill-perf (fresh per run; broker, clients and
application share the $(nproc) cores)"
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cat <<EOF_TABLE

### Throughput, latency and group timings: $TARGET vs librdkafka mock cluster

Measured $(date -u +%Y-%m-%d) on ${cpu:-unknown CPU}, $(nproc) cores, Linux $(uname -r),
librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?'); one process per comparison
(\`rill-perf <mode> --compare\`), each comparison run $RUNS time(s), medians shown (the ratio is the
median of the per-run ratios). Machine load: $QUIET_NOTE; other processes used at most
$MAX_FOREIGN cores on average during any one run.$( ((QUICK)) && echo ' **--quick run: numbers are noise.**')

6 partitions, replication 1. MB/s = 10^6 payload bytes per second. Ratio = rill / mock
(higher is better).

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

Consumer groups, 12 partitions, range assignor, session.timeout.ms=6000, other librdkafka
defaults (heartbeat.interval.ms=3000). join: first subscribe until all N members hold their
partitions; leave: start of rd_kafka_consumer_close on one of 3 until the other 2 hold all
12; kill: rd_kafka_destroy without consumer close, same end. ms; ratio = rill / mock, lower is
faster; medians with the (min–max) over runs. The mock elects a leader 3000 ms after an empty
group's first JoinGroup and waits session.timeout.ms - 1000 ms for rejoins in any later
rebalance.

| scenario | members | rill group.initial.rebalance.delay.ms | mock ms | rill ms | rill/mock |
|---|---:|---|---:|---:|---:|
$(printf '%s\n' "${GROUP_ROWS[@]}")

Streams: \`rill-perf ${STREAMS_ARGS[*]}\`, one process per run, on $STREAMS_BROKER.
$STREAMS_LINES lines of 8 words (4096-word vocabulary), 6 partitions. hand = a hand-written
librdkafka consume → process → produce loop; rill = the same work as a KafkaStreams topology
(1 stream thread, at_least_once, commit.interval.ms=30000). Each pipeline is timed from its
start until all input is consumed and all outputs are acknowledged (the Rill word count:
until close() returned after its final commit). Medians of $RUNS run(s); rill/hand is the
median of the per-run ratios, with (min–max); other processes used at most
$STREAMS_FOREIGN cores during a run. Target: word count rill/hand ≥ 0.7.

| pipeline | hand lines/s (/ words/s) | rill lines/s (/ words/s) | rill/hand | hand outputs | rill outputs | CPU s hand / rill |
|---|---:|---:|---:|---:|---:|---:|
$(printf '%s\n' "${STREAMS_ROWS[@]}")

Windows and joins: \`rill-perf ${WINDOWS_ARGS[*]}\`, one process per run, on $STREAMS_BROKER.
$WINDOWS_RECORDS click records of 1,000 users (event time advancing ~850 clicks per minute), 6
partitions, each topology on KafkaStreams (1 stream thread, at_least_once,
commit.interval.ms=30000) over the same input: stateless = mapValues; tumbling = 1-min
windowed count; hopping = 5-min windows advancing by 1 min; session = gap 5 min, grace 2
min; join = stream-table join (table loaded first, untimed). records/s until every output is
acknowledged, and until close() returned; ratio = vs the stateless run of the same process,
median of the per-run ratios (min–max). Medians of $RUNS run(s).

| topology | records/s | records/s incl. close() | vs stateless | incl. close() | outputs | changelog records | CPU s incl. close() |
|---|---:|---:|---:|---:|---:|---:|---:|
$(printf '%s\n' "${WINDOWS_ROWS[@]}")
EOF_TABLE
