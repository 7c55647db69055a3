#pragma once
// esser-lambda: the custom-runtime `bootstrap` that serves a domain's command handler or stream
// handler over the Lambda Runtime API, against DynamoDB through http_transport (HTTPS + SigV4 in
// AWS; esser-local's endpoint locally, via AWS_ENDPOINT_URL).
//
// Configuration (flags win over the environment):
//   --handler command|stream   _HANDLER            which function to serve (required)
//   --domain FILE              ESSER_DOMAIN_FILE   default $LAMBDA_TASK_ROOT/domain.json
//                              ESSER_EVENTS_TABLE, ESSER_SNAPSHOTS_TABLE (default events,
//                              snapshots)
//                              ESSER_READ_STORE    stream handler only: where each aggregate's
//                                                  current state is projected (open_read_store's
//                                                  forms: sqlite:PATH, postgres://..., memory:);
//                                                  states skipped by a gap are rebuilt from the
//                                                  events table. Unset: no projection.
//   --max-invocations N                            stop after N (tests, benchmarks); default 0
//                              ESSER_LOG_LEVEL     trace|debug|info|warn|error|off (default info);
//                                                  JSON lines on stdout (CloudWatch)
//   AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
//   AWS_ENDPOINT_URL[_DYNAMODB]: as http_transport::from_environment reads them.
//
// Every configuration problem (unknown handler, unreadable or invalid domain, missing region or
// credentials) is an init error posted to /runtime/init/error, so it shows in the Lambda
// console and the invoker gets Runtime.* errors instead of a silent crash loop.

#include <string>
#include <vector>

#include "esser/adapters/lambda_runtime/runtime_loop.hpp"

namespace esser::adapters {

struct esser_lambda_settings {
    std::string handler;      // "command" or "stream"
    std::string domain_file;  // empty: from the environment
    std::uint64_t max_invocations = 0;
};

// Parses argv (without argv[0]); errc::invalid_argument naming the bad flag.
core::result<esser_lambda_settings> parse_esser_lambda_args(const std::vector<std::string>& args);

// The init function run_bootstrap calls: domain, transport, store, handler.
runtime_init esser_lambda_init(esser_lambda_settings settings, core::logger log);

// main() of esser-lambda.
int esser_lambda_main(int argc, char** argv);

}  // namespace esser::adapters
