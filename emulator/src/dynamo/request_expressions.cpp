#include "request_expressions.hpp"

// Interim implementation while the expression library is not on main: requests without
// expressions are served; a request carrying any expression is refused with a clear
// ValidationException, never silently executed without it. The placeholder-map checks that do
// not need the expression language are AWS's (spec §4.1).

#include "request_schema.hpp"

namespace esser::emulator {

using adapters::aws_error;
using nlohmann::json;

struct request_expressions::state {
    std::vector<std::string> projection_names;
};

namespace {

std::vector<const char*> expression_fields(request_kind kind) {
    switch (kind) {
        case request_kind::put_item:
        case request_kind::delete_item:
        case request_kind::transact_condition_check:
        case request_kind::transact_put:
        case request_kind::transact_delete:
            return {"ConditionExpression"};
        case request_kind::update_item:
        case request_kind::transact_update:
            return {"UpdateExpression", "ConditionExpression"};
        case request_kind::get_item:
        case request_kind::batch_get_item:
        case request_kind::transact_get:
            return {"ProjectionExpression"};
        case request_kind::query:
            return {"ProjectionExpression", "FilterExpression", "KeyConditionExpression"};
        case request_kind::scan:
            return {"ProjectionExpression", "FilterExpression"};
    }
    return {};
}

}  // namespace

core::expected<request_expressions, aws_error> request_expressions::compile(const json& request,
                                                                            request_kind kind) {
    const auto fields = expression_fields(kind);
    std::vector<std::string> present;
    for (const char* f : fields) {
        if (schema::member(request, f))
            present.emplace_back(f);
    }
    if (schema::member(request, "ExpressionAttributeNames") && present.empty()) {
        return core::unexpected<aws_error>(aws_error::validation(
            "ExpressionAttributeNames can only be specified when using expressions"));
    }
    std::vector<std::string> value_fields;
    for (const char* f : fields) {
        if (std::string_view(f) != "ProjectionExpression")
            value_fields.emplace_back(f);
    }
    const bool takes_values = kind != request_kind::get_item &&
                              kind != request_kind::batch_get_item &&
                              kind != request_kind::transact_get;
    if (takes_values && schema::member(request, "ExpressionAttributeValues")) {
        bool any = false;
        for (const auto& f : value_fields) any = any || schema::member(request, f);
        if (!any) {
            std::string names;
            for (std::size_t i = 0; i < value_fields.size(); ++i)
                names += (i ? " and " : "") + value_fields[i];
            return core::unexpected<aws_error>(aws_error::validation(
                "ExpressionAttributeValues can only be specified when using expressions: " + names +
                (value_fields.size() > 1 ? " are" : " is") + " null"));
        }
    }
    if (!present.empty()) {
        return core::unexpected<aws_error>(aws_error::validation(
            present.front() +
            " is not supported by this esser build yet (the expression library is missing)"));
    }
    request_expressions out;
    out.s_ = std::make_shared<state>();
    return out;
}

bool request_expressions::has_condition() const {
    return false;
}

bool request_expressions::has_update() const {
    return false;
}

bool request_expressions::has_key_condition() const {
    return false;
}

bool request_expressions::has_filter() const {
    return false;
}

bool request_expressions::has_projection() const {
    return false;
}

std::optional<aws_error> request_expressions::check_update_keys(
    const key_schema&, const std::vector<named_index_keys>&) const {
    return std::nullopt;
}

std::optional<aws_error> request_expressions::check_nested_key_paths(
    const key_schema&, const std::vector<named_index_keys>&) const {
    return std::nullopt;
}

std::optional<aws_error> request_expressions::check_filter_keys(const key_schema&) const {
    return std::nullopt;
}

core::expected<key_predicate, aws_error> request_expressions::resolve_key_condition(
    const key_schema&) const {
    return core::unexpected<aws_error>(aws_error::internal("no key condition compiled"));
}

bool request_expressions::condition_holds(const attribute_map&) const {
    return true;
}

bool request_expressions::filter_holds(const attribute_map&) const {
    return true;
}

core::expected<attribute_map, aws_error> request_expressions::apply_update(
    const attribute_map* old_item, const attribute_map& key,
    const std::vector<named_index_keys>&) const {
    // No UpdateExpression: UpdateItem keeps the item as it is, or creates it from its key.
    return old_item ? *old_item : key;
}

attribute_map request_expressions::updated_part(const attribute_map&) const {
    return {};
}

attribute_map request_expressions::project(const attribute_map& item) const {
    return item;
}

const std::vector<std::string>& request_expressions::projection_top_level() const {
    return s_->projection_names;
}

namespace {
// -1/0/1 for two values of the same key type (S, B bytewise unsigned; N numerically), nullopt
// for different or non-key types (spec §2.5: such comparisons are simply false).
std::optional<int> compare_keys(const attribute_value& a, const attribute_value& b) {
    if (a.type() != b.type())
        return std::nullopt;
    switch (a.type()) {
        case value_type::S:
            return a.as_s().compare(b.as_s()) < 0 ? -1 : a.as_s() == b.as_s() ? 0 : 1;
        case value_type::B:
            return a.as_b().compare(b.as_b()) < 0 ? -1 : a.as_b() == b.as_b() ? 0 : 1;
        case value_type::N: {
            const auto c = a.as_n() <=> b.as_n();
            return c < 0 ? -1 : c == 0 ? 0 : 1;
        }
        default:
            return std::nullopt;
    }
}
}  // namespace

bool key_predicate::matches(const attribute_value& v) const {
    if (range == op::none)
        return true;
    if (range == op::begins_with) {
        if (v.type() != lower.type())
            return false;
        if (v.type() == value_type::S)
            return v.as_s().rfind(lower.as_s(), 0) == 0;
        if (v.type() == value_type::B)
            return v.as_b().rfind(lower.as_b(), 0) == 0;
        return false;
    }
    const auto c = compare_keys(v, lower);
    if (!c)
        return false;
    switch (range) {
        case op::eq:
            return *c == 0;
        case op::lt:
            return *c < 0;
        case op::le:
            return *c <= 0;
        case op::gt:
            return *c > 0;
        case op::ge:
            return *c >= 0;
        case op::between: {
            const auto d = compare_keys(v, upper);
            return *c >= 0 && d && *d <= 0;
        }
        default:
            return false;
    }
}

}  // namespace esser::emulator
