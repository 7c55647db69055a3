#include "task_domain.hpp"

#include <algorithm>

#include "esser/core/domain_file.hpp"

namespace tasks {

void track_remaining_hours(nlohmann::json& state, const esser::core::event&) {
    const double estimate = state.value("estimate_hours", 0.0);
    const double logged = state.value("hours_logged", 0.0);
    state["remaining_hours"] = std::max(0.0, estimate - logged);
}

esser::core::result<std::shared_ptr<const esser::core::domain>> load_task_domain(
    const std::string& path) {
    auto doc = esser::core::read_json_file(path);
    if (!doc)
        return esser::core::unexpected(doc.error());
    esser::core::domain_builder b = esser::core::read_domain(*doc);
    // Appended after the file's own steps for these events (merge, increment).
    b.entity("Task")
        .on("TaskCreated", track_remaining_hours)
        .on("WorkLogged", track_remaining_hours);
    return b.build();
}

}  // namespace tasks
