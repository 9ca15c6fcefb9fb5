#include "broker/protocol/wire.h"

#include <bit>

namespace rill::broker::protocol {

void Reader::Fail(std::string_view why) {
  if (!ok_) return;
  ok_ = false;
  error_ = std::string(why) + " at byte " + std::to_string(pos_);
  pos_ = data_.size();
}

bool Reader::Need(size_t n) {
  if (!ok_) return false;
  if (data_.size() - pos_ < n) {
    Fail("truncated input");
    return false;
  }
  return true;
}

std::string_view Reader::Raw(size_t n) {
  if (!Need(n)) return {};
  std::string_view v = data_.substr(pos_, n);
  pos_ += n;
  return v;
}

int8_t Reader::Int8() {
  if (!Need(1)) return 0;
  return static_cast<int8_t>(data_[pos_++]);
}
int16_t Reader::Int16() {
  if (!Need(2)) return 0;
  int16_t v = static_cast<int16_t>(LoadBigEndian16(data_.data() + pos_));
  pos_ += 2;
  return v;
}
int32_t Reader::Int32() { return static_cast<int32_t>(Uint32()); }
uint32_t Reader::Uint32() {
  if (!Need(4)) return 0;
  uint32_t v = LoadBigEndian32(data_.data() + pos_);
  pos_ += 4;
  return v;
}
int64_t Reader::Int64() {
  if (!Need(8)) return 0;
  int64_t v = static_cast<int64_t>(LoadBigEndian64(data_.data() + pos_));
  pos_ += 8;
  return v;
}
double Reader::Float64() { return std::bit_cast<double>(static_cast<uint64_t>(Int64())); }

uint32_t Reader::UnsignedVarint() {
  uint32_t value = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    if (!Need(1)) return 0;
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    value |= static_cast<uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  Fail("varint too long");
  return 0;
}

int32_t Reader::Varint() {
  uint32_t raw = UnsignedVarint();
  return static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

int64_t Reader::Varlong() {
  uint64_t raw = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (!Need(1)) return 0;
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    raw |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  }
  Fail("varlong too long");
  return 0;
}

std::string Reader::Uuid() { return std::string(Raw(16)); }

std::optional<std::string> Reader::NullableString() {
  int16_t len = Int16();
  if (!ok_) return std::nullopt;
  if (len < -1) {
    Fail("negative string length");
    return std::nullopt;
  }
  if (len == -1) return std::nullopt;
  return std::string(Raw(static_cast<size_t>(len)));
}

std::string Reader::String() {
  auto s = NullableString();
  if (ok_ && !s) Fail("null string where one is required");
  return s.value_or("");
}

std::optional<std::string> Reader::CompactNullableString() {
  uint32_t len = UnsignedVarint();
  if (!ok_ || len == 0) return std::nullopt;
  if (len - 1 > remaining()) {
    Fail("truncated compact string");
    return std::nullopt;
  }
  return std::string(Raw(len - 1));
}

std::string Reader::CompactString() {
  auto s = CompactNullableString();
  if (ok_ && !s) Fail("null compact string where one is required");
  return s.value_or("");
}

std::optional<std::string_view> Reader::NullableBytes() {
  int32_t len = Int32();
  if (!ok_) return std::nullopt;
  if (len < -1) {
    Fail("negative bytes length");
    return std::nullopt;
  }
  if (len == -1) return std::nullopt;
  return Raw(static_cast<size_t>(len));
}

std::string_view Reader::Bytes() {
  auto b = NullableBytes();
  if (ok_ && !b) Fail("null bytes where they are required");
  return b.value_or(std::string_view());
}

std::optional<std::string_view> Reader::CompactNullableBytes() {
  uint32_t len = UnsignedVarint();
  if (!ok_ || len == 0) return std::nullopt;
  if (len - 1 > remaining()) {
    Fail("truncated compact bytes");
    return std::nullopt;
  }
  return Raw(len - 1);
}

std::string_view Reader::CompactBytes() {
  auto b = CompactNullableBytes();
  if (ok_ && !b) Fail("null compact bytes where they are required");
  return b.value_or(std::string_view());
}

int32_t Reader::ArrayLength(bool flexible, size_t min_element_size) {
  int64_t n;
  if (flexible) {
    uint32_t raw = UnsignedVarint();
    if (!ok_) return -1;
    n = static_cast<int64_t>(raw) - 1;
  } else {
    n = Int32();
    if (!ok_) return -1;
    if (n < -1) {
      Fail("negative array length");
      return -1;
    }
  }
  if (n > 0 && static_cast<uint64_t>(n) * (min_element_size == 0 ? 1 : min_element_size) >
                   remaining()) {
    Fail("array length exceeds input");
    return -1;
  }
  return static_cast<int32_t>(n);
}

void Reader::SkipTaggedFields() {
  uint32_t count = UnsignedVarint();
  for (uint32_t i = 0; ok_ && i < count; ++i) {
    UnsignedVarint();  // tag
    uint32_t size = UnsignedVarint();
    Raw(size);
  }
}

void Writer::Int16(int16_t v) {
  char b[2] = {static_cast<char>(static_cast<uint16_t>(v) >> 8), static_cast<char>(v)};
  out_->append(b, 2);
}
void Writer::Int32(int32_t v) { Uint32(static_cast<uint32_t>(v)); }
void Writer::Uint32(uint32_t v) {
  char b[4];
  StoreBigEndian32(b, v);
  out_->append(b, 4);
}
void Writer::Int64(int64_t v) {
  char b[8];
  StoreBigEndian64(b, static_cast<uint64_t>(v));
  out_->append(b, 8);
}
void Writer::Float64(double v) { Int64(static_cast<int64_t>(std::bit_cast<uint64_t>(v))); }

void Writer::UnsignedVarint(uint32_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}
void Writer::Varint(int32_t v) {
  UnsignedVarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}
void Writer::Varlong(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out_->push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out_->push_back(static_cast<char>(z));
}
void Writer::Uuid(std::string_view sixteen_bytes) {
  std::string padded(sixteen_bytes.substr(0, 16));
  padded.resize(16, '\0');
  out_->append(padded);
}

void Writer::String(std::string_view s) {
  Int16(static_cast<int16_t>(s.size()));
  out_->append(s);
}
void Writer::NullableString(const std::optional<std::string>& s) {
  if (!s) return Int16(-1);
  String(*s);
}
void Writer::CompactString(std::string_view s) {
  UnsignedVarint(static_cast<uint32_t>(s.size() + 1));
  out_->append(s);
}
void Writer::CompactNullableString(const std::optional<std::string>& s) {
  if (!s) return UnsignedVarint(0);
  CompactString(*s);
}
void Writer::Bytes(std::string_view b) {
  Int32(static_cast<int32_t>(b.size()));
  out_->append(b);
}
void Writer::NullableBytes(const std::optional<std::string_view>& b) {
  if (!b) return Int32(-1);
  Bytes(*b);
}
void Writer::CompactBytes(std::string_view b) {
  UnsignedVarint(static_cast<uint32_t>(b.size() + 1));
  out_->append(b);
}
void Writer::CompactNullableBytes(const std::optional<std::string_view>& b) {
  if (!b) return UnsignedVarint(0);
  CompactBytes(*b);
}
void Writer::ArrayLength(int32_t n, bool flexible) {
  if (flexible) {
    UnsignedVarint(n < 0 ? 0u : static_cast<uint32_t>(n) + 1);
  } else {
    Int32(n);
  }
}
size_t Writer::ReserveInt32() {
  size_t at = out_->size();
  out_->append(4, '\0');
  return at;
}
void Writer::PatchInt32(size_t at, int32_t v) {
  StoreBigEndian32(out_->data() + at, static_cast<uint32_t>(v));
}

int UnsignedVarintSize(uint32_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
int VarintSize(int32_t v) {
  return UnsignedVarintSize((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}
int VarlongSize(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  int n = 1;
  while (z >= 0x80) {
    z >>= 7;
    ++n;
  }
  return n;
}

}  // namespace rill::broker::protocol
