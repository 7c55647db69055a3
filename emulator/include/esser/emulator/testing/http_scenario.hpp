#pragma once
// End-to-end scenarios: a scenario file with "target": "http" scripted against a running
// esser-local over its HTTP API (issue 7 "end-to-end steps"; format in scenarios/README.md).
// What passes here passes against esser-local as a user runs it: the real port, the esser API,
// the projections' event source mapping, SQS.
//
//   esser-local serve --clock manual --seed 42 &           # any domain; manual clock for drains
//   esser-local test --url http://127.0.0.1:8000 scenarios/shop/e2e
//
// Steps (one per element of "steps"; `expect` = {"status"?, "body"?}, body compared as a subset
// with the scenario's ignore patterns; `save` = {"name": "/pointer"} keeps a value of the
// response body for later steps, which write it as "${name}" in any string; "${url}" is the
// server's URL):
//   send        a command (the in-process "when" form) -> POST /esser/v1/commands;
//               expect defaults to status 200
//   request     {"method", "path", "headers"?, "body"?} -> any route; no default expectation
//               but a 2xx status
//   drain       true -> POST /esser/v1/drain; expect defaults to status 200 and {"idle": true}
//   advance     "15m" -> POST /esser/v1/clock/advance     (manual clock)
//   set_clock   "<RFC 3339>" -> POST /esser/v1/clock/set   (manual clock)
//   rotate      "<table>" -> POST /esser/v1/streams/{table}/rotate
//   projection  {"name", "id", "match"?, "value", "version"?} | {"name", "id", "missing": true}
//               or a list -> GET /esser/v1/projections/{name}/{id} (200 and the row's state, or
//               404); drain first when the rows must include the latest events
//   queue       {"name", "count"?, "messages"?: [bodies], "match"?: "contains" | "exact"}
//               -> GET /esser/v1/queues/{name}/messages (not consumed): the visible messages,
//               each Body read as JSON when it is JSON
//   ignoring    patterns added to the scenario's
// Before the steps, POST /esser/v1/reset empties the emulator unless "reset": false.
//
// Failures name the step's JSON Pointer and show the request, the response (status, body) and
// the differences; a server that cannot be reached is an error naming the URL. Requests time
// out after 30 s (a drain of slow external functions).

#include <string>

#include "esser/core/error.hpp"
#include "esser/emulator/testing/scenario.hpp"

namespace esser::emulator {

// Runs `s` (target http) against the esser-local at `url` ("http://127.0.0.1:8000").
[[nodiscard]] core::result<void> run_http_scenario(const scenario& s, const std::string& url);

}  // namespace esser::emulator
