#include "esser/emulator/sqs/sqs_api.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>

#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/sqs/sqs_error.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

core::error missing(std::string_view member) {
    return sqs_error(sqs_errors::missing_parameter,
                     "The request must contain the parameter " + std::string(member) + ".");
}

core::error invalid(std::string_view member, const json& value, std::string_view reason) {
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    return sqs_error(sqs_errors::invalid_parameter_value,
                     "Value " + text + " for parameter " + std::string(member) +
                         " is invalid. Reason: " + std::string(reason));
}

// The request's members, read with SQS's errors.
class reader {
public:
    explicit reader(const json& r) : r_(r) {}

    core::result<std::string> required_string(std::string_view m) const {
        auto v = optional_string(m);
        if (!v)
            return core::fail(v.error());
        if (!*v)
            return core::fail(missing(m));
        return std::move(**v);
    }

    core::result<std::optional<std::string>> optional_string(std::string_view m) const {
        auto it = r_.find(m);
        if (it == r_.end() || it->is_null())
            return std::optional<std::string>();
        if (!it->is_string())
            return core::fail(invalid(m, *it, "must be a string."));
        return std::optional<std::string>(it->get<std::string>());
    }

    core::result<std::optional<std::uint32_t>> optional_int(std::string_view m, std::uint32_t min,
                                                            std::uint32_t max) const {
        auto it = r_.find(m);
        if (it == r_.end() || it->is_null())
            return std::optional<std::uint32_t>();
        const std::string range = "Must be between " + std::to_string(min) + " and " +
                                  std::to_string(max) + ", if provided.";
        if (!it->is_number_integer())
            return core::fail(invalid(m, *it, range));
        const auto v = it->get<std::int64_t>();
        if (v < min || v > max)
            return core::fail(invalid(m, *it, range));
        return std::optional<std::uint32_t>(static_cast<std::uint32_t>(v));
    }

    core::result<std::vector<std::string>> strings(std::string_view m) const {
        std::vector<std::string> out;
        auto it = r_.find(m);
        if (it == r_.end() || it->is_null())
            return out;
        if (!it->is_array())
            return core::fail(invalid(m, *it, "must be a list of strings."));
        for (const auto& e : *it) {
            if (!e.is_string())
                return core::fail(invalid(m, e, "must be a list of strings."));
            out.push_back(e.get<std::string>());
        }
        return out;
    }

    core::result<sqs_attribute_map> attribute_map(std::string_view m) const {
        sqs_attribute_map out;
        auto it = r_.find(m);
        if (it == r_.end() || it->is_null())
            return out;
        if (!it->is_object())
            return core::fail(invalid(m, *it, "must be a map of strings."));
        for (const auto& [k, v] : it->items()) {
            if (!v.is_string())
                return core::fail(invalid(std::string(m) + "." + k, v, "must be a string."));
            out[k] = v.get<std::string>();
        }
        return out;
    }

    core::result<sqs_message_attributes> message_attributes(std::string_view m) const {
        sqs_message_attributes out;
        auto it = r_.find(m);
        if (it == r_.end() || it->is_null())
            return out;
        if (!it->is_object())
            return core::fail(invalid(m, *it, "must be a map."));
        if (it->size() > 10) {
            return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                        "Number of message attributes [" +
                                            std::to_string(it->size()) +
                                            "] exceeds the allowed maximum [10]."));
        }
        for (const auto& [name, v] : it->items()) {
            auto a = message_attribute(name, v);
            if (!a)
                return core::fail(a.error());
            out.emplace(name, std::move(*a));
        }
        return out;
    }

private:
    static core::result<sqs_message_attribute> message_attribute(const std::string& name,
                                                                 const json& v) {
        auto bad = [&](std::string reason) {
            return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                        "Message attribute '" + name + "' " + reason));
        };
        if (name.empty() || name.size() > 256 || name.starts_with('.') || name.ends_with('.') ||
            name.find("..") != std::string::npos ||
            !std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                       c == '.';
            }))
            return bad("has an invalid name.");
        if (!v.is_object() || !v.contains("DataType") || !v["DataType"].is_string())
            return bad("must contain a non-empty DataType.");
        sqs_message_attribute a;
        a.data_type = v["DataType"].get<std::string>();
        const bool string_kind = a.data_type == "String" || a.data_type.starts_with("String.") ||
                                 a.data_type == "Number" || a.data_type.starts_with("Number.");
        if (!string_kind && !a.is_binary())
            return bad(
                "has an invalid message attribute type, the set of supported type "
                "prefixes is Binary, Number, and String.");
        if (string_kind) {
            if (!v.contains("StringValue") || !v["StringValue"].is_string() ||
                v["StringValue"].get<std::string>().empty())
                return bad(
                    "must contain a non-empty message attribute value for message "
                    "attribute type '" +
                    a.data_type + "'.");
            a.string_value = v["StringValue"].get<std::string>();
        } else {
            if (!v.contains("BinaryValue") || !v["BinaryValue"].is_string())
                return bad(
                    "must contain a non-empty message attribute value for message "
                    "attribute type '" +
                    a.data_type + "'.");
            auto bytes = base64_decode(v["BinaryValue"].get<std::string>());
            if (!bytes || bytes->empty())
                return bad("has a BinaryValue that is not valid base64.");
            a.binary_value = std::move(*bytes);
        }
        return a;
    }

    const json& r_;
};

#define ESSER_SQS_TRY(var, expr) \
    auto var = (expr);           \
    if (!var)                    \
        return core::fail(var.error());

// System attributes of a received message (ReceiveMessage AttributeNames /
// MessageSystemAttributeNames).
json system_attributes(const sqs_message& m, const std::vector<std::string>& names,
                       const std::string& sender) {
    auto wanted = [&](std::string_view a) {
        return std::find(names.begin(), names.end(), "All") != names.end() ||
               std::find(names.begin(), names.end(), a) != names.end();
    };
    json out = json::object();
    if (wanted("SenderId"))
        out["SenderId"] = sender;
    if (wanted("SentTimestamp"))
        out["SentTimestamp"] = std::to_string(core::to_epoch_ms(m.sent_at));
    if (wanted("ApproximateReceiveCount"))
        out["ApproximateReceiveCount"] = std::to_string(m.receive_count);
    if (wanted("ApproximateFirstReceiveTimestamp") && m.first_received_at)
        out["ApproximateFirstReceiveTimestamp"] =
            std::to_string(core::to_epoch_ms(*m.first_received_at));
    return out;
}

bool attribute_selected(const std::string& name, const std::vector<std::string>& names) {
    for (const auto& n : names) {
        if (n == "All" || n == ".*" || n == name)
            return true;
        if (n.ends_with(".*") && name.starts_with(n.substr(0, n.size() - 1)))
            return true;
    }
    return false;
}

json message_json(const sqs_message& m, const std::vector<std::string>& system_names,
                  const std::vector<std::string>& attribute_names, const std::string& sender) {
    json j = {{"MessageId", m.message_id},
              {"ReceiptHandle", m.receipt_handle},
              {"MD5OfBody", m.md5_of_body},
              {"Body", m.body}};
    if (auto a = system_attributes(m, system_names, sender); !a.empty())
        j["Attributes"] = std::move(a);
    sqs_message_attributes chosen;
    for (const auto& [name, a] : m.attributes) {
        if (attribute_selected(name, attribute_names))
            chosen.emplace(name, a);
    }
    if (!chosen.empty()) {
        j["MD5OfMessageAttributes"] = md5_of_message_attributes(chosen);
        json attrs = json::object();
        for (const auto& [name, a] : chosen) {
            json v = {{"DataType", a.data_type}};
            if (a.is_binary())
                v["BinaryValue"] = base64_encode(a.binary_value);
            else
                v["StringValue"] = a.string_value;
            attrs[name] = std::move(v);
        }
        j["MessageAttributes"] = std::move(attrs);
    }
    return j;
}

core::result<json> create_queue(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(name, r.required_string("QueueName"));
    ESSER_SQS_TRY(attrs, r.attribute_map("Attributes"));
    ESSER_SQS_TRY(url, s.create_queue(*name, *attrs));
    return json{{"QueueUrl", *url}};
}

core::result<json> get_queue_url(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(name, r.required_string("QueueName"));
    ESSER_SQS_TRY(owner, r.optional_string("QueueOwnerAWSAccountId"));
    if (*owner && **owner != s.account())
        return core::fail(no_such_queue());
    if (!valid_queue_name(*name))
        return core::fail(no_such_queue());
    ESSER_SQS_TRY(url, s.get_queue_url(*name));
    return json{{"QueueUrl", *url}};
}

core::result<json> get_queue_attributes(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(queue, r.required_string("QueueUrl"));
    ESSER_SQS_TRY(names, r.strings("AttributeNames"));
    ESSER_SQS_TRY(attrs, s.get_queue_attributes(*queue, *names));
    json out = json::object();
    if (!attrs->empty())
        out["Attributes"] = *attrs;
    return out;
}

core::result<json> set_queue_attributes(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(queue, r.required_string("QueueUrl"));
    ESSER_SQS_TRY(attrs, r.attribute_map("Attributes"));
    ESSER_SQS_TRY(ok, s.set_queue_attributes(*queue, *attrs));
    return json::object();
}

core::result<json> send_message(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(queue, r.required_string("QueueUrl"));
    ESSER_SQS_TRY(body, r.required_string("MessageBody"));
    ESSER_SQS_TRY(delay, r.optional_int("DelaySeconds", 0, 900));
    ESSER_SQS_TRY(attrs, r.message_attributes("MessageAttributes"));
    ESSER_SQS_TRY(m, s.send_message(*queue, std::move(*body), std::move(*attrs), *delay));
    json out = {{"MessageId", m->message_id}, {"MD5OfMessageBody", m->md5_of_body}};
    if (!m->md5_of_attributes.empty())
        out["MD5OfMessageAttributes"] = m->md5_of_attributes;
    return out;
}

core::result<json> delete_message(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(queue, r.required_string("QueueUrl"));
    ESSER_SQS_TRY(handle, r.required_string("ReceiptHandle"));
    ESSER_SQS_TRY(ok, s.delete_message(*queue, *handle));
    return json::object();
}

core::result<json> change_message_visibility(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(queue, r.required_string("QueueUrl"));
    ESSER_SQS_TRY(handle, r.required_string("ReceiptHandle"));
    ESSER_SQS_TRY(timeout, r.optional_int("VisibilityTimeout", 0, 43200));
    if (!*timeout)
        return core::fail(missing("VisibilityTimeout"));
    ESSER_SQS_TRY(ok, s.change_message_visibility(*queue, *handle, **timeout));
    return json::object();
}

core::result<json> purge_queue(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(queue, r.required_string("QueueUrl"));
    ESSER_SQS_TRY(ok, s.purge_queue(*queue));
    return json::object();
}

core::result<json> delete_queue(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(queue, r.required_string("QueueUrl"));
    ESSER_SQS_TRY(ok, s.delete_queue(*queue));
    return json::object();
}

core::result<json> list_queues(sqs_service& s, const reader& r) {
    ESSER_SQS_TRY(prefix, r.optional_string("QueueNamePrefix"));
    ESSER_SQS_TRY(max, r.optional_int("MaxResults", 1, 1000));
    ESSER_SQS_TRY(token, r.optional_string("NextToken"));
    ESSER_SQS_TRY(page, s.list_queues(prefix->value_or(""), *max, token->value_or("")));
    json out = json::object();
    if (!page->urls.empty())
        out["QueueUrls"] = page->urls;
    if (!page->next_token.empty())
        out["NextToken"] = page->next_token;
    return out;
}

using sync_action = core::result<json> (*)(sqs_service&, const reader&);

struct action_row {
    std::string_view name;
    sync_action run;  // null: ReceiveMessage (asynchronous)
};

constexpr action_row actions[] = {
    {"CreateQueue", &create_queue},
    {"GetQueueUrl", &get_queue_url},
    {"GetQueueAttributes", &get_queue_attributes},
    {"SetQueueAttributes", &set_queue_attributes},
    {"SendMessage", &send_message},
    {"ReceiveMessage", nullptr},
    {"DeleteMessage", &delete_message},
    {"ChangeMessageVisibility", &change_message_visibility},
    {"PurgeQueue", &purge_queue},
    {"DeleteQueue", &delete_queue},
    {"ListQueues", &list_queues},
};

const action_row* find_action(std::string_view name) {
    for (const auto& a : actions) {
        if (a.name == name)
            return &a;
    }
    return nullptr;
}

}  // namespace

const std::vector<std::string>& sqs_api::operations() {
    static const std::vector<std::string> ops = [] {
        std::vector<std::string> v;
        for (const auto& a : actions) v.emplace_back(a.name);
        return v;
    }();
    return ops;
}

bool sqs_api::serves(std::string_view operation) {
    return find_action(operation) != nullptr;
}

std::function<void()> sqs_api::call(std::string_view operation, const json& request, done_fn done) {
    const action_row* action = find_action(operation);
    if (!action) {
        done(core::fail(sqs_error(
            sqs_errors::unknown_operation,
            "The action " + std::string(operation) + " is not valid for this endpoint.")));
        return {};
    }
    if (!request.is_object()) {
        done(core::fail(sqs_error(sqs_errors::serialization, "The request must be an object.")));
        return {};
    }
    const reader r(request);
    if (action->run) {
        done(action->run(service_, r));
        return {};
    }
    // ReceiveMessage: checks first, then the service answers now or after its long poll.
    auto fail_now = [&](core::error e) {
        done(core::fail(std::move(e)));
        return std::function<void()>();
    };
    auto queue = r.required_string("QueueUrl");
    if (!queue)
        return fail_now(queue.error());
    auto max = r.optional_int("MaxNumberOfMessages", 1, 10);
    if (!max)
        return fail_now(max.error());
    auto visibility = r.optional_int("VisibilityTimeout", 0, 43200);
    if (!visibility)
        return fail_now(visibility.error());
    auto wait = r.optional_int("WaitTimeSeconds", 0, 20);
    if (!wait)
        return fail_now(wait.error());
    auto names = r.strings("AttributeNames");
    if (!names)
        return fail_now(names.error());
    auto system_names = r.strings("MessageSystemAttributeNames");
    if (!system_names)
        return fail_now(system_names.error());
    auto attribute_names = r.strings("MessageAttributeNames");
    if (!attribute_names)
        return fail_now(attribute_names.error());
    names->insert(names->end(), system_names->begin(), system_names->end());

    sqs_receive_request req{*queue, max->value_or(1), *visibility, *wait};
    auto render = [done = std::move(done), names = std::move(*names),
                   attribute_names = std::move(*attribute_names),
                   sender = service_.account()](core::result<std::vector<sqs_message>> got) {
        if (!got) {
            done(core::fail(got.error()));
            return;
        }
        json out = json::object();
        if (!got->empty()) {
            json msgs = json::array();
            for (const auto& m : *got)
                msgs.push_back(message_json(m, names, attribute_names, sender));
            out["Messages"] = std::move(msgs);
        }
        done(std::move(out));
    };
    const std::uint64_t ticket = service_.receive(std::move(req), std::move(render));
    if (ticket == 0)
        return {};
    return [s = &service_, ticket] { s->cancel_receive(ticket); };
}

core::result<json> sqs_api::call_now(std::string_view operation, const json& request) {
    auto answer = std::make_shared<std::optional<core::result<json>>>();
    auto cancel =
        call(operation, request, [answer](core::result<json> r) { *answer = std::move(r); });
    if (!answer->has_value()) {
        if (cancel)
            cancel();
        return core::fail(
            sqs_error(sqs_errors::internal, "call_now: " + std::string(operation) + " would wait"));
    }
    return std::move(**answer);
}

}  // namespace esser::emulator
