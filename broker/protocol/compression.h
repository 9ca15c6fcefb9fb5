// Record-batch compression codecs (the compression bits of the batch attributes):
// gzip, snappy, lz4 and zstd, in the exact framings Kafka clients read and write.
// Batches stay compressed on disk and on the wire; the broker decompresses only to
// validate a produced batch or to build its own (control, __consumer_offsets) batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rill::broker::protocol {

enum class Compression : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

// "none", "gzip", "snappy", "lz4", "zstd" (Kafka's compression.type names), or "unknown".
std::string_view CompressionName(Compression c);

// Upper bound on decompressed output unless a caller passes its own, so that a small
// "zip bomb" batch cannot make the broker allocate gigabytes.
inline constexpr size_t kDefaultDecompressLimit = size_t{64} << 20;

// Decompresses `data` into `*out`, replacing its contents. Accepts what clients send:
// gzip (also a bare zlib stream, and concatenated gzip members), snappy (raw, or the
// xerial/snappy-java framing Java clients write), the LZ4 frame format (LZ4F), zstd
// frames. Errors: InvalidArgument for corrupt or truncated input or an unknown codec,
// ResourceExhausted if the output would exceed `limit` bytes. kNone copies.
absl::Status DecompressTo(Compression codec, std::string_view data, size_t limit, std::string* out);
absl::StatusOr<std::string> Decompress(Compression codec, std::string_view data,
                                       size_t limit = kDefaultDecompressLimit);

// Compresses `data` the way the Java client does, which every client can read: gzip with
// the gzip wrapper, snappy in xerial framing (32 KiB blocks), LZ4F frames with independent
// 64 KiB blocks and no checksums, zstd level 3. InvalidArgument for an unknown codec.
absl::StatusOr<std::string> Compress(Compression codec, std::string_view data);

}  // namespace rill::broker::protocol
