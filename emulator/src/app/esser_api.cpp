#include "esser/emulator/app/esser_api.hpp"

#include <atomic>
#include <optional>
#include <string>

#include "query_params.hpp"
#include <nlohmann/json.hpp>

#include "esser/emulator/http/rest_error.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

// The aggregate's stream from the path, with the entity checked against the domain.
core::result<core::stream_id> stream_from(const core::domain& d, const http_request& req) {
    core::stream_id s{std::string(req.path_param("entity")), std::string(req.path_param("id"))};
    auto e = d.entity(s.entity);
    if (!e)
        return core::fail(e.error());
    return s;
}

}  // namespace

esser_api::esser_api(std::shared_ptr<const core::domain> d, core::event_store& store,
                     const core::clock& clock, core::id_source& ids, core::logger log)
    : domain_(std::move(d)), store_(store), clock_(clock), ids_(ids), log_(std::move(log)) {
    reset();
}

void esser_api::reset() {
    core::command_handler::options o;
    o.log = log_;
    std::atomic_store(&handler_, std::shared_ptr<const core::command_handler>(
                                     std::make_shared<core::command_handler>(
                                         domain_, store_, clock_, ids_, std::move(o))));
}

std::shared_ptr<const core::command_handler> esser_api::handler() const {
    return std::atomic_load(&handler_);
}

void esser_api::install(router& r) {
    r.add_sync(
        "POST", "/esser/v1/commands", [this](const http_request& req) { return post_command(req); },
        "esser.command");
    r.add_sync(
        "GET", "/esser/v1/aggregates/{entity}/{id}",
        [this](const http_request& req) { return get_aggregate(req); }, "esser.aggregate");
    r.add_sync(
        "GET", "/esser/v1/aggregates/{entity}/{id}/events",
        [this](const http_request& req) { return get_events(req); }, "esser.events");
}

http_response esser_api::post_command(const http_request& req) const {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return esser_error_response(
            core::error::parse_error("the request body must be a JSON object: a command such "
                                     "as {\"entity\":\"Item\",\"command\":\"CreateItem\","
                                     "\"data\":{...}}"));
    }
    auto cmd = core::command_from_json(body);
    if (!cmd)
        return esser_error_response(cmd.error());
    auto out = handler()->handle(*cmd);
    if (!out) {
        if (out.error().code == core::errc::internal)
            log_.error("command {}.{} failed: {}", cmd->entity, cmd->name, out.error().message);
        return esser_error_response(out.error());
    }
    return http_response::json(200, json(*out));
}

http_response esser_api::get_aggregate(const http_request& req) const {
    auto s = stream_from(*domain_, req);
    if (!s)
        return esser_error_response(s.error());
    auto version = number_param(req, "version", 0, core::event_store::max_version - 1);
    if (!version)
        return esser_error_response(version.error());
    const auto h = handler();
    const auto& repo = h->repository();
    if (*version) {
        // Time travel: the state right after event N (not_found past the stream's end).
        auto state = repo.state_at(*s, **version);
        if (!state)
            return esser_error_response(state.error());
        const bool deleted = state->is_object() && state->value("deleted", false);
        return http_response::json(200, {{"entity", s->entity},
                                         {"id", s->id},
                                         {"version", **version},
                                         {"state", std::move(*state)},
                                         {"deleted", deleted}});
    }
    auto a = repo.load(*s);
    if (!a)
        return esser_error_response(a.error());
    if (!a->exists()) {
        return esser_error_response(
            core::error::not_found("no " + s->entity + " with id '" + s->id + "'"));
    }
    return http_response::json(200, {{"entity", s->entity},
                                     {"id", s->id},
                                     {"version", a->version},
                                     {"state", std::move(a->state)},
                                     {"deleted", a->deleted}});
}

http_response esser_api::get_events(const http_request& req) const {
    auto s = stream_from(*domain_, req);
    if (!s)
        return esser_error_response(s.error());
    auto after = number_param(req, "after", 0, core::event_store::max_version - 1);
    if (!after)
        return esser_error_response(after.error());
    auto limit = number_param(req, "limit", 1, max_events_page);
    if (!limit)
        return esser_error_response(limit.error());
    const std::uint64_t from = after->value_or(0);
    const std::uint64_t n = limit->value_or(1000);
    // Read one more than asked to know whether a next page exists.
    const std::uint64_t up_to = from > core::event_store::max_version - n - 1
                                    ? core::event_store::max_version
                                    : from + n + 1;
    auto events = store_.read(*s, from, up_to);
    if (!events)
        return esser_error_response(events.error());
    json out = {{"entity", s->entity}, {"id", s->id}, {"events", json::array()}};
    const bool more = events->size() > n;
    if (more)
        events->resize(n);
    for (auto& e : *events) out["events"].push_back(json(e));
    if (more)
        out["next_after"] = events->back().version;
    return http_response::json(200, out);
}

}  // namespace esser::emulator
