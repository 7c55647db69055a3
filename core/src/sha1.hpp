#pragma once
// SHA-1 (FIPS 180-4), only for name-based UUIDs (RFC 4122 version 5). Not for security: core
// must not depend on OpenSSL, and UUIDv5 is defined over SHA-1.

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

private:
    void block(const std::uint8_t* p);

    std::uint32_t h_[5];
    std::uint8_t buf_[64];
    std::size_t buf_len_ = 0;
    std::uint64_t total_ = 0;
};

}  // namespace esser::core::detail
