// Window definitions of the DSL, as in Kafka Streams: TimeWindows (tumbling and hopping),
// SlidingWindows, SessionWindows and JoinWindows, and the Window / Windowed<K> a windowed
// result is keyed by.
//
// Times are milliseconds (record timestamps). A time window is [start, end): the start is
// inclusive and the end exclusive, as in Kafka Streams' TimeWindow. Invalid parameters (a
// size of 0, an advance larger than the size, a negative grace) throw StreamsException
// when the window is defined, as Kafka Streams' factories throw IllegalArgumentException.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "streams/processor/record.h"

namespace rill::streams {

// A window's bounds in milliseconds.
struct Window {
  int64_t start = 0;
  int64_t end = 0;
  bool operator==(const Window&) const = default;
  auto operator<=>(const Window&) const = default;
};

// A key of a windowed result: the record key and its window.
template <class K>
struct Windowed {
  K key;
  Window window;
  bool operator==(const Windowed&) const = default;
};

namespace windows_internal {

inline int64_t Millis(std::chrono::milliseconds d, const char* what) {
  if (d.count() < 0) throw StreamsException(std::string(what) + " must not be negative");
  return d.count();
}

}  // namespace windows_internal

// When a windowed aggregation emits: on every update of a window (the default), or once per
// window when it closes (stream time past its end + grace), as Kafka Streams'
// EmitStrategy. Finding closed windows scans the window store, so like Kafka Streams the
// scan runs at most once per emit interval of wall-clock time (Kafka Streams' internal
// __emit.interval.ms.kstreams.windowed.aggregation__, 1 s); withEmitInterval(0ms) checks
// after every record (tests).
class EmitStrategy {
 public:
  static EmitStrategy onWindowUpdate() { return EmitStrategy(false, 0); }
  static EmitStrategy onWindowClose() { return EmitStrategy(true, 1000); }
  EmitStrategy withEmitInterval(std::chrono::milliseconds interval) const {
    return EmitStrategy(on_close_, windows_internal::Millis(interval, "emit interval"));
  }
  bool on_window_close() const { return on_close_; }
  int64_t emit_interval_ms() const { return interval_ms_; }

 private:
  EmitStrategy(bool on_close, int64_t interval) : on_close_(on_close), interval_ms_(interval) {}
  bool on_close_;
  int64_t interval_ms_;
};

// Fixed-size windows: tumbling (advance == size) or hopping (advance < size).
class TimeWindows {
 public:
  static TimeWindows ofSizeWithNoGrace(std::chrono::milliseconds size) {
    return ofSizeAndGrace(size, std::chrono::milliseconds(0));
  }
  static TimeWindows ofSizeAndGrace(std::chrono::milliseconds size,
                                    std::chrono::milliseconds grace) {
    int64_t s = windows_internal::Millis(size, "window size");
    if (s == 0) throw StreamsException("window size must be larger than zero");
    return TimeWindows(s, s, windows_internal::Millis(grace, "grace period"));
  }
  // Hopping windows: a new window every `advance`.
  TimeWindows advanceBy(std::chrono::milliseconds advance) const {
    int64_t a = windows_internal::Millis(advance, "window advance");
    if (a == 0 || a > size_ms_) {
      throw StreamsException("window advance must be larger than zero and at most the size (" +
                             std::to_string(size_ms_) + " ms), got " + std::to_string(a));
    }
    return TimeWindows(size_ms_, a, grace_ms_);
  }

  int64_t size_ms() const { return size_ms_; }
  int64_t advance_ms() const { return advance_ms_; }
  int64_t grace_ms() const { return grace_ms_; }

  // The windows a record at `timestamp` falls into, oldest first: every start that is a
  // multiple of the advance with start <= timestamp < start + size (and start >= 0).
  std::vector<Window> windowsFor(int64_t timestamp) const {
    std::vector<Window> out;
    int64_t first = timestamp - size_ms_ + advance_ms_;
    first = first < 0 ? 0 : first / advance_ms_ * advance_ms_;
    for (int64_t start = first; start <= timestamp; start += advance_ms_) {
      out.push_back({start, start + size_ms_});
    }
    return out;
  }

 private:
  TimeWindows(int64_t size, int64_t advance, int64_t grace)
      : size_ms_(size), advance_ms_(advance), grace_ms_(grace) {}
  int64_t size_ms_;
  int64_t advance_ms_;
  int64_t grace_ms_;
};

// Windows of a fixed time difference that slide with the records: two records fall into a
// common window when their timestamps differ by at most the time difference.
class SlidingWindows {
 public:
  static SlidingWindows ofTimeDifferenceWithNoGrace(std::chrono::milliseconds difference) {
    return ofTimeDifferenceAndGrace(difference, std::chrono::milliseconds(0));
  }
  static SlidingWindows ofTimeDifferenceAndGrace(std::chrono::milliseconds difference,
                                                 std::chrono::milliseconds grace) {
    return SlidingWindows(windows_internal::Millis(difference, "time difference"),
                          windows_internal::Millis(grace, "grace period"));
  }
  int64_t time_difference_ms() const { return difference_ms_; }
  int64_t grace_ms() const { return grace_ms_; }

 private:
  SlidingWindows(int64_t difference, int64_t grace)
      : difference_ms_(difference), grace_ms_(grace) {}
  int64_t difference_ms_;
  int64_t grace_ms_;
};

// Sessions: a key's records closer together than the inactivity gap form one session.
class SessionWindows {
 public:
  static SessionWindows ofInactivityGapWithNoGrace(std::chrono::milliseconds gap) {
    return ofInactivityGapAndGrace(gap, std::chrono::milliseconds(0));
  }
  static SessionWindows ofInactivityGapAndGrace(std::chrono::milliseconds gap,
                                                std::chrono::milliseconds grace) {
    int64_t g = windows_internal::Millis(gap, "inactivity gap");
    if (g == 0) throw StreamsException("inactivity gap must be larger than zero");
    return SessionWindows(g, windows_internal::Millis(grace, "grace period"));
  }
  int64_t inactivity_gap_ms() const { return gap_ms_; }
  int64_t grace_ms() const { return grace_ms_; }

 private:
  SessionWindows(int64_t gap, int64_t grace) : gap_ms_(gap), grace_ms_(grace) {}
  int64_t gap_ms_;
  int64_t grace_ms_;
};

// The time bounds of a stream-stream join: a left record at t joins right records with
// timestamps in [t - before, t + after].
class JoinWindows {
 public:
  static JoinWindows ofTimeDifferenceWithNoGrace(std::chrono::milliseconds difference) {
    return ofTimeDifferenceAndGrace(difference, std::chrono::milliseconds(0));
  }
  static JoinWindows ofTimeDifferenceAndGrace(std::chrono::milliseconds difference,
                                              std::chrono::milliseconds grace) {
    int64_t d = windows_internal::Millis(difference, "time difference");
    return JoinWindows(d, d, windows_internal::Millis(grace, "grace period"));
  }
  // Changes how far back (before) or ahead (after) of a left record the right side may be.
  // Either may be negative as long as before + after >= 0 (the window is not empty).
  JoinWindows before(std::chrono::milliseconds before) const {
    return Checked(before.count(), after_ms_);
  }
  JoinWindows after(std::chrono::milliseconds after) const {
    return Checked(before_ms_, after.count());
  }

  int64_t before_ms() const { return before_ms_; }
  int64_t after_ms() const { return after_ms_; }
  int64_t grace_ms() const { return grace_ms_; }
  // Window size: before + after.
  int64_t size_ms() const { return before_ms_ + after_ms_; }

 private:
  JoinWindows(int64_t before, int64_t after, int64_t grace)
      : before_ms_(before), after_ms_(after), grace_ms_(grace) {}
  JoinWindows Checked(int64_t before, int64_t after) const {
    if (before + after < 0) {
      throw StreamsException("join window interval is empty: before (" + std::to_string(before) +
                             " ms) + after (" + std::to_string(after) + " ms) must be >= 0");
    }
    return JoinWindows(before, after, grace_ms_);
  }
  int64_t before_ms_;
  int64_t after_ms_;
  int64_t grace_ms_;
};

}  // namespace rill::streams
