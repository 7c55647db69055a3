#pragma once
// CRC-32 with the zlib/gzip polynomial (reflected 0xEDB88320), the checksum of `x-amz-crc32`
// (spec/dynamodb-api.md §1.6). Every DynamoDB answer is checksummed whole, and a Query page of
// 100 events is ~38 KB, so this runs on the hot path: on CPUs with PCLMULQDQ (x86-64 since
// 2010) the body is folded 64 bytes at a time with carry-less multiplication (Gopal et al.,
// "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction", Intel 2009);
// elsewhere, and for short inputs and tails, slicing-by-8 tables. Private to the http area.

#include <cstddef>
#include <cstdint>

namespace esser::emulator::detail {

// Continues a CRC: crc32(crc32(0, a), b) == crc32(0, a + b), as zlib's crc32().
std::uint32_t crc32(std::uint32_t crc, const unsigned char* data, std::size_t size) noexcept;

// The portable path alone (tests compare both).
std::uint32_t crc32_portable(std::uint32_t crc, const unsigned char* data,
                             std::size_t size) noexcept;

// True when crc32() uses the carry-less multiplication path on this CPU.
bool crc32_uses_clmul() noexcept;

}  // namespace esser::emulator::detail
