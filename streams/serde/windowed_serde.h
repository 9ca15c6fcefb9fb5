// Serdes for windowed keys, byte-compatible with Kafka Streams' WindowedSerdes so Java
// tools and applications read Rill's windowed output and repartition topics:
//   time windows (TimeWindowedSerializer):       [key bytes][start: 8-byte big-endian]
//   session windows (SessionWindowedSerializer): [key bytes][end: 8 bytes BE][start: 8 bytes BE]
// A time window's end is not on the wire: the deserializer adds the window size to the
// start, as Kafka's TimeWindowedDeserializer does (saturating instead of overflowing).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "streams/dsl/windows.h"
#include "streams/serde/serde.h"

namespace rill::streams {

namespace serde_internal {

inline void AppendBigEndian64(int64_t v, std::string& out) {
  auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
}

inline int64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(bytes[i]);
  return static_cast<int64_t>(u);
}

template <class K>
class WindowedImpl final : public Serde<Windowed<K>>::Impl {
 public:
  // window_size_ms < 0: a session window (end and start both on the wire).
  WindowedImpl(Serde<K> inner, int64_t window_size_ms)
      : inner_(std::move(inner)), window_size_ms_(window_size_ms) {}

  bool Serialize(const Windowed<K>& value, std::string& out) const override {
    if (!inner_.serialize(value.key, out)) {
      throw StreamsException("a windowed key cannot have a null key");
    }
    if (session()) AppendBigEndian64(value.window.end, out);
    AppendBigEndian64(value.window.start, out);
    return true;
  }

  absl::StatusOr<Windowed<K>> Deserialize(std::optional<std::string_view> bytes) const override {
    const size_t suffix = session() ? 16 : 8;
    if (!bytes) return absl::InvalidArgumentError("null bytes for a windowed key");
    if (bytes->size() < suffix) {
      return absl::InvalidArgumentError("windowed key of " + std::to_string(bytes->size()) +
                                        " bytes is shorter than its " + std::to_string(suffix) +
                                        "-byte window suffix");
    }
    const size_t key_size = bytes->size() - suffix;
    absl::StatusOr<K> key = inner_.deserialize(bytes->substr(0, key_size));
    if (!key.ok()) return key.status();
    Window window;
    if (session()) {
      window.end = ReadBigEndian64(bytes->substr(key_size));
      window.start = ReadBigEndian64(bytes->substr(key_size + 8));
    } else {
      window.start = ReadBigEndian64(bytes->substr(key_size));
      window.end = window.start > std::numeric_limits<int64_t>::max() - window_size_ms_
                       ? std::numeric_limits<int64_t>::max()
                       : window.start + window_size_ms_;
    }
    return Windowed<K>{std::move(*key), window};
  }

 private:
  bool session() const { return window_size_ms_ < 0; }
  Serde<K> inner_;
  int64_t window_size_ms_;
};

}  // namespace serde_internal

struct WindowedSerdes {
  // Keys of time windows (tumbling, hopping, sliding) of `window_size_ms`.
  template <class K>
  static Serde<Windowed<K>> TimeWindowed(Serde<K> inner, int64_t window_size_ms) {
    if (window_size_ms <= 0) throw StreamsException("window size must be larger than zero");
    return Serde<Windowed<K>>(
        std::make_shared<serde_internal::WindowedImpl<K>>(std::move(inner), window_size_ms));
  }
  // Keys of session windows.
  template <class K>
  static Serde<Windowed<K>> SessionWindowed(Serde<K> inner) {
    return Serde<Windowed<K>>(std::make_shared<serde_internal::WindowedImpl<K>>(std::move(inner), -1));
  }
};

}  // namespace rill::streams
