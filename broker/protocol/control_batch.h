// Transaction markers: the control batches a transaction coordinator writes to each data
// partition to commit or abort a producer's open transaction. Layout is Kafka's
// EndTransactionMarker: a batch with the control and transactional attribute bits, the
// producer id/epoch of the transaction and base sequence -1, holding one record whose
// key is (int16 version 0, int16 type: 0 = ABORT, 1 = COMMIT) and whose value is
// (int16 version 0, int32 coordinator epoch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rill::broker::protocol {

// Kafka's ControlRecordType values that end a transaction.
inline constexpr int16_t kControlTypeAbort = 0;
inline constexpr int16_t kControlTypeCommit = 1;

struct ControlMarker {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool commit = false;
  int32_t coordinator_epoch = -1;
};

// One whole control batch (base offset 0; the log assigns the real one).
std::string BuildControlBatch(int64_t producer_id, int16_t producer_epoch, bool commit,
                              int32_t coordinator_epoch, int64_t timestamp);

// The marker in `batch` (which starts at its baseOffset field); nullopt when the batch is
// not a control batch, or is a control batch of another kind (Kafka also has
// LEADER_CHANGE and snapshot records) or malformed. Does not check the CRC.
std::optional<ControlMarker> ParseControlMarker(std::string_view batch);

}  // namespace rill::broker::protocol
