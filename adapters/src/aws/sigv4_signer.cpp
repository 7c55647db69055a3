#include "esser/adapters/aws/sigv4_signer.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "sigv4_detail.hpp"

#include "esser/adapters/aws/sigv4.hpp"

namespace esser::adapters {

// The last derived signing key. A transport signs with one secret for hours and the key changes
// once a day, so a single entry hits almost always; the mutex is uncontended in practice.
struct sigv4_signer::key_cache {
    std::mutex mutex;
    std::string secret;
    std::string date8;
    std::string key;
};

sigv4_signer::sigv4_signer(std::string region, std::string service)
    : region_(std::move(region)), service_(std::move(service)), cache_(new key_cache) {}

sigv4_signer::~sigv4_signer() = default;
sigv4_signer::sigv4_signer(sigv4_signer&&) noexcept = default;
sigv4_signer& sigv4_signer::operator=(sigv4_signer&&) noexcept = default;

sigv4_signature sigv4_signer::sign(http_request& req, const credentials& creds,
                                   core::time_point at) const {
    if (req.headers.find("host") == nullptr)
        throw std::invalid_argument("sigv4_signer::sign: the request has no Host header");
    sigv4_signature out;
    out.amz_date = sigv4::format_amz_date(at);
    const std::string_view date8 = std::string_view(out.amz_date).substr(0, 8);

    req.headers.remove("authorization");
    req.headers.set("X-Amz-Date", out.amz_date);
    if (!creds.session_token.empty())
        req.headers.set("X-Amz-Security-Token", creds.session_token);

    // Lowercased names of the headers to sign, in request order, then stably sorted so repeated
    // headers keep their order when joined.
    struct entry {
        std::string name;
        const std::string* value;
    };

    std::vector<entry> entries;
    entries.reserve(req.headers.size());
    for (const auto& h : req.headers) {
        std::string n = sigv4::detail::lower(h.name);
        if (sigv4::is_unsigned_header(n))
            continue;
        entries.push_back({std::move(n), &h.value});
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const entry& a, const entry& b) { return a.name < b.name; });

    std::string& cr = out.canonical_request;
    cr.reserve(320 + req.target.size());
    for (char c : req.method) cr.push_back((c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c);
    cr.push_back('\n');
    cr.append(sigv4::canonical_uri(req.path())).push_back('\n');
    cr.append(sigv4::canonical_query(req.query())).push_back('\n');
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const bool continues = i > 0 && entries[i].name == entries[i - 1].name;
        if (continues) {
            cr.push_back(',');
        } else {
            if (i > 0)
                cr.push_back('\n');
            cr.append(entries[i].name).push_back(':');
            if (!out.signed_headers.empty())
                out.signed_headers.push_back(';');
            out.signed_headers.append(entries[i].name);
        }
        sigv4::detail::append_trimmed(cr, *entries[i].value);
    }
    cr.append("\n\n").append(out.signed_headers).push_back('\n');
    if (const auto* h = req.headers.find("x-amz-content-sha256"))
        cr.append(*h);
    else
        cr.append(sigv4::payload_hash(req.body));

    out.credential_scope = sigv4::credential_scope(date8, region_, service_);
    out.string_to_sign = sigv4::string_to_sign(out.amz_date, out.credential_scope, cr);

    char key[32];  // not a std::string: no allocation per signature
    {
        std::lock_guard lock(cache_->mutex);
        if (cache_->date8 != date8 || cache_->secret != creds.secret_access_key) {
            cache_->key = sigv4::signing_key(creds.secret_access_key, date8, region_, service_);
            cache_->date8 = date8;
            cache_->secret = creds.secret_access_key;
        }
        cache_->key.copy(key, sizeof key);
    }
    out.signature = sigv4::signature(std::string_view(key, sizeof key), out.string_to_sign);

    out.authorization.reserve(200);
    out.authorization.append(sigv4::algorithm)
        .append(" Credential=")
        .append(creds.access_key_id)
        .append("/")
        .append(out.credential_scope)
        .append(", SignedHeaders=")
        .append(out.signed_headers)
        .append(", Signature=")
        .append(out.signature);
    req.headers.set("Authorization", out.authorization);
    return out;
}

}  // namespace esser::adapters
