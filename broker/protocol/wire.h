// Kafka wire-format primitives: a bounds-checked Reader over a received frame and a
// Writer that appends to a growable buffer. Every Kafka message codec is written on top
// of these two types.
//
// Reader never throws and never reads out of bounds: the first failed read (short input,
// negative length where one is not allowed, varint too long) makes the reader "failed",
// every later read returns a zero value, and ok() reports false. Codecs therefore decode
// straight through and check ok() once at the end.
//
// Neither type is thread-safe; each is used by one request at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rill::broker::protocol {

class Reader {
 public:
  Reader() = default;
  explicit Reader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  // Describes the first failure ("" while ok()).
  const std::string& error() const { return error_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  // Marks the reader failed with `why` unless it already failed.
  void Fail(std::string_view why);

  int8_t Int8();
  int16_t Int16();
  int32_t Int32();
  int64_t Int64();
  uint32_t Uint32();
  bool Bool() { return Int8() != 0; }
  double Float64();
  uint32_t UnsignedVarint();
  int32_t Varint();    // zig-zag
  int64_t Varlong();   // zig-zag
  // 16 raw bytes.
  std::string Uuid();

  // Classic (INT16 length) and compact (UNSIGNED_VARINT length+1) strings. Nullable forms
  // return nullopt for null; non-nullable forms fail the reader on a null.
  std::string String();
  std::optional<std::string> NullableString();
  std::string CompactString();
  std::optional<std::string> CompactNullableString();
  // Picks the compact or the classic form.
  std::string String(bool flexible) { return flexible ? CompactString() : String(); }
  std::optional<std::string> NullableString(bool flexible) {
    return flexible ? CompactNullableString() : NullableString();
  }

  // Bytes (INT32 length / compact). Returned views alias the reader's input.
  std::optional<std::string_view> NullableBytes();
  std::string_view Bytes();
  std::optional<std::string_view> CompactNullableBytes();
  std::string_view CompactBytes();
  std::optional<std::string_view> NullableBytes(bool flexible) {
    return flexible ? CompactNullableBytes() : NullableBytes();
  }

  // Array lengths: -1 (classic) / 0 (compact) mean null and are returned as -1. A length
  // that cannot possibly fit in the remaining input (each element takes >= min_element_size
  // bytes) fails the reader, so callers may reserve() safely.
  int32_t ArrayLength(bool flexible, size_t min_element_size = 1);

  // Skips a tagged-field section (flexible versions); unknown tags are ignored.
  void SkipTaggedFields();

  // Takes `n` raw bytes.
  std::string_view Raw(size_t n);

 private:
  bool Need(size_t n);

  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
  std::string error_;
};

class Writer {
 public:
  Writer() = default;
  explicit Writer(std::string* out) : out_(out) {}
  // A Writer that owns its buffer must keep pointing at its own copy after a copy or move
  // (the implicit members would leave it aliasing the source's buffer).
  Writer(const Writer& other) : own_(other.own_), out_(other.owns() ? &own_ : other.out_) {}
  Writer(Writer&& other) noexcept
      : own_(std::move(other.own_)), out_(other.owns() ? &own_ : other.out_) {}
  Writer& operator=(const Writer& other) {
    if (this != &other) {
      own_ = other.own_;
      out_ = other.owns() ? &own_ : other.out_;
    }
    return *this;
  }
  Writer& operator=(Writer&& other) noexcept {
    if (this != &other) {
      own_ = std::move(other.own_);
      out_ = other.owns() ? &own_ : other.out_;
    }
    return *this;
  }

  std::string& buffer() { return *out_; }
  size_t size() const { return out_->size(); }

  void Int8(int8_t v) { out_->push_back(static_cast<char>(v)); }
  void Int16(int16_t v);
  void Int32(int32_t v);
  void Int64(int64_t v);
  void Uint32(uint32_t v);
  void Bool(bool v) { Int8(v ? 1 : 0); }
  void Float64(double v);
  void UnsignedVarint(uint32_t v);
  void Varint(int32_t v);
  void Varlong(int64_t v);
  void Uuid(std::string_view sixteen_bytes);

  void String(std::string_view s);
  void NullableString(const std::optional<std::string>& s);
  void CompactString(std::string_view s);
  void CompactNullableString(const std::optional<std::string>& s);
  void String(std::string_view s, bool flexible) {
    flexible ? CompactString(s) : String(s);
  }
  void NullableString(const std::optional<std::string>& s, bool flexible) {
    flexible ? CompactNullableString(s) : NullableString(s);
  }

  void Bytes(std::string_view b);
  void NullableBytes(const std::optional<std::string_view>& b);
  void CompactBytes(std::string_view b);
  void CompactNullableBytes(const std::optional<std::string_view>& b);
  void NullableBytes(const std::optional<std::string_view>& b, bool flexible) {
    flexible ? CompactNullableBytes(b) : NullableBytes(b);
  }

  // Array length; pass -1 for a null array.
  void ArrayLength(int32_t n, bool flexible);
  // An empty tagged-field section.
  void EmptyTaggedFields() { UnsignedVarint(0); }

  void Raw(std::string_view bytes) { out_->append(bytes); }

  // Reserves 4 bytes for a big-endian INT32 written later with PatchInt32.
  size_t ReserveInt32();
  void PatchInt32(size_t at, int32_t v);

 private:
  bool owns() const { return out_ == &own_; }

  std::string own_;
  std::string* out_ = &own_;
};

// Size of an unsigned varint / zig-zag varint encoding, for precomputing record sizes.
int UnsignedVarintSize(uint32_t v);
int VarintSize(int32_t v);
int VarlongSize(int64_t v);

// Big-endian helpers for patching fixed fields in place.
inline void StoreBigEndian32(char* p, uint32_t v) {
  p[0] = static_cast<char>(v >> 24); p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8); p[3] = static_cast<char>(v);
}
inline void StoreBigEndian64(char* p, uint64_t v) {
  StoreBigEndian32(p, static_cast<uint32_t>(v >> 32));
  StoreBigEndian32(p + 4, static_cast<uint32_t>(v));
}
inline uint32_t LoadBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}
inline uint64_t LoadBigEndian64(const char* p) {
  return (uint64_t{LoadBigEndian32(p)} << 32) | LoadBigEndian32(p + 4);
}
inline uint16_t LoadBigEndian16(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}

}  // namespace rill::broker::protocol
