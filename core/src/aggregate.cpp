#include "esser/core/aggregate.hpp"

namespace esser::core {

const command_span* aggregate::find_command(std::string_view command_id) const {
    // Newest first: a retry is most likely about a recent command.
    for (auto it = recent_commands.rbegin(); it != recent_commands.rend(); ++it) {
        if (it->command_id == command_id)
            return &*it;
    }
    return nullptr;
}

}  // namespace esser::core
