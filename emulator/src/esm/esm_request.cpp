#include "esser/emulator/esm/esm_request.hpp"

#include <limits>
#include <optional>

#include <fmt/format.h>

#include "esser/emulator/esm/event_filter.hpp"
#include "esser/emulator/sqs/sqs_names.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

constexpr std::size_t max_pattern_length = 4096;

core::error bad_content(std::string_view member, std::string_view expected) {
    return esm_error("InvalidRequestContentException",
                     fmt::format("Could not parse request body into json: member '{}' must be {}",
                                 member, expected));
}

core::error invalid_parameter(std::string message) {
    return esm_error("InvalidParameterValueException", std::move(message));
}

// Reads members with type checks, collects the model's constraint violations.
class request_reader {
public:
    explicit request_reader(const json& body) : body_(body) {}

    // The member, or null when absent or JSON null (AWS treats both as absent).
    const json* member(const char* name) const {
        auto it = body_.find(name);
        if (it == body_.end() || it->is_null())
            return nullptr;
        return &*it;
    }

    core::result<std::optional<std::int64_t>> integer(const char* name) const {
        const json* j = member(name);
        if (j == nullptr)
            return std::optional<std::int64_t>();
        if (j->is_number_integer() && !j->is_number_unsigned())
            return std::optional<std::int64_t>(j->get<std::int64_t>());
        if (j->is_number_unsigned()) {
            const auto u = j->get<std::uint64_t>();
            // Larger than any range below: keep it out of range without overflowing.
            return std::optional<std::int64_t>(
                u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                    ? std::numeric_limits<std::int64_t>::max()
                    : static_cast<std::int64_t>(u));
        }
        return core::fail(bad_content(name, "an integer"));
    }

    core::result<std::optional<bool>> boolean(const char* name) const {
        const json* j = member(name);
        if (j == nullptr)
            return std::optional<bool>();
        if (!j->is_boolean())
            return core::fail(bad_content(name, "a boolean"));
        return std::optional<bool>(j->get<bool>());
    }

    core::result<std::optional<std::string>> string(const char* name) const {
        const json* j = member(name);
        if (j == nullptr)
            return std::optional<std::string>();
        if (!j->is_string())
            return core::fail(bad_content(name, "a string"));
        return std::optional<std::string>(j->get<std::string>());
    }

    // Model range check: adds "Value 'v' at 'field' failed to satisfy constraint: ...".
    void range(const char* field, const json* raw, std::int64_t v, std::int64_t lo,
               std::int64_t hi) {
        if (v < lo) {
            violation(
                fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must "
                            "have value greater than or equal to {}",
                            raw->dump(), field, lo));
        } else if (v > hi) {
            violation(
                fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must "
                            "have value less than or equal to {}",
                            raw->dump(), field, hi));
        }
    }

    void violation(std::string text) { violations_.push_back(std::move(text)); }

    // ValidationException listing every violation, as AWS's request validation does.
    std::optional<core::error> model_error() const {
        if (violations_.empty())
            return std::nullopt;
        std::string msg = fmt::format("{} validation error{} detected: ", violations_.size(),
                                      violations_.size() == 1 ? "" : "s");
        for (std::size_t i = 0; i < violations_.size(); ++i) {
            if (i > 0)
                msg += "; ";
            msg += violations_[i];
        }
        return esm_error("ValidationException", std::move(msg));
    }

private:
    const json& body_;
    std::vector<std::string> violations_;
};

// The members both requests share (everything but EventSourceArn, StartingPosition and
// StartingPositionTimestamp). Applies them to `c`.
struct common_members {
    bool on_success = false;
    bool filters_given = false;
    std::optional<std::int32_t> record_age;
};

core::result<common_members> read_common(request_reader& rd, esm_config& c) {
    common_members out;
    auto int_member = [&](const char* name, const char* field, std::int64_t lo, std::int64_t hi,
                          auto& target) -> core::result<void> {
        auto v = rd.integer(name);
        if (!v)
            return core::fail(v.error());
        if (*v) {
            rd.range(field, rd.member(name), **v, lo, hi);
            if (**v >= lo && **v <= hi)
                target = static_cast<std::remove_reference_t<decltype(target)>>(**v);
        }
        return {};
    };
    if (auto r = int_member("BatchSize", "batchSize", 1, 10000, c.batch_size); !r)
        return core::fail(r.error());
    if (auto r = int_member("MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0,
                            300, c.maximum_batching_window_s);
        !r)
        return core::fail(r.error());
    if (auto r = int_member("MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000,
                            c.maximum_retry_attempts);
        !r)
        return core::fail(r.error());
    std::int32_t age = c.maximum_record_age_s;
    if (auto r =
            int_member("MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800, age);
        !r)
        return core::fail(r.error());
    if (rd.member("MaximumRecordAgeInSeconds") != nullptr)
        out.record_age = age;
    c.maximum_record_age_s = age;
    if (auto r = int_member("ParallelizationFactor", "parallelizationFactor", 1, 10,
                            c.parallelization_factor);
        !r)
        return core::fail(r.error());
    if (auto r = int_member("TumblingWindowInSeconds", "tumblingWindowInSeconds", 0, 900,
                            c.tumbling_window_s);
        !r)
        return core::fail(r.error());
    if (auto b = rd.boolean("BisectBatchOnFunctionError"); !b)
        return core::fail(b.error());
    else if (*b)
        c.bisect_batch_on_function_error = **b;
    if (auto b = rd.boolean("Enabled"); !b)
        return core::fail(b.error());
    else if (*b)
        c.enabled = **b;
    if (auto s = rd.string("FunctionName"); !s)
        return core::fail(s.error());
    else if (*s) {
        if ((*s)->empty() || (*s)->size() > 140) {
            rd.violation(fmt::format(
                "Value '{}' at 'functionName' failed to satisfy constraint: Member must have "
                "length {} {}",
                **s, (*s)->empty() ? "greater than or equal to" : "less than or equal to",
                (*s)->empty() ? 1 : 140));
        }
        c.function_name = std::move(**s);
    }

    // FunctionResponseTypes: 0..1 of ["ReportBatchItemFailures"].
    if (const json* frt = rd.member("FunctionResponseTypes")) {
        if (!frt->is_array())
            return core::fail(bad_content("FunctionResponseTypes", "a list of strings"));
        bool report = false;
        std::string shown = "[";
        bool bad_value = false;
        for (std::size_t i = 0; i < frt->size(); ++i) {
            const json& v = (*frt)[i];
            if (!v.is_string())
                return core::fail(bad_content("FunctionResponseTypes", "a list of strings"));
            const auto& s = v.get_ref<const std::string&>();
            shown += (i > 0 ? ", " : "") + s;
            if (s == "ReportBatchItemFailures")
                report = true;
            else
                bad_value = true;
        }
        shown += "]";
        if (bad_value) {
            rd.violation(fmt::format(
                "Value '{}' at 'functionResponseTypes' failed to satisfy constraint: Member must "
                "satisfy constraint: [Member must satisfy enum value set: "
                "[ReportBatchItemFailures]]",
                shown));
        } else if (frt->size() > 1) {
            rd.violation(fmt::format(
                "Value '{}' at 'functionResponseTypes' failed to satisfy constraint: Member must "
                "have length less than or equal to 1",
                shown));
        }
        c.report_batch_item_failures = report;
    }

    // DestinationConfig: {"OnFailure": {"Destination": arn}} (OnSuccess is refused below).
    if (const json* dc = rd.member("DestinationConfig")) {
        if (!dc->is_object())
            return core::fail(bad_content("DestinationConfig", "an object"));
        if (auto s = dc->find("OnSuccess"); s != dc->end() && !s->is_null())
            out.on_success = true;
        if (auto f = dc->find("OnFailure"); f != dc->end() && !f->is_null()) {
            if (!f->is_object())
                return core::fail(bad_content("DestinationConfig.OnFailure", "an object"));
            auto d = f->find("Destination");
            if (d == f->end() || d->is_null()) {
                c.on_failure_destination.clear();
            } else if (!d->is_string()) {
                return core::fail(
                    bad_content("DestinationConfig.OnFailure.Destination", "a string"));
            } else {
                c.on_failure_destination = d->get<std::string>();
            }
        } else {
            c.on_failure_destination.clear();
        }
    }

    // FilterCriteria: {"Filters": [{"Pattern": "<json>"}]}.
    if (const json* fc = rd.member("FilterCriteria")) {
        if (!fc->is_object())
            return core::fail(bad_content("FilterCriteria", "an object"));
        out.filters_given = true;
        std::vector<std::string> patterns;
        if (auto fl = fc->find("Filters"); fl != fc->end() && !fl->is_null()) {
            if (!fl->is_array())
                return core::fail(bad_content("FilterCriteria.Filters", "a list"));
            for (std::size_t i = 0; i < fl->size(); ++i) {
                const json& f = (*fl)[i];
                if (!f.is_object())
                    return core::fail(bad_content("FilterCriteria.Filters", "a list of objects"));
                auto p = f.find("Pattern");
                std::string pattern;
                if (p != f.end() && !p->is_null()) {
                    if (!p->is_string())
                        return core::fail(
                            bad_content("FilterCriteria.Filters.Pattern", "a string"));
                    pattern = p->get<std::string>();
                }
                if (pattern.size() > max_pattern_length) {
                    rd.violation(fmt::format(
                        "Value '{}' at 'filterCriteria.filters.{}.member.pattern' failed to "
                        "satisfy constraint: Member must have length less than or equal to {}",
                        pattern, i + 1, max_pattern_length));
                }
                patterns.push_back(std::move(pattern));
            }
        }
        c.filter_patterns = std::move(patterns);
    }
    return out;
}

// The service rules shared by create and update (after the model constraints).
core::result<void> common_rules(const esm_config& c, const common_members& m) {
    if (m.record_age && *m.record_age >= 0 && *m.record_age < 60) {
        return core::fail(invalid_parameter(
            "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
            "(inclusive)"));
    }
    if (c.filter_patterns.size() > max_filters_per_mapping) {
        return core::fail(invalid_parameter(fmt::format(
            "The number of filters exceeds the limit of {} filters per event source mapping.",
            max_filters_per_mapping)));
    }
    for (const auto& p : c.filter_patterns) {
        if (auto f = event_filter::compile(p); !f)
            return core::fail(f.error());
    }
    if (!c.on_failure_destination.empty()) {
        const auto& d = c.on_failure_destination;
        if (!parse_queue_arn(d)) {
            return core::fail(invalid_parameter(
                fmt::format("Unsupported OnFailure destination: {}. esser-local emulates SQS queue "
                            "destinations (arn:aws:sqs:<region>:<account>:<queue>) only.",
                            d)));
        }
    }
    return {};
}

bool is_dynamodb_stream_arn(std::string_view arn) {
    return arn.rfind("arn:aws", 0) == 0 && arn.find(":dynamodb:") != std::string_view::npos &&
           arn.find(":table/") != std::string_view::npos &&
           arn.find("/stream/") != std::string_view::npos;
}

}  // namespace

core::result<esm_config> parse_create_request(const json& body) {
    if (!body.is_object()) {
        return core::fail(esm_error("InvalidRequestContentException",
                                    "Could not parse request body into json: the body must be a "
                                    "JSON object"));
    }
    request_reader rd(body);
    esm_config c;
    auto common = read_common(rd, c);
    if (!common)
        return core::fail(common.error());

    auto arn = rd.string("EventSourceArn");
    if (!arn)
        return core::fail(arn.error());
    auto position = rd.string("StartingPosition");
    if (!position)
        return core::fail(position.error());
    bool at_timestamp = false;
    if (*position) {
        if (**position == "TRIM_HORIZON") {
            c.starting_position = esm_starting_position::TRIM_HORIZON;
        } else if (**position == "LATEST") {
            c.starting_position = esm_starting_position::LATEST;
        } else if (**position == "AT_TIMESTAMP") {
            at_timestamp = true;
        } else {
            rd.violation(fmt::format(
                "Value '{}' at 'startingPosition' failed to satisfy constraint: Member must "
                "satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
                **position));
        }
    }
    if (rd.member("FunctionName") == nullptr) {
        rd.violation(
            "Value null at 'functionName' failed to satisfy constraint: Member must not be null");
    }
    if (auto e = rd.model_error())
        return core::fail(std::move(*e));

    // Service rules, in the order AWS applies them.
    if (common->on_success) {
        return core::fail(invalid_parameter(
            "Unsupported DestinationConfig parameter for given event source mapping type."));
    }
    if (!*arn)
        return core::fail(invalid_parameter("Unrecognized event source."));
    c.event_source_arn = std::move(**arn);
    if (!is_dynamodb_stream_arn(c.event_source_arn)) {
        return core::fail(invalid_parameter(fmt::format(
            "Unsupported event source: {}. esser-local emulates DynamoDB stream sources "
            "(arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>) only.",
            c.event_source_arn)));
    }
    if (!*position) {
        return core::fail(invalid_parameter(
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
            "constraint: Member must not be null."));
    }
    if (at_timestamp) {
        return core::fail(
            invalid_parameter("Unsupported starting position for arn type: " + c.event_source_arn));
    }
    if (auto r = common_rules(c, *common); !r)
        return core::fail(r.error());
    return c;
}

core::result<esm_config> parse_update_request(const json& body, esm_config current) {
    if (!body.is_object()) {
        return core::fail(esm_error("InvalidRequestContentException",
                                    "Could not parse request body into json: the body must be a "
                                    "JSON object"));
    }
    request_reader rd(body);
    auto common = read_common(rd, current);
    if (!common)
        return core::fail(common.error());
    if (auto e = rd.model_error())
        return core::fail(std::move(*e));
    if (common->on_success) {
        return core::fail(invalid_parameter(
            "Unsupported DestinationConfig parameter for given event source mapping type."));
    }
    if (auto r = common_rules(current, *common); !r)
        return core::fail(r.error());
    return current;
}

json esm_to_json(const esm_info& info) {
    const esm_config& c = info.config;
    json j = json::object();
    j["UUID"] = info.uuid;
    j["EventSourceMappingArn"] = info.arn;
    j["EventSourceArn"] = c.event_source_arn;
    j["FunctionArn"] = info.function_arn;
    j["StartingPosition"] = esm_starting_position_text(c.starting_position);
    j["BatchSize"] = c.batch_size;
    j["MaximumBatchingWindowInSeconds"] = c.maximum_batching_window_s;
    j["ParallelizationFactor"] = c.parallelization_factor;
    j["MaximumRecordAgeInSeconds"] = c.maximum_record_age_s;
    j["MaximumRetryAttempts"] = c.maximum_retry_attempts;
    j["BisectBatchOnFunctionError"] = c.bisect_batch_on_function_error;
    j["TumblingWindowInSeconds"] = c.tumbling_window_s;
    json on_failure = json::object();
    if (!c.on_failure_destination.empty())
        on_failure["Destination"] = c.on_failure_destination;
    j["DestinationConfig"] = {{"OnFailure", std::move(on_failure)}};
    j["FunctionResponseTypes"] =
        c.report_batch_item_failures ? json::array({"ReportBatchItemFailures"}) : json::array();
    if (!c.filter_patterns.empty()) {
        json filters = json::array();
        for (const auto& p : c.filter_patterns) filters.push_back({{"Pattern", p}});
        j["FilterCriteria"] = {{"Filters", std::move(filters)}};
    }
    j["LastModified"] = static_cast<double>(core::to_epoch_ms(info.last_modified)) / 1000.0;
    j["LastProcessingResult"] = info.last_processing_result;
    j["State"] = esm_state_text(info.state);
    j["StateTransitionReason"] = info.state_transition_reason;
    return j;
}

}  // namespace esser::emulator
