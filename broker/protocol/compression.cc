#include "broker/protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "broker/protocol/wire.h"

namespace rill::broker::protocol {
namespace {

// snappy-java's stream header: magic, then big-endian version and compatible version.
constexpr char kXerialMagic[8] = {'\x82', 'S', 'N', 'A', 'P', 'P', 'Y', '\0'};
constexpr size_t kXerialHeaderSize = 16;
constexpr size_t kXerialBlockSize = 32 * 1024;  // SnappyOutputStream's default

absl::Status TooLarge(size_t limit) {
  return absl::ResourceExhaustedError("decompressed size exceeds the limit of " +
                                      std::to_string(limit) + " bytes");
}

// Grows `out` (keeping `used` bytes) so that at least one more byte fits, doubling but
// never past limit + 1: producing that extra byte is how an over-limit stream is noticed.
bool Grow(std::string* out, size_t used, size_t limit, size_t hint) {
  if (used > limit) return false;
  size_t want = std::max({hint, used * 2, size_t{4096}});
  want = std::min(want, limit + 1);
  if (want <= used) return false;
  out->resize(want);
  return true;
}

absl::Status GunzipTo(std::string_view in, size_t limit, std::string* out) {
  z_stream s;
  std::memset(&s, 0, sizeof(s));
  // 15 + 32: accept both gzip and zlib headers.
  if (inflateInit2(&s, 15 + 32) != Z_OK) return absl::InternalError("inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_streamp)> guard(&s, inflateEnd);
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  size_t used = 0;
  out->clear();
  Grow(out, 0, limit, in.size() * 4);
  while (true) {
    if (used == out->size() && !Grow(out, used, limit, 0)) return TooLarge(limit);
    s.next_out = reinterpret_cast<Bytef*>(out->data() + used);
    s.avail_out = static_cast<uInt>(std::min<size_t>(out->size() - used, 1u << 30));
    uInt before = s.avail_out;
    int rc = inflate(&s, Z_NO_FLUSH);
    used += before - s.avail_out;
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (GZIPInputStream reads them all); anything else
      // after the stream is ignored like Java does.
      if (s.avail_in >= 2 && s.next_in[0] == 0x1f && s.next_in[1] == 0x8b) {
        if (inflateReset(&s) != Z_OK) return absl::InternalError("inflateReset failed");
        continue;
      }
      break;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && s.avail_out == 0) continue;  // needs more output space
    if (rc == Z_BUF_ERROR) return absl::InvalidArgumentError("gzip: truncated input");
    return absl::InvalidArgumentError(std::string("gzip: ") + (s.msg ? s.msg : "corrupt input"));
  }
  if (used > limit) return TooLarge(limit);
  out->resize(used);
  return absl::OkStatus();
}

absl::Status SnappyBlockTo(std::string_view block, size_t limit, std::string* out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(block.data(), block.size(), &n)) {
    return absl::InvalidArgumentError("snappy: corrupt block header");
  }
  if (n > limit || out->size() + n > limit) return TooLarge(limit);
  size_t at = out->size();
  out->resize(at + n);
  if (!snappy::RawUncompress(block.data(), block.size(), out->data() + at)) {
    return absl::InvalidArgumentError("snappy: corrupt block");
  }
  return absl::OkStatus();
}

absl::Status UnsnappyTo(std::string_view in, size_t limit, std::string* out) {
  out->clear();
  if (in.size() < kXerialHeaderSize || std::memcmp(in.data(), kXerialMagic, 8) != 0) {
    return SnappyBlockTo(in, limit, out);
  }
  size_t pos = kXerialHeaderSize;  // version and compatible-version are not checked
  while (pos < in.size()) {
    if (in.size() - pos < 4) return absl::InvalidArgumentError("snappy: truncated chunk length");
    uint32_t len = LoadBigEndian32(in.data() + pos);
    pos += 4;
    if (len > in.size() - pos) return absl::InvalidArgumentError("snappy: truncated chunk");
    absl::Status s = SnappyBlockTo(in.substr(pos, len), limit, out);
    if (!s.ok()) return s;
    pos += len;
  }
  return absl::OkStatus();
}

struct Lz4DctxDeleter {
  void operator()(LZ4F_dctx* d) const { LZ4F_freeDecompressionContext(d); }
};

absl::Status Unlz4To(std::string_view in, size_t limit, std::string* out) {
  thread_local std::unique_ptr<LZ4F_dctx, Lz4DctxDeleter> tls_ctx;
  if (!tls_ctx) {
    LZ4F_dctx* d = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) {
      return absl::InternalError("LZ4F_createDecompressionContext failed");
    }
    tls_ctx.reset(d);
  }
  LZ4F_dctx* ctx = tls_ctx.get();
  LZ4F_resetDecompressionContext(ctx);
  out->clear();
  Grow(out, 0, limit, in.size() * 4);
  size_t used = 0;
  size_t pos = 0;
  size_t hint = 1;  // LZ4F's "bytes expected next"; 0 = frame complete
  while (pos < in.size()) {
    if (used == out->size() && !Grow(out, used, limit, 0)) return TooLarge(limit);
    size_t dst_size = out->size() - used;
    size_t src_size = in.size() - pos;
    hint = LZ4F_decompress(ctx, out->data() + used, &dst_size, in.data() + pos, &src_size, nullptr);
    if (LZ4F_isError(hint)) {
      LZ4F_resetDecompressionContext(ctx);
      return absl::InvalidArgumentError(std::string("lz4: ") + LZ4F_getErrorName(hint));
    }
    used += dst_size;
    pos += src_size;
    if (src_size == 0 && dst_size == 0 && used < out->size()) {
      LZ4F_resetDecompressionContext(ctx);
      return absl::InvalidArgumentError("lz4: no progress");
    }
  }
  // The frame may still hold buffered output once all input is consumed.
  while (hint != 0) {
    if (used == out->size() && !Grow(out, used, limit, 0)) {
      LZ4F_resetDecompressionContext(ctx);
      return TooLarge(limit);
    }
    size_t dst_size = out->size() - used;
    size_t src_size = 0;
    hint = LZ4F_decompress(ctx, out->data() + used, &dst_size, nullptr, &src_size, nullptr);
    if (LZ4F_isError(hint)) {
      LZ4F_resetDecompressionContext(ctx);
      return absl::InvalidArgumentError(std::string("lz4: ") + LZ4F_getErrorName(hint));
    }
    used += dst_size;
    if (dst_size == 0 && hint != 0) {
      LZ4F_resetDecompressionContext(ctx);
      return absl::InvalidArgumentError("lz4: truncated frame");
    }
  }
  if (used > limit) return TooLarge(limit);
  out->resize(used);
  return absl::OkStatus();
}

struct ZstdDctxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

absl::Status UnzstdTo(std::string_view in, size_t limit, std::string* out) {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDctxDeleter> tls_ctx;
  if (!tls_ctx) {
    tls_ctx.reset(ZSTD_createDCtx());
    if (!tls_ctx) return absl::InternalError("ZSTD_createDCtx failed");
  }
  ZSTD_DCtx* ctx = tls_ctx.get();
  ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
  out->clear();
  size_t hint = in.size() * 4;
  unsigned long long content = ZSTD_getFrameContentSize(in.data(), in.size());
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != ZSTD_CONTENTSIZE_ERROR) {
    if (content > limit) return TooLarge(limit);
    hint = static_cast<size_t>(content) + 1;
  }
  Grow(out, 0, limit, hint);
  size_t used = 0;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t ret = 1;
  while (true) {
    if (used == out->size() && !Grow(out, used, limit, 0)) return TooLarge(limit);
    ZSTD_outBuffer output{out->data() + used, out->size() - used, 0};
    ret = ZSTD_decompressStream(ctx, &output, &input);
    if (ZSTD_isError(ret)) {
      ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
      return absl::InvalidArgumentError(std::string("zstd: ") + ZSTD_getErrorName(ret));
    }
    used += output.pos;
    if (ret == 0 && input.pos == input.size) break;  // frame(s) complete
    if (input.pos == input.size && output.pos < output.size) {
      ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
      return absl::InvalidArgumentError("zstd: truncated frame");
    }
  }
  if (used > limit) return TooLarge(limit);
  out->resize(used);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Gzip(std::string_view in) {
  z_stream s;
  std::memset(&s, 0, sizeof(s));
  // 15 + 16: a gzip wrapper, which is what Kafka's gzip codec means.
  if (deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  std::unique_ptr<z_stream, int (*)(z_streamp)> guard(&s, deflateEnd);
  std::string out(deflateBound(&s, static_cast<uLong>(in.size())), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  if (deflate(&s, Z_FINISH) != Z_STREAM_END) return absl::InternalError("deflate failed");
  out.resize(s.total_out);
  return out;
}

std::string SnappyXerial(std::string_view in) {
  std::string out;
  out.reserve(kXerialHeaderSize + snappy::MaxCompressedLength(in.size()) +
              4 * (in.size() / kXerialBlockSize + 1));
  out.append(kXerialMagic, 8);
  char ints[8];
  StoreBigEndian32(ints, 1);      // version
  StoreBigEndian32(ints + 4, 1);  // minimum compatible version
  out.append(ints, 8);
  size_t pos = 0;
  // An empty input still gets one (empty) chunk: librdkafka only recognises the framing
  // when something follows the header.
  do {
    size_t n = std::min(kXerialBlockSize, in.size() - pos);
    size_t at = out.size();
    out.resize(at + 4 + snappy::MaxCompressedLength(n));
    size_t written = 0;
    snappy::RawCompress(in.data() + pos, n, out.data() + at + 4, &written);
    StoreBigEndian32(out.data() + at, static_cast<uint32_t>(written));
    out.resize(at + 4 + written);
    pos += n;
  } while (pos < in.size());
  return out;
}

absl::StatusOr<std::string> Lz4Frame(std::string_view in) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  // What Kafka's Java KafkaLZ4BlockOutputStream writes, which all readers accept.
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs.frameInfo.frameType = LZ4F_frame;
  std::string out(LZ4F_compressFrameBound(in.size(), &prefs), '\0');
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) return absl::InternalError(std::string("lz4: ") + LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

absl::StatusOr<std::string> Zstd(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) return absl::InternalError(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

absl::Status DecompressTo(Compression codec, std::string_view data, size_t limit,
                          std::string* out) {
  switch (codec) {
    case Compression::kNone:
      if (data.size() > limit) return TooLarge(limit);
      out->assign(data);
      return absl::OkStatus();
    case Compression::kGzip:
      return GunzipTo(data, limit, out);
    case Compression::kSnappy:
      return UnsnappyTo(data, limit, out);
    case Compression::kLz4:
      return Unlz4To(data, limit, out);
    case Compression::kZstd:
      return UnzstdTo(data, limit, out);
  }
  return absl::InvalidArgumentError("unknown compression codec " +
                                    std::to_string(static_cast<int>(codec)));
}

absl::StatusOr<std::string> Decompress(Compression codec, std::string_view data, size_t limit) {
  std::string out;
  absl::Status s = DecompressTo(codec, data, limit, &out);
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> Compress(Compression codec, std::string_view data) {
  switch (codec) {
    case Compression::kNone:
      return std::string(data);
    case Compression::kGzip:
      return Gzip(data);
    case Compression::kSnappy:
      return SnappyXerial(data);
    case Compression::kLz4:
      return Lz4Frame(data);
    case Compression::kZstd:
      return Zstd(data);
  }
  return absl::InvalidArgumentError("unknown compression codec " +
                                    std::to_string(static_cast<int>(codec)));
}

}  // namespace rill::broker::protocol
