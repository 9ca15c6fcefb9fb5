// Suppressed: how KTable::suppress() holds back a table's updates (Kafka Streams'
// Suppressed and BufferConfig).
//
//   Suppressed::untilWindowCloses(BufferConfig::unbounded())
//       windowed tables only: one final result per window, forwarded when stream time
//       reaches the window's end + the grace period of the upstream windowed aggregation.
//   Suppressed::untilTimeLimit(5s, BufferConfig::maxRecords(1000).emitEarlyWhenFull())
//       a key's latest value is forwarded once stream time reaches the time of its first
//       buffered update + the limit; later updates replace the value, not the time.
//
// The buffer is bounded by a number of records and/or bytes. When it is over a bound it
// either emits its oldest records early (EagerBufferConfig, the default of maxRecords /
// maxBytes) or fails the task (StrictBufferConfig: shutDownWhenFull(), unbounded()).
// untilWindowCloses takes only a StrictBufferConfig — a final result must never be emitted
// early — so passing an EagerBufferConfig does not compile, as Kafka Streams' types forbid.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "streams/processor/record.h"

namespace rill::streams {

class EagerBufferConfig;
class StrictBufferConfig;

// What every buffer config holds. Limits are inclusive: the buffer is over capacity when it
// holds more than max_records() records or more than max_bytes() bytes (Kafka Streams'
// estimate of a record's size: serialized key and values, record metadata and headers).
class BufferConfig {
 public:
  static constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

  // At most `records` records; emits the oldest early when over.
  static EagerBufferConfig maxRecords(int64_t records);
  // At most `bytes` bytes; emits the oldest early when over.
  static EagerBufferConfig maxBytes(int64_t bytes);
  // No bound (memory permitting); never emits early.
  static StrictBufferConfig unbounded();

  int64_t max_records() const { return max_records_; }
  int64_t max_bytes() const { return max_bytes_; }
  // true: a full buffer fails the task; false: it emits its oldest records early.
  bool shut_down_when_full() const { return shut_down_; }
  // The buffer's changelog topic (<application.id>-<suppress name>-store-changelog).
  bool logging_enabled() const { return logging_; }
  const std::map<std::string, std::string>& changelog_configs() const { return log_configs_; }

 protected:
  BufferConfig(int64_t records, int64_t bytes, bool shut_down)
      : max_records_(records), max_bytes_(bytes), shut_down_(shut_down) {}
  static int64_t Checked(int64_t limit, const char* what) {
    if (limit < 0) {
      throw StreamsException(std::string("suppression buffer: ") + what +
                             " must not be negative, got " + std::to_string(limit));
    }
    return limit;
  }

  int64_t max_records_;
  int64_t max_bytes_;
  bool shut_down_;
  bool logging_ = true;
  std::map<std::string, std::string> log_configs_;
};

// A bounded buffer that emits its oldest records early when full (only for untilTimeLimit).
class EagerBufferConfig : public BufferConfig {
 public:
  EagerBufferConfig withMaxRecords(int64_t records) const {
    EagerBufferConfig c = *this;
    c.max_records_ = Checked(records, "max records");
    return c;
  }
  EagerBufferConfig withMaxBytes(int64_t bytes) const {
    EagerBufferConfig c = *this;
    c.max_bytes_ = Checked(bytes, "max bytes");
    return c;
  }
  EagerBufferConfig emitEarlyWhenFull() const { return *this; }
  // Same limits; a full buffer fails the task instead.
  StrictBufferConfig shutDownWhenFull() const;
  EagerBufferConfig withLoggingDisabled() const {
    EagerBufferConfig c = *this;
    c.logging_ = false;
    return c;
  }
  EagerBufferConfig withLoggingEnabled(std::map<std::string, std::string> configs) const {
    EagerBufferConfig c = *this;
    c.logging_ = true;
    c.log_configs_ = std::move(configs);
    return c;
  }

 private:
  friend class BufferConfig;
  friend class StrictBufferConfig;
  EagerBufferConfig(int64_t records, int64_t bytes) : BufferConfig(records, bytes, false) {}
};

// A buffer that never emits early: when over a limit it fails the task with a
// StreamsException naming the suppress node and the limits.
class StrictBufferConfig : public BufferConfig {
 public:
  StrictBufferConfig withMaxRecords(int64_t records) const {
    StrictBufferConfig c = *this;
    c.max_records_ = Checked(records, "max records");
    return c;
  }
  StrictBufferConfig withMaxBytes(int64_t bytes) const {
    StrictBufferConfig c = *this;
    c.max_bytes_ = Checked(bytes, "max bytes");
    return c;
  }
  // Removes both limits.
  StrictBufferConfig withNoBound() const {
    StrictBufferConfig c = *this;
    c.max_records_ = kNoLimit;
    c.max_bytes_ = kNoLimit;
    return c;
  }
  StrictBufferConfig shutDownWhenFull() const { return *this; }
  // Same limits; a full buffer emits its oldest records early instead.
  EagerBufferConfig emitEarlyWhenFull() const {
    EagerBufferConfig c(max_records_, max_bytes_);
    c.logging_ = logging_;
    c.log_configs_ = log_configs_;
    return c;
  }
  StrictBufferConfig withLoggingDisabled() const {
    StrictBufferConfig c = *this;
    c.logging_ = false;
    return c;
  }
  StrictBufferConfig withLoggingEnabled(std::map<std::string, std::string> configs) const {
    StrictBufferConfig c = *this;
    c.logging_ = true;
    c.log_configs_ = std::move(configs);
    return c;
  }

 private:
  friend class BufferConfig;
  friend class EagerBufferConfig;
  StrictBufferConfig(int64_t records, int64_t bytes) : BufferConfig(records, bytes, true) {}
};

inline EagerBufferConfig BufferConfig::maxRecords(int64_t records) {
  return EagerBufferConfig(Checked(records, "max records"), kNoLimit);
}
inline EagerBufferConfig BufferConfig::maxBytes(int64_t bytes) {
  return EagerBufferConfig(kNoLimit, Checked(bytes, "max bytes"));
}
inline StrictBufferConfig BufferConfig::unbounded() { return StrictBufferConfig(kNoLimit, kNoLimit); }
inline StrictBufferConfig EagerBufferConfig::shutDownWhenFull() const {
  StrictBufferConfig c(max_records_, max_bytes_);
  c.logging_ = logging_;
  c.log_configs_ = log_configs_;
  return c;
}

class WindowCloseSuppressed;

// The suppression a KTable::suppress() applies. withName() names the suppress node; its
// buffer store is then "<name>-store" (otherwise KTABLE-SUPPRESS-<n> and
// KTABLE-SUPPRESS-STATE-STORE-<n+1>, as Kafka Streams generates them).
class Suppressed {
 public:
  // Windowed tables only (KTable<Windowed<K>, V>): each window's final result, forwarded
  // once stream time >= window end + grace. Updates of windows that are then deleted
  // (tombstones) are not forwarded.
  static WindowCloseSuppressed untilWindowCloses(const StrictBufferConfig& buffer);
  // Each key's latest value, forwarded once stream time >= the timestamp of the key's first
  // buffered update + `time_to_wait_for_more_events`. Deletions are forwarded too.
  static Suppressed untilTimeLimit(std::chrono::milliseconds time_to_wait_for_more_events,
                                   const BufferConfig& buffer) {
    if (time_to_wait_for_more_events.count() < 0) {
      throw StreamsException("Suppressed::untilTimeLimit: the time limit must not be negative");
    }
    return Suppressed(false, time_to_wait_for_more_events.count(), buffer);
  }

  Suppressed withName(std::string name) const {
    Suppressed s = *this;
    s.name_ = std::move(name);
    return s;
  }

  bool until_window_closes() const { return until_window_closes_; }
  // untilTimeLimit: the limit; untilWindowCloses: 0 (the grace comes from the windows).
  int64_t time_limit_ms() const { return time_limit_ms_; }
  const BufferConfig& buffer() const { return buffer_; }
  const std::string& name() const { return name_; }

 protected:
  Suppressed(bool until_window_closes, int64_t time_limit_ms, const BufferConfig& buffer)
      : until_window_closes_(until_window_closes), time_limit_ms_(time_limit_ms), buffer_(buffer) {}

 private:
  bool until_window_closes_;
  int64_t time_limit_ms_;
  BufferConfig buffer_;
  std::string name_;
};

// What untilWindowCloses returns: KTable::suppress() accepts it only on a windowed table
// (a compile-time error otherwise).
class WindowCloseSuppressed : public Suppressed {
 public:
  WindowCloseSuppressed withName(std::string name) const {
    return WindowCloseSuppressed(Suppressed::withName(std::move(name)));
  }

 private:
  friend class Suppressed;
  explicit WindowCloseSuppressed(Suppressed s) : Suppressed(std::move(s)) {}
};

inline WindowCloseSuppressed Suppressed::untilWindowCloses(const StrictBufferConfig& buffer) {
  return WindowCloseSuppressed(Suppressed(true, 0, buffer));
}

}  // namespace rill::streams
