#pragma once
// SHA-1 (FIPS 180-4), only for name-based UUIDs (RFC 4122 version 5). Not for security: core
// must not depend on OpenSSL, and UUIDv5 is defined over SHA-1.
//
// The compression function runs on the CPU's SHA extensions (x86 SHA-NI) when it has them, and
// as portable C++ otherwise; both give the same digests (tests/core/sha1_test.cpp).

#include <array>
#include <cstdint>
#include <string_view>

namespace esser::core::detail {

class sha1 {
public:
    sha1();
    void update(std::string_view bytes);
    void update(const std::uint8_t* data, std::size_t n);
    std::array<std::uint8_t, 20> finish();

    // Whether this CPU runs the hardware compression function.
    static bool hardware_available();

    // Both compression functions over one 64-byte block, for tests. block_hardware requires
    // hardware_available().
    static void block_portable(std::uint32_t h[5], const std::uint8_t* p);
    static void block_hardware(std::uint32_t h[5], const std::uint8_t* p);

private:
    void block(const std::uint8_t* p);

    std::uint32_t h_[5];
    std::uint8_t buf_[64];
    std::size_t buf_len_ = 0;
    std::uint64_t total_ = 0;
};

}  // namespace esser::core::detail
