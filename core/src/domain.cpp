#include "esser/core/domain.hpp"

#include <set>

#include <fmt/format.h>

#include "esser/core/attribute_json.hpp"

namespace esser::core {

using nlohmann::json;

std::string_view to_string(command_kind k) noexcept {
    switch (k) {
        case command_kind::create:
            return "create";
        case command_kind::update:
            return "update";
        case command_kind::delete_:
            return "delete";
    }
    return "update";
}

bool parse_command_kind(std::string_view t, command_kind& out) noexcept {
    for (auto k : {command_kind::create, command_kind::update, command_kind::delete_}) {
        if (to_string(k) == t) {
            out = k;
            return true;
        }
    }
    return false;
}

const command_def* entity_def::find_command(std::string_view name) const {
    auto it = commands.find(name);
    return it == commands.end() ? nullptr : &it->second;
}

namespace {

// Entity, command and event type names: identifiers, so they are safe in keys ("Item#id"),
// file names and URLs.
bool is_identifier(std::string_view s) {
    if (s.empty() || s.size() > 128)
        return false;
    auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    if (!alpha(s[0]))
        return false;
    for (char c : s) {
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '_')
            return false;
    }
    return true;
}

constexpr const char* identifier_rule =
    "must be an identifier: a letter, then letters, digits or '_' (at most 128)";

template <class Map>
std::string list_keys(const Map& m) {
    std::string out;
    for (const auto& [k, v] : m) {
        if (!out.empty())
            out += ", ";
        out += k;
    }
    return out.empty() ? "(none)" : out;
}

}  // namespace

const entity_def* domain::find(std::string_view entity) const {
    auto it = entities_.find(entity);
    return it == entities_.end() ? nullptr : &it->second;
}

result<const entity_def*> domain::entity(std::string_view name) const {
    if (const auto* e = find(name))
        return e;
    return fail(error::not_found(
        fmt::format("unknown entity '{}'", name),
        {{"/entity", fmt::format("'{}' is not an entity of domain '{}'; known entities: {}", name,
                                 name_, list_keys(entities_))}}));
}

result<const command_def*> domain::command(std::string_view entity_name,
                                           std::string_view name) const {
    auto e = entity(entity_name);
    if (!e)
        return fail(std::move(e).error());
    if (const auto* c = (*e)->find_command(name))
        return c;
    return fail(error::not_found(
        fmt::format("unknown command '{}' for entity '{}'", name, entity_name),
        {{"/command", fmt::format("'{}' is not a command of {}; known commands: {}", name,
                                  entity_name, list_keys((*e)->commands))}}));
}

// ---- builders -------------------------------------------------------------------------------

struct domain_builder::state {
    std::string name;
    std::string description;
    std::map<std::string, std::unique_ptr<entity_builder>, std::less<>> entities;
    std::vector<field_error> problems;
    signals receivers;
};

domain_builder::domain_builder(std::string name) : state_(std::make_unique<state>()) {
    state_->name = std::move(name);
}

domain_builder::~domain_builder() = default;
domain_builder::domain_builder(domain_builder&&) noexcept = default;
domain_builder& domain_builder::operator=(domain_builder&&) noexcept = default;

domain_builder& domain_builder::description(std::string text) {
    state_->description = std::move(text);
    return *this;
}

entity_builder& domain_builder::entity(const std::string& name) {
    auto it = state_->entities.find(name);
    if (it == state_->entities.end()) {
        it = state_->entities
                 .emplace(name, std::unique_ptr<entity_builder>(
                                    new entity_builder(&state_->problems, name)))
                 .first;
    }
    return *it->second;
}

signals& domain_builder::receivers() {
    return state_->receivers;
}

void domain_builder::add_problem(field_error problem) {
    state_->problems.push_back(std::move(problem));
}

entity_builder::entity_builder(std::vector<field_error>* problems, std::string name)
    : problems_(problems) {
    def_.name = std::move(name);
}

std::string entity_builder::pointer() const {
    std::string p = "/entities";
    append_pointer_token(p, def_.name);
    return p;
}

entity_builder& entity_builder::description(std::string text) {
    def_.description = std::move(text);
    return *this;
}

entity_builder& entity_builder::initial_state(json s) {
    def_.initial_state = std::move(s);
    return *this;
}

entity_builder& entity_builder::snapshot_every(std::uint64_t n) {
    def_.snapshots.every = n;
    return *this;
}

entity_builder& entity_builder::keep_command_ids(std::size_t n) {
    def_.snapshots.keep_command_ids = n;
    return *this;
}

entity_builder& entity_builder::command(std::string name, command_kind kind, std::string event_type,
                                        json schema) {
    command_def c;
    c.name = std::move(name);
    c.kind = kind;
    c.events.push_back({std::move(event_type), {}});
    c.schema = std::move(schema);
    return command(std::move(c));
}

entity_builder& entity_builder::command(command_def def) {
    std::string p = pointer() + "/commands";
    append_pointer_token(p, def.name);
    if (def_.commands.count(def.name)) {
        problems_->push_back({p, "is defined twice"});
        return *this;
    }
    def_.commands.emplace(def.name, std::move(def));
    return *this;
}

entity_builder& entity_builder::on(const std::string& event_type, reducer_step step,
                                   std::string where) {
    const std::size_t n = steps_per_event_[event_type]++;
    if (where.empty()) {
        where = pointer() + "/reducer";
        append_pointer_token(where, "on_" + event_type);
        append_pointer_token(where, std::to_string(n));
    }
    if (!is_identifier(event_type)) {
        problems_->push_back(
            {where, fmt::format("event type '{}' {}", event_type, identifier_rule)});
        return *this;
    }
    auto r = def_.reduce.add(event_type, std::move(step), where);
    if (!r) {
        for (auto& f : r.error().fields) problems_->push_back(std::move(f));
    }
    return *this;
}

entity_builder& entity_builder::on(const std::string& event_type, reducer_fn fn) {
    return on(event_type, reducer_step::function("<C++ function>", std::move(fn)));
}

result<std::shared_ptr<const domain>> domain_builder::build() const {
    std::vector<field_error> problems = state_->problems;
    auto d = std::make_shared<domain>();
    d->name_ = state_->name;
    d->description_ = state_->description;
    d->signals_ = state_->receivers;

    if (state_->entities.empty()) {
        problems.push_back({"/entities", "a domain needs at least one entity"});
    }
    for (const auto& [name, eb] : state_->entities) {
        const std::string ep = eb->pointer();
        if (!is_identifier(name))
            problems.push_back({ep, fmt::format("'{}' {}", name, identifier_rule)});
        entity_def e = eb->def_;
        if (!e.initial_state.is_object()) {
            problems.push_back({ep + "/initial_state", "must be a JSON object"});
        }
        for (auto& [cname, c] : e.commands) {
            std::string cp = ep + "/commands";
            append_pointer_token(cp, cname);
            if (!is_identifier(cname))
                problems.push_back({cp, fmt::format("'{}' {}", cname, identifier_rule)});
            if (!c.decide && c.events.empty()) {
                problems.push_back({cp + "/event",
                                    "a command needs an event type (\"event\": \"ItemCreated\"), "
                                    "a list of events, or a decide function"});
            }
            for (std::size_t i = 0; i < c.events.size(); ++i) {
                if (!is_identifier(c.events[i].type)) {
                    const std::string at =
                        c.events.size() == 1 ? cp + "/event" : cp + "/events/" + std::to_string(i);
                    problems.push_back(
                        {at, fmt::format("event type '{}' {}", c.events[i].type, identifier_rule)});
                }
            }
            auto compiled = command_schema::compile(c.schema, cp + "/schema");
            if (!compiled) {
                for (auto& f : compiled.error().fields) problems.push_back(std::move(f));
                continue;
            }
            for (const auto& k : (*compiled)->keywords()) {
                if (!state_->entities.count(k.entity) && !k.entity.empty()) {
                    problems.push_back(
                        {k.schema_pointer,
                         fmt::format("no entity named '{}' in this domain (known: {})", k.entity,
                                     list_keys(state_->entities))});
                }
            }
            c.compiled = std::move(*compiled);
        }
        d->entities_.emplace(name, std::move(e));
    }

    // Receiver filters must name what exists: a typo would silently never fire.
    auto check_filters = [&](const char* signal, const std::vector<sender_filter>& filters) {
        for (std::size_t i = 0; i < filters.size(); ++i) {
            const auto& f = filters[i];
            const std::string at = fmt::format("/receivers/{}/{}", signal, i);
            const entity_builder* eb = nullptr;
            if (!f.entity.empty()) {
                auto it = state_->entities.find(f.entity);
                if (it == state_->entities.end()) {
                    problems.push_back(
                        {at + "/entity", fmt::format("no entity named '{}' (known: {})", f.entity,
                                                     list_keys(state_->entities))});
                    continue;
                }
                eb = it->second.get();
            }
            if (!f.command.empty()) {
                if (std::string_view(signal) == "post_save") {
                    problems.push_back(
                        {at + "/command",
                         "post_save receivers filter by entity and event, not by "
                         "command (stored events do not record the command's name)"});
                    continue;
                }
                bool found = false;
                for (const auto& [n, other] : state_->entities) {
                    if ((!eb || other.get() == eb) && other->def_.commands.count(f.command))
                        found = true;
                }
                if (!found) {
                    problems.push_back(
                        {at + "/command", fmt::format("no command named '{}'{}", f.command,
                                                      eb ? " in entity " + eb->name() : "")});
                }
            }
        }
    };
    check_filters("received", state_->receivers.received_filters());
    check_filters("pre_save", state_->receivers.pre_save_filters());
    check_filters("post_save", state_->receivers.post_save_filters());

    if (!problems.empty()) {
        std::string message = fmt::format("domain '{}' has {} problem{}", state_->name,
                                          problems.size(), problems.size() == 1 ? "" : "s");
        return fail(error::invalid_domain(std::move(message), std::move(problems)));
    }
    return std::shared_ptr<const domain>(std::move(d));
}

}  // namespace esser::core
