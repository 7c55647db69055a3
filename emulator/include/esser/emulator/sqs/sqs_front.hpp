#pragma once
// sqs_front: SQS's two wire protocols on the esser-local port, over sqs_api.
//
//  - AWS JSON 1.0 (current SDKs: JS SDK v3, recent botocore): POST with
//    `X-Amz-Target: AmazonSQS.<Action>` and a JSON body. Answers application/x-amz-json-1.0;
//    errors {"__type":"com.amazonaws.sqs#<Name>","message":...} with the header
//    `x-amzn-query-error: <query code>;<Sender|Receiver>` (SQS Developer Guide,
//    sqs-json-api-responses; the JS SDK v3 needs the header to name the error). A body that is
//    not a JSON object: SerializationException; an unknown action: UnknownOperationException.
//  - query (Debian's aws cli 2.9 and boto3 1.26): form-encoded POST (or GET) with
//    Action=<Action>, to "/" or to the queue URL's path "/<account>/<name>" (which stands for
//    QueueUrl when the form has none). Answers text/xml (sqs_query_codec.hpp); a missing or
//    unknown Action: InvalidAction; a malformed form: MalformedQueryString.
// With a sigv4_guard (esser-local `serve --credentials`), every SQS request of either protocol
// must carry a valid Signature Version 4 for the signing name "sqs" before it is parsed; a
// refusal is SQS's error in the request's protocol (sqs_authentication_error in sqs_error.hpp):
// query: <ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>..., JSON:
// {"__type":"com.amazon.coral.service#InvalidSignatureException",...} with
// x-amzn-query-error: SignatureDoesNotMatch;Sender; status 403 (400 for IncompleteSignature).
// Every answer carries x-amzn-RequestId. A ReceiveMessage that long-polls holds no server
// thread; a client that disconnects drops its parked receive.
//
// Thread-safe; the api and id source must outlive the handlers made here.

#include <memory>

#include "esser/core/id_source.hpp"
#include "esser/emulator/http/router.hpp"

namespace esser::emulator {

class sqs_api;
class sigv4_guard;

class sqs_front {
public:
    // `signatures`: null serves unsigned requests (the default, as before --credentials).
    sqs_front(sqs_api& api, core::id_source& ids,
              std::shared_ptr<const sigv4_guard> signatures = nullptr)
        : api_(api), ids_(ids), signatures_(std::move(signatures)) {}

    // True for requests of either protocol: X-Amz-Target AmazonSQS.*, a POST whose body is a
    // form (application/x-www-form-urlencoded), or a GET whose query has an Action.
    static bool is_sqs_request(const http_request& req);

    // Serves one SQS request (see the header comment).
    void handle(http_request req, responder res) const;

    // A handler that serves SQS requests and passes every other one to `next` unchanged: what
    // esser-local installs as the router's fallback (in front of the DynamoDB front) and on
    // "/{account}/{queue}".
    http_handler wrap(http_handler next) const;

private:
    void handle_json(http_request req, responder res, std::string request_id) const;
    void handle_query(http_request req, responder res, std::string request_id) const;

    sqs_api& api_;
    core::id_source& ids_;
    std::shared_ptr<const sigv4_guard> signatures_;
};

}  // namespace esser::emulator
