#include "esser/core/aggregate.hpp"

namespace esser::core {

const command_span* aggregate::find_command(std::string_view command_id) const {
    if (command_id.empty())
        return nullptr;
    // Newest first: a retry is most likely about a recent command. Ids are mostly UUIDs, so the
    // first character rejects most candidates without a full comparison.
    for (auto it = recent_commands.rbegin(); it != recent_commands.rend(); ++it) {
        const std::string& c = it->command_id;
        if (c.size() == command_id.size() && c[0] == command_id[0] && c == command_id)
            return &*it;
    }
    return nullptr;
}

}  // namespace esser::core
