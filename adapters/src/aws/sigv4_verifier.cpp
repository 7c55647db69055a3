#include "esser/adapters/aws/sigv4_verifier.hpp"

#include <vector>

#include "sigv4_detail.hpp"
#include <openssl/crypto.h>
#include <time.h>

#include "esser/adapters/aws/aws_config.hpp"
#include "esser/adapters/aws/sigv4.hpp"

namespace esser::adapters {

namespace {

using verify_result = core::expected<sigv4_identity, aws_error>;

core::unexpected<aws_error> reject(std::string type, std::string message) {
    aws_error e;
    e.type = std::move(type);
    e.message = std::move(message);
    e.status = 400;
    return core::unexpected<aws_error>(std::move(e));
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && sigv4::detail::is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && sigv4::detail::is_space(s.back())) s.remove_suffix(1);
    return s;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 IMF-fixdate), the form a Date header takes.
bool parse_http_date(std::string_view s, core::time_point& out) {
    struct tm tm {};

    const std::string text(s);
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0')
        return false;
    out = core::time_point(std::chrono::seconds(timegm(&tm)));
    return true;
}

struct parsed_authorization {
    std::string_view algorithm;
    std::string_view credential;
    std::string_view signed_headers;
    std::string_view signature;
};

}  // namespace

verify_result verify_sigv4(const http_request& req, const sigv4_credential_lookup& lookup,
                           core::time_point now, const sigv4_verify_options& options) {
    // 1. Presence.
    const std::string* auth_header = req.headers.find("authorization");
    const std::string_view auth = auth_header ? trim(*auth_header) : std::string_view{};
    if (auth.substr(0, 5) != "AWS4-")
        return reject("MissingAuthenticationTokenException",
                      "Request is missing Authentication Token");

    // 2. Shape: "<algorithm> k=v, k=v, k=v" (components separated by commas and/or spaces).
    parsed_authorization a;
    std::size_t sp = 0;
    while (sp < auth.size() && !sigv4::detail::is_space(auth[sp])) ++sp;
    a.algorithm = auth.substr(0, sp);
    std::string_view rest = auth.substr(sp);
    while (!rest.empty()) {
        std::size_t i = 0;
        while (i < rest.size() && (rest[i] == ',' || sigv4::detail::is_space(rest[i]))) ++i;
        rest.remove_prefix(i);
        if (rest.empty())
            break;
        std::size_t j = 0;
        while (j < rest.size() && rest[j] != ',' && !sigv4::detail::is_space(rest[j])) ++j;
        const std::string_view item = rest.substr(0, j);
        rest.remove_prefix(j);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            return reject("IncompleteSignatureException",
                          "'" + std::string(item) +
                              "' not a valid key=value pair (missing equal-sign) in "
                              "Authorization header: '" +
                              std::string(auth) + "'.");
        const auto key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "Credential")
            a.credential = value;
        if (key == "SignedHeaders")
            a.signed_headers = value;
        if (key == "Signature")
            a.signature = value;
    }
    const std::string* amz_date = req.headers.find("x-amz-date");
    const std::string* date = amz_date ? amz_date : req.headers.find("date");
    std::string missing;
    if (a.credential.empty())
        missing += "Authorization header requires 'Credential' parameter. ";
    if (a.signature.empty())
        missing += "Authorization header requires 'Signature' parameter. ";
    if (a.signed_headers.empty())
        missing += "Authorization header requires 'SignedHeaders' parameter. ";
    if (date == nullptr)
        missing +=
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. ";
    if (!missing.empty())
        return reject("IncompleteSignatureException",
                      missing + "Authorization=" + std::string(auth));

    // 3. Date format. The string to sign always carries the ISO 8601 basic form.
    core::time_point signed_at;
    std::string iso_date(trim(*date));
    if (!sigv4::parse_amz_date(iso_date, signed_at)) {
        if (amz_date != nullptr || !parse_http_date(iso_date, signed_at))
            return reject("IncompleteSignatureException",
                          "Date must be in ISO-8601 'basic format'. Got '" + iso_date +
                              "'. See http://en.wikipedia.org/wiki/ISO_8601");
        iso_date = sigv4::format_amz_date(signed_at);
    }

    // 4. Clock skew.
    const auto skew_minutes = std::to_string(options.max_skew.count() / 60);
    if (signed_at < now - options.max_skew)
        return reject("InvalidSignatureException",
                      "Signature expired: " + iso_date + " is now earlier than " +
                          sigv4::format_amz_date(now - options.max_skew) + " (" +
                          sigv4::format_amz_date(now) + " - " + skew_minutes + " min.)");
    if (signed_at > now + options.max_skew)
        return reject("InvalidSignatureException",
                      "Signature not yet current: " + iso_date + " is still later than " +
                          sigv4::format_amz_date(now + options.max_skew) + " (" +
                          sigv4::format_amz_date(now) + " + " + skew_minutes + " min.)");

    // 5. Host must be signed.
    std::vector<std::string> names;
    for (std::size_t start = 0; start <= a.signed_headers.size();) {
        auto end = a.signed_headers.find(';', start);
        if (end == std::string_view::npos)
            end = a.signed_headers.size();
        names.push_back(sigv4::detail::lower(a.signed_headers.substr(start, end - start)));
        start = end + 1;
    }
    bool host_signed = false;
    for (const auto& n : names) host_signed = host_signed || n == "host";
    if (!host_signed)
        return reject("InvalidSignatureException",
                      "'Host' must be a 'SignedHeader' in the AWS Authorization.");

    // 6. Algorithm.
    if (a.algorithm != sigv4::algorithm)
        return reject("IncompleteSignatureException", "Unsupported AWS 'algorithm': '" +
                                                          std::string(a.algorithm) +
                                                          "' (only AWS4-HMAC-SHA256 for now). ");

    // 7. Credential scope.
    std::string_view cred = a.credential;
    while (!cred.empty() && cred.back() == '/') cred.remove_suffix(1);
    std::vector<std::string_view> parts;
    for (std::size_t start = 0; start <= cred.size();) {
        auto end = cred.find('/', start);
        if (end == std::string_view::npos)
            end = cred.size();
        parts.push_back(cred.substr(start, end - start));
        start = end + 1;
    }
    if (parts.size() != 5)
        return reject("IncompleteSignatureException",
                      "Credential must have exactly 5 slash-delimited elements, e.g. "
                      "keyid/date/region/service/term, got '" +
                          std::string(a.credential) + "'");
    const auto key_id = parts[0], date8 = parts[1], region = parts[2], service = parts[3],
               terminator = parts[4];
    std::string scope_errors;
    if (options.region.empty() ? !valid_region_name(region) : region != options.region)
        scope_errors +=
            "Credential should be scoped to a valid region, not '" + std::string(region) + "'. ";
    if (service != options.service)
        scope_errors +=
            "Credential should be scoped to correct service: '" + options.service + "'. ";
    if (terminator != "aws4_request")
        scope_errors +=
            "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
            std::string(terminator) + "'. ";
    if (date8 != std::string_view(iso_date).substr(0, 8))
        scope_errors +=
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            "from HTTP: '" +
            std::string(date8) + "' != '" + iso_date.substr(0, 8) + "', from '" + iso_date + "'.";
    if (!scope_errors.empty())
        return reject("InvalidSignatureException", scope_errors);

    // 8. Key.
    const std::optional<credentials> known = lookup ? lookup(key_id) : std::nullopt;
    if (!known)
        return reject("UnrecognizedClientException",
                      "The security token included in the request is invalid.");

    // 9. Signature.
    const std::string* content_sha = req.headers.find("x-amz-content-sha256");
    const std::string body_hash = sigv4::payload_hash(req.body);
    const std::string cr = sigv4::canonical_request(
        req.method, req.path(), req.query(), req.headers, names,
        content_sha ? std::string_view(*content_sha) : std::string_view(body_hash));
    const std::string scope = sigv4::credential_scope(date8, region, service);
    const std::string sts = sigv4::string_to_sign(iso_date, scope, cr);
    const std::string expected =
        sigv4::signature(sigv4::signing_key(known->secret_access_key, date8, region, service), sts);
    if (a.signature.size() != expected.size() ||
        CRYPTO_memcmp(a.signature.data(), expected.data(), expected.size()) != 0)
        return reject("InvalidSignatureException",
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.\n\nThe Canonical String for this "
                      "request should have been\n'" +
                          cr + "'\n\nThe String-to-Sign should have been\n'" + sts + "'\n");
    if (content_sha != nullptr && *content_sha != body_hash &&
        !(options.allow_unsigned_payload && *content_sha == "UNSIGNED-PAYLOAD"))
        return reject("InvalidSignatureException",
                      "The provided 'x-amz-content-sha256' header does not match what was "
                      "computed.");

    // 10. Session token.
    const std::string* token = req.headers.find("x-amz-security-token");
    if (token != nullptr ? *token != known->session_token : !known->session_token.empty())
        return reject("UnrecognizedClientException",
                      "The security token included in the request is invalid");

    return sigv4_identity{std::string(key_id), std::string(region), signed_at};
}

}  // namespace esser::adapters
