// Fuzz target over the request dispatcher of esser-local (issue 6): the input is raw bytes on
// a connection, possibly several pipelined requests. Each is parsed exactly as the server
// parses (parse_http_request, the server's limits), routed, dispatched and its answer
// serialised, through two dispatchers:
//  1. the real composition (local_environment's router: metrics, health, clock API, esser API
//     and Lambda routes, the AWS JSON front with the real DynamoDB engine and whatever other
//     services the build has); the environment is reset every few thousand inputs so the
//     engine's tables stay bounded;
//  2. an AWS JSON front whose DynamoDB service echoes the request back, so the front's every
//     step up to and including answer serialisation is exercised even before the engine
//     answers operations. (Reading AttributeValues with emulator/dynamo's codec would be
//     better, but that header does not compile with clang 14 yet; see issue 6 notes.)
// Invariants checked: no crash, no sanitizer report, every request answered synchronously
// with a well-formed status, and the AWS answers' x-amz-crc32 matching their bodies.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "esser/emulator/app/local_environment.hpp"
#include "esser/emulator/http/aws_wire.hpp"
#include "esser/emulator/http/http_codec.hpp"

using namespace esser::emulator;
using nlohmann::json;

namespace {

struct dispatchers {
    std::unique_ptr<local_environment> env;
    std::shared_ptr<router> real;
    std::unique_ptr<aws_json_front> codec_front;
    std::shared_ptr<router> codec;
};

esser::adapters::aws_result echo(const aws_call& call, const json& request) {
    if (call.operation == "DeleteItem")
        return esser::core::unexpected(esser::adapters::aws_error::conditional_check_failed(
            request.value("Key", json(nullptr))));
    return json{{"Echo", request}, {"Region", call.region}};
}

dispatchers& instance() {
    static dispatchers d = [] {
        dispatchers x;
        local_environment_options o;
        o.manual_clock = true;  // the clock API may move it; a real clock is not needed
        o.seed = 1;
        auto env = local_environment::create(o);
        if (!env)
            std::abort();
        x.env = std::move(*env);
        x.real = x.env->make_router();
        aws_json_front_options fo;
        fo.ids = std::make_shared<esser::core::seeded_id_source>(2);
        fo.max_decoded_body_bytes = 1 << 20;
        x.codec_front = std::make_unique<aws_json_front>(fo);
        x.codec_front->add_service("DynamoDB_20120810",
                                   {"PutItem", "GetItem", "DeleteItem", "UpdateItem", "Query",
                                    "Scan", "ListTables", "TagResource"},
                                   echo);
        x.codec = std::make_shared<router>();
        x.codec->fallback(x.codec_front->handler(), "aws");
        return x;
    }();
    return d;
}

void dispatch_one(const router& r, const http_request& req) {
    bool answered = false;
    http_response got;
    r.dispatch(req, responder([&](http_response res) {
                   answered = true;
                   got = std::move(res);
               }));
    if (!answered)
        std::abort();  // every handler here answers synchronously
    if (got.status < 100 || got.status > 999)
        std::abort();
    if (auto crc = got.headers.get("x-amz-crc32")) {
        if (*crc != std::to_string(crc32_of(got.body)))
            std::abort();
    }
    const std::string wire = serialize_http_response(got, req.version, req.keep_alive);
    if (wire.rfind("HTTP/1.", 0) != 0)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& d = instance();
    static unsigned runs = 0;
    if (++runs % 4096 == 0)
        d.env->reset();
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    http_parse_limits limits;
    limits.max_body_bytes = 1 << 20;
    limits.max_header_bytes = 16 << 10;
    for (int i = 0; i < 8 && !bytes.empty(); ++i) {  // pipelined requests, bounded
        auto parsed = parse_http_request(bytes, limits);
        if (parsed.status != http_parse_status::ok)
            break;
        if (parsed.consumed == 0 || parsed.consumed > bytes.size())
            std::abort();
        parsed.request.remote_endpoint = "127.0.0.1:1";
        dispatch_one(*d.real, parsed.request);
        dispatch_one(*d.codec, parsed.request);
        bytes.remove_prefix(parsed.consumed);
    }
    return 0;
}
