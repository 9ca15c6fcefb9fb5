// CRC-32C (Castagnoli), the checksum of Kafka record batches (magic 2). Uses the SSE4.2
// crc32 instruction when the CPU has it (checked once at run time) and a slicing-by-8
// table otherwise; both give identical results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rill::broker::protocol {

// CRC-32C of `data` (initial value and final xor 0xFFFFFFFF, as Kafka computes it).
uint32_t Crc32c(std::string_view data);

// Continues a CRC: Crc32cExtend(Crc32c(a), b) == Crc32c(a + b); Crc32cExtend(0, x) ==
// Crc32c(x).
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);

namespace internal {
// The two implementations, exposed so tests can check one against the other. They take
// and return the raw (pre-inverted) register value. The SSE4.2 one must only be called
// when Crc32cHasSse42() is true.
uint32_t Crc32cTable(uint32_t crc, const char* data, size_t n);
uint32_t Crc32cSse42(uint32_t crc, const char* data, size_t n);
bool Crc32cHasSse42();
}  // namespace internal

}  // namespace rill::broker::protocol
