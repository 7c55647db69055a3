// The only translation unit that includes valijson (heavy headers; see STYLE.md). Linked with
// the `valijson` CMake target, which sets VALIJSON_USE_EXCEPTIONS=1: without it a bad schema
// would abort() instead of throwing, and we catch here, at the boundary.
#include "esser/core/command_schema.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string_view>

#include "json_path.hpp"
#include "simple_schema.hpp"
#include <fmt/format.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "esser/core/attribute_json.hpp"

namespace esser::core {

using nlohmann::json;

namespace {

// A structural description of JSON Schema draft 7, written for esser: enough to point at the
// exact member of a user's schema that is wrong (valijson's own parser errors carry no
// location). Unknown keywords are rejected unless they start with "x-", which catches typos
// ("requried") and seed-style keywords ("diff" instead of "x-diff").
constexpr std::string_view meta_schema_text = R"({
  "definitions": {
    "type_name": {"enum": ["string", "number", "integer", "boolean", "object", "array", "null"]},
    "schema_array": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/schema"}},
    "schema_map": {"type": "object", "additionalProperties": {"$ref": "#/definitions/schema"}},
    "count": {"type": "integer", "minimum": 0},
    "schema": {
      "type": ["object", "boolean"],
      "properties": {
        "$id": {"type": "string"}, "$schema": {"type": "string"}, "$ref": {"type": "string"},
        "$comment": {"type": "string"}, "title": {"type": "string"},
        "description": {"type": "string"}, "default": true, "examples": {"type": "array"},
        "readOnly": {"type": "boolean"}, "writeOnly": {"type": "boolean"},
        "type": {"anyOf": [{"$ref": "#/definitions/type_name"},
                           {"type": "array", "items": {"$ref": "#/definitions/type_name"},
                            "minItems": 1, "uniqueItems": true}]},
        "enum": {"type": "array", "minItems": 1}, "const": true,
        "multipleOf": {"type": "number", "exclusiveMinimum": 0},
        "maximum": {"type": "number"}, "exclusiveMaximum": {"type": "number"},
        "minimum": {"type": "number"}, "exclusiveMinimum": {"type": "number"},
        "maxLength": {"$ref": "#/definitions/count"}, "minLength": {"$ref": "#/definitions/count"},
        "pattern": {"type": "string"}, "format": {"type": "string"},
        "contentMediaType": {"type": "string"}, "contentEncoding": {"type": "string"},
        "items": {"anyOf": [{"$ref": "#/definitions/schema"},
                            {"$ref": "#/definitions/schema_array"}]},
        "additionalItems": {"$ref": "#/definitions/schema"},
        "maxItems": {"$ref": "#/definitions/count"}, "minItems": {"$ref": "#/definitions/count"},
        "uniqueItems": {"type": "boolean"}, "contains": {"$ref": "#/definitions/schema"},
        "maxProperties": {"$ref": "#/definitions/count"},
        "minProperties": {"$ref": "#/definitions/count"},
        "required": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
        "properties": {"$ref": "#/definitions/schema_map"},
        "patternProperties": {"$ref": "#/definitions/schema_map"},
        "additionalProperties": {"$ref": "#/definitions/schema"},
        "dependencies": {"type": "object"},
        "propertyNames": {"$ref": "#/definitions/schema"},
        "definitions": {"$ref": "#/definitions/schema_map"},
        "if": {"$ref": "#/definitions/schema"}, "then": {"$ref": "#/definitions/schema"},
        "else": {"$ref": "#/definitions/schema"},
        "allOf": {"$ref": "#/definitions/schema_array"},
        "anyOf": {"$ref": "#/definitions/schema_array"},
        "oneOf": {"$ref": "#/definitions/schema_array"},
        "not": {"$ref": "#/definitions/schema"}
      },
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    }
  },
  "$ref": "#/definitions/schema"
})";

// What each keyword's value must be, for error messages about a user's schema.
const std::map<std::string, std::string, std::less<>>& keyword_expectations() {
    static const std::map<std::string, std::string, std::less<>> m = {
        {"type",
         "must be one of string, number, integer, boolean, object, array, null (or an array of "
         "them)"},
        {"enum", "must be a non-empty array of allowed values"},
        {"required", "must be an array of unique member names"},
        {"properties", "must be an object mapping member names to schemas"},
        {"patternProperties", "must be an object mapping regular expressions to schemas"},
        {"additionalProperties", "must be a boolean or a schema"},
        {"items", "must be a schema or an array of schemas"},
        {"allOf", "must be a non-empty array of schemas"},
        {"anyOf", "must be a non-empty array of schemas"},
        {"oneOf", "must be a non-empty array of schemas"},
        {"minLength", "must be a non-negative integer"},
        {"maxLength", "must be a non-negative integer"},
        {"minItems", "must be a non-negative integer"},
        {"maxItems", "must be a non-negative integer"},
        {"minProperties", "must be a non-negative integer"},
        {"maxProperties", "must be a non-negative integer"},
        {"multipleOf", "must be a number greater than 0"},
        {"minimum", "must be a number"},
        {"maximum", "must be a number"},
        {"exclusiveMinimum", "must be a number (draft 7)"},
        {"exclusiveMaximum", "must be a number (draft 7)"},
        {"uniqueItems", "must be a boolean"},
        {"pattern", "must be a string holding a regular expression"},
        {"format", "must be a string"},
        {"$ref", "must be a string"},
    };
    return m;
}

// "[price]" -> "price": valijson's context entries.
std::string context_token(const std::string& c) {
    if (c.size() >= 2 && c.front() == '[' && c.back() == ']')
        return c.substr(1, c.size() - 2);
    return c;
}

std::string context_pointer(const std::vector<std::string>& context) {
    std::string p;
    for (std::size_t i = 1; i < context.size(); ++i)
        append_pointer_token(p, context_token(context[i]));
    return p;
}

// The quoted name at the end of valijson's unknown-property and missing-property messages.
std::string quoted_name(const std::string& msg) {
    const auto end = msg.rfind('\'');
    if (end == std::string::npos || end == 0)
        return {};
    const auto begin = msg.rfind('\'', end - 1);
    if (begin == std::string::npos)
        return {};
    return msg.substr(begin + 1, end - begin - 1);
}

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

const json* resolve_local_ref(const json& root, const json* node) {
    for (int hops = 0; node && node->is_object() && hops < 16; ++hops) {
        auto ref = node->find("$ref");
        if (ref == node->end() || !ref->is_string())
            return node;
        const auto& r = ref->get_ref<const std::string&>();
        if (r.empty() || r[0] != '#')
            return node;
        auto toks = detail::split_pointer(std::string_view(r).substr(1));
        if (!toks)
            return node;
        node = detail::find(root, *toks);
    }
    return node;
}

// The schema that governs the payload value at `data` (following properties, items,
// additionalProperties and local $refs); null when there is no single one.
const json* schema_at(const json& root, const detail::tokens& data) {
    const json* node = resolve_local_ref(root, &root);
    for (const auto& tok : data) {
        if (!node || !node->is_object())
            return nullptr;
        const json* next = nullptr;
        if (auto p = node->find("properties"); p != node->end() && p->is_object()) {
            if (auto m = p->find(tok); m != p->end())
                next = &*m;
        }
        if (!next) {
            if (auto it = node->find("items"); it != node->end()) {
                std::size_t i;
                if (it->is_object()) {
                    next = &*it;
                } else if (it->is_array() && detail::array_index(tok, i) && i < it->size()) {
                    next = &(*it)[i];
                }
            }
        }
        if (!next) {
            if (auto a = node->find("additionalProperties"); a != node->end() && a->is_object()) {
                next = &*a;
            }
        }
        node = resolve_local_ref(root, next);
    }
    return node;
}

std::string describe_value(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string json_type_of(const json& v) {
    if (v.is_number_integer())
        return "integer";
    return v.type_name();
}

// Turns valijson's results for a payload into field errors a user can act on.
std::vector<field_error> payload_errors(valijson::ValidationResults& results, const json& schema,
                                        const json& payload) {
    std::vector<field_error> out;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
        const std::string& d = e.description;
        // Wrappers that only repeat a child's failure.
        if (starts_with(d, "Failed to validate against schema associated with property name") ||
            starts_with(d, "Failed to validate against schema associated with pattern") ||
            starts_with(d, "Failed to validate item #") ||
            starts_with(d, "Failed to validate against additional properties schema")) {
            continue;
        }
        const std::string at = context_pointer(e.context);
        const auto at_tokens = detail::split_pointer(at).value_or(detail::tokens{});
        const json* sub = schema_at(schema, at_tokens);
        if (starts_with(d, "Object contains a property that could not be validated")) {
            // valijson names only the first unknown member; list them all.
            const json* obj = detail::find(payload, at_tokens);
            bool listed = false;
            if (obj && obj->is_object() && sub && sub->is_object() &&
                !sub->contains("patternProperties")) {
                const auto props = sub->find("properties");
                for (const auto& [k, v] : obj->items()) {
                    if (props != sub->end() && props->is_object() && props->contains(k))
                        continue;
                    std::string p = at;
                    append_pointer_token(p, k);
                    out.push_back({p, "is not allowed (unknown field)"});
                    listed = true;
                }
            }
            if (!listed) {
                std::string p = at;
                append_pointer_token(p, quoted_name(d));
                out.push_back({p, "is not allowed (unknown field)"});
            }
            continue;
        }
        if (starts_with(d, "Missing required property")) {
            std::string p = at;
            append_pointer_token(p, quoted_name(d));
            out.push_back({p, "is required"});
            continue;
        }
        const json* value = detail::find(payload, at_tokens);
        if (starts_with(d, "Value type not permitted by 'type' constraint")) {
            std::string expected;
            if (sub && sub->is_object() && sub->contains("type")) {
                const json& t = (*sub)["type"];
                if (t.is_string()) {
                    expected = t.get<std::string>();
                } else if (t.is_array()) {
                    for (const auto& x : t) {
                        if (!expected.empty())
                            expected += " or ";
                        expected += describe_value(x);
                    }
                }
            }
            std::string reason =
                expected.empty() ? "has the wrong type" : "must be of type " + expected;
            if (value)
                reason += ", not " + json_type_of(*value);
            out.push_back({at, reason});
            continue;
        }
        if (starts_with(d, "Failed to match against any enum values")) {
            std::string allowed;
            if (sub && sub->is_object() && sub->contains("enum") && (*sub)["enum"].is_array()) {
                for (const auto& x : (*sub)["enum"]) {
                    if (!allowed.empty())
                        allowed += ", ";
                    allowed += describe_value(x);
                }
            }
            std::string reason =
                allowed.empty() ? "is not one of the allowed values" : "must be one of: " + allowed;
            if (value)
                reason += " (got " + describe_value(*value) + ")";
            out.push_back({at, reason});
            continue;
        }
        // Bounds and patterns: valijson prints doubles as "0.000000"; use the schema's values.
        auto schema_value = [&](const char* kw) -> std::string {
            if (!sub || !sub->is_object())
                return {};
            auto it = sub->find(kw);
            return it == sub->end() ? std::string() : describe_value(*it);
        };

        struct bound_rule {
            std::string_view prefix;
            const char* keyword;
            const char* alt_keyword;
            const char* reason;
        };

        static constexpr bound_rule bounds[] = {
            {"Expected number less than or equal to", "maximum", "maximum", "must be at most {}"},
            {"Expected number less than", "exclusiveMaximum", "maximum", "must be less than {}"},
            {"Expected number greater than or equal to", "minimum", "minimum",
             "must be at least {}"},
            {"Expected number greater than", "exclusiveMinimum", "minimum",
             "must be greater than {}"},
            {"String should be no more than", "maxLength", "maxLength",
             "must be at most {} characters long"},
            {"String should be no fewer than", "minLength", "minLength",
             "must be at least {} characters long"},
            {"Array should contain no more than", "maxItems", "maxItems",
             "must have at most {} elements"},
            {"Array should contain no fewer than", "minItems", "minItems",
             "must have at least {} elements"},
            {"Value should be a multiple of", "multipleOf", "multipleOf",
             "must be a multiple of {}"},
            {"Failed to match regex specified by 'pattern'", "pattern", "pattern",
             "must match the pattern {}"},
        };
        bool rewritten = false;
        for (const auto& b : bounds) {
            if (!starts_with(d, b.prefix))
                continue;
            std::string v = schema_value(b.keyword);
            if (v.empty())
                v = schema_value(b.alt_keyword);
            if (!v.empty()) {
                out.push_back({at, fmt::format(fmt::runtime(b.reason), v)});
                rewritten = true;
            }
            break;
        }
        if (rewritten)
            continue;
        if (starts_with(d, "Elements at indexes")) {
            out.push_back({at, "must not contain duplicates (" + d + ")"});
            continue;
        }
        out.push_back({at, d});
    }
    std::stable_sort(out.begin(), out.end(), [](const field_error& a, const field_error& b) {
        return a.pointer < b.pointer;
    });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// Turns the meta-schema's results for a user's schema into invalid_domain field errors.
std::vector<field_error> schema_errors(valijson::ValidationResults& results,
                                       const std::string& where) {
    std::vector<std::pair<std::string, std::string>> found;  // pointer (in schema), reason
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
        std::string at = context_pointer(e.context);
        if (starts_with(e.description, "Object contains a property that could not be validated")) {
            const std::string kw = quoted_name(e.description);
            append_pointer_token(at, kw);
            std::string reason = "'" + kw + "' is not a JSON Schema (draft 7) keyword";
            if (kw == "diff" || kw == "aggregate_exists" || kw == "project") {
                reason += "; esser's keyword is x-" +
                          std::string(kw == "aggregate_exists" ? "aggregate-exists" : kw);
            } else {
                reason += "; extensions must start with \"x-\"";
            }
            found.emplace_back(at, reason);
            continue;
        }
        found.emplace_back(at, "");
    }
    // Keep only the deepest problems: an error at /properties/price/type also fails its
    // ancestors, which say nothing more.
    std::vector<field_error> out;
    for (const auto& [p, reason] : found) {
        bool has_deeper = false;
        for (const auto& [q, r2] : found) {
            if (q.size() > p.size() && q.compare(0, p.size(), p) == 0 && q[p.size()] == '/') {
                has_deeper = true;
                break;
            }
        }
        if (has_deeper)
            continue;
        std::string why = reason;
        if (why.empty()) {
            const auto slash = p.rfind('/');
            const std::string kw = slash == std::string::npos ? p : p.substr(slash + 1);
            auto it = keyword_expectations().find(kw);
            why = it != keyword_expectations().end() ? it->second
                                                     : "must be a schema (an object or a boolean)";
        }
        out.push_back({where + p, why});
    }
    std::sort(out.begin(), out.end(),
              [](const field_error& a, const field_error& b) { return a.pointer < b.pointer; });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

struct meta_schema_holder {
    valijson::Schema schema;

    meta_schema_holder() {
        const json doc = json::parse(meta_schema_text);
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter adapter(doc);
        parser.populateSchema(adapter, schema);
    }
};

const valijson::Schema& meta_schema() {
    static const meta_schema_holder holder;  // thread-safe static init; parsed once
    return holder.schema;
}

// Adds "additionalProperties": false where the schema is silent about extra members.
void reject_unknown_members(json& node) {
    if (!node.is_object())
        return;
    static constexpr std::string_view open_keywords[] = {"additionalProperties",
                                                         "patternProperties",
                                                         "allOf",
                                                         "anyOf",
                                                         "oneOf",
                                                         "not",
                                                         "if",
                                                         "$ref",
                                                         "dependencies",
                                                         "unevaluatedProperties"};
    if (node.contains("properties")) {
        bool open = false;
        for (auto kw : open_keywords) open = open || node.contains(kw);
        if (!open)
            node["additionalProperties"] = false;
    }
    if (auto p = node.find("properties"); p != node.end() && p->is_object()) {
        for (auto& [k, v] : p->items()) reject_unknown_members(v);
    }
    if (auto it = node.find("items"); it != node.end()) {
        if (it->is_object()) {
            reject_unknown_members(*it);
        } else if (it->is_array()) {
            for (auto& v : *it) reject_unknown_members(v);
        }
    }
    if (auto a = node.find("additionalProperties"); a != node.end() && a->is_object()) {
        reject_unknown_members(*a);
    }
}

// Finds esser keywords and checks their syntax; problems go to `errors`.
void collect_keywords(const json& node, std::vector<schema_keyword::step>& path,
                      const std::string& pointer, std::vector<schema_keyword>& out,
                      std::vector<field_error>& errors) {
    if (!node.is_object())
        return;
    auto here = [&](const char* kw) {
        std::string p = pointer;
        append_pointer_token(p, kw);
        return p;
    };
    if (auto it = node.find("x-diff"); it != node.end()) {
        if (!it->is_boolean()) {
            errors.push_back({here("x-diff"), "must be true or false"});
        } else if (it->get<bool>()) {
            if (path.empty()) {
                errors.push_back(
                    {here("x-diff"), "belongs in a property's schema, not at the root"});
            } else {
                out.push_back({schema_keyword::kind::diff, path, {}, {}, here("x-diff")});
            }
        }
    }
    if (auto it = node.find("x-aggregate-exists"); it != node.end()) {
        if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
            errors.push_back({here("x-aggregate-exists"),
                              "must name the entity the id belongs to, e.g. \"Item\""});
        } else if (path.empty()) {
            errors.push_back(
                {here("x-aggregate-exists"), "belongs in a property's schema, not at the root"});
        } else {
            out.push_back({schema_keyword::kind::aggregate_exists,
                           path,
                           it->get<std::string>(),
                           {},
                           here("x-aggregate-exists")});
        }
    }
    if (auto it = node.find("x-project"); it != node.end()) {
        schema_keyword k{schema_keyword::kind::project, path, {}, {}, here("x-project")};
        bool ok = true;
        if (it->is_string() && !it->get_ref<const std::string&>().empty()) {
            k.entity = it->get<std::string>();
        } else if (it->is_object()) {
            for (const auto& [name, v] : it->items()) {
                if (name == "entity" && v.is_string() && !v.get_ref<const std::string&>().empty()) {
                    k.entity = v.get<std::string>();
                } else if (name == "fields" && v.is_array() &&
                           std::all_of(v.begin(), v.end(),
                                       [](const json& f) { return f.is_string(); })) {
                    for (const auto& f : v) k.fields.push_back(f.get<std::string>());
                } else {
                    ok = false;
                }
            }
            ok = ok && !k.entity.empty();
        } else {
            ok = false;
        }
        if (!ok) {
            errors.push_back({here("x-project"),
                              "must be an entity name (\"Item\") or {\"entity\": \"Item\", "
                              "\"fields\": [\"name\", ...]}"});
        } else if (path.empty()) {
            errors.push_back(
                {here("x-project"), "belongs in a property's schema, not at the root"});
        } else {
            out.push_back(std::move(k));
        }
    }
    if (auto p = node.find("properties"); p != node.end() && p->is_object()) {
        for (const auto& [name, sub] : p->items()) {
            path.push_back({name, false});
            std::string sp = here("properties");
            append_pointer_token(sp, name);
            collect_keywords(sub, path, sp, out, errors);
            path.pop_back();
        }
    }
    if (auto it = node.find("items"); it != node.end()) {
        if (it->is_object()) {
            path.push_back({"", true});
            collect_keywords(*it, path, here("items"), out, errors);
            path.pop_back();
        } else if (it->is_array()) {
            for (std::size_t i = 0; i < it->size(); ++i) {
                path.push_back({std::to_string(i), false});
                std::string sp = here("items");
                append_pointer_token(sp, std::to_string(i));
                collect_keywords((*it)[i], path, sp, out, errors);
                path.pop_back();
            }
        }
    }
    for (const char* comb : {"allOf", "anyOf", "oneOf"}) {
        if (auto it = node.find(comb); it != node.end() && it->is_array()) {
            for (std::size_t i = 0; i < it->size(); ++i) {
                std::string sp = here(comb);
                append_pointer_token(sp, std::to_string(i));
                collect_keywords((*it)[i], path, sp, out, errors);
            }
        }
    }
}

// std::regex (what valijson uses) must accept every pattern now, not on the first payload.
void check_patterns(const json& node, const std::string& pointer,
                    std::vector<field_error>& errors) {
    if (node.is_object()) {
        for (const auto& [k, v] : node.items()) {
            std::string p = pointer;
            append_pointer_token(p, k);
            if (k == "pattern" && v.is_string()) {
                try {
                    std::regex re(v.get<std::string>());
                } catch (const std::regex_error& ex) {
                    errors.push_back(
                        {p, std::string("is not a valid regular expression: ") + ex.what()});
                }
            } else if (k == "patternProperties" && v.is_object()) {
                for (const auto& [pat, sub] : v.items()) {
                    std::string pp = p;
                    append_pointer_token(pp, pat);
                    try {
                        std::regex re(pat);
                    } catch (const std::regex_error& ex) {
                        errors.push_back(
                            {pp, std::string("is not a valid regular expression: ") + ex.what()});
                    }
                    check_patterns(sub, pp, errors);
                }
                continue;
            }
            if (k != "enum" && k != "const" && k != "default" && k != "examples") {
                check_patterns(v, p, errors);
            }
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            std::string p = pointer;
            append_pointer_token(p, std::to_string(i));
            check_patterns(node[i], p, errors);
        }
    }
}

}  // namespace

struct command_schema::impl {
    json source;
    json effective;
    valijson::Schema schema;
    // The fast acceptance check for simple schemas (simple_schema.hpp); valijson decides
    // whenever it is absent or says no, so every error still comes from valijson.
    std::optional<detail::simple_schema> fast;
    std::vector<schema_keyword> keywords;
};

command_schema::command_schema(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

command_schema::~command_schema() = default;

result<std::shared_ptr<const command_schema>> command_schema::compile(const json& schema,
                                                                      const std::string& where) {
    const std::string message = "invalid JSON Schema";
    if (!schema.is_object()) {
        return fail(error::invalid_domain(
            message, {{where,
                       "a command schema must be a JSON object (e.g. {\"type\": \"object\", "
                       "\"properties\": {...}})"}}));
    }
    try {
        std::vector<field_error> errors;
        {
            valijson::Validator v;
            valijson::ValidationResults results;
            valijson::adapters::NlohmannJsonAdapter target(schema);
            if (!v.validate(meta_schema(), target, &results))
                errors = schema_errors(results, where);
        }
        check_patterns(schema, where, errors);
        auto p = std::make_unique<impl>();
        std::vector<schema_keyword::step> path;
        collect_keywords(schema, path, where, p->keywords, errors);
        if (!errors.empty())
            return fail(error::invalid_domain(message, std::move(errors)));

        p->source = schema;
        p->effective = schema;
        reject_unknown_members(p->effective);
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter adapter(p->effective);
        parser.populateSchema(adapter, p->schema);
        p->fast = detail::simple_schema::compile(p->effective);
        return std::shared_ptr<const command_schema>(new command_schema(std::move(p)));
    } catch (const std::exception& ex) {
        // valijson's parser: remote $refs, unresolvable references, and what the structural
        // check above does not cover.
        return fail(error::invalid_domain(message, {{where, ex.what()}}));
    }
}

result<void> command_schema::validate(const json& payload) const {
    if (impl_->fast && impl_->fast->accepts(payload))
        return {};
    try {
        valijson::Validator v;  // fresh per document: it caches compiled regexes
        valijson::ValidationResults results;
        valijson::adapters::NlohmannJsonAdapter target(payload);
        if (v.validate(impl_->schema, target, &results))
            return {};
        auto fields = payload_errors(results, impl_->effective, payload);
        if (fields.empty())
            fields.push_back({"", "does not match the command's schema"});
        return fail(error::validation("the command's data is invalid", std::move(fields)));
    } catch (const std::exception& ex) {
        return fail(error::internal(std::string("schema validation failed: ") + ex.what()));
    }
}

const std::vector<schema_keyword>& command_schema::keywords() const {
    return impl_->keywords;
}

const json& command_schema::source() const {
    return impl_->source;
}

const json& command_schema::effective() const {
    return impl_->effective;
}

}  // namespace esser::core
