#include "esser/emulator/sqs/sqs_names.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <openssl/evp.h>

namespace esser::emulator {

bool valid_queue_name(std::string_view name) noexcept {
    std::string_view base = name;
    if (base.ends_with(".fifo"))
        base.remove_suffix(5);
    if (base.empty() || name.size() > 80)
        return false;
    return std::all_of(base.begin(), base.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::optional<queue_arn> parse_queue_arn(std::string_view arn) {
    // arn:<partition>:sqs:<region>:<account>:<name>
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (int i = 0; i < 5; ++i) {
        auto colon = arn.find(':', start);
        if (colon == std::string_view::npos)
            return std::nullopt;
        parts.push_back(arn.substr(start, colon - start));
        start = colon + 1;
    }
    parts.push_back(arn.substr(start));
    if (parts[0] != "arn" || !parts[1].starts_with("aws") || parts[2] != "sqs")
        return std::nullopt;
    if (parts[3].empty() || parts[4].empty() || !valid_queue_name(parts[5]))
        return std::nullopt;
    return queue_arn{std::string(parts[3]), std::string(parts[4]), std::string(parts[5])};
}

std::optional<queue_url> parse_queue_url(std::string_view url) {
    std::string_view path = url;
    if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
        const auto slash = url.find('/', scheme + 3);
        if (slash == std::string_view::npos || slash == scheme + 3)
            return std::nullopt;  // no path, or no host
        path = url.substr(slash);
    }
    if (!path.starts_with('/'))
        return std::nullopt;
    path.remove_prefix(1);
    const auto sep = path.find('/');
    if (sep == std::string_view::npos || sep == 0)
        return std::nullopt;
    const std::string_view account = path.substr(0, sep);
    const std::string_view name = path.substr(sep + 1);
    if (!std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    if (!valid_queue_name(name))
        return std::nullopt;
    return queue_url{std::string(account), std::string(name)};
}

namespace {

std::string hex_of(const unsigned char* digest, unsigned len) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0xf]);
    }
    return out;
}

void append_length_prefixed(std::string& out, std::string_view bytes) {
    const auto n = static_cast<std::uint32_t>(bytes.size());
    out.push_back(static_cast<char>((n >> 24) & 0xff));
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    out.push_back(static_cast<char>((n >> 8) & 0xff));
    out.push_back(static_cast<char>(n & 0xff));
    out.append(bytes);
}

}  // namespace

std::string md5_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
    return hex_of(digest, len);
}

bool sqs_message_attribute::is_binary() const {
    return data_type == "Binary" || data_type.starts_with("Binary.");
}

std::string md5_of_message_attributes(const sqs_message_attributes& attributes) {
    if (attributes.empty())
        return {};
    std::string buf;
    for (const auto& [name, a] : attributes) {  // std::map: sorted by name, as SQS requires
        append_length_prefixed(buf, name);
        append_length_prefixed(buf, a.data_type);
        buf.push_back(a.is_binary() ? '\x02' : '\x01');
        append_length_prefixed(buf, a.is_binary() ? a.binary_value : a.string_value);
    }
    return md5_hex(buf);
}

}  // namespace esser::emulator
