#include "broker/protocol/control_batch.h"

#include "broker/protocol/record_batch.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

std::string BuildControlBatch(int64_t producer_id, int16_t producer_epoch, bool commit,
                              int32_t coordinator_epoch, int64_t timestamp) {
  std::string key;
  Writer kw(&key);
  kw.Int16(0);  // version
  kw.Int16(commit ? kControlTypeCommit : kControlTypeAbort);
  std::string value;
  Writer vw(&value);
  vw.Int16(0);  // version
  vw.Int32(coordinator_epoch);
  RecordBatchBuilder builder;
  builder.set_producer(producer_id, producer_epoch, -1).set_transactional(true).set_control(true);
  builder.Add(key, value, timestamp);
  return builder.Build();
}

std::optional<ControlMarker> ParseControlMarker(std::string_view batch) {
  auto header = ParseRecordBatchHeader(batch);
  if (!header || !header->is_control() || header->total_size() > batch.size()) {
    return std::nullopt;
  }
  auto records = DecodeRecords(batch.substr(0, header->total_size()));
  if (!records.ok() || records->empty() || !(*records)[0].key) return std::nullopt;
  const Record& record = (*records)[0];
  Reader kr(*record.key);
  kr.Int16();  // version: Kafka reads any version's leading fields the same way
  const int16_t type = kr.Int16();
  if (!kr.ok() || (type != kControlTypeAbort && type != kControlTypeCommit)) return std::nullopt;
  ControlMarker marker;
  marker.producer_id = header->producer_id;
  marker.producer_epoch = header->producer_epoch;
  marker.commit = type == kControlTypeCommit;
  if (record.value) {
    Reader vr(*record.value);
    vr.Int16();
    const int32_t epoch = vr.Int32();
    if (vr.ok()) marker.coordinator_epoch = epoch;
  }
  return marker;
}

}  // namespace rill::broker::protocol
