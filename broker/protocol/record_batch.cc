#include "broker/protocol/record_batch.h"

#include <algorithm>
#include <cstring>

#include "broker/protocol/crc32c.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {
namespace {

namespace L = batch_layout;

// Smallest batchLength: the header fields after batchLength, with no records.
constexpr int32_t kMinBatchLength =
    static_cast<int32_t>(kRecordBatchHeaderSize - kBatchLogOverhead);

inline void StoreBigEndian16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}

// Raw-pointer varint decoding for the record walk, which runs over every produced record:
// a Reader would work but carries error strings and per-call checks we do not need here.
inline bool ReadUnsignedVarint64(const uint8_t*& p, const uint8_t* end, int max_bytes,
                                 uint64_t* out) {
  uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (p == end) return false;
    uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

inline bool ReadVarint32(const uint8_t*& p, const uint8_t* end, int32_t* out) {
  uint64_t raw;
  if (!ReadUnsignedVarint64(p, end, 5, &raw) || raw > 0xffffffffu) return false;
  uint32_t u = static_cast<uint32_t>(raw);
  *out = static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

inline bool ReadVarint64(const uint8_t*& p, const uint8_t* end, int64_t* out) {
  uint64_t raw;
  if (!ReadUnsignedVarint64(p, end, 10, &raw)) return false;
  *out = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  return true;
}

// A length-prefixed nullable byte string (-1 = null). `allow_null` false for header keys.
inline bool ReadBytes(const uint8_t*& p, const uint8_t* end, bool allow_null,
                      std::optional<std::string_view>* out) {
  int32_t len;
  if (!ReadVarint32(p, end, &len)) return false;
  if (len == -1 && allow_null) {
    *out = std::nullopt;
    return true;
  }
  if (len < 0 || len > end - p) return false;
  *out = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
  p += len;
  return true;
}

// Walks `expected` records serialized back to back in `data`, checking every length and
// that offset deltas run 0, 1, 2, ... Calls sink.OnRecord(...) / sink.OnHeader(...) per
// record / header; the validation sink does nothing, so it compiles to a pure scan.
// Returns nullptr on success or a static description of the problem.
template <typename Sink>
const char* WalkRecords(std::string_view data, int32_t expected, Sink& sink) {
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const uint8_t* const end = p + data.size();
  int32_t n = 0;
  while (p != end) {
    if (n == expected) return "more records than recordsCount";
    int32_t length;
    if (!ReadVarint32(p, end, &length)) return "bad record length";
    if (length < 0 || length > end - p) return "record length exceeds the batch";
    const uint8_t* const rend = p + length;
    if (p == rend) return "empty record";
    int8_t attributes = static_cast<int8_t>(*p++);
    int64_t timestamp_delta;
    int32_t offset_delta;
    if (!ReadVarint64(p, rend, &timestamp_delta)) return "bad record timestamp delta";
    if (!ReadVarint32(p, rend, &offset_delta)) return "bad record offset delta";
    if (offset_delta != n) return "record offset deltas are not consecutive";
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    if (!ReadBytes(p, rend, true, &key)) return "bad record key";
    if (!ReadBytes(p, rend, true, &value)) return "bad record value";
    int32_t header_count;
    if (!ReadVarint32(p, rend, &header_count) || header_count < 0) {
      return "bad record header count";
    }
    // Each header takes at least two bytes; rejects absurd counts before looping.
    if (header_count > (rend - p) / 2) return "record header count exceeds the record";
    sink.OnRecord(attributes, timestamp_delta, offset_delta, key, value, header_count);
    for (int32_t h = 0; h < header_count; ++h) {
      std::optional<std::string_view> hkey;
      std::optional<std::string_view> hvalue;
      if (!ReadBytes(p, rend, false, &hkey)) return "bad record header key";
      if (!ReadBytes(p, rend, true, &hvalue)) return "bad record header value";
      sink.OnHeader(*hkey, hvalue);
    }
    if (p != rend) return "record length does not match its fields";
    ++n;
  }
  if (n != expected) return "fewer records than recordsCount";
  return nullptr;
}

struct NullSink {
  void OnRecord(int8_t, int64_t, int32_t, const std::optional<std::string_view>&,
                const std::optional<std::string_view>&, int32_t) {}
  void OnHeader(std::string_view, const std::optional<std::string_view>&) {}
};

struct DecodeSink {
  std::vector<Record>* out;
  void OnRecord(int8_t attributes, int64_t timestamp_delta, int32_t offset_delta,
                const std::optional<std::string_view>& key,
                const std::optional<std::string_view>& value, int32_t header_count) {
    Record& r = out->emplace_back();
    r.attributes = attributes;
    r.timestamp_delta = timestamp_delta;
    r.offset_delta = offset_delta;
    if (key) r.key.emplace(*key);
    if (value) r.value.emplace(*value);
    r.headers.reserve(static_cast<size_t>(header_count));
  }
  void OnHeader(std::string_view key, const std::optional<std::string_view>& value) {
    auto& h = out->back().headers.emplace_back(std::string(key), std::nullopt);
    if (value) h.second.emplace(*value);
  }
};

// A per-thread buffer for decompressing batches under validation, so steady-state
// produce traffic does not allocate; trimmed after an unusually large batch.
std::string& Scratch() {
  thread_local std::string scratch;
  return scratch;
}
void TrimScratch(std::string& s) {
  if (s.capacity() > (size_t{8} << 20)) std::string().swap(s);
}

void Fail(BatchValidation* v, ErrorCode code, size_t batch_pos, std::string why) {
  v->error = code;
  v->message = "batch at byte " + std::to_string(batch_pos) + ": " + std::move(why);
}

}  // namespace

std::optional<RecordBatchHeader> ParseRecordBatchHeader(std::string_view bytes) {
  if (bytes.size() < kRecordBatchHeaderSize) return std::nullopt;
  const char* b = bytes.data();
  RecordBatchHeader h;
  h.base_offset = static_cast<int64_t>(LoadBigEndian64(b + L::kBaseOffset));
  h.batch_length = static_cast<int32_t>(LoadBigEndian32(b + L::kBatchLength));
  h.partition_leader_epoch = static_cast<int32_t>(LoadBigEndian32(b + L::kPartitionLeaderEpoch));
  h.magic = static_cast<int8_t>(b[L::kMagic]);
  h.crc = LoadBigEndian32(b + L::kCrc);
  h.attributes = static_cast<int16_t>(LoadBigEndian16(b + L::kAttributes));
  h.last_offset_delta = static_cast<int32_t>(LoadBigEndian32(b + L::kLastOffsetDelta));
  h.base_timestamp = static_cast<int64_t>(LoadBigEndian64(b + L::kBaseTimestamp));
  h.max_timestamp = static_cast<int64_t>(LoadBigEndian64(b + L::kMaxTimestamp));
  h.producer_id = static_cast<int64_t>(LoadBigEndian64(b + L::kProducerId));
  h.producer_epoch = static_cast<int16_t>(LoadBigEndian16(b + L::kProducerEpoch));
  h.base_sequence = static_cast<int32_t>(LoadBigEndian32(b + L::kBaseSequence));
  h.records_count = static_cast<int32_t>(LoadBigEndian32(b + L::kRecordsCount));
  return h;
}

BatchValidation ValidateBatches(std::string_view records, int32_t max_message_bytes) {
  BatchValidation v;
  if (records.empty()) {
    v.error = ErrorCode::kCorruptMessage;
    v.message = "no record batches";
    return v;
  }
  size_t pos = 0;
  while (pos < records.size()) {
    const size_t remaining = records.size() - pos;
    const char* b = records.data() + pos;
    // A v0/v1 MessageSet entry has its magic byte at the same position, so old formats
    // are told apart from garbage before looking at v2 lengths.
    if (remaining > L::kMagic) {
      int8_t magic = static_cast<int8_t>(b[L::kMagic]);
      if (magic == 0 || magic == 1) {
        Fail(&v, ErrorCode::kUnsupportedForMessageFormat, pos,
             "message format v" + std::to_string(magic) + " is not supported, only v2");
        return v;
      }
      if (magic != 2) {
        Fail(&v, ErrorCode::kCorruptMessage, pos, "unknown magic " + std::to_string(magic));
        return v;
      }
    }
    if (remaining < kRecordBatchHeaderSize) {
      Fail(&v, ErrorCode::kCorruptMessage, pos,
           "partial batch header (" + std::to_string(remaining) + " bytes)");
      return v;
    }
    const int32_t length = static_cast<int32_t>(LoadBigEndian32(b + L::kBatchLength));
    if (length < kMinBatchLength) {
      Fail(&v, ErrorCode::kCorruptMessage, pos, "batch length " + std::to_string(length));
      return v;
    }
    const size_t total = kBatchLogOverhead + static_cast<size_t>(length);
    if (total > remaining) {
      Fail(
          &v, ErrorCode::kCorruptMessage, pos,
          "batch of " + std::to_string(total) + " bytes truncated to " + std::to_string(remaining));
      return v;
    }
    if (max_message_bytes >= 0 && total > static_cast<size_t>(max_message_bytes)) {
      Fail(&v, ErrorCode::kMessageTooLarge, pos,
           "batch of " + std::to_string(total) + " bytes exceeds max.message.bytes " +
               std::to_string(max_message_bytes));
      return v;
    }
    RecordBatchHeader h = *ParseRecordBatchHeader(std::string_view(b, total));
    const uint32_t crc = Crc32c(std::string_view(b + L::kAttributes, total - L::kAttributes));
    if (crc != h.crc) {
      Fail(&v, ErrorCode::kCorruptMessage, pos, "CRC mismatch");
      return v;
    }
    if (h.records_count <= 0) {
      Fail(&v, ErrorCode::kInvalidRecord, pos,
           "invalid record count " + std::to_string(h.records_count));
      return v;
    }
    if (h.last_offset_delta != h.records_count - 1) {
      Fail(&v, ErrorCode::kInvalidRecord, pos,
           "lastOffsetDelta " + std::to_string(h.last_offset_delta) +
               " inconsistent with record count " + std::to_string(h.records_count));
      return v;
    }
    std::string_view body(b + kRecordBatchHeaderSize, total - kRecordBatchHeaderSize);
    std::string& scratch = Scratch();
    if (h.compression() != Compression::kNone) {
      if ((h.attributes & kAttrCompressionMask) > static_cast<int16_t>(Compression::kZstd)) {
        Fail(&v, ErrorCode::kCorruptMessage, pos,
             "unknown compression codec " + std::to_string(h.attributes & kAttrCompressionMask));
        return v;
      }
      absl::Status s = DecompressTo(h.compression(), body, kDefaultDecompressLimit, &scratch);
      if (!s.ok()) {
        TrimScratch(scratch);
        Fail(&v, ErrorCode::kCorruptMessage, pos, std::string(s.message()));
        return v;
      }
      body = scratch;
    }
    NullSink sink;
    const char* err = WalkRecords(body, h.records_count, sink);
    TrimScratch(scratch);
    if (err != nullptr) {
      Fail(&v, ErrorCode::kInvalidRecord, pos, err);
      return v;
    }
    v.record_count += h.records_count;
    v.batches.push_back(h);
    pos += total;
  }
  return v;
}

absl::StatusOr<std::vector<Record>> DecodeRecords(std::string_view one_batch) {
  std::optional<RecordBatchHeader> h = ParseRecordBatchHeader(one_batch);
  if (!h) return absl::InvalidArgumentError("batch shorter than its header");
  if (h->magic != 2) return absl::InvalidArgumentError("not a v2 batch");
  if (h->batch_length < kMinBatchLength || h->total_size() > one_batch.size()) {
    return absl::InvalidArgumentError("bad batch length");
  }
  if (h->records_count < 0) return absl::InvalidArgumentError("negative record count");
  std::string_view body =
      one_batch.substr(kRecordBatchHeaderSize, h->total_size() - kRecordBatchHeaderSize);
  std::string decompressed;
  if (h->compression() != Compression::kNone) {
    absl::Status s = DecompressTo(h->compression(), body, kDefaultDecompressLimit, &decompressed);
    if (!s.ok()) return s;
    body = decompressed;
  }
  std::vector<Record> records;
  // Every record takes at least 7 bytes, which bounds the reservation.
  records.reserve(std::min<size_t>(static_cast<size_t>(h->records_count), body.size() / 7 + 1));
  DecodeSink sink{&records};
  if (const char* err = WalkRecords(body, h->records_count, sink)) {
    return absl::InvalidArgumentError(err);
  }
  return records;
}

RecordBatchBuilder& RecordBatchBuilder::Add(std::optional<std::string_view> key,
                                            std::optional<std::string_view> value,
                                            int64_t timestamp, const std::vector<Header>& headers) {
  if (count_ == 0) base_timestamp_ = timestamp;
  max_timestamp_ = count_ == 0 ? timestamp : std::max(max_timestamp_, timestamp);
  std::string body;
  Writer w(&body);
  w.Int8(0);  // record attributes: unused
  w.Varlong(timestamp - base_timestamp_);
  w.Varint(static_cast<int32_t>(count_));
  auto put = [&w](const std::optional<std::string_view>& bytes) {
    if (!bytes) {
      w.Varint(-1);
      return;
    }
    w.Varint(static_cast<int32_t>(bytes->size()));
    w.Raw(*bytes);
  };
  put(key);
  put(value);
  w.Varint(static_cast<int32_t>(headers.size()));
  for (const auto& [hkey, hvalue] : headers) {
    put(std::string_view(hkey));
    put(hvalue ? std::optional<std::string_view>(*hvalue) : std::nullopt);
  }
  Writer out(&records_);
  out.Varint(static_cast<int32_t>(body.size()));
  out.Raw(body);
  ++count_;
  return *this;
}

std::string RecordBatchBuilder::Build() const {
  Compression codec = compression_;
  std::string compressed;
  std::string_view payload = records_;
  if (codec != Compression::kNone) {
    absl::StatusOr<std::string> c = Compress(codec, records_);
    if (c.ok()) {
      compressed = *std::move(c);
      payload = compressed;
    } else {
      codec = Compression::kNone;
    }
  }
  int16_t attributes = static_cast<int16_t>(codec);
  if (log_append_time_) attributes |= kAttrLogAppendTime;
  if (transactional_) attributes |= kAttrTransactional;
  if (control_) attributes |= kAttrControl;

  std::string batch;
  batch.reserve(kRecordBatchHeaderSize + payload.size());
  Writer w(&batch);
  w.Int64(base_offset_);
  w.Int32(static_cast<int32_t>(kRecordBatchHeaderSize - kBatchLogOverhead + payload.size()));
  w.Int32(leader_epoch_);
  w.Int8(2);
  w.Uint32(0);  // CRC, below
  w.Int16(attributes);
  w.Int32(static_cast<int32_t>(count_) - 1);
  w.Int64(base_timestamp_);
  w.Int64(max_timestamp_);
  w.Int64(producer_id_);
  w.Int16(producer_epoch_);
  w.Int32(base_sequence_);
  w.Int32(static_cast<int32_t>(count_));
  w.Raw(payload);
  StoreBigEndian32(batch.data() + L::kCrc, Crc32c(std::string_view(batch).substr(L::kAttributes)));
  return batch;
}

void SetBaseOffset(char* batch, int64_t base_offset) {
  StoreBigEndian64(batch + L::kBaseOffset, static_cast<uint64_t>(base_offset));
}

void SetPartitionLeaderEpoch(char* batch, int32_t epoch) {
  StoreBigEndian32(batch + L::kPartitionLeaderEpoch, static_cast<uint32_t>(epoch));
}

void SetLogAppendTime(char* batch, int64_t ts) {
  uint16_t attributes = LoadBigEndian16(batch + L::kAttributes);
  int64_t current = static_cast<int64_t>(LoadBigEndian64(batch + L::kMaxTimestamp));
  // Unchanged batch, unchanged CRC: skip the recomputation, as Kafka does.
  if ((attributes & kAttrLogAppendTime) != 0 && current == ts) return;
  StoreBigEndian16(batch + L::kAttributes, static_cast<uint16_t>(attributes | kAttrLogAppendTime));
  StoreBigEndian64(batch + L::kMaxTimestamp, static_cast<uint64_t>(ts));
  size_t total = kBatchLogOverhead + LoadBigEndian32(batch + L::kBatchLength);
  StoreBigEndian32(batch + L::kCrc,
                   Crc32c(std::string_view(batch + L::kAttributes, total - L::kAttributes)));
}

}  // namespace rill::broker::protocol
