#!/usr/bin/env bash
# rill-topics groups list/describe/reset-offsets/delete against rill-broker, with a
# confluent-kafka group consumer (python/group_member.py) as the group: while it is a
# member, list and describe show the group Stable with its member, client id, offsets and
# lag, and reset-offsets --execute and delete are refused; once it has left, describe
# shows the lag of newly produced records, reset-offsets plans (a dry run changes nothing)
# and applies --to-earliest, --to-offset (clamped, per partition) and --to-latest, a new
# kcat -G consumer starts exactly at the reset offsets, and delete removes the group.
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v kcat >/dev/null || fail "kcat not installed (tools/install-deps.sh)"
[[ -x $RILL_TOPICS ]] || fail "rill-topics not found: $RILL_TOPICS (set RILL_TOPICS)"
is_mock && { note "SKIP (librdkafka mock): needs CreateTopics and group admin APIs"; exit 0; }
# No initial rebalance delay (Kafka's default is 3 s): a lone consumer joins at once.
start_broker --group-initial-rebalance-delay-ms 0

PARTITIONS=3
topic=$(unique_topic groups-tool)
group=$(unique_topic groups-tool-g)
CLIENT_ID=rill-groups-test
create_topic "$topic" "$PARTITIONS"

groups() { "$RILL_TOPICS" --bootstrap-servers "$BOOTSTRAP" groups "$@"; }

# produce FIRST COUNT: COUNT records into every partition, values p-i for i from FIRST.
produce() {
  local p i
  for ((p = 0; p < PARTITIONS; p++)); do
    for ((i = $1; i < $1 + $2; i++)); do echo "$p-$i"; done |
      kcat -P -b "$BOOTSTRAP" -t "$topic" -p "$p" -X acks=all 2>"$WORK/kcat-p.err" ||
      fail "kcat -P failed: $(cat "$WORK/kcat-p.err")"
  done
}

# The describe rows of $topic as "PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CLIENT-ID".
describe_rows() {
  groups describe "$group" >"$WORK/describe.out" 2>"$WORK/describe.err" ||
    fail "groups describe $group failed: $(cat "$WORK/describe.err")"
  awk -v g="$group" -v t="$topic" '$1 == g && $2 == t { print $3, $4, $5, $6, $9 }' \
    "$WORK/describe.out" | sort -n
}

# rows_are "LINE" "LINE" ...: describe_rows prints exactly these lines.
rows_are() {
  [[ $(describe_rows) == "$(printf '%s\n' "$@")" ]]
}

expect_rows() {
  local what=$1
  shift
  rows_are "$@" || fail "$what: describe printed
$(cat "$WORK/describe.out")
want rows (PARTITION CURRENT LOG-END LAG CLIENT-ID):
$(printf '%s\n' "$@")"
}

# group_is STATE: the state on describe's group line is STATE.
group_is() {
  local state
  state=$(groups describe "$group" 2>/dev/null |
    awk -v g="$group" 'NR == 2 && $1 == g { print $(NF - 1) }')
  [[ $state == "$1" ]]
}

# expect_refused WHAT PATTERN COMMAND...: COMMAND must fail with PATTERN on stderr.
expect_refused() {
  local what=$1 pattern=$2
  shift 2
  if "$@" >"$WORK/refused.out" 2>"$WORK/refused.err"; then
    fail "$what succeeded: $(cat "$WORK/refused.out")"
  fi
  grep -q "$pattern" "$WORK/refused.err" ||
    fail "$what: want an error matching '$pattern', got: $(cat "$WORK/refused.err")"
}

produce 0 10

# --- An active group: a confluent-kafka consumer that reads the 30 records, commits
# synchronously, says so, and stays in the group until SIGTERM (python/group_member.py).
timeout 120 /usr/bin/python3 "$CONFORMANCE_DIR/python/group_member.py" --bootstrap "$BOOTSTRAP" \
  --topic "$topic" --group "$group" --client-id "$CLIENT_ID" --count 30 \
  >"$WORK/member.out" 2>"$WORK/member.err" &
member_pid=$!
track_pid "$member_pid"
wait_for "the group member to read and commit 30 records" 60 \
  grep -q "^committed 30$" "$WORK/member.out"
expect_rows "describe of the Stable group" \
  "0 10 10 0 $CLIENT_ID" "1 10 10 0 $CLIENT_ID" "2 10 10 0 $CLIENT_ID"
grep -q "^GROUP  *COORDINATOR (ID)  *ASSIGNMENT-STRATEGY  *STATE  *#MEMBERS$" "$WORK/describe.out" ||
  fail "describe: no group state header: $(cat "$WORK/describe.out")"
read -r _ coordinator _ assignor state members < <(sed -n 2p "$WORK/describe.out")
[[ $coordinator == "$BOOTSTRAP" && $assignor == range && $state == Stable && $members == 1 ]] ||
  fail "describe: group line is '$(sed -n 2p "$WORK/describe.out")'"
awk -v g="$group" -v t="$topic" '$1 == g && $2 == t { print $7, $8 }' "$WORK/describe.out" |
  sort -u >"$WORK/member.txt"
if [[ $(wc -l <"$WORK/member.txt") != 1 ]] || ! grep -q "^$CLIENT_ID-.* /127.0.0.1$" "$WORK/member.txt"; then
  fail "describe: want one member $CLIENT_ID-... on /127.0.0.1: $(cat "$WORK/describe.out")"
fi
note "describe: Stable, 1 member ($(cat "$WORK/member.txt")), offsets 10/10, lag 0"

groups list >"$WORK/list.out" || fail "groups list failed"
grep -qE "^$group +Stable +consumer$" "$WORK/list.out" ||
  fail "groups list: want '$group Stable consumer': $(cat "$WORK/list.out")"
expect_refused "reset-offsets --execute on a Stable group" "current state is Stable" \
  groups reset-offsets "$group" --topic "$topic" --to-earliest --execute
expect_refused "delete of a Stable group" "NON_EMPTY_GROUP" groups delete "$group"
note "list shows it Stable; reset-offsets --execute and delete are refused while it is"

kill -TERM "$member_pid"
timeout 30 tail --pid="$member_pid" -f /dev/null || fail "the group member did not exit on SIGTERM"
wait "$member_pid" || fail "the group member failed: $(cat "$WORK/member.err")"
wait_for "the group to be Empty once its member left" 30 group_is Empty
groups describe "$group" >"$WORK/describe.out" || fail "groups describe $group failed"
grep -q "^Consumer group '$group' has no active members.$" "$WORK/describe.out" ||
  fail "describe of the Empty group does not say it has no active members"

# --- An empty group: lag, then resets. ---
produce 10 3
expect_rows "describe after 3 more records per partition" \
  "0 10 13 3 -" "1 10 13 3 -" "2 10 13 3 -"
note "Empty after the member left; describe shows lag 3 on each partition, no consumer"

groups reset-offsets "$group" --topic "$topic" --to-earliest >"$WORK/plan.out" 2>"$WORK/plan.err" ||
  fail "reset-offsets dry run failed: $(cat "$WORK/plan.err")"
awk '{ print $1, $2, $3, $4 }' "$WORK/plan.out" >"$WORK/plan.actual"
printf '%s\n' "GROUP TOPIC PARTITION NEW-OFFSET" "$group $topic 0 0" "$group $topic 1 0" \
  "$group $topic 2 0" >"$WORK/plan.expected"
expect_equal_files "$WORK/plan.expected" "$WORK/plan.actual" "reset-offsets --to-earliest plan"
grep -q "dry run" "$WORK/plan.err" || fail "the dry run does not say it changed nothing"
expect_rows "describe after a dry run (nothing changed)" \
  "0 10 13 3 -" "1 10 13 3 -" "2 10 13 3 -"

groups reset-offsets "$group" --topic "$topic" --to-earliest --execute >/dev/null ||
  fail "reset-offsets --to-earliest --execute failed"
expect_rows "describe after --to-earliest" "0 0 13 13 -" "1 0 13 13 -" "2 0 13 13 -"
groups reset-offsets "$group" --topic "$topic:1" --to-offset 5 --execute >/dev/null ||
  fail "reset-offsets --topic $topic:1 --to-offset 5 --execute failed"
expect_rows "describe after --to-offset 5 on partition 1" "0 0 13 13 -" "1 5 13 8 -" "2 0 13 13 -"
groups reset-offsets "$group" --topic "$topic" --to-offset 999 >"$WORK/plan.out" 2>/dev/null ||
  fail "reset-offsets --to-offset 999 dry run failed"
[[ $(awk 'NR > 1 { print $4 }' "$WORK/plan.out" | sort -u) == 13 ]] ||
  fail "--to-offset 999 should clamp to the log end (13): $(cat "$WORK/plan.out")"
groups reset-offsets "$group" --topic "$topic" --to-latest --execute >/dev/null ||
  fail "reset-offsets --to-latest --execute failed"
expect_rows "describe after --to-latest" "0 13 13 0 -" "1 13 13 0 -" "2 13 13 0 -"
groups reset-offsets "$group" --topic "$topic" --to-offset 11 --execute >/dev/null ||
  fail "reset-offsets --to-offset 11 --execute failed"
expect_rows "describe after --to-offset 11" "0 11 13 2 -" "1 11 13 2 -" "2 11 13 2 -"
note "reset-offsets: dry run changes nothing; --to-earliest, --to-offset (one partition," \
  "clamped), --to-latest applied"

# A consumer of the group now starts exactly at offset 11 of every partition.
timeout 60 kcat -b "$BOOTSTRAP" -G "$group" -e -q -f '%p|%o|%s\n' -X client.id="$CLIENT_ID" \
  -X auto.offset.reset=earliest "$topic" 2>"$WORK/resumed.err" | sort >"$WORK/resumed.actual" ||
  fail "kcat -G after the reset failed: $(cat "$WORK/resumed.err")"
for p in 0 1 2; do printf '%s\n' "$p|11|$p-11" "$p|12|$p-12"; done | sort >"$WORK/resumed.expected"
expect_equal_files "$WORK/resumed.expected" "$WORK/resumed.actual" "records read after the reset"
wait_for "the group to be Empty again" 30 group_is Empty
note "a new kcat -G consumer read exactly offsets 11 and 12 of each partition"

# --- delete ---
groups delete "$group" >"$WORK/delete.out" || fail "groups delete $group failed"
grep -q "^deleted group $group$" "$WORK/delete.out" || fail "delete printed: $(cat "$WORK/delete.out")"
groups list >"$WORK/list.out" || fail "groups list failed"
if grep -q "^$group " "$WORK/list.out"; then
  fail "groups list still shows $group: $(cat "$WORK/list.out")"
fi
expect_refused "describe of the deleted group" "does not exist" groups describe "$group"
expect_refused "a second delete" "GROUP_ID_NOT_FOUND" groups delete "$group"
note "delete removed the group; describe and a second delete report it missing"
note "PASS"
