// A table's definition as --data-dir stores it (issue 9): everything DescribeTable,
// DescribeTimeToLive and ListTagsOfResource show, plus the timestamps that drive the status
// transitions, but no items (those are stored one row each). The format is esser's own, read
// back only by from_definition(); a change to it is a change of emulator.sqlite's schema version
// (sqlite_state_store).
#include <algorithm>

#include "table.hpp"

namespace esser::emulator {

using nlohmann::json;

namespace {

const char* projection_text(projection_kind p) {
    return p == projection_kind::keys_only ? "KEYS_ONLY"
           : p == projection_kind::include ? "INCLUDE"
                                           : "ALL";
}

std::optional<projection_kind> parse_projection(const std::string& p) {
    if (p == "ALL")
        return projection_kind::all;
    if (p == "KEYS_ONLY")
        return projection_kind::keys_only;
    if (p == "INCLUDE")
        return projection_kind::include;
    return std::nullopt;
}

// A wrong member type in a definition: nlohmann throws type_error, which from_definition turns
// into the error; a missing member, likewise out_of_range.
core::time_point time_of(const json& d, const char* member) {
    return core::from_epoch_ms(d.at(member).get<std::int64_t>());
}

struct bad_definition {
    std::string what;
};

key_schema keys_of(const json& j) {
    auto k = key_schema_from_state(j);
    if (!k)
        throw bad_definition{"a key schema is malformed"};
    return *k;
}

}  // namespace

json table::definition() const {
    json d = {{"name", name},
              {"arn", arn},
              {"id", id},
              {"keys", key_schema_state(keys)},
              {"created_ms", core::to_epoch_ms(created_at)},
              {"active_ms", core::to_epoch_ms(active_at)},
              {"updating_ms", core::to_epoch_ms(updating_until)},
              {"pay_per_request", billing == billing_mode::pay_per_request},
              {"read_capacity", read_capacity},
              {"write_capacity", write_capacity},
              {"stream_enabled", stream_enabled},
              {"stream_view", static_cast<int>(stream_view)},
              {"ttl_enabled", ttl_enabled},
              {"ttl_attribute", ttl_attribute},
              {"deletion_protection", deletion_protection},
              {"table_class", table_class},
              {"tags", tags}};
    json defs = json::array();
    for (const auto& a : attribute_definitions)
        defs.push_back(key_attribute_state({a.name, a.type}));
    d["attributes"] = std::move(defs);
    if (pay_per_request_since)
        d["pay_per_request_ms"] = core::to_epoch_ms(*pay_per_request_since);
    if (stream)
        d["stream"] = {{"arn", stream->arn}, {"label", stream->label}};
    json ixs = json::array();
    for (const auto& ix : indexes) {
        ixs.push_back({{"name", ix->name},
                       {"global", ix->global},
                       {"keys", key_schema_state(ix->keys)},
                       {"projection", projection_text(ix->projection)},
                       {"non_key_attributes", ix->non_key_attributes},
                       {"projected", ix->projected},
                       {"read_capacity", ix->read_capacity},
                       {"write_capacity", ix->write_capacity},
                       {"arn", ix->arn},
                       {"active_ms", core::to_epoch_ms(ix->active_at)}});
    }
    d["indexes"] = std::move(ixs);
    return d;
}

core::expected<std::shared_ptr<table>, std::string> table::from_definition(const json& d) {
    try {
        auto t = std::make_shared<table>();
        t->name = d.at("name").get<std::string>();
        t->arn = d.at("arn").get<std::string>();
        t->id = d.at("id").get<std::string>();
        t->keys = keys_of(d.at("keys"));
        for (const auto& a : d.at("attributes")) {
            auto attribute = key_attribute_from_state(a);
            if (!attribute)
                throw bad_definition{"an attribute definition is malformed"};
            t->attribute_definitions.push_back({attribute->name, attribute->type});
        }
        t->created_at = time_of(d, "created_ms");
        t->active_at = time_of(d, "active_ms");
        t->updating_until = time_of(d, "updating_ms");
        t->billing = d.at("pay_per_request").get<bool>() ? billing_mode::pay_per_request
                                                         : billing_mode::provisioned;
        t->read_capacity = d.at("read_capacity").get<std::int64_t>();
        t->write_capacity = d.at("write_capacity").get<std::int64_t>();
        if (d.contains("pay_per_request_ms"))
            t->pay_per_request_since = time_of(d, "pay_per_request_ms");
        t->stream_enabled = d.at("stream_enabled").get<bool>();
        const int view = d.at("stream_view").get<int>();
        if (view < 0 || view > static_cast<int>(stream_view_type::NEW_AND_OLD_IMAGES))
            throw bad_definition{"the stream view type is unknown"};
        t->stream_view = static_cast<stream_view_type>(view);
        if (d.contains("stream")) {
            t->stream = stream_identity{d["stream"].at("arn").get<std::string>(),
                                        d["stream"].at("label").get<std::string>()};
        }
        t->ttl_enabled = d.at("ttl_enabled").get<bool>();
        t->ttl_attribute = d.at("ttl_attribute").get<std::string>();
        t->deletion_protection = d.at("deletion_protection").get<bool>();
        t->table_class = d.at("table_class").get<std::string>();
        t->tags = d.at("tags").get<std::map<std::string, std::string>>();
        for (const auto& j : d.at("indexes")) {
            auto ix = std::make_unique<secondary_index>();
            ix->name = j.at("name").get<std::string>();
            ix->global = j.at("global").get<bool>();
            ix->keys = keys_of(j.at("keys"));
            auto projection = parse_projection(j.at("projection").get<std::string>());
            if (!projection)
                throw bad_definition{"an index projection is unknown"};
            ix->projection = *projection;
            ix->non_key_attributes = j.at("non_key_attributes").get<std::vector<std::string>>();
            ix->projected = j.at("projected").get<std::vector<std::string>>();
            if (!std::is_sorted(ix->projected.begin(), ix->projected.end()))
                throw bad_definition{"an index's projected attributes are not sorted"};
            ix->read_capacity = j.at("read_capacity").get<std::int64_t>();
            ix->write_capacity = j.at("write_capacity").get<std::int64_t>();
            ix->arn = j.at("arn").get<std::string>();
            ix->active_at = time_of(j, "active_ms");
            t->indexes.push_back(std::move(ix));
        }
        if (t->name.empty() || t->id.empty())
            throw bad_definition{"the table has no name or id"};
        return t;
    } catch (const bad_definition& e) {
        return core::unexpected<std::string>(e.what);
    } catch (const json::exception& e) {
        return core::unexpected<std::string>(e.what());
    }
}

void table::save_definition(durability_sink* sink) const {
    if (sink != nullptr)
        record_durable(*sink, table_saved{id, definition().dump()});
}

}  // namespace esser::emulator
