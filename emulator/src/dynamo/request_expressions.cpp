#include "request_expressions.hpp"

// The engine's bridge to the expression library (esser/emulator/dynamo/expression.hpp): compiles
// a request's expressions once, then answers the engine's questions about them. The library
// owns every expression message; this file only maps the engine's request kinds and key
// schemas onto its API.

#include <algorithm>
#include <set>

#include "esser/emulator/dynamo/document_path.hpp"
#include "esser/emulator/dynamo/expression.hpp"

namespace esser::emulator {

using adapters::aws_error;
using nlohmann::json;

struct request_expressions::state {
    compiled_expressions compiled;
    std::vector<std::string> projection_names;  // sorted top-level names the projection reads
    std::vector<std::string> nested;            // nested attribute heads of every expression
};

namespace {

expression_context context_of(request_kind kind) {
    switch (kind) {
        case request_kind::put_item:
            return expression_context::put_item;
        case request_kind::delete_item:
            return expression_context::delete_item;
        case request_kind::update_item:
            return expression_context::update_item;
        case request_kind::get_item:
            return expression_context::get_item;
        case request_kind::batch_get_item:
            return expression_context::batch_get_item;
        case request_kind::query:
            return expression_context::query;
        case request_kind::scan:
            return expression_context::scan;
        case request_kind::transact_condition_check:
            return expression_context::transact_condition_check;
        case request_kind::transact_put:
            return expression_context::transact_put;
        case request_kind::transact_delete:
            return expression_context::transact_delete;
        case request_kind::transact_update:
            return expression_context::transact_update;
        case request_kind::transact_get:
            return expression_context::transact_get;
    }
    return expression_context::put_item;
}

// index_keys views into the engine's named indexes (which outlive the call).
std::vector<index_keys> views(const std::vector<named_index_keys>& indexes) {
    std::vector<index_keys> out;
    out.reserve(indexes.size());
    for (const auto& ix : indexes) out.push_back(index_keys{ix.name, &ix.keys});
    return out;
}

void add_all(std::set<std::string>& out, std::span<const std::string> names) {
    out.insert(names.begin(), names.end());
}

key_predicate::op op_of(range_operator r) {
    switch (r) {
        case range_operator::none:
            return key_predicate::op::none;
        case range_operator::eq:
            return key_predicate::op::eq;
        case range_operator::lt:
            return key_predicate::op::lt;
        case range_operator::le:
            return key_predicate::op::le;
        case range_operator::gt:
            return key_predicate::op::gt;
        case range_operator::ge:
            return key_predicate::op::ge;
        case range_operator::between:
            return key_predicate::op::between;
        case range_operator::begins_with:
            return key_predicate::op::begins_with;
    }
    return key_predicate::op::none;
}

}  // namespace

core::expected<request_expressions, aws_error> request_expressions::compile(const json& request,
                                                                            request_kind kind) {
    auto compiled = compile_request(request, context_of(kind));
    if (!compiled)
        return core::unexpected<aws_error>(std::move(compiled).error());
    auto s = std::make_shared<state>();
    s->compiled = std::move(*compiled);
    const auto& c = s->compiled;
    if (c.projection) {
        auto names = c.projection->attributes();
        s->projection_names.assign(names.begin(), names.end());
        std::sort(s->projection_names.begin(), s->projection_names.end());
        s->projection_names.erase(
            std::unique(s->projection_names.begin(), s->projection_names.end()),
            s->projection_names.end());
    }
    std::set<std::string> nested;
    if (c.condition)
        add_all(nested, c.condition->nested_attributes());
    if (c.update)
        add_all(nested, c.update->nested_attributes());
    if (c.filter)
        add_all(nested, c.filter->nested_attributes());
    if (c.projection)
        add_all(nested, c.projection->nested_attributes());
    s->nested.assign(nested.begin(), nested.end());
    request_expressions out;
    out.s_ = std::move(s);
    return out;
}

bool request_expressions::has_condition() const {
    return s_->compiled.condition.has_value();
}

bool request_expressions::has_update() const {
    return s_->compiled.update.has_value();
}

bool request_expressions::has_key_condition() const {
    return s_->compiled.key_condition.has_value();
}

bool request_expressions::has_filter() const {
    return s_->compiled.filter.has_value();
}

bool request_expressions::has_projection() const {
    return s_->compiled.projection.has_value();
}

std::optional<aws_error> request_expressions::check_update_keys(
    const key_schema& table, const std::vector<named_index_keys>& indexes) const {
    if (!s_->compiled.update)
        return std::nullopt;
    const auto v = views(indexes);
    return s_->compiled.update->check_keys(table, v);
}

std::optional<aws_error> request_expressions::check_nested_key_paths(
    const key_schema& table, const std::vector<named_index_keys>& indexes) const {
    if (s_->nested.empty())
        return std::nullopt;
    const auto v = views(indexes);
    return emulator::check_nested_key_paths(s_->nested, table, v);
}

std::optional<aws_error> request_expressions::check_filter_keys(const key_schema& keys) const {
    if (!s_->compiled.filter)
        return std::nullopt;
    return emulator::check_filter_keys(*s_->compiled.filter, keys);
}

core::expected<key_predicate, aws_error> request_expressions::resolve_key_condition(
    const key_schema& keys) const {
    if (!s_->compiled.key_condition) {
        return core::unexpected<aws_error>(
            aws_error::validation("Either the KeyConditions or KeyConditionExpression parameter "
                                  "must be specified in the request."));
    }
    auto kc = s_->compiled.key_condition->resolve(keys);
    if (!kc)
        return core::unexpected<aws_error>(std::move(kc).error());
    key_predicate p;
    p.hash = *kc->hash;
    p.range = op_of(kc->range);
    if (kc->lower)
        p.lower = *kc->lower;
    if (kc->upper)
        p.upper = *kc->upper;
    return p;
}

bool request_expressions::condition_holds(const attribute_map& item) const {
    return !s_->compiled.condition || s_->compiled.condition->evaluate(item);
}

bool request_expressions::filter_holds(const attribute_map& item) const {
    return !s_->compiled.filter || s_->compiled.filter->evaluate(item);
}

core::expected<attribute_map, aws_error> request_expressions::apply_update(
    const attribute_map* old_item, const attribute_map& key,
    const std::vector<named_index_keys>& indexes) const {
    // No UpdateExpression: UpdateItem keeps the item as it is, or creates it from its key.
    if (!s_->compiled.update)
        return old_item ? *old_item : key;
    const auto v = views(indexes);
    return s_->compiled.update->apply(old_item, key, v);
}

attribute_map request_expressions::updated_part(const attribute_map& item) const {
    if (!s_->compiled.update)
        return {};
    return project_paths(item, s_->compiled.update->updated_paths());
}

attribute_map request_expressions::project(const attribute_map& item) const {
    if (!s_->compiled.projection)
        return item;
    return s_->compiled.projection->apply(item);
}

const std::vector<std::string>& request_expressions::projection_top_level() const {
    return s_->projection_names;
}

}  // namespace esser::emulator
