#include "esser/emulator/streams/streams_api.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "esser/emulator/streams/stream_registry.hpp"

namespace esser::emulator {

using adapters::aws_error;
using adapters::aws_result;
using nlohmann::json;

namespace {

// Reads request members with the wire's type rules and collects constraint violations in
// Coral's words (spec/dynamodb-api.md §1.4 steps 6-7). The first type error wins and stops
// everything; constraint violations are reported together, up to 10.
class request_reader {
public:
    explicit request_reader(const json& body) : body_(body) {}

    std::optional<std::string> string(const char* key) {
        const json* v = member(key);
        if (v == nullptr)
            return std::nullopt;
        if (v->is_string())
            return v->get<std::string>();
        type_error(fmt::format("{} cannot be converted to String", token(*v)));
        return std::nullopt;
    }

    // Integers arrive as JSON numbers; anything else is a SerializationException. Values beyond
    // int64 saturate (they fail the range check anyway).
    std::optional<std::int64_t> integer(const char* key) {
        const json* v = member(key);
        if (v == nullptr)
            return std::nullopt;
        if (v->is_number_integer() && !v->is_number_unsigned())
            return v->get<std::int64_t>();
        if (v->is_number_unsigned()) {
            const auto u = v->get<std::uint64_t>();
            return u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                       ? std::numeric_limits<std::int64_t>::max()
                       : static_cast<std::int64_t>(u);
        }
        type_error(fmt::format("{} can not be converted to an Integer", token(*v)));
        return std::nullopt;
    }

    const json* structure(const char* key) {
        const json* v = member(key);
        if (v == nullptr)
            return nullptr;
        if (v->is_object())
            return v;
        type_error(fmt::format("{} can not be converted to a Structure", token(*v)));
        return nullptr;
    }

    void required(const std::optional<std::string>& v, const char* path) {
        if (!v) {
            violation(fmt::format(
                "Value null at '{}' failed to satisfy constraint: Member must not be null", path));
        }
    }

    void length(const std::optional<std::string>& v, const char* path, std::size_t min,
                std::size_t max) {
        if (!v)
            return;
        if (v->size() < min) {
            violation(
                fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must "
                            "have length greater than or equal to {}",
                            *v, path, min));
        } else if (v->size() > max) {
            violation(
                fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must "
                            "have length less than or equal to {}",
                            *v, path, max));
        }
    }

    void range(const std::optional<std::int64_t>& v, const char* path, std::int64_t min,
               std::int64_t max) {
        if (!v)
            return;
        if (*v < min) {
            violation(
                fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must "
                            "have value greater than or equal to {}",
                            *v, path, min));
        } else if (*v > max) {
            violation(
                fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must "
                            "have value less than or equal to {}",
                            *v, path, max));
        }
    }

    void pattern(const std::optional<std::string>& v, const char* path, bool ok,
                 const char* regex) {
        if (v && !ok) {
            violation(
                fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must "
                            "satisfy regular expression pattern: {}",
                            *v, path, regex));
        }
    }

    void one_of(const std::optional<std::string>& v, const char* path, bool ok,
                const char* values) {
        if (v && !ok) {
            violation(
                fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must "
                            "satisfy enum value set: {}",
                            *v, path, values));
        }
    }

    bool failed() const { return type_error_.has_value() || !violations_.empty(); }

    // The error to return, if any: the type error, else the collected violations.
    std::optional<aws_error> error() const {
        if (type_error_)
            return type_error_;
        if (violations_.empty())
            return std::nullopt;
        std::string msg = fmt::format("{} validation error{} detected: ", violations_.size(),
                                      violations_.size() == 1 ? "" : "s");
        for (std::size_t i = 0; i < violations_.size(); ++i) {
            if (i > 0)
                msg += "; ";
            msg += violations_[i];
        }
        return aws_error::validation(std::move(msg));
    }

private:
    const json* member(const char* key) const {
        auto it = body_.find(key);
        if (it == body_.end() || it->is_null())
            return nullptr;  // null = absent, as Coral
        return &*it;
    }

    static const char* token(const json& v) {
        switch (v.type()) {
            case json::value_t::string:
                return "STRING_VALUE";
            case json::value_t::boolean:
                return v.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE";
            case json::value_t::number_float:
                return "DECIMAL_VALUE";
            case json::value_t::object:
                return "START_OBJECT";
            case json::value_t::array:
                return "START_ARRAY";
            default:
                return "NUMBER_VALUE";
        }
    }

    void type_error(std::string message) {
        if (!type_error_)
            type_error_ = aws_error::serialization(std::move(message));
    }

    void violation(std::string v) {
        if (violations_.size() < 10)
            violations_.push_back(std::move(v));
    }

    const json& body_;
    std::optional<aws_error> type_error_;
    std::vector<std::string> violations_;
};

bool table_name_ok(const std::string& name) {
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

json key_schema_json(const key_schema& k) {
    json out = json::array();
    out.push_back(json{{"AttributeName", k.hash.name}, {"KeyType", "HASH"}});
    if (k.range)
        out.push_back(json{{"AttributeName", k.range->name}, {"KeyType", "RANGE"}});
    return out;
}

json shard_json(const shard_info& s) {
    json range = json::object();
    range["StartingSequenceNumber"] = s.starting_sequence_number.to_string();
    if (s.ending_sequence_number) {
        range["EndingSequenceNumber"] = s.ending_sequence_number->to_string();
    }
    json out = json::object();
    out["ShardId"] = s.shard_id;
    if (!s.parent_shard_id.empty())
        out["ParentShardId"] = s.parent_shard_id;
    out["SequenceNumberRange"] = std::move(range);
    return out;
}

}  // namespace

bool streams_api::handles(std::string_view op) noexcept {
    return op == "ListStreams" || op == "DescribeStream" || op == "GetShardIterator" ||
           op == "GetRecords";
}

aws_result streams_api::dispatch(std::string_view op, const json& request) {
    if (!handles(op))
        return core::unexpected(aws_error::unknown_operation());
    if (!request.is_object())
        return core::unexpected(aws_error::serialization());
    if (op == "GetRecords")
        return get_records(request);
    if (op == "GetShardIterator")
        return get_shard_iterator(request);
    if (op == "DescribeStream")
        return describe_stream(request);
    return list_streams(request);
}

aws_result streams_api::list_streams(const json& request) {
    request_reader in(request);
    auto table = in.string("TableName");
    auto limit = in.integer("Limit");
    auto start = in.string("ExclusiveStartStreamArn");
    if (!in.failed()) {
        in.length(table, "tableName", 3, 255);
        in.pattern(table, "tableName", !table || table_name_ok(*table), "[a-zA-Z0-9_.-]+");
        in.range(limit, "limit", 1, 100);
        in.length(start, "exclusiveStartStreamArn", 37, 1024);
    }
    if (auto e = in.error())
        return core::unexpected(*e);

    std::optional<std::string_view> table_view, start_view;
    if (table)
        table_view = *table;
    if (start)
        start_view = *start;
    auto page = registry_.list_streams(table_view, static_cast<std::size_t>(limit.value_or(100)),
                                       start_view);
    if (!page)
        return core::unexpected(page.error());
    json streams = json::array();
    for (const auto& s : page->streams) {
        streams.push_back(
            json{{"StreamArn", s.arn}, {"TableName", s.table}, {"StreamLabel", s.label}});
    }
    json out = json::object();
    out["Streams"] = std::move(streams);
    if (page->last_evaluated_stream_arn)
        out["LastEvaluatedStreamArn"] = *page->last_evaluated_stream_arn;
    return out;
}

aws_result streams_api::describe_stream(const json& request) {
    request_reader in(request);
    auto arn = in.string("StreamArn");
    auto limit = in.integer("Limit");
    auto start = in.string("ExclusiveStartShardId");
    std::optional<std::string> filter_type, filter_shard;
    if (const json* filter = in.structure("ShardFilter")) {
        request_reader f(*filter);
        filter_type = f.string("Type");
        filter_shard = f.string("ShardId");
        if (auto e = f.error())
            return core::unexpected(*e);
    }
    if (!in.failed()) {
        in.required(arn, "streamArn");
        in.length(arn, "streamArn", 37, 1024);
        in.range(limit, "limit", 1, 100);
        in.length(start, "exclusiveStartShardId", 28, 65);
        in.one_of(filter_type, "shardFilter.type", filter_type == "CHILD_SHARDS", "[CHILD_SHARDS]");
        in.length(filter_shard, "shardFilter.shardId", 28, 65);
    }
    if (auto e = in.error())
        return core::unexpected(*e);
    if (filter_type.has_value() != filter_shard.has_value()) {
        return core::unexpected(aws_error::validation(
            "ShardFilter needs both Type (CHILD_SHARDS) and ShardId (the parent shard)"));
    }

    std::optional<std::string_view> start_view, child_of;
    if (start)
        start_view = *start;
    if (filter_shard)
        child_of = *filter_shard;
    auto d = registry_.describe_stream(*arn, static_cast<std::size_t>(limit.value_or(100)),
                                       start_view, child_of);
    if (!d)
        return core::unexpected(d.error());
    json shards = json::array();
    for (const auto& s : d->shards) shards.push_back(shard_json(s));
    json desc = json::object();
    desc["StreamArn"] = d->arn;
    desc["StreamLabel"] = d->label;
    desc["StreamStatus"] = stream_status_text(d->status);
    desc["StreamViewType"] = stream_view_type_text(d->view_type);
    // Epoch seconds as a JSON number with milliseconds (§2.2).
    desc["CreationRequestDateTime"] = static_cast<double>(core::to_epoch_ms(d->created)) / 1000.0;
    desc["TableName"] = d->table;
    desc["KeySchema"] = key_schema_json(d->keys);
    desc["Shards"] = std::move(shards);
    if (d->last_evaluated_shard_id)
        desc["LastEvaluatedShardId"] = *d->last_evaluated_shard_id;
    return json{{"StreamDescription", std::move(desc)}};
}

aws_result streams_api::get_shard_iterator(const json& request) {
    request_reader in(request);
    auto arn = in.string("StreamArn");
    auto shard = in.string("ShardId");
    auto type_text = in.string("ShardIteratorType");
    auto seq_text = in.string("SequenceNumber");
    std::optional<shard_iterator_type> type;
    if (type_text)
        type = parse_shard_iterator_type(*type_text);
    if (!in.failed()) {
        in.required(arn, "streamArn");
        in.length(arn, "streamArn", 37, 1024);
        in.required(shard, "shardId");
        in.length(shard, "shardId", 28, 65);
        in.required(type_text, "shardIteratorType");
        in.one_of(type_text, "shardIteratorType", type.has_value(),
                  "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]");
        in.length(seq_text, "sequenceNumber", 21, 40);
    }
    if (auto e = in.error())
        return core::unexpected(*e);

    std::optional<sequence_number> seq;
    if (seq_text) {
        seq = sequence_number::parse(*seq_text);
        if (!seq) {
            return core::unexpected(aws_error::validation(fmt::format(
                "Invalid SequenceNumber '{}': a sequence number is a string of decimal digits",
                *seq_text)));
        }
    }
    auto it = registry_.get_shard_iterator(*arn, *shard, *type, seq);
    if (!it)
        return core::unexpected(it.error());
    return json{{"ShardIterator", std::move(*it)}};
}

aws_result streams_api::get_records(const json& request) {
    request_reader in(request);
    auto iterator = in.string("ShardIterator");
    auto limit = in.integer("Limit");
    if (!in.failed()) {
        in.required(iterator, "shardIterator");
        in.length(iterator, "shardIterator", 1, 2048);
        in.range(limit, "limit", 1, 1000);
    }
    if (auto e = in.error())
        return core::unexpected(*e);

    auto page = registry_.get_records(*iterator, static_cast<std::size_t>(limit.value_or(1000)));
    if (!page)
        return core::unexpected(page.error());
    json records = json::array();
    for (const auto& r : page->records) records.push_back(to_streams_json(*r, page->region));
    json out = json::object();
    out["Records"] = std::move(records);  // present even when empty (§1.5)
    if (page->next_shard_iterator)
        out["NextShardIterator"] = std::move(*page->next_shard_iterator);
    return out;
}

}  // namespace esser::emulator
