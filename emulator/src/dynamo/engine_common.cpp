// Helpers shared by the operation files.
#include <algorithm>
#include <cmath>
#include <set>

#include "engine_impl.hpp"
#include "request_schema.hpp"

#include "esser/emulator/dynamo/attribute_value_json.hpp"

namespace esser::emulator {

core::expected<attribute_map, aws_error> read_map_member(const json& request,
                                                         std::string_view member) {
    const json* j = schema::member(request, member);
    if (!j)
        return attribute_map{};
    auto m = attribute_map_from_json(*j);
    if (!m)
        return fail(aws_error::validation(std::move(m).error()));
    return std::move(*m);
}

std::optional<aws_error> check_expression_params(const json& request,
                                                 std::initializer_list<const char*> expressions,
                                                 std::initializer_list<const char*> legacy) {
    // Every request passes here: only the error paths build text.
    auto present = [&](const char* name) { return schema::member(request, name) != nullptr; };
    const bool any_expression = std::any_of(expressions.begin(), expressions.end(), present);
    // "a, b" of the names in `list` that `used` accepts.
    auto join = [](std::initializer_list<const char*> list, auto used, const char* sep) {
        std::string s;
        for (const char* x : list) {
            if (!used(x))
                continue;
            if (!s.empty())
                s += sep;
            s += x;
        }
        return s;
    };
    if (any_expression) {
        const bool key_conditions_alone =
            present("KeyConditions") && !present("KeyConditionExpression");
        auto legacy_used = [&](const char* l) {
            return !(key_conditions_alone && std::string_view(l) == "KeyConditions") && present(l);
        };
        if (std::any_of(legacy.begin(), legacy.end(), legacy_used)) {
            return aws_error::validation(
                "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {" +
                join(legacy, legacy_used, ", ") + "} Expression parameters: {" +
                join(expressions, present, ", ") + "}");
        }
    }
    if (!any_expression && present("ExpressionAttributeNames")) {
        return aws_error::validation(
            "ExpressionAttributeNames can only be specified when using expressions");
    }
    auto takes_values = [](const char* e) { return std::string_view(e) != "ProjectionExpression"; };
    const std::size_t value_expressions = static_cast<std::size_t>(
        std::count_if(expressions.begin(), expressions.end(), takes_values));
    if (value_expressions > 0 && present("ExpressionAttributeValues")) {
        const bool any = std::any_of(expressions.begin(), expressions.end(),
                                     [&](const char* e) { return takes_values(e) && present(e); });
        if (!any) {
            return aws_error::validation(
                "ExpressionAttributeValues can only be specified when using expressions: " +
                join(expressions, takes_values, " and ") +
                (value_expressions > 1 ? " are" : " is") + " null");
        }
    }
    return std::nullopt;
}

core::expected<std::vector<std::string>, aws_error> read_attributes_to_get(const json& request) {
    std::vector<std::string> names;
    const json* a = schema::member(request, "AttributesToGet");
    if (!a)
        return names;
    std::set<std::string> seen;
    for (const auto& x : *a) {
        if (!x.is_string())
            continue;
        const auto& s = x.get_ref<const std::string&>();
        if (!seen.insert(s).second) {
            return fail(aws_error::validation(
                "One or more parameter values were invalid: Duplicate value in attribute name: " +
                s));
        }
        names.push_back(s);
    }
    std::sort(names.begin(), names.end());
    return names;
}

attribute_map select_attributes(const attribute_map& item,
                                const std::vector<std::string>& sorted_names) {
    attribute_map out;
    for (const auto& [name, v] : item) {
        if (std::binary_search(sorted_names.begin(), sorted_names.end(), name))
            out.append_sorted(name, v);
    }
    return out;
}

double write_units(std::size_t size) {
    return std::max(1.0, std::ceil(static_cast<double>(size) / 1024.0));
}

double read_units(std::size_t size, bool consistent) {
    const double units = std::max(1.0, std::ceil(static_cast<double>(size) / 4096.0));
    return consistent ? units : units / 2;
}

json consumed_capacity(const json& request, const table& t, double units,
                       const secondary_index* index) {
    const json* mode = schema::member(request, "ReturnConsumedCapacity");
    if (!mode || !mode->is_string())
        return nullptr;
    const auto& m = mode->get_ref<const std::string&>();
    if (m != "TOTAL" && m != "INDEXES")
        return nullptr;
    json c = {{"TableName", t.name}, {"CapacityUnits", units}};
    if (m == "INDEXES") {
        if (index) {
            c["Table"] = {{"CapacityUnits", 0.0}};
            c[index->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"] = {
                {index->name, {{"CapacityUnits", units}}}};
        } else {
            c["Table"] = {{"CapacityUnits", units}};
        }
    }
    return c;
}

bool wants_capacity(const json& request) {
    const json* mode = schema::member(request, "ReturnConsumedCapacity");
    return mode && mode->is_string() &&
           (mode->get_ref<const std::string&>() == "TOTAL" ||
            mode->get_ref<const std::string&>() == "INDEXES");
}

json write_capacity(const json& request, const table& t, double units,
                    const std::vector<std::pair<const secondary_index*, double>>& index_units) {
    if (!wants_capacity(request))
        return nullptr;
    double total = units;
    for (const auto& [ix, u] : index_units) total += u;
    json c = {{"TableName", t.name}, {"CapacityUnits", total}};
    if (schema::member(request, "ReturnConsumedCapacity")->get_ref<const std::string&>() ==
        "INDEXES") {
        c["Table"] = {{"CapacityUnits", units}};
        for (const auto& [ix, u] : index_units) {
            c[ix->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"][ix->name] = {
                {"CapacityUnits", u}};
        }
    }
    return c;
}

}  // namespace esser::emulator
