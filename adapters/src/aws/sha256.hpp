#pragma once
// SHA-256 and HMAC-SHA-256 through OpenSSL's libcrypto, for SigV4 (private to adapters).
//
// The digest and MAC implementations are fetched once per process and each thread reuses its
// own contexts: OpenSSL 3 makes a fresh fetch per call expensive, and signing is on the hot path
// (issue 10 asks for >= 200,000 signatures/s). OpenSSL failures are infrastructure faults and
// throw std::runtime_error.

#include <array>
#include <string>
#include <string_view>

namespace esser::adapters::detail {

using sha256_digest = std::array<unsigned char, 32>;

sha256_digest sha256(std::string_view data);
sha256_digest hmac_sha256(std::string_view key, std::string_view data);

inline std::string_view as_view(const sha256_digest& d) noexcept {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// Lowercase hex, as SigV4 writes hashes and signatures.
std::string to_hex(std::string_view bytes);

inline std::string to_hex(const sha256_digest& d) {
    return to_hex(as_view(d));
}

// Appends the lowercase hex of `bytes` to `out`.
void append_hex(std::string& out, std::string_view bytes);

}  // namespace esser::adapters::detail
