#include "sha256.hpp"

#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace esser::adapters::detail {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

const EVP_MD* sha256_md() {
    static EVP_MD* md = [] {
        EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        if (m == nullptr)
            fail("EVP_MD_fetch(SHA256)");
        return m;
    }();
    return md;
}

EVP_MAC* hmac_mac() {
    static EVP_MAC* mac = [] {
        EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (m == nullptr)
            fail("EVP_MAC_fetch(HMAC)");
        return m;
    }();
    return mac;
}

struct thread_contexts {
    EVP_MD_CTX* md = nullptr;
    EVP_MAC_CTX* mac = nullptr;
    // The key `mac` was last initialised with. Signing uses the same derived key for a day, and
    // re-initialising HMAC with its current key skips the key schedule (two compressions).
    std::string mac_key;
    bool mac_keyed = false;

    thread_contexts() {
        md = EVP_MD_CTX_new();
        mac = EVP_MAC_CTX_new(hmac_mac());
        if (md == nullptr || mac == nullptr)
            fail("context allocation");
        // The digest is chosen once; every later EVP_MAC_init only changes the key.
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        if (EVP_MAC_CTX_set_params(mac, params) != 1)
            fail("EVP_MAC_CTX_set_params");
    }

    ~thread_contexts() {
        EVP_MD_CTX_free(md);
        EVP_MAC_CTX_free(mac);
    }

    thread_contexts(const thread_contexts&) = delete;
    thread_contexts& operator=(const thread_contexts&) = delete;
};

thread_contexts& contexts() {
    thread_local thread_contexts c;
    return c;
}

}  // namespace

sha256_digest sha256(std::string_view data) {
    auto& c = contexts();
    sha256_digest out{};
    unsigned len = 0;
    if (EVP_DigestInit_ex(c.md, sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(c.md, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(c.md, out.data(), &len) != 1 || len != out.size())
        fail("SHA-256");
    return out;
}

sha256_digest hmac_sha256(std::string_view key, std::string_view data) {
    auto& c = contexts();
    sha256_digest out{};
    std::size_t len = 0;
    // OpenSSL refuses a null key pointer even with length 0.
    static const unsigned char empty_key = 0;
    const auto* k = key.empty() ? &empty_key : reinterpret_cast<const unsigned char*>(key.data());
    int init;
    if (c.mac_keyed && c.mac_key == key) {
        init = EVP_MAC_init(c.mac, nullptr, 0, nullptr);  // same key: reset to its ipad state
    } else {
        c.mac_keyed = false;
        init = EVP_MAC_init(c.mac, k, key.size(), nullptr);
        c.mac_key.assign(key);
        c.mac_keyed = init == 1;
    }
    if (init != 1 ||
        EVP_MAC_update(c.mac, reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
            1 ||
        EVP_MAC_final(c.mac, out.data(), &len, out.size()) != 1 || len != out.size())
        fail("HMAC-SHA-256");
    return out;
}

void append_hex(std::string& out, std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    const auto at = out.size();
    out.resize(at + 2 * bytes.size());
    char* p = out.data() + at;
    for (unsigned char b : bytes) {
        *p++ = digits[b >> 4];
        *p++ = digits[b & 15];
    }
}

std::string to_hex(std::string_view bytes) {
    std::string s;
    append_hex(s, bytes);
    return s;
}

}  // namespace esser::adapters::detail
