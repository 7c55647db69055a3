#include "esser/emulator/lambda/function_registry.hpp"

#include <mutex>

namespace esser::emulator {

core::result<std::shared_ptr<const function_record>> function_registry::add(
    std::shared_ptr<function_record> r) {
    const std::string name = r->info.config.name;
    std::unique_lock lock(mu_);
    if (records_.count(name) != 0) {
        core::error e = core::error::version_conflict("Function already exist: " + name);
        e.type = "ResourceConflictException";
        return core::fail(std::move(e));
    }
    std::shared_ptr<const function_record> added = std::move(r);
    records_.emplace(name, added);
    return added;
}

std::shared_ptr<const function_record> function_registry::find(std::string_view name) const {
    std::shared_lock lock(mu_);
    auto it = records_.find(name);
    return it == records_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const function_record>> function_registry::list() const {
    std::shared_lock lock(mu_);
    std::vector<std::shared_ptr<const function_record>> out;
    out.reserve(records_.size());
    for (const auto& [name, r] : records_) out.push_back(r);
    return out;
}

std::shared_ptr<const function_record> function_registry::remove(std::string_view name) {
    std::unique_lock lock(mu_);
    auto it = records_.find(name);
    if (it == records_.end())
        return nullptr;
    auto r = std::move(it->second);
    records_.erase(it);
    return r;
}

core::result<std::shared_ptr<const function_record>> function_registry::replace(
    const std::shared_ptr<const function_record>& current, std::shared_ptr<function_record> next) {
    const std::string& name = current->info.config.name;
    std::unique_lock lock(mu_);
    auto it = records_.find(name);
    if (it == records_.end() || it->second != current) {
        core::error e = core::error::version_conflict(
            "The operation cannot be performed at this time. An update is in progress for "
            "resource: " +
            current->info.arn);
        e.type = "ResourceConflictException";
        return core::fail(std::move(e));
    }
    next->identity = current->identity;
    it->second = std::move(next);
    return it->second;
}

std::size_t function_registry::size() const {
    std::shared_lock lock(mu_);
    return records_.size();
}

}  // namespace esser::emulator
