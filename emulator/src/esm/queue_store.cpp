#include "esser/emulator/esm/queue_store.hpp"

#include <algorithm>

#include <openssl/evp.h>

namespace esser::emulator {

namespace {

core::error queue_not_found(std::string_view name) {
    core::error e = core::error::not_found("queue not found: " + std::string(name));
    e.type = "AWS.SimpleQueueService.NonExistentQueue";
    return e;
}

}  // namespace

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

std::string md5_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0xf]);
    }
    return out;
}

queue_store::queue_store(core::clock& clock, core::id_source& ids, std::string region,
                         std::string account)
    : clock_(clock), ids_(ids), region_(std::move(region)), account_(std::move(account)) {}

std::string queue_store::arn_of(std::string_view name) const {
    return "arn:aws:sqs:" + region_ + ":" + account_ + ":" + std::string(name);
}

core::result<std::string> queue_store::resolve(std::string_view name_or_arn) const {
    if (name_or_arn.starts_with("arn:")) {
        auto a = parse_queue_arn(name_or_arn);
        if (!a)
            return core::fail(
                core::error::validation("not an SQS queue ARN: " + std::string(name_or_arn)));
        return a->name;
    }
    if (!valid_queue_name(name_or_arn)) {
        return core::fail(core::error::validation(
            "a queue name is 1..80 characters of [A-Za-z0-9_-], optionally ending in .fifo"));
    }
    return std::string(name_or_arn);
}

queue_info queue_store::info_of(const queue& q) const {
    return {q.name, arn_of(q.name), q.messages.size(), q.sent, q.created};
}

core::result<queue_info> queue_store::create(std::string_view name_or_arn) {
    auto name = resolve(name_or_arn);
    if (!name)
        return core::fail(name.error());
    std::lock_guard lock(mu_);
    auto it = queues_.find(*name);
    if (it == queues_.end()) {
        queue q;
        q.name = *name;
        q.created = clock_.now();
        it = queues_.emplace(*name, std::move(q)).first;
    }
    return info_of(it->second);
}

core::result<queue_info> queue_store::info(std::string_view name_or_arn) const {
    auto name = resolve(name_or_arn);
    if (!name)
        return core::fail(name.error());
    std::lock_guard lock(mu_);
    auto it = queues_.find(*name);
    if (it == queues_.end())
        return core::fail(queue_not_found(*name));
    return info_of(it->second);
}

std::vector<queue_info> queue_store::list() const {
    std::lock_guard lock(mu_);
    std::vector<queue_info> out;
    out.reserve(queues_.size());
    for (const auto& [name, q] : queues_) out.push_back(info_of(q));
    return out;
}

core::result<queue_message> queue_store::send(std::string_view name_or_arn, std::string body) {
    auto name = resolve(name_or_arn);
    if (!name)
        return core::fail(name.error());
    queue_message m;
    m.md5_of_body = md5_hex(body);
    m.body = std::move(body);
    m.message_id = ids_.uuid();
    m.sent_at = clock_.now();
    {
        std::lock_guard lock(mu_);
        auto it = queues_.find(*name);
        if (it == queues_.end())
            return core::fail(queue_not_found(*name));
        m.sequence = ++it->second.sent;
        it->second.messages.push_back(m);
    }
    cv_.notify_all();
    return m;
}

core::result<std::vector<queue_message>> queue_store::peek(std::string_view name_or_arn,
                                                           std::size_t max) const {
    auto name = resolve(name_or_arn);
    if (!name)
        return core::fail(name.error());
    std::lock_guard lock(mu_);
    auto it = queues_.find(*name);
    if (it == queues_.end())
        return core::fail(queue_not_found(*name));
    const auto& msgs = it->second.messages;
    const std::size_t n = std::min(max, msgs.size());
    return std::vector<queue_message>(msgs.begin(), msgs.begin() + static_cast<std::ptrdiff_t>(n));
}

core::result<std::vector<queue_message>> queue_store::take(std::string_view name_or_arn,
                                                           std::size_t max) {
    auto name = resolve(name_or_arn);
    if (!name)
        return core::fail(name.error());
    std::lock_guard lock(mu_);
    auto it = queues_.find(*name);
    if (it == queues_.end())
        return core::fail(queue_not_found(*name));
    auto& msgs = it->second.messages;
    const std::size_t n = std::min(max, msgs.size());
    std::vector<queue_message> out(
        std::make_move_iterator(msgs.begin()),
        std::make_move_iterator(msgs.begin() + static_cast<std::ptrdiff_t>(n)));
    msgs.erase(msgs.begin(), msgs.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

core::result<std::size_t> queue_store::purge(std::string_view name_or_arn) {
    auto name = resolve(name_or_arn);
    if (!name)
        return core::fail(name.error());
    std::lock_guard lock(mu_);
    auto it = queues_.find(*name);
    if (it == queues_.end())
        return core::fail(queue_not_found(*name));
    const std::size_t n = it->second.messages.size();
    it->second.messages.clear();
    return n;
}

core::result<void> queue_store::remove(std::string_view name_or_arn) {
    auto name = resolve(name_or_arn);
    if (!name)
        return core::fail(name.error());
    std::lock_guard lock(mu_);
    auto it = queues_.find(*name);
    if (it == queues_.end())
        return core::fail(queue_not_found(*name));
    queues_.erase(it);
    return {};
}

void queue_store::clear() {
    std::lock_guard lock(mu_);
    queues_.clear();
}

bool queue_store::wait_for(std::string_view name_or_arn, std::size_t count,
                           std::chrono::milliseconds timeout) const {
    auto name = resolve(name_or_arn);
    if (!name)
        return false;
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
        auto it = queues_.find(*name);
        return it != queues_.end() && it->second.messages.size() >= count;
    });
}

}  // namespace esser::emulator
