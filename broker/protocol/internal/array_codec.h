// Array helpers shared by the message codecs in broker/protocol/messages/ (internal: not for
// use outside broker/protocol). Decoding checks each length against the remaining input via
// Reader::ArrayLength before reserving, so a hostile length cannot make us allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/wire.h"

namespace rill::broker::protocol::internal {

// `min_element_size` is the fewest bytes one encoded element can take in the oldest version
// the codec supports (fields are only ever added, so it holds for every later version).

// A non-nullable array: a null length fails the reader, as Kafka refuses it too.
template <typename T, typename DecodeElement>
void ReadArray(Reader& r, bool flexible, size_t min_element_size, std::vector<T>* out,
               DecodeElement&& decode) {
  out->clear();
  int32_t n = r.ArrayLength(flexible, min_element_size);
  if (!r.ok()) return;
  if (n < 0) {
    r.Fail("null array where one is required");
    return;
  }
  out->reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && r.ok(); ++i) decode(out->emplace_back());
}

template <typename T, typename DecodeElement>
void ReadNullableArray(Reader& r, bool flexible, size_t min_element_size,
                       std::optional<std::vector<T>>* out, DecodeElement&& decode) {
  out->reset();
  int32_t n = r.ArrayLength(flexible, min_element_size);
  if (!r.ok() || n < 0) return;
  out->emplace();
  (*out)->reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && r.ok(); ++i) decode((*out)->emplace_back());
}

template <typename T, typename EncodeElement>
void WriteArray(Writer& w, bool flexible, const std::vector<T>& v, EncodeElement&& encode) {
  w.ArrayLength(static_cast<int32_t>(v.size()), flexible);
  for (const T& e : v) encode(e);
}

template <typename T, typename EncodeElement>
void WriteNullableArray(Writer& w, bool flexible, const std::optional<std::vector<T>>& v,
                        EncodeElement&& encode) {
  if (!v) {
    w.ArrayLength(-1, flexible);
    return;
  }
  WriteArray(w, flexible, *v, encode);
}

inline void ReadInt32Array(Reader& r, bool flexible, std::vector<int32_t>* out) {
  ReadArray(r, flexible, 4, out, [&r](int32_t& e) { e = r.Int32(); });
}

inline void WriteInt32Array(Writer& w, bool flexible, const std::vector<int32_t>& v) {
  WriteArray(w, flexible, v, [&w](int32_t e) { w.Int32(e); });
}

inline void ReadStringArray(Reader& r, bool flexible, std::vector<std::string>* out) {
  ReadArray(r, flexible, flexible ? 1 : 2, out,
            [&r, flexible](std::string& e) { e = r.String(flexible); });
}

inline void ReadNullableStringArray(Reader& r, bool flexible,
                                    std::optional<std::vector<std::string>>* out) {
  ReadNullableArray(r, flexible, flexible ? 1 : 2, out,
                    [&r, flexible](std::string& e) { e = r.String(flexible); });
}

inline void WriteStringArray(Writer& w, bool flexible, const std::vector<std::string>& v) {
  WriteArray(w, flexible, v, [&w, flexible](const std::string& e) { w.String(e, flexible); });
}

inline void WriteNullableStringArray(Writer& w, bool flexible,
                                     const std::optional<std::vector<std::string>>& v) {
  WriteNullableArray(w, flexible, v,
                     [&w, flexible](const std::string& e) { w.String(e, flexible); });
}

// Fails the reader when a codec is asked for a version it does not implement, so a caller
// that forgot to check the range gets an error rather than a misparse.
inline bool CheckVersion(Reader& r, int16_t version, int16_t min, int16_t max) {
  if (version < min || version > max) {
    r.Fail("unsupported version " + std::to_string(version));
    return false;
  }
  return true;
}

}  // namespace rill::broker::protocol::internal
