#pragma once
// projection_api: the read half of the esser API (issues 6 and 9; DESIGN.md "HTTP front"):
// projections as the configured read store (core::read_store: memory, SQLite or PostgreSQL)
// holds them. A projection is a read-store collection; the built-in aggregate-state projection
// writes one per entity ("Item" -> "item", core::aggregate_state_projection::collection_for).
//
//   GET /esser/v1/projections
//        200 {"projections":["basket","item"]}: the known names, sorted
//   GET /esser/v1/projections/{name}[?limit=N][&next=TOKEN][&FIELD=VALUE...]
//        200 {"projection":name,"items":[{"id","version","updated_at","state"}...],
//             "next":TOKEN?}: documents in ascending id order; limit 1..1000 (default 100);
//        "next" is present when another page may follow: pass it back as ?next= (with the same
//        filter). Every other parameter is an equality filter on a top-level member of the
//        state: ?status=open, ?price=10 (a value that reads as a JSON number, true, false or
//        null compares as that; "\"10\"" in JSON quotes is the string "10"; anything else is
//        the text as given). Numbers compare numerically (10 == 10.0).
//   GET /esser/v1/projections/{name}/{id}
//        200 {"projection","id","version","updated_at","state"}
//
// Errors (esser_error_response, rest_error.hpp):
//   404 not_found: an unknown projection (neither a domain projection nor a collection of the
//       store), or a missing document;
//   400 validation: limit out of range ("/limit"), a next token this projection did not hand
//       out ("/next"), a bad filter: a field name outside [A-Za-z0-9_-]{1,64}, a malformed
//       %-escape ("/<field>");
//   503 unavailable: the read store is down (SQLITE_BUSY, PostgreSQL gone): retry later.
//
// Thread safety: the handlers may run concurrently (read stores are thread-safe). The store
// must outlive the routes.

#include <functional>
#include <string>
#include <vector>

#include "esser/core/read_store.hpp"
#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

class projection_api {
public:
    // `domain_projections`: the names that exist even before their first write (the domain's
    // entity collections), so they read as empty instead of unknown.
    projection_api(core::read_store& store, std::vector<std::string> domain_projections);

    // Registers the routes above on `r`. This object must outlive the router.
    void install(router& r);

    // The opaque paging token for continuing `projection` after the id `after`, and back.
    // parse_next returns errc::validation for a token of another projection or not one at all.
    static std::string make_next(std::string_view projection, std::string_view after);
    static core::result<std::string> parse_next(std::string_view projection,
                                                std::string_view token);

private:
    http_response list_names() const;
    http_response list(const http_request& req) const;
    http_response get(const http_request& req) const;
    // errc::not_found unless `name` is a domain projection or a collection of the store.
    core::result<void> check_known(const std::string& name) const;

    core::read_store& store_;
    std::vector<std::string> domain_projections_;  // sorted
};

}  // namespace esser::emulator
