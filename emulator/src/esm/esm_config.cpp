#include "esser/emulator/esm/esm_config.hpp"

namespace esser::emulator {

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
