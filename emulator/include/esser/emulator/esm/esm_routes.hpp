#pragma once
// The event source mapping REST API (Lambda 2015-03-31) and the esser API's mapping, drain and
// queue routes, on esser-local's port (spec/streams-and-lambda.md §4.1, §4.5).
//
// register_esm_routes (AWS's API; what the aws cli, boto3 and the SDKs call):
//   POST   /2015-03-31/event-source-mappings/         CreateEventSourceMapping (202)
//   GET    /2015-03-31/event-source-mappings/         ListEventSourceMappings
//          ?EventSourceArn=&FunctionName=&Marker=&MaxItems= (1..10000, default 100)
//   GET    /2015-03-31/event-source-mappings/{uuid}   GetEventSourceMapping (200)
//   PUT    /2015-03-31/event-source-mappings/{uuid}   UpdateEventSourceMapping (202)
//   DELETE /2015-03-31/event-source-mappings/{uuid}   DeleteEventSourceMapping (202)
// (the paths without the trailing slash answer too). Bodies and answers are AWS's
// (esm_request.hpp); errors are {"Type":"User","message":...} with x-amzn-ErrorType, status 400
// for the validation kinds, 404 ResourceNotFoundException, 409 ResourceConflictException.
//
// register_esser_esm_routes (esser's own; errors are the esser API's, rest_error.hpp):
//   POST   /esser/v1/drain                         esm_service::drain(); answers the report
//          {"mappings":[{"UUID","invokes","records_delivered","records_filtered",
//          "function_errors","throttles","batches_discarded","blocked_shards":[...]}],
//          "rounds":n,"idle":bool}
//   GET    /esser/v1/event-source-mappings/{uuid}/status   checkpoints per shard, counters
//   GET    /esser/v1/queues {"queues":[{"name","arn","url","messages","sent"}]} POST
//   /esser/v1/queues                        {"name": "<name or SQS ARN>"} creates (201) GET
//   /esser/v1/queues/{name}/messages        ?max=N&consume=true|false (default false):
//          {"messages":[{"MessageId","Body","MD5OfBody","SentTimestamp"(epoch ms, string)}]}
//   DELETE /esser/v1/queues/{name}/messages        purges: {"purged": n}
//   DELETE /esser/v1/queues/{name}                 deletes the queue (204)
// The queues are esser-local's SQS queues (sqs_service); "messages" counts visible, in-flight
// and delayed ones, the messages routes see the visible ones. {name} is a queue name or its ARN.
// drain() runs on the server thread that received the request: with slow external functions, call
// it from a client with a generous timeout.

#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

class esm_service;
class sqs_service;

// `service` must outlive every request the router dispatches.
void register_esm_routes(router& r, esm_service& service);
// `service` and `queues` must outlive every request the router dispatches.
void register_esser_esm_routes(router& r, esm_service& service, sqs_service& queues);

}  // namespace esser::emulator
