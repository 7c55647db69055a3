#pragma once
// The domain model: entities (aggregate types), each with commands, a reducer, an initial state
// and a snapshot policy; plus the receivers of its signals.
//
// Two ways to get one, same model:
//  - a declarative JSON domain file (domain_file.hpp; format in docs/domain-file.md),
//  - C++ (domain_builder below):
//
//      core::domain_builder b("shop");
//      b.entity("Item")
//          .command("CreateItem", core::command_kind::create, "ItemCreated", item_schema)
//          .command("UpdatePrice", core::command_kind::update, "PriceUpdated", price_schema)
//          .on("ItemCreated", core::reducer_step::merge())
//          .on("PriceUpdated", core::reducer_step::set("/price"))
//          .snapshot_every(100);
//      b.receivers().on_pre_save({.entity = "Item", .command = "UpdatePrice"}, check_price);
//      auto d = b.build();  // result<std::shared_ptr<const domain>>: every problem, by pointer
//
// build() compiles every schema once and checks every reference (entities named by x-keywords,
// receiver filters). Problems are reported together as errc::invalid_domain, each with the JSON
// Pointer of the offending part as it would appear in a domain file ("/entities/Item/commands/
// UpdatePrice/schema/properties/price/type"), whichever way the domain was built.
//
// A built domain is immutable and thread-safe; share it as std::shared_ptr<const domain>.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/aggregate.hpp"
#include "esser/core/command.hpp"
#include "esser/core/command_schema.hpp"
#include "esser/core/error.hpp"
#include "esser/core/reducer.hpp"
#include "esser/core/signals.hpp"

namespace esser::core {

// Persisted by name in domain files: do not rename.
enum class command_kind : std::uint8_t {
    create,  // starts a stream: expects no stream; the id comes from the command or its id
    update,  // changes an existing, not deleted aggregate
    delete_  // like update; its reducer normally marks the aggregate deleted
};

// "create", "update", "delete".
std::string_view to_string(command_kind k) noexcept;
bool parse_command_kind(std::string_view text, command_kind& out) noexcept;

// An event a command decided to emit, before versions and metadata are assigned.
struct new_event {
    std::string type;
    nlohmann::json data = nlohmann::json::object();
};

// What a C++ decide function sees. `data` is the validated payload after x-project.
struct decide_context {
    const command& cmd;
    const aggregate& current;
    const nlohmann::json& data;
};

// Decides the events of a command (the "decide" of a Decider). Pure: no I/O. Returning no
// events is allowed (the command is accepted and nothing is written). An error fails the
// command as is (use error::validation with fields for input problems).
using decide_fn = std::function<result<std::vector<new_event>>(const decide_context&)>;

// A declarative event of a command: its type, and which top-level payload members become its
// data (all when `fields` is empty).
struct event_template {
    std::string type;
    std::vector<std::string> fields;
};

struct command_def {
    std::string name;
    command_kind kind = command_kind::update;
    std::vector<event_template> events;  // used when `decide` is empty
    nlohmann::json schema =
        nlohmann::json{{"type", "object"}, {"properties", nlohmann::json::object()}};
    decide_fn decide;         // optional: replaces `events`
    std::string decide_name;  // its registered name, for messages
    std::string description;
    std::shared_ptr<const command_schema> compiled;  // set by domain_builder::build()
};

struct snapshot_policy {
    std::uint64_t every = 0;             // save a snapshot each time the version crosses a
                                         // multiple of `every`; 0: never
    std::size_t keep_command_ids = 100;  // command ids a snapshot remembers for idempotency
};

struct entity_def {
    std::string name;
    std::string description;
    nlohmann::json initial_state = nlohmann::json::object();
    snapshot_policy snapshots;
    std::map<std::string, command_def, std::less<>> commands;
    reducer reduce;

    const command_def* find_command(std::string_view name) const;
};

class domain {
public:
    const std::string& name() const { return name_; }

    const std::string& description() const { return description_; }

    const std::map<std::string, entity_def, std::less<>>& entities() const { return entities_; }

    const signals& receivers() const { return signals_; }

    // Null when unknown.
    const entity_def* find(std::string_view entity) const;
    // errc::not_found naming "/entity" and the entities that exist.
    [[nodiscard]] result<const entity_def*> entity(std::string_view name) const;
    // errc::not_found naming "/entity" or "/command" and what exists.
    [[nodiscard]] result<const command_def*> command(std::string_view entity,
                                                     std::string_view name) const;

private:
    friend class domain_builder;
    std::string name_;
    std::string description_;
    std::map<std::string, entity_def, std::less<>> entities_;
    signals signals_;
};

class entity_builder;

class domain_builder {
public:
    explicit domain_builder(std::string name = "domain");
    ~domain_builder();
    domain_builder(domain_builder&&) noexcept;
    domain_builder& operator=(domain_builder&&) noexcept;

    domain_builder& description(std::string text);

    // The entity named `name`, created on first use. The reference stays valid for the
    // builder's lifetime (also across moves of the builder).
    entity_builder& entity(const std::string& name);

    // Receivers to install in the built domain.
    signals& receivers();

    // Records a problem found while reading a domain document (used by the file loader).
    void add_problem(field_error problem);

    // Compiles and checks everything. Every problem at once, as errc::invalid_domain.
    // The builder is left unchanged and may be built again.
    [[nodiscard]] result<std::shared_ptr<const domain>> build() const;

private:
    friend class entity_builder;
    struct state;
    std::unique_ptr<state> state_;
};

// Configures one entity; obtained from domain_builder::entity(). Methods chain. Problems are
// recorded and reported by domain_builder::build().
class entity_builder {
public:
    entity_builder& description(std::string text);
    entity_builder& initial_state(nlohmann::json state);
    entity_builder& snapshot_every(std::uint64_t n);
    entity_builder& keep_command_ids(std::size_t n);

    // A command with one event carrying the whole payload.
    entity_builder& command(std::string name, command_kind kind, std::string event_type,
                            nlohmann::json schema);
    // Any command: several events, field selection, or a decide function.
    entity_builder& command(command_def def);

    // Appends a reducer step for `event_type`. `where` is the step's JSON Pointer in a domain
    // document (default: "/entities/<entity>/reducer/on_<event_type>/<n>").
    entity_builder& on(const std::string& event_type, reducer_step step, std::string where = "");
    // Appends a C++ reducer function for `event_type`.
    entity_builder& on(const std::string& event_type, reducer_fn fn);

    const std::string& name() const { return def_.name; }

    // The JSON Pointer of this entity in a domain document: "/entities/<name>".
    std::string pointer() const;

private:
    friend class domain_builder;
    entity_builder(std::vector<field_error>* problems, std::string name);

    std::vector<field_error>* problems_;
    entity_def def_;
    std::map<std::string, std::size_t> steps_per_event_;
};

}  // namespace esser::core
