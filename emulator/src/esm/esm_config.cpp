#include "esser/emulator/esm/esm_config.hpp"

#include "esser/emulator/dynamo/document_reader.hpp"

namespace esser::emulator {

using nlohmann::json;

std::string_view esm_state_text(esm_state s) noexcept {
    switch (s) {
        case esm_state::Creating:
            return "Creating";
        case esm_state::Enabling:
            return "Enabling";
        case esm_state::Enabled:
            return "Enabled";
        case esm_state::Disabling:
            return "Disabling";
        case esm_state::Disabled:
            return "Disabled";
        case esm_state::Updating:
            return "Updating";
        case esm_state::Deleting:
            return "Deleting";
    }
    return "Enabled";
}

std::string_view esm_starting_position_text(esm_starting_position p) noexcept {
    return p == esm_starting_position::LATEST ? "LATEST" : "TRIM_HORIZON";
}

json esm_info_state(const esm_info& info) {
    const esm_config& c = info.config;
    return {{"uuid", info.uuid},
            {"arn", info.arn},
            {"function_arn", info.function_arn},
            {"reason", info.state_transition_reason},
            {"last_result", info.last_processing_result},
            {"last_modified_ms", core::to_epoch_ms(info.last_modified)},
            {"event_source_arn", c.event_source_arn},
            {"function_name", c.function_name},
            {"starting_position", esm_starting_position_text(c.starting_position)},
            {"batch_size", c.batch_size},
            {"batching_window_s", c.maximum_batching_window_s},
            {"retry_attempts", c.maximum_retry_attempts},
            {"record_age_s", c.maximum_record_age_s},
            {"bisect", c.bisect_batch_on_function_error},
            {"parallelization", c.parallelization_factor},
            {"on_failure", c.on_failure_destination},
            {"report_item_failures", c.report_batch_item_failures},
            {"filters", c.filter_patterns},
            {"tumbling_window_s", c.tumbling_window_s},
            {"enabled", c.enabled}};
}

core::result<esm_info> esm_info_from_state(const json& j) {
    document_reader r(j, "event source mapping state");
    esm_info info;
    esm_config& c = info.config;
    r.text("uuid", info.uuid);
    r.text("arn", info.arn);
    r.text("function_arn", info.function_arn);
    r.text("reason", info.state_transition_reason);
    r.text("last_result", info.last_processing_result);
    info.last_modified = r.time("last_modified_ms");
    r.text("event_source_arn", c.event_source_arn);
    r.text("function_name", c.function_name);
    std::string position;
    r.text("starting_position", position);
    if (position == "LATEST")
        c.starting_position = esm_starting_position::LATEST;
    else if (position != "TRIM_HORIZON")
        r.note("starting_position");
    c.batch_size = static_cast<std::uint32_t>(r.integer("batch_size", 1, 10000));
    c.maximum_batching_window_s =
        static_cast<std::uint32_t>(r.integer("batching_window_s", 0, 300));
    c.maximum_retry_attempts = static_cast<std::int32_t>(r.integer("retry_attempts", -1, 10000));
    c.maximum_record_age_s = static_cast<std::int32_t>(r.integer("record_age_s", -1, 604800));
    r.boolean("bisect", c.bisect_batch_on_function_error);
    c.parallelization_factor = static_cast<std::uint32_t>(r.integer("parallelization", 1, 10));
    r.text("on_failure", c.on_failure_destination);
    r.boolean("report_item_failures", c.report_batch_item_failures);
    r.strings("filters", c.filter_patterns);
    c.tumbling_window_s = static_cast<std::uint32_t>(r.integer("tumbling_window_s", 0, 900));
    r.boolean("enabled", c.enabled);
    if (auto ok = r.result(); !ok)
        return core::fail(ok.error());
    info.state = c.enabled ? esm_state::Enabled : esm_state::Disabled;
    return info;
}

core::error esm_error(std::string_view type, std::string message) {
    core::errc code = core::errc::validation;
    if (type == "ResourceNotFoundException")
        code = core::errc::not_found;
    else if (type == "ResourceConflictException" || type == "ResourceInUseException")
        code = core::errc::version_conflict;
    else if (type == "ServiceException")
        code = core::errc::internal;
    else if (type == "InvalidRequestContentException")
        code = core::errc::parse_error;
    core::error e;
    e.code = code;
    e.message = std::move(message);
    e.type = std::string(type);
    return e;
}

}  // namespace esser::emulator
