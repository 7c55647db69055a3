#pragma once
// esser_api: the domain half of the esser API on esser-local's port (issue 6; DESIGN.md
// "HTTP front"), over core's command handler and aggregate repository:
//
//   POST /esser/v1/commands
//        body: a command as JSON (core/command.hpp: {"entity","command","id"?,"data"?,
//        "command_id"?,"correlation_id"?,"causation_id"?,"expected_version"?})
//        200 {"entity","id","version","events":[...],"state":{...},"duplicate":bool}
//   GET  /esser/v1/aggregates/{entity}/{id}[?version=N]
//        200 {"entity","id","version","state","deleted"}: the state now, or right after event
//        N (time travel; N = 0 is the initial state)
//   GET  /esser/v1/aggregates/{entity}/{id}/events[?after=N][&limit=M]
//        200 {"entity","id","events":[...]} ascending by version; limit 1..10000 (default
//        1000); "next_after" is set when more events follow
//
// Errors are esser_error_response (rest_error.hpp): 400 validation (with JSON Pointers into
// the command, or "/version", "/after", "/limit" for query parameters), 404 unknown entity,
// command or aggregate, 409 version conflict, 410 deleted aggregate, 422 vetoed, 5xx store
// failures. A body that is not a JSON object is 400 parse_error; nothing is written.
//
// Thread safety: the handlers may run concurrently (the command handler and the store are
// thread-safe). The domain, store, clock and ids must outlive the routes.

#include <memory>

#include "esser/core/clock.hpp"
#include "esser/core/command_handler.hpp"
#include "esser/core/domain.hpp"
#include "esser/core/event_store.hpp"
#include "esser/core/id_source.hpp"
#include "esser/core/log_sink.hpp"
#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

class esser_api {
public:
    esser_api(std::shared_ptr<const core::domain> d, core::event_store& store,
              const core::clock& clock, core::id_source& ids, core::logger log = {});

    // Registers the routes above on `r`. This object must outlive the router.
    void install(router& r);

    // Forgets every cached aggregate (a fresh command handler): call it after the store was
    // emptied (POST /esser/v1/reset), or cached states would outlive their events. Requests in
    // flight finish on the handler they started with.
    void reset();

    // The most events one GET .../events answers with.
    static constexpr std::uint64_t max_events_page = 10000;

private:
    http_response post_command(const http_request& req) const;
    http_response get_aggregate(const http_request& req) const;
    http_response get_events(const http_request& req) const;

    std::shared_ptr<const core::command_handler> handler() const;

    std::shared_ptr<const core::domain> domain_;
    core::event_store& store_;
    const core::clock& clock_;
    core::id_source& ids_;
    core::logger log_;
    std::shared_ptr<const core::command_handler> handler_;  // std::atomic_load/_store only
};

}  // namespace esser::emulator
