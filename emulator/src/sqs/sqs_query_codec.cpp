#include "esser/emulator/sqs/sqs_query_codec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>

#include "esser/emulator/http/http_request.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

constexpr std::string_view xml_namespace = "http://queue.amazonaws.com/doc/2012-11-05/";

constexpr std::array<std::string_view, 5> integer_parameters = {
    "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "DelaySeconds", "MaxResults"};

// Flattened lists: query prefix -> JSON member.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> list_parameters = {{
    {"AttributeName", "AttributeNames"},
    {"MessageAttributeName", "MessageAttributeNames"},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames"},
}};

std::optional<std::uint32_t> parse_index(std::string_view s) {
    std::uint32_t v = 0;
    if (s.empty() || s.size() > 6)
        return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v == 0)
        return std::nullopt;
    return v;
}

core::error bad_index(std::string_view key) {
    return sqs_error(sqs_errors::invalid_parameter_value,
                     "The parameter " + std::string(key) + " has an invalid index.");
}

// "<prefix>.<n>[.<rest>]" -> (n, rest); nullopt when `key` does not start with prefix + '.'.
struct indexed {
    std::optional<std::uint32_t> index;  // nullopt: malformed index
    std::string_view rest;               // empty for a plain list entry
};

std::optional<indexed> split_indexed(std::string_view key, std::string_view prefix) {
    if (key.size() <= prefix.size() + 1 || !key.starts_with(prefix) || key[prefix.size()] != '.')
        return std::nullopt;
    std::string_view tail = key.substr(prefix.size() + 1);
    const auto dot = tail.find('.');
    indexed out;
    out.index = parse_index(tail.substr(0, dot));
    if (dot != std::string_view::npos)
        out.rest = tail.substr(dot + 1);
    return out;
}

void append_element(std::string& out, std::string_view name, std::string_view text) {
    out += '<';
    out += name;
    out += '>';
    out += xml_escape(text);
    out += "</";
    out += name;
    out += '>';
}

std::string scalar_text(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

void append_members(std::string& out, const json& object);

void append_member(std::string& out, const std::string& key, const json& v) {
    if (key == "Attributes" && v.is_object()) {
        for (const auto& [name, value] : v.items()) {
            out += "<Attribute>";
            append_element(out, "Name", name);
            append_element(out, "Value", scalar_text(value));
            out += "</Attribute>";
        }
    } else if (key == "MessageAttributes" && v.is_object()) {
        for (const auto& [name, value] : v.items()) {
            out += "<MessageAttribute>";
            append_element(out, "Name", name);
            out += "<Value>";
            append_members(out, value);
            out += "</Value></MessageAttribute>";
        }
    } else if (v.is_array()) {
        // Flattened lists: Messages -> <Message>, QueueUrls -> <QueueUrl>.
        const std::string item = key.ends_with('s') ? key.substr(0, key.size() - 1) : key;
        for (const auto& e : v) {
            if (e.is_object()) {
                out += '<' + item + '>';
                append_members(out, e);
                out += "</" + item + '>';
            } else {
                append_element(out, item, scalar_text(e));
            }
        }
    } else if (v.is_object()) {
        out += '<' + key + '>';
        append_members(out, v);
        out += "</" + key + '>';
    } else if (!v.is_null()) {
        append_element(out, key, scalar_text(v));
    }
}

void append_members(std::string& out, const json& object) {
    if (!object.is_object())
        return;
    for (const auto& [k, v] : object.items()) append_member(out, k, v);
}

}  // namespace

core::result<form_params> parse_form(std::string_view text) {
    form_params out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto amp = text.find('&', start);
        if (amp == std::string_view::npos)
            amp = text.size();
        const std::string_view piece = text.substr(start, amp - start);
        start = amp + 1;
        if (piece.empty())
            continue;
        const auto eq = piece.find('=');
        auto key = percent_decode(piece.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1), true);
        if (!key || !value) {
            return core::fail(sqs_error(sqs_errors::malformed_query_string,
                                        "The request has a malformed %-escape in \"" +
                                            std::string(piece.substr(0, 64)) + "\"."));
        }
        out.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

const std::string* form_value(const form_params& params, std::string_view name) {
    for (const auto& [k, v] : params) {
        if (k == name)
            return &v;
    }
    return nullptr;
}

core::result<json> form_to_json(const form_params& params) {
    json out = json::object();
    std::map<std::string, std::map<std::uint32_t, std::string>> lists;
    std::map<std::uint32_t, std::pair<std::optional<std::string>, std::string>> attributes;
    std::map<std::uint32_t, std::pair<std::optional<std::string>, json>> message_attributes;
    for (const auto& [key, value] : params) {
        if (key == "Action" || key == "Version")
            continue;
        bool handled = false;
        for (const auto& [prefix, member] : list_parameters) {
            if (auto ix = split_indexed(key, prefix); ix && ix->rest.empty()) {
                if (!ix->index)
                    return core::fail(bad_index(key));
                lists[std::string(member)][*ix->index] = value;
                handled = true;
            }
        }
        if (handled)
            continue;
        if (auto ix = split_indexed(key, "Attribute")) {
            if (!ix->index)
                return core::fail(bad_index(key));
            auto& slot = attributes[*ix->index];
            if (ix->rest == "Name")
                slot.first = value;
            else if (ix->rest == "Value")
                slot.second = value;
            continue;
        }
        if (auto ix = split_indexed(key, "MessageAttribute")) {
            if (!ix->index)
                return core::fail(bad_index(key));
            auto& slot = message_attributes[*ix->index];
            if (slot.second.is_null())
                slot.second = json::object();
            if (ix->rest == "Name")
                slot.first = value;
            else if (ix->rest.starts_with("Value."))
                slot.second[std::string(ix->rest.substr(6))] = value;
            continue;
        }
        if (key.starts_with("Tag."))
            continue;  // tags are not emulated
        if (std::find(integer_parameters.begin(), integer_parameters.end(), key) !=
            integer_parameters.end()) {
            std::int64_t v = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
            if (ec == std::errc() && p == value.data() + value.size() && !value.empty()) {
                out[key] = v;
                continue;
            }
        }
        out[key] = value;
    }
    for (auto& [member, entries] : lists) {
        json list = json::array();
        for (auto& [i, v] : entries) list.push_back(std::move(v));
        out[member] = std::move(list);
    }
    if (!attributes.empty()) {
        json map = json::object();
        for (auto& [i, nv] : attributes) {
            if (!nv.first)
                return core::fail(sqs_error(sqs_errors::missing_parameter,
                                            "The request must contain the parameter Attribute." +
                                                std::to_string(i) + ".Name."));
            map[*nv.first] = std::move(nv.second);
        }
        out["Attributes"] = std::move(map);
    }
    if (!message_attributes.empty()) {
        json map = json::object();
        for (auto& [i, nv] : message_attributes) {
            if (!nv.first)
                return core::fail(
                    sqs_error(sqs_errors::missing_parameter,
                              "The request must contain the parameter MessageAttribute." +
                                  std::to_string(i) + ".Name."));
            map[*nv.first] = std::move(nv.second);
        }
        out["MessageAttributes"] = std::move(map);
    }
    return out;
}

std::string query_response_xml(std::string_view action, const json& result,
                               std::string_view request_id) {
    std::string out = "<?xml version=\"1.0\"?><";
    out += action;
    out += "Response xmlns=\"";
    out += xml_namespace;
    out += "\">";
    if (result.is_object() && !result.empty()) {
        out += '<' + std::string(action) + "Result>";
        append_members(out, result);
        out += "</" + std::string(action) + "Result>";
    } else if (action == "ReceiveMessage" || action == "ListQueues" ||
               action == "GetQueueAttributes") {
        out += '<' + std::string(action) + "Result/>";
    }
    out += "<ResponseMetadata>";
    append_element(out, "RequestId", request_id);
    out += "</ResponseMetadata></";
    out += action;
    out += "Response>";
    return out;
}

std::string query_error_xml(const sqs_wire_error& wire, std::string_view message,
                            std::string_view request_id) {
    std::string out = "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"";
    out += xml_namespace;
    out += "\"><Error>";
    append_element(out, "Type", wire.fault);
    append_element(out, "Code", wire.query_code);
    append_element(out, "Message", message);
    out += "<Detail/></Error>";
    append_element(out, "RequestId", request_id);
    out += "</ErrorResponse>";
    return out;
}

std::string xml_escape(std::string_view text) {
    // CR becomes a character reference: XML parsers turn a raw CR (or CR LF) into LF.
    static constexpr std::array<std::pair<char, std::string_view>, 6> references = {
        {{'&', "&amp;"},
         {'<', "&lt;"},
         {'>', "&gt;"},
         {'"', "&quot;"},
         {'\'', "&apos;"},
         {'\r', "&#xD;"}}};
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto* ref = std::find_if(references.begin(), references.end(),
                                       [c](const auto& r) { return r.first == c; });
        if (ref == references.end())
            out += c;
        else
            out += ref->second;
    }
    return out;
}

}  // namespace esser::emulator
