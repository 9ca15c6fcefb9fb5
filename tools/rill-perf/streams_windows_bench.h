// The windowed-aggregation and join workload (issue 6): what Rill's windowed counts and its
// stream-table join cost next to a stateless topology, in one process and one run. One
// generated input is produced once — click records keyed by user id with event-time
// timestamps that advance steadily (users alternate 8 active and 12 idle minutes; some
// idle spells hold an out-of-order record that merges two sessions) plus a table topic with
// one profile per user — and then, in sequence, each topology reads all of it on
// KafkaStreams and is timed from start() until every output is acknowledged, and again
// until close() returned (its final commit does work processing deferred: RocksDB write
// batches, dropping expired segments, the changelog's last acknowledgements):
//
//   stateless  stream.mapValues(upper case).to(out)                       (the baseline)
//   tumbling   groupByKey().windowedBy(TimeWindows 1 min).count().toStream().to(out)
//   hopping    the same with 5 min windows advancing by 1 min (5 windows per record)
//   session    the same with SessionWindows (gap 5 min, grace 2 min)
//   join       stream.join(table, value + "|" + profile).to(out), the table loaded first
//
// Every result is checked against counts computed here independently of Rill (every
// window's final count, every final session's count, every joined value); a wrong or
// missing result fails the run.
#pragma once

#include <cstdint>
#include <string>

#include "workload.h"

namespace rill::perf {

// streams-windows mode settings (--records, --commit-interval-ms).
struct StreamsWindowsWorkload {
  int64_t records = 200000;            // input click records
  int64_t commit_interval_ms = 30000;  // the Rill applications' commit.interval.ms
};

// Runs the five topologies, prints one `result target=rill mode=streams-windows
// workload=<name> ...` line per topology and one `result target=ratio ... vs=stateless`
// line per non-baseline topology, and returns the process exit code: 0 only if every
// topology finished in time with the expected results.
int RunStreamsWindowsBench(const std::string& bootstrap, const Workload& w,
                           const StreamsWindowsWorkload& s);

}  // namespace rill::perf
