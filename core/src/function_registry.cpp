#include "esser/core/function_registry.hpp"

namespace esser::core {

bool function_registry::connect(std::string_view signal, std::string_view name,
                                const sender_filter& filter, signals& target) const {
    if (signal == "received") {
        if (const auto* fn = find(received_, name)) {
            target.on_received(filter, *fn);
            return true;
        }
    } else if (signal == "pre_save") {
        if (const auto* fn = find(pre_save_, name)) {
            target.on_pre_save(filter, *fn);
            return true;
        }
    } else if (signal == "post_save") {
        if (const auto* fn = find(post_save_, name)) {
            target.on_post_save(filter, *fn);
            return true;
        }
    }
    return false;
}

std::vector<std::string> function_registry::names(std::string_view kind) const {
    std::vector<std::string> out;
    auto keys = [&](const auto& m) {
        for (const auto& [k, v] : m) out.push_back(k);
    };
    if (kind == "reducer")
        keys(reducers_);
    if (kind == "decider")
        keys(deciders_);
    if (kind == "received")
        keys(received_);
    if (kind == "pre_save")
        keys(pre_save_);
    if (kind == "post_save")
        keys(post_save_);
    return out;
}

}  // namespace esser::core
