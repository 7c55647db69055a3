#include "esser/emulator/http/aws_wire.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "crc32.hpp"
#include <zlib.h>

namespace esser::emulator {

std::uint32_t crc32_of(std::string_view bytes) noexcept {
    return detail::crc32(0, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

core::expected<std::string, gunzip_error> gunzip(std::string_view compressed,
                                                 std::size_t max_output) {
    using core::unexpected;
    if (compressed.empty())
        return unexpected(gunzip_error::corrupt);
    z_stream zs;
    std::memset(&zs, 0, sizeof zs);
    // 16 + MAX_WBITS: gzip wrapper only (a raw zlib stream is not what Content-Encoding: gzip
    // means).
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return unexpected(gunzip_error::corrupt);
    std::string out;
    char chunk[16384];
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    zs.avail_in = static_cast<uInt>(compressed.size());
    gunzip_error failure = gunzip_error::corrupt;
    bool ok = false;
    for (;;) {
        zs.next_out = reinterpret_cast<Bytef*>(chunk);
        zs.avail_out = sizeof chunk;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        const std::size_t produced = sizeof chunk - zs.avail_out;
        if (out.size() + produced > max_output) {
            failure = gunzip_error::too_large;
            break;
        }
        out.append(chunk, produced);
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0) {
                ok = true;
                break;
            }
            // Another member follows (concatenated gzip, RFC 1952 §2.2).
            if (inflateReset(&zs) != Z_OK)
                break;
            continue;
        }
        if (rc == Z_OK)
            continue;
        // Z_BUF_ERROR with input left over cannot happen here (output space was available);
        // with no input left the member is truncated. Everything else is corrupt data.
        break;
    }
    inflateEnd(&zs);
    if (!ok)
        return unexpected(failure);
    return out;
}

std::string gzip(std::string_view bytes) {
    z_stream zs;
    std::memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(bytes.size())) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs.avail_in = static_cast<uInt>(bytes.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The key=value parameters after the algorithm: "Credential=a/b, SignedHeaders=x,
// Signature=y". Spaces around commas vary between SDKs; dynalite joins the words and splits on
// commas, and so do we.
// The parameters after the algorithm with every space and tab removed; nullopt without them.
std::optional<std::string> joined_params(std::string_view authorization) {
    const std::string_view s = trim(authorization);
    const auto space = s.find(' ');
    if (space == std::string_view::npos)
        return std::nullopt;
    std::string joined;
    joined.reserve(s.size() - space);
    // Runs for every request: whole runs between blanks are appended at once.
    const std::string_view rest = s.substr(space + 1);
    const char* p = rest.data();
    const char* const end = p + rest.size();
    while (p != end) {
        const char* run = p;
        while (p != end && *p != ' ' && *p != '\t') ++p;
        joined.append(run, p);
        while (p != end && (*p == ' ' || *p == '\t')) ++p;
    }
    return joined;
}

std::vector<std::pair<std::string, std::string>> auth_params(std::string_view authorization) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto joined = joined_params(authorization);
    if (!joined)
        return out;
    std::string_view rest = *joined;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            out.emplace_back(std::string(item), std::string());
        } else {
            out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
        }
    }
    return out;
}

bool starts_with_aws4(std::string_view authorization) {
    return trim(authorization).substr(0, 5) == "AWS4-";
}

}  // namespace

std::optional<sigv4_scope> parse_sigv4_scope(std::string_view authorization) {
    // Runs for every request: the same reading as auth_params() (words joined, split on
    // commas, the first "Credential" wins), without building the parameter list.
    if (!starts_with_aws4(authorization))
        return std::nullopt;
    const auto joined = joined_params(authorization);
    if (!joined)
        return std::nullopt;
    std::string_view rest = *joined;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (item.substr(0, item.find('=')) != "Credential")
            continue;
        if (item.size() == 10)
            return std::nullopt;  // "Credential" without a value: no scope
        std::string_view parts[5];
        std::string_view v = item.substr(11);
        std::size_t count = 0;
        for (;;) {
            const auto slash = v.find('/');
            if (count == 5)
                return std::nullopt;
            parts[count++] = v.substr(0, slash);
            if (slash == std::string_view::npos)
                break;
            v.remove_prefix(slash + 1);
        }
        if (count != 5)
            return std::nullopt;
        return sigv4_scope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                           std::string(parts[3])};
    }
    return std::nullopt;
}

std::string incomplete_signature_message(std::string_view authorization, bool has_date) {
    const auto params = auth_params(authorization);
    auto has = [&](std::string_view key) {
        for (const auto& [k, v] : params)
            if (k == key && !v.empty())
                return true;
        return false;
    };
    std::string msg;
    for (const char* key : {"Credential", "Signature", "SignedHeaders"}) {
        if (!has(key))
            msg += std::string("Authorization header requires '") + key + "' parameter. ";
    }
    if (!has_date)
        msg +=
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. ";
    if (msg.empty())
        return msg;
    return msg + "Authorization=" + std::string(authorization);
}

std::size_t json_nesting_depth(std::string_view text, std::size_t limit) noexcept {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > limit)
                    return deepest;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

}  // namespace esser::emulator
