// Kafka request and response headers. Which header version a frame uses depends on the API
// key and version (flexible versions, KIP-482, add tagged fields), so the broker decodes the
// fixed prefix first and then picks the header layout from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace rill::broker::protocol {

class Reader;
class Writer;

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  // Always the classic nullable INT16 string, even in header v2: clients send it before they
  // know whether the broker understands flexible versions.
  std::optional<std::string> client_id;

  bool operator==(const RequestHeader&) const = default;
};

// First flexible version of `api_key` (from Kafka's message schemas), or -1 when the API has
// no flexible version or the key is unknown to Rill.
int16_t FirstFlexibleVersion(int16_t api_key);

// Whether `api_version` of `api_key` uses compact strings/arrays and tagged fields.
bool IsFlexibleVersion(int16_t api_key, int16_t api_version);

// Request header version: 2 for flexible versions, else 1. Unknown keys get 1 so the broker
// can still read the correlation id and answer with an error.
int16_t RequestHeaderVersion(int16_t api_key, int16_t api_version);

// Response header version: 1 for flexible versions, else 0. ApiVersions always uses 0: a
// client must be able to parse the response before it knows which versions the broker has.
int16_t ResponseHeaderVersion(int16_t api_key, int16_t api_version);

// Decodes a request header (the header version follows from the key and version read first).
// Returns r.ok(). On failure, the fields read before the failure are still set in *out, so
// the caller can use the correlation id when it got that far.
bool DecodeRequestHeader(Reader& r, RequestHeader* out);

// Encodes `h` with the header version that its key and version call for (used by clients
// such as the streams membership client, and by tests).
void EncodeRequestHeader(Writer& w, const RequestHeader& h);

// Writes a response header: the correlation id, plus an empty tagged-field section for
// header version 1.
void EncodeResponseHeader(Writer& w, int32_t correlation_id, int16_t header_version);

}  // namespace rill::broker::protocol
