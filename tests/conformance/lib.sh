# shellcheck shell=bash disable=SC2034  # variables are used by the sourcing tests
# Shared by every conformance test (sourced, not run). A test is invoked by ctest as
#   bash tests/conformance/<name>_test.sh <path-to-rill-broker> <source-dir>
# and calls start_broker [broker flags...], which starts a fresh rill-broker on a free port
# and exports BOOTSTRAP; restart_broker stops it (SIGTERM, or SIGKILL with --kill) and starts
# it again on the same port and data dir. The broker is stopped when the test exits, however
# it exits.
#
# Environment overrides (for running the scripts by hand):
#   RILL_CONFORMANCE_BOOTSTRAP=host:port  use this broker instead of starting one
#   RILL_CONFORMANCE_MOCK=1               that broker is `rill-perf mock-cluster` (librdkafka's
#                                         mock): it has no CreateTopics/DeleteTopics/
#                                         DescribeConfigs and auto-creates topics with 4
#                                         partitions, so checks needing those are skipped
#   RILL_TOPICS=path                      rill-topics binary (default: next to rill-broker)
#   RILL_BROKER_START_TIMEOUT=seconds     how long to wait for the broker (default 30)

set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 <path-to-rill-broker> <source-dir>" >&2
  exit 2
fi
BROKER_BIN=$1
SOURCE_DIR=$(cd "$2" && pwd)
CONFORMANCE_DIR="$SOURCE_DIR/tests/conformance"
TEST_NAME=$(basename "$0" .sh)
RILL_TOPICS=${RILL_TOPICS:-$(dirname "$BROKER_BIN")/rill-topics}
MOCK=${RILL_CONFORMANCE_MOCK:-0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rill-conformance.XXXXXX")
BROKER_PID=""
DRAIN_PID=""
BROKER_ARGS=() # extra flags given to start_broker, kept for restart_broker
TRACKED_PIDS=() # background clients the test started (track_pid), killed on exit

note() { echo "[$TEST_NAME] $*"; }

fail() {
  echo "[$TEST_NAME] FAIL: $*" >&2
  exit 1
}

# True when running against the librdkafka mock (see RILL_CONFORMANCE_MOCK above).
is_mock() { [[ $MOCK == 1 ]]; }

skip_on_mock() {
  note "SKIP (librdkafka mock): $*"
}

# stop_broker [--kill]: SIGTERM and wait for a clean exit (SIGKILL if it hangs), or with
# --kill SIGKILL at once, as a crash would.
stop_broker() {
  if [[ -n $BROKER_PID ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
    if [[ ${1:-} == --kill ]]; then
      kill -KILL "$BROKER_PID" 2>/dev/null || true
    else
      kill -TERM "$BROKER_PID" 2>/dev/null || true
      # Wait for a clean exit (blocking on the pid, not sleeping); SIGKILL if it hangs.
      if ! timeout 10 tail --pid="$BROKER_PID" -f /dev/null; then
        echo "[$TEST_NAME] broker did not exit within 10 s of SIGTERM; killing it" >&2
        kill -KILL "$BROKER_PID" 2>/dev/null || true
      fi
    fi
    wait "$BROKER_PID" 2>/dev/null || true
  fi
  BROKER_PID=""
  if [[ -n $DRAIN_PID ]]; then wait "$DRAIN_PID" 2>/dev/null || true; fi
  DRAIN_PID=""
}

# track_pid PID: a background process of the test, killed (if still running) when it exits.
track_pid() {
  TRACKED_PIDS+=("$1")
}

cleanup() {
  local status=$?
  local pid
  for pid in "${TRACKED_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  stop_broker
  if [[ $status -ne 0 && -s $WORK/broker.err ]]; then
    echo "[$TEST_NAME] broker stderr (last 30 lines):" >&2
    tail -n 30 "$WORK/broker.err" >&2
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_broker [broker flags...]: starts rill-broker (or takes RILL_CONFORMANCE_BOOTSTRAP)
# and exports BOOTSTRAP. The flags are added to the defaults (node id, listen, data dir).
# shellcheck disable=SC2120  # the flags are optional
start_broker() {
  BROKER_ARGS=("$@")
  if [[ -n ${RILL_CONFORMANCE_BOOTSTRAP:-} ]]; then
    export BOOTSTRAP=$RILL_CONFORMANCE_BOOTSTRAP
    note "using existing broker at $BOOTSTRAP$(is_mock && echo ' (librdkafka mock)')"
    return
  fi
  [[ -x $BROKER_BIN ]] || fail "rill-broker not found or not executable: $BROKER_BIN"
  mkdir -p "$WORK/data"
  launch_broker 127.0.0.1:0
}

# restart_broker [--kill]: stops the broker (SIGTERM, or SIGKILL with --kill) and starts it
# again with the same flags, data dir and port, so clients find it where it was. Against a
# broker this script did not start (RILL_CONFORMANCE_BOOTSTRAP) it only says it skipped.
# shellcheck disable=SC2120  # --kill is optional
restart_broker() {
  if [[ -n ${RILL_CONFORMANCE_BOOTSTRAP:-} ]]; then
    note "SKIP (existing broker): restart_broker $*"
    return
  fi
  local how=SIGTERM
  [[ ${1:-} == --kill ]] && how=SIGKILL
  local old_pid=$BROKER_PID
  stop_broker "$@"
  launch_broker "$BOOTSTRAP"
  note "rill-broker restarted after $how (pid $old_pid -> $BROKER_PID), same data dir"
}

# launch_broker LISTEN: runs rill-broker on LISTEN with $WORK/data and BROKER_ARGS, waits
# for its "rill-broker listening on" line and sets BOOTSTRAP from it.
launch_broker() {
  rm -f "$WORK/broker.stdout"
  mkfifo "$WORK/broker.stdout"
  # stdbuf: the listening line must reach us even if the broker block-buffers its stdout.
  stdbuf -oL "$BROKER_BIN" --node-id 1 --listen "$1" --data-dir "$WORK/data" \
    "${BROKER_ARGS[@]}" >"$WORK/broker.stdout" 2>>"$WORK/broker.err" &
  BROKER_PID=$!
  local fd line deadline=$((SECONDS + ${RILL_BROKER_START_TIMEOUT:-30}))
  exec {fd}<"$WORK/broker.stdout"
  BOOTSTRAP=""
  # read -t blocks until a line arrives, the broker exits (EOF) or the time is up.
  while [[ -z $BOOTSTRAP ]]; do
    local left=$((deadline - SECONDS))
    ((left > 0)) || fail "rill-broker printed no 'rill-broker listening on' line within the timeout"
    local status=0
    IFS= read -r -t "$left" -u "$fd" line || status=$?
    if ((status > 128)); then
      continue # timed out; the loop head reports it
    elif ((status != 0)); then
      kill -0 "$BROKER_PID" 2>/dev/null ||
        fail "rill-broker exited before listening: $(tail -n 20 "$WORK/broker.err")"
      fail "rill-broker closed its stdout without printing 'rill-broker listening on'"
    fi
    echo "$line" >>"$WORK/broker.out"
    if [[ $line =~ rill-broker\ listening\ on\ ([0-9.]+:[0-9]+) ]]; then
      BOOTSTRAP=${BASH_REMATCH[1]}
    fi
  done
  # Keep draining the broker's stdout so it never blocks on a full pipe.
  cat <&"$fd" >>"$WORK/broker.out" &
  DRAIN_PID=$!
  exec {fd}<&-
  export BOOTSTRAP
  note "rill-broker (pid $BROKER_PID) listening on $BOOTSTRAP"
}

# A topic name unique to this run, so reruns against a long-lived broker never collide.
unique_topic() {
  echo "$1-$(date +%s%N | tail -c 10)-$RANDOM"
}

# create_topic NAME PARTITIONS [k=v ...]: creates the topic with rill-topics (replication 1).
# On the mock (no CreateTopics) the topic is left to auto-creation on first produce.
create_topic() {
  local name=$1 partitions=$2
  shift 2
  if is_mock; then
    skip_on_mock "create $name: relying on auto-creation"
    return
  fi
  [[ -x $RILL_TOPICS ]] || fail "rill-topics not found: $RILL_TOPICS (set RILL_TOPICS)"
  local args=(--bootstrap-servers "$BOOTSTRAP" create "$name" --partitions "$partitions"
    --replication-factor 1)
  local kv
  for kv in "$@"; do args+=(--config "$kv"); done
  "$RILL_TOPICS" "${args[@]}" >/dev/null || fail "rill-topics could not create topic $name"
}

# wait_for WHAT SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; fails the
# test with WHAT if it has not within SECONDS. Polling for a condition, not a blind sleep.
wait_for() {
  local what=$1 limit=$2
  local deadline=$((SECONDS + limit))
  shift 2
  until "$@"; do
    ((SECONDS < deadline)) || fail "timed out after $limit s waiting for $what"
    sleep 0.1
  done
}

# expect_equal_files EXPECTED ACTUAL WHAT: fails with a diff when they differ.
expect_equal_files() {
  if ! diff -u "$1" "$2" >"$WORK/diff.txt"; then
    echo "[$TEST_NAME] $3 differs (--- expected, +++ actual; first 40 lines):" >&2
    head -n 40 "$WORK/diff.txt" | cut -c1-160 >&2
    fail "$3 mismatch"
  fi
}
