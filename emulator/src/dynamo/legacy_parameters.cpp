// Legacy parameters -> expressions. The checks follow the order in which AWS reports them
// (dynalite validations/index.js validateAttributeConditions / validateConditions,
// validations/updateItem.js, actions/query.js); the rewrite keeps AWS's evaluation semantics
// because each legacy operator has an exact expression counterpart (see the header).
#include "legacy_parameters.hpp"

#include <array>
#include <string>
#include <string_view>

#include "request_schema.hpp"

#include "esser/emulator/dynamo/attribute_value_json.hpp"

namespace esser::emulator {

using adapters::aws_error;
using nlohmann::json;

namespace {

const std::string invalid = "One or more parameter values were invalid: ";

core::unexpected<aws_error> bad(aws_error e) {
    return core::unexpected<aws_error>(std::move(e));
}

// Argument counts per operator: exact, or at least 1 for IN.
struct operator_info {
    std::string_view name;
    int arguments;  // -1: one or more
    // The AttributeValue types the operator accepts in filters and key conditions.
    std::array<std::string_view, 6> types;
};

constexpr std::array<operator_info, 13> operators = {{
    {"EQ", 1, {"S", "N", "B", "SS", "NS", "BS"}},
    {"NE", 1, {"S", "N", "B", "SS", "NS", "BS"}},
    {"LE", 1, {"S", "N", "B"}},
    {"LT", 1, {"S", "N", "B"}},
    {"GE", 1, {"S", "N", "B"}},
    {"GT", 1, {"S", "N", "B"}},
    {"NOT_NULL", 0, {}},
    {"NULL", 0, {}},
    {"CONTAINS", 1, {"S", "N", "B"}},
    {"NOT_CONTAINS", 1, {"S", "N", "B"}},
    {"BEGINS_WITH", 1, {"S", "B"}},
    {"IN", -1, {"S", "N", "B"}},
    {"BETWEEN", 2, {"S", "N", "B"}},
}};

const operator_info* find_operator(std::string_view name) {
    for (const auto& o : operators) {
        if (o.name == name)
            return &o;
    }
    return nullptr;
}

bool count_ok(const operator_info& o, std::size_t n) {
    return o.arguments < 0 ? n >= 1 : n == static_cast<std::size_t>(o.arguments);
}

std::string_view type_of(const json& v) {
    return v.is_object() && !v.empty() ? std::string_view(v.begin().key()) : std::string_view();
}

const std::string* str_member(const json& j, std::string_view name) {
    const json* m = schema::member(j, name);
    return m && m->is_string() ? &m->get_ref<const std::string&>() : nullptr;
}

std::optional<aws_error> check_value(const json& v) {
    auto r = read_attribute_value(v);
    if (!r)
        return r.error();
    return std::nullopt;
}

// lower > upper for two values of one scalar type (S and B bytewise, N numerically).
bool lower_above_upper(const json& lower, const json& upper) {
    auto a = read_attribute_value(lower);
    auto b = read_attribute_value(upper);
    if (!a || !b || a->type() != b->type())
        return false;
    switch (a->type()) {
        case value_type::S:
            return a->as_s() > b->as_s();
        case value_type::B:
            return a->as_b() > b->as_b();
        case value_type::N:
            return a->as_n() > b->as_n();
        default:
            return false;
    }
}

std::optional<aws_error> check_list_types(const operator_info& o, const json& list,
                                          bool check_operator_types) {
    if (list.empty())
        return std::nullopt;
    const std::string_view first = type_of(list[0]);
    for (const auto& v : list) {
        if (type_of(v) != first) {
            return aws_error::validation(
                invalid + "AttributeValues inside AttributeValueList must be of same type");
        }
    }
    if (check_operator_types) {
        for (const auto& v : list) {
            const std::string_view t = type_of(v);
            bool ok = false;
            for (auto allowed : o.types) ok = ok || (!allowed.empty() && allowed == t);
            if (!ok) {
                return aws_error::validation(invalid + "ComparisonOperator " + std::string(o.name) +
                                             " is not valid for " + std::string(t) +
                                             " AttributeValue type");
            }
        }
    }
    if (o.name == "BETWEEN" && list.size() == 2 && lower_above_upper(list[0], list[1])) {
        return aws_error::validation(
            "The BETWEEN condition was provided a range where the lower bound is greater than "
            "the upper bound");
    }
    return std::nullopt;
}

// Expected (dynalite validateAttributeConditions, with the operator type table of filters).
std::optional<aws_error> check_expected(const json& expected) {
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        const std::string& attr = it.key();
        const json& c = *it;
        const json* list = schema::member(c, "AttributeValueList");
        const json* value = schema::member(c, "Value");
        const json* exists = schema::member(c, "Exists");
        const std::string* op_name = str_member(c, "ComparisonOperator");
        if (list && value) {
            return aws_error::validation(
                invalid +
                "Value and AttributeValueList cannot be used together for Attribute: " + attr);
        }
        if (op_name) {
            if (exists) {
                return aws_error::validation(
                    invalid +
                    "Exists and ComparisonOperator cannot be used together for "
                    "Attribute: " +
                    attr);
            }
            const operator_info* o = find_operator(*op_name);
            if (!o)  // the schema pass has checked the enum already
                return aws_error::validation(invalid + "Unknown ComparisonOperator: " + *op_name);
            if (o->arguments != 0 && !list && !value) {
                return aws_error::validation(
                    invalid + "Value or AttributeValueList must be used with ComparisonOperator: " +
                    *op_name + " for Attribute: " + attr);
            }
            const std::size_t n = list ? list->size() : value ? 1 : 0;
            if (!count_ok(*o, n)) {
                return aws_error::validation(invalid + "Invalid number of argument(s) for the " +
                                             *op_name + " ComparisonOperator");
            }
            const json args = list ? *list : value ? json::array({*value}) : json::array();
            for (const auto& v : args) {
                if (auto e = check_value(v))
                    return e;
            }
            if (auto e = check_list_types(*o, args, true))
                return e;
        } else if (list) {
            return aws_error::validation(
                invalid +
                "AttributeValueList can only be used with a ComparisonOperator for "
                "Attribute: " +
                attr);
        } else {
            const bool exists_true = !exists || schema::json_bool(*exists);
            if (exists_true && !value) {
                return aws_error::validation(invalid + "Value must be provided when Exists is " +
                                             (exists ? "true" : "null") +
                                             " for Attribute: " + attr);
            }
            if (!exists_true && value) {
                return aws_error::validation(
                    invalid + "Value cannot be used when Exists is false for Attribute: " + attr);
            }
            if (value) {
                if (auto e = check_value(*value))
                    return e;
            }
        }
    }
    return std::nullopt;
}

// KeyConditions, QueryFilter, ScanFilter (dynalite validateConditions).
std::optional<aws_error> check_conditions(const json& conditions) {
    for (auto it = conditions.begin(); it != conditions.end(); ++it) {
        const json& c = *it;
        const std::string* op_name = str_member(c, "ComparisonOperator");
        const json* list_member = schema::member(c, "AttributeValueList");
        const json list = list_member ? *list_member : json::array();
        for (const auto& v : list) {
            if (auto e = check_value(v))
                return e;
        }
        const operator_info* o = op_name ? find_operator(*op_name) : nullptr;
        if (!o) {
            // The schema pass makes ComparisonOperator non-null; AWS lists the valid ones.
            return aws_error::validation(
                "1 validation error detected: Value '" + (op_name ? *op_name : "null") +
                "' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy "
                "enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, "
                "BEGINS_WITH, GE, CONTAINS]");
        }
        if (!count_ok(*o, list.size())) {
            return aws_error::validation(invalid + "Invalid number of argument(s) for the " +
                                         *op_name + " ComparisonOperator");
        }
        if (auto e = check_list_types(*o, list, true))
            return e;
    }
    return std::nullopt;
}

// Placeholders and expression text for one rewritten request.
class expression_builder {
public:
    std::string name(const std::string& attr) {
        std::string key = "#legacy" + std::to_string(next_++);
        names_[key] = attr;
        return key;
    }

    std::string value(const json& v) {
        std::string key = ":legacy" + std::to_string(next_++);
        values_[key] = v;
        return key;
    }

    // One legacy condition on `attr` as an expression term.
    std::string condition(const std::string& attr, std::string_view op, const json& args) {
        const std::string n = name(attr);
        auto arg = [&](std::size_t i) { return value(args.at(i)); };
        if (op == "EQ")
            return n + " = " + arg(0);
        if (op == "NE")
            return n + " <> " + arg(0);
        if (op == "LE")
            return n + " <= " + arg(0);
        if (op == "LT")
            return n + " < " + arg(0);
        if (op == "GE")
            return n + " >= " + arg(0);
        if (op == "GT")
            return n + " > " + arg(0);
        if (op == "NULL")
            return "attribute_not_exists(" + n + ")";
        if (op == "NOT_NULL")
            return "attribute_exists(" + n + ")";
        if (op == "CONTAINS")
            return "contains(" + n + ", " + arg(0) + ")";
        if (op == "NOT_CONTAINS")
            return "NOT contains(" + n + ", " + arg(0) + ")";
        if (op == "BEGINS_WITH")
            return "begins_with(" + n + ", " + arg(0) + ")";
        if (op == "BETWEEN")
            return n + " BETWEEN " + arg(0) + " AND " + arg(1);
        // IN
        std::string s = n + " IN (";
        for (std::size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + arg(i);
        return s + ")";
    }

    // Writes the placeholder maps into `request` (only non-empty ones: AWS rejects empty maps).
    void finish(json& request) {
        if (!names_.empty())
            request["ExpressionAttributeNames"] = std::move(names_);
        if (!values_.empty())
            request["ExpressionAttributeValues"] = std::move(values_);
    }

private:
    json names_ = json::object();
    json values_ = json::object();
    int next_ = 0;
};

std::string join(const std::vector<std::string>& terms, std::string_view sep) {
    std::string s;
    for (std::size_t i = 0; i < terms.size(); ++i) {
        if (i)
            s += sep;
        s += terms.size() > 1 ? "(" + terms[i] + ")" : terms[i];
    }
    return s;
}

std::string expected_expression(const json& expected, std::string_view conditional_operator,
                                expression_builder& b) {
    std::vector<std::string> terms;
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        const json& c = *it;
        const json* list = schema::member(c, "AttributeValueList");
        const json* value = schema::member(c, "Value");
        const std::string* op = str_member(c, "ComparisonOperator");
        const json args = list ? *list : value ? json::array({*value}) : json::array();
        if (op) {
            terms.push_back(b.condition(it.key(), *op, args));
        } else {
            const json* exists = schema::member(c, "Exists");
            const bool exists_true = !exists || schema::json_bool(*exists);
            terms.push_back(b.condition(it.key(), exists_true ? "EQ" : "NULL", args));
        }
    }
    return join(terms, conditional_operator == "OR" ? " OR " : " AND ");
}

std::string filter_expression(const json& conditions, std::string_view conditional_operator,
                              expression_builder& b) {
    std::vector<std::string> terms;
    for (auto it = conditions.begin(); it != conditions.end(); ++it) {
        const json* list = schema::member(*it, "AttributeValueList");
        terms.push_back(b.condition(it.key(), *str_member(*it, "ComparisonOperator"),
                                    list ? *list : json::array()));
    }
    return join(terms, conditional_operator == "OR" ? " OR " : " AND ");
}

// AttributeUpdates (dynalite validations/updateItem.js): checks, then the UpdateExpression.
core::expected<std::string, aws_error> update_expression(const json& updates,
                                                         expression_builder& b) {
    for (auto it = updates.begin(); it != updates.end(); ++it) {
        const json* value = schema::member(*it, "Value");
        const std::string* action_p = str_member(*it, "Action");
        const std::string action = action_p ? *action_p : "PUT";
        if (action != "PUT" && action != "ADD" && action != "DELETE") {
            return bad(aws_error::validation(
                "1 validation error detected: Value '" + action + "' at 'attributeUpdates." +
                it.key() +
                ".member.action' failed to satisfy constraint: Member must satisfy enum value "
                "set: [ADD, PUT, DELETE]"));
        }
        if (value) {
            if (auto e = check_value(*value))
                return bad(*e);
        }
        if (!value && action != "DELETE") {
            return bad(aws_error::validation(
                invalid + "Only DELETE action is allowed when no attribute value is specified"));
        }
        const std::string t(value ? type_of(*value) : std::string_view());
        if (value && action == "DELETE" && t != "SS" && t != "NS" && t != "BS") {
            return bad(aws_error::validation(
                invalid + "DELETE action with value is not supported for the type " + t));
        }
        if (value && action == "ADD" && t != "L" && t != "SS" && t != "NS" && t != "BS" &&
            t != "N") {
            return bad(
                aws_error::validation(invalid + "ADD action is not supported for the type " + t));
        }
    }
    std::vector<std::string> set, remove, add, del;
    for (auto it = updates.begin(); it != updates.end(); ++it) {
        const json* value = schema::member(*it, "Value");
        const std::string* action_p = str_member(*it, "Action");
        const std::string action = action_p ? *action_p : "PUT";
        const std::string n = b.name(it.key());
        if (action == "PUT") {
            set.push_back(n + " = " + b.value(*value));
        } else if (action == "DELETE") {
            if (value)
                del.push_back(n + " " + b.value(*value));
            else
                remove.push_back(n);
        } else if (type_of(*value) == "L") {
            // The legacy ADD appends to a list (creating it when missing); expressions' ADD
            // takes no lists, list_append does the same.
            set.push_back(n + " = list_append(if_not_exists(" + n + ", " +
                          b.value(json{{"L", json::array()}}) + "), " + b.value(*value) + ")");
        } else {
            add.push_back(n + " " + b.value(*value));
        }
    }
    std::string out;
    auto clause = [&](std::string_view keyword, const std::vector<std::string>& parts) {
        if (parts.empty())
            return;
        if (!out.empty())
            out += ' ';
        out += keyword;
        out += ' ';
        for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    };
    clause("SET", set);
    clause("REMOVE", remove);
    clause("ADD", add);
    clause("DELETE", del);
    return out;
}

// DAX client RequestValidator: ConditionalOperator needs a legacy condition map with at least
// two entries.
std::optional<aws_error> check_conditional_operator(const json& request) {
    if (!schema::member(request, "ConditionalOperator"))
        return std::nullopt;
    const json* maps[] = {schema::member(request, "Expected"),
                          schema::member(request, "QueryFilter"),
                          schema::member(request, "ScanFilter")};
    bool any = false;
    for (const json* m : maps) {
        if (!m)
            continue;
        any = true;
        if (m->size() <= 1) {
            return aws_error::validation(
                "ConditionalOperator can only be used when Filter or Expected has two or more "
                "elements");
        }
    }
    if (!any)
        return aws_error::validation(
            "ConditionalOperator cannot be used without Filter or Expected");
    return std::nullopt;
}

bool is_query(request_kind k) {
    return k == request_kind::query;
}

}  // namespace

core::expected<std::optional<json>, aws_error> rewrite_legacy_parameters(const json& request,
                                                                         request_kind kind) {
    const bool writes = kind == request_kind::put_item || kind == request_kind::delete_item ||
                        kind == request_kind::update_item;
    const json* expected = writes ? schema::member(request, "Expected") : nullptr;
    const json* updates =
        kind == request_kind::update_item ? schema::member(request, "AttributeUpdates") : nullptr;
    const json* key_conditions =
        is_query(kind) ? schema::member(request, "KeyConditions") : nullptr;
    const json* filter = is_query(kind)               ? schema::member(request, "QueryFilter")
                         : kind == request_kind::scan ? schema::member(request, "ScanFilter")
                                                      : nullptr;
    const bool conditional_operator = (writes || is_query(kind) || kind == request_kind::scan) &&
                                      schema::member(request, "ConditionalOperator");
    if (!expected && !updates && !key_conditions && !filter && !conditional_operator)
        return std::optional<json>();

    // Checks, in AWS's order: filters first (Query/Scan), ConditionalOperator, then Expected.
    if (filter) {
        if (auto e = check_conditions(*filter))
            return bad(*e);
    }
    if (conditional_operator) {
        if (auto e = check_conditional_operator(request))
            return bad(*e);
    }
    if (expected) {
        if (auto e = check_expected(*expected))
            return bad(*e);
    }
    if (key_conditions) {
        if (auto e = check_conditions(*key_conditions))
            return bad(*e);
        if (key_conditions->size() != 1 && key_conditions->size() != 2)
            return bad(aws_error::validation("Conditions can be of length 1 or 2 only"));
    }
    // KeyConditions stay: the expression compiler accepts them alone, and the Query resolves
    // them against the key schema itself (legacy_key_predicate), with the legacy messages.
    if (!expected && !updates && !filter)
        return std::optional<json>();

    json out = request;
    for (const char* legacy : {"Expected", "ConditionalOperator", "AttributeUpdates", "QueryFilter",
                               "ScanFilter", "AttributesToGet"}) {
        out.erase(legacy);
    }
    const std::string_view op = [&] {
        const std::string* s = str_member(request, "ConditionalOperator");
        return s ? std::string_view(*s) : std::string_view("AND");
    }();
    expression_builder b;
    if (updates && !updates->empty()) {
        auto u = update_expression(*updates, b);
        if (!u)
            return bad(u.error());
        out["UpdateExpression"] = std::move(*u);
    }
    if (expected && !expected->empty())
        out["ConditionExpression"] = expected_expression(*expected, op, b);
    if (filter && !filter->empty())
        out["FilterExpression"] = filter_expression(*filter, op, b);
    b.finish(out);
    return std::optional<json>(std::move(out));
}

core::expected<request_expressions, aws_error> compile_with_legacy(const json& request,
                                                                   request_kind kind) {
    auto rewritten = rewrite_legacy_parameters(request, kind);
    if (!rewritten)
        return bad(rewritten.error());
    return request_expressions::compile(*rewritten ? **rewritten : request, kind);
}

bool has_legacy_key_conditions(const json& request) {
    return schema::member(request, "KeyConditions") &&
           !schema::member(request, "KeyConditionExpression");
}

core::expected<key_predicate, aws_error> legacy_key_predicate(const json& request,
                                                              const key_schema& keys) {
    const json& kc = *schema::member(request, "KeyConditions");
    const std::size_t n = kc.size();
    key_predicate p;
    const key_attribute* parts[] = {&keys.hash, keys.range ? &*keys.range : nullptr};
    for (const key_attribute* k : parts) {
        if (!k)
            continue;
        const bool hash = k == &keys.hash;
        if (hash && !keys.range && n > 1)
            return bad(aws_error::validation("Query key condition not supported"));
        const json* c = schema::member(kc, k->name);
        if (!c) {
            if (hash || n > 1) {
                return bad(
                    aws_error::validation("Query condition missed key schema element: " + k->name));
            }
            continue;
        }
        const std::string* op = str_member(*c, "ComparisonOperator");
        const std::string_view o = op ? std::string_view(*op) : std::string_view();
        if (o == "NULL" || o == "NOT_NULL" || o == "NE" || o == "CONTAINS" || o == "NOT_CONTAINS" ||
            o == "IN") {
            return bad(aws_error::validation(
                "Attempted conditional constraint is not an indexable operation"));
        }
        std::vector<attribute_value> args;
        if (const json* list = schema::member(*c, "AttributeValueList")) {
            for (const auto& v : *list) {
                if (type_of(v) != type_tag(k->type)) {
                    return bad(aws_error::validation(
                        invalid + "Condition parameter type does not match schema type"));
                }
                auto a = read_attribute_value(v);
                if (!a)
                    return bad(a.error());
                args.push_back(std::move(*a));
            }
        }
        if (hash && o != "EQ")
            return bad(aws_error::validation("Query key condition not supported"));
        if (args.empty())  // counts were checked before the lookup; keep this total anyway
            return bad(aws_error::validation("Query key condition not supported"));
        if (hash) {
            p.hash = std::move(args[0]);
            continue;
        }
        using kop = key_predicate::op;
        p.range = o == "EQ"            ? kop::eq
                  : o == "LT"          ? kop::lt
                  : o == "LE"          ? kop::le
                  : o == "GT"          ? kop::gt
                  : o == "GE"          ? kop::ge
                  : o == "BEGINS_WITH" ? kop::begins_with
                                       : kop::between;
        p.lower = args[0];
        if (p.range == kop::between && args.size() > 1)
            p.upper = args[1];
    }
    return p;
}

std::optional<aws_error> check_legacy_query_filter_keys(const json& request,
                                                        const key_schema& keys) {
    const json* f = schema::member(request, "QueryFilter");
    if (!f)
        return std::nullopt;
    for (const key_attribute* k : {&keys.hash, keys.range ? &*keys.range : nullptr}) {
        if (k && schema::member(*f, k->name)) {
            return aws_error::validation(
                "QueryFilter can only contain non-primary key attributes: Primary key "
                "attribute: " +
                k->name);
        }
    }
    return std::nullopt;
}

aws_error legacy_update_error(const json& request, aws_error e) {
    if (schema::member(request, "AttributeUpdates") && e.type == "ValidationException" &&
        e.message.find("An operand in the update expression has an incorrect data type") !=
            std::string::npos) {
        return aws_error::validation("Type mismatch for attribute to update");
    }
    return e;
}

}  // namespace esser::emulator
