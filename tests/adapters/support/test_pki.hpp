#pragma once
// A throwaway certificate authority for TLS tests, made with the OpenSSL API (EC P-256, so it
// takes milliseconds): a CA certificate, and server certificates it issues for given DNS names
// and IP addresses. Nothing touches the disk.

#include <string>
#include <vector>

namespace esser::testing {

struct tls_identity {
    std::string certificate_pem;  // the server certificate
    std::string private_key_pem;
};

class test_pki {
public:
    // `name` goes into the CA's common name.
    explicit test_pki(const std::string& name = "esser test CA");
    ~test_pki();
    test_pki(const test_pki&) = delete;
    test_pki& operator=(const test_pki&) = delete;

    const std::string& ca_pem() const noexcept { return ca_pem_; }

    // A server certificate valid now for a day, with these subjectAltNames.
    tls_identity issue(const std::vector<std::string>& dns_names,
                       const std::vector<std::string>& ip_addresses) const;

private:
    struct state;
    state* s_;
    std::string ca_pem_;
};

}  // namespace esser::testing
