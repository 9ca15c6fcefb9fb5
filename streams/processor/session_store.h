// SessionStore<K, V>: the typed view of a task's session store (Kafka Streams'
// SessionStore / ReadOnlySessionStore): aggregates per key and session window [start, end]
// (both inclusive). Reads return the matching sessions as vectors of (Windowed<K>, V), per
// key by session end (latest first for the backward variants); errors of the store
// underneath throw StreamsException.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state/session_store.h"
#include "streams/dsl/windows.h"
#include "streams/processor/record.h"
#include "streams/serde/serde.h"

namespace rill::streams {

template <class K, class V>
class SessionStore {
 public:
  SessionStore(state::SessionStore* store, Serde<K> ks, Serde<V> vs)
      : store_(store), ks_(std::move(ks)), vs_(std::move(vs)) {}

  const std::string& name() const { return store_->name(); }

  // `key`'s sessions that end at or after earliest_session_end and start at or before
  // latest_session_start (both inclusive).
  std::vector<KeyValue<Windowed<K>, V>> findSessions(const K& key, int64_t earliest_session_end,
                                                     int64_t latest_session_start) const {
    return Entries(store_->FindSessions(Key(key), earliest_session_end, latest_session_start));
  }
  std::vector<KeyValue<Windowed<K>, V>> backwardFindSessions(const K& key,
                                                             int64_t earliest_session_end,
                                                             int64_t latest_session_start) const {
    return Entries(store_->FindSessions(Key(key), earliest_session_end, latest_session_start,
                                        /*backward=*/true));
  }
  // The same for every key in [key_from, key_to].
  std::vector<KeyValue<Windowed<K>, V>> findSessions(const K& key_from, const K& key_to,
                                                     int64_t earliest_session_end,
                                                     int64_t latest_session_start) const {
    const std::string from = Key(key_from);
    const std::string to = Key(key_to);
    return Entries(store_->FindSessions(std::optional<std::string_view>(from),
                                        std::optional<std::string_view>(to), earliest_session_end,
                                        latest_session_start));
  }
  // Every session of `key`.
  std::vector<KeyValue<Windowed<K>, V>> fetch(const K& key) const {
    return Entries(store_->Fetch(Key(key)));
  }
  std::vector<KeyValue<Windowed<K>, V>> backwardFetch(const K& key) const {
    return Entries(store_->Fetch(Key(key), /*backward=*/true));
  }
  // The aggregate of exactly `key`'s session [start, end].
  std::optional<V> fetchSession(const K& key, int64_t start, int64_t end) const {
    auto bytes = store_->FetchSession(Key(key), start, end);
    if (!bytes.ok()) Fail(bytes.status());
    if (!bytes->has_value()) return std::nullopt;
    return Value(**bytes);
  }
  // Every live session, by key then end.
  std::vector<KeyValue<Windowed<K>, V>> all() const { return Entries(store_->All()); }
  // Every key's sessions ending in [earliest_end, latest_end], by end, start, then key.
  std::vector<KeyValue<Windowed<K>, V>> findSessionsByEnd(int64_t earliest_end,
                                                          int64_t latest_end) const {
    return Entries(store_->FindSessionsByEnd(earliest_end, latest_end));
  }

  // Writes (or with nullopt removes) the session's aggregate. A session already past the
  // store's retention is dropped, as in Kafka Streams.
  void put(const Windowed<K>& session, const std::optional<V>& value) {
    std::string v;
    const bool has_value = value && vs_.serialize(*value, v);
    auto r = store_->Put(Key(session.key), session.window.start, session.window.end,
                         has_value ? std::optional<std::string_view>(v) : std::nullopt);
    if (!r.ok()) Fail(r.status());
  }
  void remove(const Windowed<K>& session) { put(session, std::nullopt); }

 private:
  [[noreturn]] void Fail(const absl::Status& s) const {
    throw StreamsException("session store " + name() + ": " + std::string(s.message()));
  }
  std::string Key(const K& key) const {
    std::string out;
    if (!ks_.serialize(key, out)) throw StreamsException("session store " + name() + ": null key");
    return out;
  }
  V Value(std::string_view bytes) const {
    auto v = vs_.deserialize(bytes);
    if (!v.ok()) Fail(v.status());
    return std::move(*v);
  }
  std::vector<KeyValue<Windowed<K>, V>> Entries(
      std::unique_ptr<state::SessionStoreIterator> it) const {
    std::vector<KeyValue<Windowed<K>, V>> out;
    for (; it->Valid(); it->Next()) {
      auto k = ks_.deserialize(it->key());
      if (!k.ok()) Fail(k.status());
      out.push_back({Windowed<K>{std::move(*k), Window{it->start(), it->end()}}, Value(it->value())});
    }
    if (!it->status().ok()) Fail(it->status());
    return out;
  }

  state::SessionStore* store_;
  Serde<K> ks_;
  Serde<V> vs_;
};

}  // namespace rill::streams
