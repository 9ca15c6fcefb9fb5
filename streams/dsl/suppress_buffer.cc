#include "streams/dsl/internal/suppress_buffer.h"

#include <limits>

#include "absl/strings/str_cat.h"

namespace rill::streams::internal {
namespace {

// Store value layout (version 1), all integers big-endian:
//   [1: version][8: buffer time][8: timestamp][1: flags]
//   then, per flag: new value, old value, prior value (each [4: length][bytes]), the source
//   ([4: topic length][topic][4: partition][8: offset]); then the headers
//   ([4: count] then per header [4: key length][key][1: has value]([4: length][value])).
constexpr uint8_t kVersion = 1;
constexpr uint8_t kNew = 1, kOld = 2, kPrior = 4, kPriorIsOld = 8, kSource = 16;

void PutInt(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void PutBytes(std::string& out, std::string_view b) {
  PutInt(out, b.size(), 4);
  out.append(b);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Int(int bytes, uint64_t& v) {
    if (in_.size() < static_cast<size_t>(bytes)) return false;
    v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(bytes);
    return true;
  }
  bool Bytes(std::string& out) {
    uint64_t n;
    if (!Int(4, n) || in_.size() < n) return false;
    out.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

int64_t BufferedChange::SizeEstimate() const {
  int64_t size = 0;
  if (prior_value) size += static_cast<int64_t>(prior_value->size());
  if (old_value && !prior_is_old) size += static_cast<int64_t>(old_value->size());
  if (new_value) size += static_cast<int64_t>(new_value->size());
  // ProcessorRecordContext: timestamp, offset, topic, partition, headers.
  size += 8 + 8 + 4;
  if (source) size += static_cast<int64_t>(source->topic.size());
  for (const Header& h : headers) {
    size += static_cast<int64_t>(h.key.size());
    if (h.value) size += static_cast<int64_t>(h.value->size());
  }
  return size;
}

std::string BufferedChange::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kVersion));
  PutInt(out, static_cast<uint64_t>(buffer_time), 8);
  PutInt(out, static_cast<uint64_t>(timestamp), 8);
  uint8_t flags = (new_value ? kNew : 0) | (old_value ? kOld : 0) |
                  (prior_is_old ? kPriorIsOld : (prior_value ? kPrior : 0)) |
                  (source ? kSource : 0);
  out.push_back(static_cast<char>(flags));
  if (new_value) PutBytes(out, *new_value);
  if (old_value) PutBytes(out, *old_value);
  if (flags & kPrior) PutBytes(out, *prior_value);
  if (source) {
    PutBytes(out, source->topic);
    PutInt(out, static_cast<uint32_t>(source->partition), 4);
    PutInt(out, static_cast<uint64_t>(source->offset), 8);
  }
  PutInt(out, headers.size(), 4);
  for (const Header& h : headers) {
    PutBytes(out, h.key);
    out.push_back(h.value ? 1 : 0);
    if (h.value) PutBytes(out, *h.value);
  }
  return out;
}

absl::StatusOr<BufferedChange> BufferedChange::Decode(std::string_view bytes) {
  auto corrupt = [] { return absl::DataLossError("corrupt suppression buffer entry"); };
  Reader r(bytes);
  uint64_t version, buffer_time, timestamp, flags;
  if (!r.Int(1, version)) return corrupt();
  if (version != kVersion) {
    return absl::DataLossError(absl::StrCat("suppression buffer entry of unknown version ", version));
  }
  if (!r.Int(8, buffer_time) || !r.Int(8, timestamp) || !r.Int(1, flags)) return corrupt();
  BufferedChange c;
  c.buffer_time = static_cast<int64_t>(buffer_time);
  c.timestamp = static_cast<int64_t>(timestamp);
  c.prior_is_old = (flags & kPriorIsOld) != 0;
  std::string v;
  if (flags & kNew) {
    if (!r.Bytes(v)) return corrupt();
    c.new_value = std::move(v);
  }
  if (flags & kOld) {
    if (!r.Bytes(v)) return corrupt();
    c.old_value = std::move(v);
  }
  if (flags & kPrior) {
    if (!r.Bytes(v)) return corrupt();
    c.prior_value = std::move(v);
  }
  if (c.prior_is_old) c.prior_value = c.old_value;
  if (flags & kSource) {
    RecordMetadata md;
    uint64_t partition, offset;
    if (!r.Bytes(md.topic) || !r.Int(4, partition) || !r.Int(8, offset)) return corrupt();
    md.partition = static_cast<int32_t>(partition);
    md.offset = static_cast<int64_t>(offset);
    c.source = std::move(md);
  }
  uint64_t count;
  if (!r.Int(4, count)) return corrupt();
  for (uint64_t i = 0; i < count; ++i) {
    Header h;
    uint64_t has_value;
    if (!r.Bytes(h.key) || !r.Int(1, has_value)) return corrupt();
    if (has_value) {
      if (!r.Bytes(v)) return corrupt();
      h.value = std::move(v);
    }
    c.headers.push_back(std::move(h));
  }
  if (!r.done()) return corrupt();
  return c;
}

absl::Status SuppressBuffer::Load() {
  order_.clear();
  index_.clear();
  size_bytes_ = 0;
  auto it = store_->All();
  for (; it->Valid(); it->Next()) {
    auto entry = BufferedChange::Decode(it->value());
    if (!entry.ok()) {
      return absl::Status(entry.status().code(),
                          absl::StrCat("store ", store_->name(), ": ", entry.status().message()));
    }
    std::string key(it->key());
    size_bytes_ += RecordSize(key, *entry);
    index_[key] = entry->buffer_time;
    order_.emplace(std::make_pair(entry->buffer_time, std::move(key)), std::move(*entry));
  }
  return it->status();
}

absl::Status SuppressBuffer::Put(int64_t buffer_time, const std::string& key,
                                 std::optional<std::string> new_value,
                                 std::optional<std::string> old_value, int64_t timestamp,
                                 const Headers& headers,
                                 const std::optional<RecordMetadata>& source) {
  BufferedChange c;
  c.timestamp = timestamp;
  c.new_value = std::move(new_value);
  c.old_value = std::move(old_value);
  c.headers = headers;
  c.source = source;
  auto found = index_.find(key);
  BufferedChange* slot;
  if (found == index_.end()) {
    // A new key: it takes its place by this update's buffer time.
    c.buffer_time = buffer_time;
    c.prior_value = c.old_value;
    c.prior_is_old = true;
    index_.emplace(key, buffer_time);
    slot = &order_[{buffer_time, key}];
  } else {
    // Non-resetting: the key keeps its first buffer time and prior value.
    slot = &order_.at({found->second, key});
    size_bytes_ -= RecordSize(key, *slot);
    c.buffer_time = found->second;
    c.prior_value = std::move(slot->prior_value);
    c.prior_is_old = false;
  }
  *slot = std::move(c);
  size_bytes_ += RecordSize(key, *slot);
  return store_->Put(key, slot->Encode());
}

int64_t SuppressBuffer::min_time() const {
  return order_.empty() ? std::numeric_limits<int64_t>::max() : order_.begin()->first.first;
}

absl::StatusOr<std::pair<std::string, BufferedChange>> SuppressBuffer::PopOldest() {
  auto node = order_.extract(order_.begin());
  std::string key = std::move(node.key().second);
  index_.erase(key);
  size_bytes_ -= RecordSize(key, node.mapped());
  if (absl::StatusOr<std::optional<std::string>> s = store_->Delete(key); !s.ok()) {
    return s.status();
  }
  return std::make_pair(std::move(key), std::move(node.mapped()));
}

absl::StatusOr<std::optional<BufferedChange>> SuppressBuffer::Lookup(state::KeyValueStore* store,
                                                                    std::string_view key) {
  auto bytes = store->Get(key);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) return std::optional<BufferedChange>();
  auto entry = BufferedChange::Decode(**bytes);
  if (!entry.ok()) return entry.status();
  return std::optional<BufferedChange>(std::move(*entry));
}

}  // namespace rill::streams::internal
