#include "esser/emulator/sqs/sqs_queue.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "esser/emulator/dynamo/document_reader.hpp"
#include "esser/emulator/sqs/sqs_error.hpp"

namespace esser::emulator {

namespace {

// The attributes SQS acts on, with their ranges (API reference SetQueueAttributes).
struct numeric_attribute {
    std::string_view name;
    std::uint32_t min;
    std::uint32_t max;
};

constexpr std::array<numeric_attribute, 5> numeric_attributes = {{
    {"VisibilityTimeout", 0, 43200},
    {"MessageRetentionPeriod", 60, 1209600},
    {"DelaySeconds", 0, 900},
    {"MaximumMessageSize", 1024, 262144},
    {"ReceiveMessageWaitTimeSeconds", 0, 20},
}};

// Accepted, stored and echoed, not acted on (no IAM, no KMS, no redrive here).
constexpr std::array<std::string_view, 6> stored_attributes = {"Policy",
                                                               "RedrivePolicy",
                                                               "RedriveAllowPolicy",
                                                               "KmsMasterKeyId",
                                                               "KmsDataKeyReusePeriodSeconds",
                                                               "SqsManagedSseEnabled"};

// Read-only attributes, in the order GetQueueAttributes "All" lists them.
constexpr std::array<std::string_view, 6> computed_attributes = {
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp"};

const numeric_attribute* find_numeric(std::string_view name) {
    for (const auto& a : numeric_attributes) {
        if (a.name == name)
            return &a;
    }
    return nullptr;
}

bool contains(const auto& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

std::optional<std::uint32_t> parse_u32(std::string_view text) {
    std::uint32_t v = 0;
    if (text.empty() || text.size() > 10)
        return std::nullopt;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
        return std::nullopt;
    return v;
}

core::error unknown_attribute(std::string_view name) {
    return sqs_error(sqs_errors::invalid_attribute_name,
                     "Unknown Attribute " + std::string(name) + ".");
}

core::error invalid_attribute_value(std::string_view name) {
    return sqs_error(sqs_errors::invalid_attribute_value,
                     "Invalid value for the parameter " + std::string(name) + ".");
}

struct parsed_handle {
    std::string_view message_id;
    std::uint32_t receive_count = 0;
};

std::optional<parsed_handle> parse_receipt_handle(std::string_view h) {
    const auto a = h.find(':');
    if (a == std::string_view::npos)
        return std::nullopt;
    const auto b = h.find(':', a + 1);
    if (b == std::string_view::npos)
        return std::nullopt;
    const std::string_view id = h.substr(0, a);
    const auto count = parse_u32(h.substr(a + 1, b - a - 1));
    const std::string_view nonce = h.substr(b + 1);
    if (id.size() != 36 || !count || nonce.size() != 16 ||
        !std::all_of(nonce.begin(), nonce.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
        return std::nullopt;
    return parsed_handle{id, *count};
}

core::error invalid_receipt_handle(std::string_view h) {
    return sqs_error(
        sqs_errors::receipt_handle_is_invalid,
        "The input receipt handle \"" + std::string(h) + "\" is not a valid receipt handle.");
}

std::string seconds_text(core::time_point t) {
    return std::to_string(core::to_epoch_ms(t) / 1000);
}

}  // namespace

std::string make_receipt_handle(const sqs_message& m, core::id_source& ids) {
    return m.message_id + ":" + std::to_string(m.receive_count) + ":" + ids.hex(16);
}

core::result<sqs_queue> sqs_queue::make(std::string name, std::string arn,
                                        const sqs_attribute_map& attributes, core::time_point now) {
    sqs_queue q;
    q.name_ = std::move(name);
    q.arn_ = std::move(arn);
    q.created_ = now;
    if (auto ok = q.set_attributes(attributes, now); !ok)
        return core::fail(ok.error());
    return q;
}

core::result<void> sqs_queue::set_attributes(const sqs_attribute_map& attributes,
                                             core::time_point now) {
    for (const auto& [name, value] : attributes) {
        if (const auto* n = find_numeric(name)) {
            const auto v = parse_u32(value);
            if (!v || *v < n->min || *v > n->max)
                return core::fail(invalid_attribute_value(name));
        } else if (name == "FifoQueue") {
            if (value == "true")
                return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                            "esser-local emulates standard queues only: FIFO "
                                            "queues (FifoQueue=true) are not supported."));
            if (value != "false")
                return core::fail(invalid_attribute_value(name));
        } else if (!contains(stored_attributes, name)) {
            return core::fail(unknown_attribute(name));
        }
    }
    for (const auto& [name, value] : attributes) {
        if (name == "FifoQueue")
            continue;
        const std::uint32_t v = find_numeric(name) ? *parse_u32(value) : 0;
        if (name == "VisibilityTimeout")
            visibility_timeout_s_ = v;
        else if (name == "MessageRetentionPeriod")
            message_retention_s_ = v;
        else if (name == "DelaySeconds")
            delay_s_ = v;
        else if (name == "MaximumMessageSize")
            maximum_message_size_ = v;
        else if (name == "ReceiveMessageWaitTimeSeconds")
            receive_wait_time_s_ = v;
        else
            stored_[name] = value;
    }
    last_modified_ = now;
    return {};
}

bool sqs_queue::has_attributes(const sqs_attribute_map& attributes) const {
    for (const auto& [name, value] : attributes) {
        if (name == "FifoQueue") {
            if (value != "false")
                return false;
            continue;
        }
        if (render(name, created_) != value)
            return false;
    }
    return true;
}

std::string sqs_queue::render(std::string_view a, core::time_point now) const {
    if (a == "VisibilityTimeout")
        return std::to_string(visibility_timeout_s_);
    if (a == "MessageRetentionPeriod")
        return std::to_string(message_retention_s_);
    if (a == "DelaySeconds")
        return std::to_string(delay_s_);
    if (a == "MaximumMessageSize")
        return std::to_string(maximum_message_size_);
    if (a == "ReceiveMessageWaitTimeSeconds")
        return std::to_string(receive_wait_time_s_);
    if (a == "QueueArn")
        return arn_;
    if (a == "CreatedTimestamp")
        return seconds_text(created_);
    if (a == "LastModifiedTimestamp")
        return seconds_text(last_modified_);
    if (a.starts_with("ApproximateNumberOfMessages")) {
        const auto c = counts(now);
        if (a == "ApproximateNumberOfMessages")
            return std::to_string(c.visible);
        if (a == "ApproximateNumberOfMessagesNotVisible")
            return std::to_string(c.in_flight);
        return std::to_string(c.delayed);
    }
    if (auto it = stored_.find(a); it != stored_.end())
        return it->second;
    return {};
}

core::result<sqs_attribute_map> sqs_queue::attributes(const std::vector<std::string>& names,
                                                      core::time_point now) const {
    const bool all = std::find(names.begin(), names.end(), "All") != names.end();
    sqs_attribute_map out;
    if (all) {
        for (auto a : computed_attributes) out[std::string(a)] = render(a, now);
        for (const auto& a : numeric_attributes) out[std::string(a.name)] = render(a.name, now);
        for (const auto& [k, v] : stored_) out[k] = v;
        return out;
    }
    for (const auto& n : names) {
        if (contains(computed_attributes, n) || find_numeric(n)) {
            out[n] = render(n, now);
        } else if (contains(stored_attributes, n) || n == "FifoQueue") {
            if (auto it = stored_.find(n); it != stored_.end())
                out[n] = it->second;  // absent attributes are simply not returned
        } else {
            return core::fail(unknown_attribute(n));
        }
    }
    return out;
}

const sqs_message& sqs_queue::send(sqs_message m, std::optional<std::uint32_t> delay_s,
                                   core::time_point now) {
    m.sequence = ++sequence_;
    m.sent_at = now;
    m.visible_at = now + std::chrono::seconds(delay_s.value_or(delay_s_));
    m.receive_count = 0;
    m.receipt_handle.clear();
    m.first_received_at.reset();
    by_id_[m.message_id] = m.sequence;
    return messages_.emplace(m.sequence, std::move(m)).first->second;
}

std::vector<sqs_message> sqs_queue::receive(std::size_t max,
                                            std::optional<std::uint32_t> visibility_s,
                                            core::time_point now, core::id_source& ids) {
    expire(now);
    std::vector<sqs_message> out;
    const auto hidden_until =
        now + std::chrono::seconds(visibility_s.value_or(visibility_timeout_s_));
    for (auto& [seq, m] : messages_) {
        if (out.size() >= max)
            break;
        if (m.visible_at > now)
            continue;
        ++m.receive_count;
        if (!m.first_received_at)
            m.first_received_at = now;
        m.visible_at = hidden_until;
        m.receipt_handle = make_receipt_handle(m, ids);
        out.push_back(m);
    }
    return out;
}

std::vector<sqs_message> sqs_queue::peek(std::size_t max, core::time_point now) const {
    std::vector<sqs_message> out;
    for (const auto& [seq, m] : messages_) {
        if (out.size() >= max)
            break;
        if (m.visible_at <= now && m.sent_at + std::chrono::seconds(message_retention_s_) > now)
            out.push_back(m);
    }
    return out;
}

core::result<void> sqs_queue::delete_message(std::string_view receipt_handle) {
    const auto h = parse_receipt_handle(receipt_handle);
    if (!h)
        return core::fail(invalid_receipt_handle(receipt_handle));
    auto it = by_id_.find(std::string(h->message_id));
    if (it != by_id_.end()) {
        if (track_removals_)
            removed_.push_back(it->second);
        messages_.erase(it->second);
        by_id_.erase(it);
    }
    return {};
}

core::result<void> sqs_queue::change_visibility(std::string_view receipt_handle,
                                                std::uint32_t visibility_s, core::time_point now) {
    const auto h = parse_receipt_handle(receipt_handle);
    if (!h)
        return core::fail(invalid_receipt_handle(receipt_handle));
    auto it = by_id_.find(std::string(h->message_id));
    if (it == by_id_.end()) {
        return core::fail(sqs_error(
            sqs_errors::invalid_parameter_value,
            "Value " + std::string(receipt_handle) +
                " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is "
                "not available for visibility timeout change."));
    }
    auto& m = messages_.at(it->second);
    if (m.receive_count == 0 || m.visible_at <= now) {
        return core::fail(sqs_error(sqs_errors::message_not_inflight,
                                    "The message referred to isn't in flight."));
    }
    m.visible_at = now + std::chrono::seconds(visibility_s);
    return {};
}

std::size_t sqs_queue::purge() {
    const std::size_t n = messages_.size();
    messages_.clear();
    by_id_.clear();
    if (track_removals_)
        removed_.push_back(0);
    return n;
}

sqs_queue_counts sqs_queue::counts(core::time_point now) const {
    sqs_queue_counts c;
    const auto retention = std::chrono::seconds(message_retention_s_);
    for (const auto& [seq, m] : messages_) {
        if (m.sent_at + retention <= now)
            continue;  // expired, dropped by the next expire()
        if (m.visible_at <= now)
            ++c.visible;
        else if (m.receive_count > 0)
            ++c.in_flight;
        else
            ++c.delayed;
    }
    return c;
}

void sqs_queue::expire(core::time_point now) {
    const auto retention = std::chrono::seconds(message_retention_s_);
    for (auto it = messages_.begin(); it != messages_.end();) {
        if (it->second.sent_at + retention <= now) {
            if (track_removals_)
                removed_.push_back(it->first);
            by_id_.erase(it->second.message_id);
            it = messages_.erase(it);
        } else {
            ++it;
        }
    }
}

sqs_attribute_map sqs_queue::settable_attributes() const {
    sqs_attribute_map out = stored_;
    out["VisibilityTimeout"] = std::to_string(visibility_timeout_s_);
    out["MessageRetentionPeriod"] = std::to_string(message_retention_s_);
    out["DelaySeconds"] = std::to_string(delay_s_);
    out["MaximumMessageSize"] = std::to_string(maximum_message_size_);
    out["ReceiveMessageWaitTimeSeconds"] = std::to_string(receive_wait_time_s_);
    return out;
}

std::vector<std::uint64_t> sqs_queue::take_removed() {
    std::vector<std::uint64_t> out;
    out.swap(removed_);
    return out;
}

void sqs_queue::restore_message(sqs_message m, core::time_point now) {
    if (m.receive_count > 0)
        m.visible_at = std::min(m.visible_at, now);
    sequence_ = std::max(sequence_, m.sequence);
    by_id_[m.message_id] = m.sequence;
    const std::uint64_t seq = m.sequence;
    messages_.insert_or_assign(seq, std::move(m));
}

nlohmann::json sqs_message_state(const sqs_message& m) {
    nlohmann::json attrs = nlohmann::json::object();
    for (const auto& [name, a] : m.attributes)
        attrs[name] = {
            {"type", a.data_type}, {"string", a.string_value}, {"binary", a.binary_value}};
    nlohmann::json j = {{"id", m.message_id},
                        {"body", m.body},
                        {"md5", m.md5_of_body},
                        {"attributes", std::move(attrs)},
                        {"md5_attributes", m.md5_of_attributes},
                        {"sent_ms", core::to_epoch_ms(m.sent_at)},
                        {"visible_ms", core::to_epoch_ms(m.visible_at)},
                        {"receive_count", m.receive_count},
                        {"receipt_handle", m.receipt_handle},
                        {"sequence", m.sequence}};
    if (m.first_received_at)
        j["first_received_ms"] = core::to_epoch_ms(*m.first_received_at);
    return j;
}

core::result<sqs_message> sqs_message_from_state(const nlohmann::json& j) {
    document_reader r(j, "SQS message state");
    sqs_message m;
    r.text("id", m.message_id);
    m.sequence = r.unsigned_number<std::uint64_t>("sequence");
    r.text("body", m.body);
    r.text("md5", m.md5_of_body);
    m.sent_at = r.time("sent_ms");
    m.visible_at = r.time("visible_ms");
    m.receive_count = r.unsigned_number<std::uint32_t>("receive_count");
    if (r.has("first_received_ms"))
        m.first_received_at = r.time("first_received_ms");
    r.text("receipt_handle", m.receipt_handle);
    r.text("md5_attributes", m.md5_of_attributes);
    if (m.sequence == 0)
        r.note("sequence");
    if (m.message_id.empty())
        r.note("id");
    const auto attrs = j.is_object() ? j.find("attributes") : j.end();
    if (!j.is_object() || attrs == j.end() || !attrs->is_object()) {
        r.note("attributes");
    } else {
        for (const auto& [name, a] : attrs->items()) {
            document_reader one(a, "SQS message attribute");
            auto& out = m.attributes[name];
            one.text("type", out.data_type);
            one.text("string", out.string_value);
            one.text("binary", out.binary_value);
            if (!one.result())
                r.note("attributes");
        }
    }
    if (auto ok = r.result(); !ok)
        return core::fail(ok.error());
    return m;
}

}  // namespace esser::emulator
