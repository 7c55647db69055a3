#include "adapters/support/test_pki.hpp"

#include <atomic>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace esser::testing {

namespace {

void check(bool ok, const char* what) {
    if (!ok)
        throw std::runtime_error(std::string("test_pki: ") + what + " failed");
}

EVP_PKEY* new_key() {
    EVP_PKEY* k = EVP_EC_gen("P-256");
    check(k != nullptr, "EVP_EC_gen");
    return k;
}

std::string pem_of(X509* cert) {
    BIO* b = BIO_new(BIO_s_mem());
    check(PEM_write_bio_X509(b, cert) == 1, "PEM_write_bio_X509");
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return out;
}

std::string pem_of(EVP_PKEY* key) {
    BIO* b = BIO_new(BIO_s_mem());
    check(PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_bio_PrivateKey");
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return out;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

X509* new_cert(const std::string& cn, EVP_PKEY* key) {
    static std::atomic<long> serial{1};
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    return x;
}

}  // namespace

struct test_pki::state {
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
};

test_pki::test_pki(const std::string& name) : s_(new state) {
    s_->key = new_key();
    s_->cert = new_cert(name, s_->key);
    X509_set_issuer_name(s_->cert, X509_get_subject_name(s_->cert));
    add_ext(s_->cert, s_->cert, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(s_->cert, s_->cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(s_->cert, s_->cert, NID_subject_key_identifier, "hash");
    check(X509_sign(s_->cert, s_->key, EVP_sha256()) > 0, "X509_sign (CA)");
    ca_pem_ = pem_of(s_->cert);
}

test_pki::~test_pki() {
    X509_free(s_->cert);
    EVP_PKEY_free(s_->key);
    delete s_;
}

tls_identity test_pki::issue(const std::vector<std::string>& dns_names,
                             const std::vector<std::string>& ip_addresses) const {
    EVP_PKEY* key = new_key();
    X509* x = new_cert(dns_names.empty() ? "esser test server" : dns_names.front(), key);
    X509_set_issuer_name(x, X509_get_subject_name(s_->cert));
    std::string san;
    for (const auto& d : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
    for (const auto& ip : ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
    if (!san.empty())
        add_ext(x, s_->cert, NID_subject_alt_name, san);
    add_ext(x, s_->cert, NID_basic_constraints, "CA:FALSE");
    add_ext(x, s_->cert, NID_ext_key_usage, "serverAuth");
    add_ext(x, s_->cert, NID_authority_key_identifier, "keyid:always");
    check(X509_sign(x, s_->key, EVP_sha256()) > 0, "X509_sign (server)");
    tls_identity id{pem_of(x), pem_of(key)};
    X509_free(x);
    EVP_PKEY_free(key);
    return id;
}

}  // namespace esser::testing
