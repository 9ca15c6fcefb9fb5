#include "broker/group/offsets_codec.h"

#include "broker/protocol/wire.h"

namespace rill::broker::group {

using protocol::Reader;
using protocol::Writer;

std::string EncodeOffsetKey(const OffsetKey& key) {
  std::string out;
  Writer w(&out);
  w.Int16(1);
  w.String(key.group);
  w.String(key.topic);
  w.Int32(key.partition);
  return out;
}

std::string EncodeGroupMetadataKey(const std::string& group) {
  std::string out;
  Writer w(&out);
  w.Int16(2);
  w.String(group);
  return out;
}

std::string EncodeOffsetValue(const OffsetValue& value) {
  std::string out;
  Writer w(&out);
  w.Int16(3);
  w.Int64(value.offset);
  w.Int32(value.leader_epoch);
  w.String(value.metadata);
  w.Int64(value.commit_timestamp_ms);
  return out;
}

OffsetsTopicKey DecodeOffsetsTopicKey(std::string_view bytes) {
  OffsetsTopicKey out;
  Reader r(bytes);
  int16_t version = r.Int16();
  if (version == 0 || version == 1) {
    out.offset.group = r.String();
    out.offset.topic = r.String();
    out.offset.partition = r.Int32();
    out.group = out.offset.group;
    if (r.ok()) out.kind = OffsetsTopicKey::Kind::kOffset;
  } else if (version == 2) {
    out.group = r.String();
    if (r.ok()) out.kind = OffsetsTopicKey::Kind::kGroupMetadata;
  }
  return out;
}

std::optional<OffsetValue> DecodeOffsetValue(std::string_view bytes) {
  Reader r(bytes);
  OffsetValue v;
  int16_t version = r.Int16();
  if (version < 0 || version > 3) return std::nullopt;
  v.offset = r.Int64();
  if (version >= 3) v.leader_epoch = r.Int32();
  v.metadata = r.String();
  v.commit_timestamp_ms = r.Int64();
  if (version == 1) r.Int64();  // expire timestamp, no longer used
  if (!r.ok()) return std::nullopt;
  return v;
}

int32_t OffsetsPartitionFor(const std::string& group, int32_t partitions) {
  // Java's String.hashCode over UTF-16 code units; group ids are usually ASCII, and for
  // other UTF-8 input we hash bytes, which still spreads groups evenly.
  int32_t h = 0;
  for (unsigned char c : group) h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + c);
  return (h & 0x7fffffff) % partitions;
}

}  // namespace rill::broker::group
