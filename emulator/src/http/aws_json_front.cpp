#include "esser/emulator/http/aws_json_front.hpp"

#include <algorithm>

#include "json_reader.hpp"

#include "esser/emulator/http/aws_wire.hpp"
#include "esser/emulator/http/sigv4_guard.hpp"

namespace esser::emulator {

namespace {

using adapters::aws_error;
using nlohmann::json;

constexpr std::string_view amz_json_10 = "application/x-amz-json-1.0";
constexpr std::string_view plain_json = "application/json";
// JSON nesting a valid request can reach: the envelope (TransactItems -> Put -> Item) plus two
// levels per AttributeValue level and DynamoDB's limit of 32 of those is about 70.
constexpr std::size_t max_json_depth = 128;

std::string lower_trimmed(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    std::string out(v);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c + 32);
    return out;
}

// "application/json; charset=utf-8" -> "application/json".
std::string media_type(std::string_view content_type) {
    return lower_trimmed(content_type.substr(0, content_type.find(';')));
}

// What every answer of the front carries (spec §1.2, §1.4 step 1).
struct answer_context {
    std::string request_id;
    bool cors = false;
    std::string content_type;  // of JSON answers
};

http_response finish(http_response r, const answer_context& ctx) {
    r.headers.set("x-amzn-RequestId", ctx.request_id);
    if (ctx.cors)
        r.headers.set("Access-Control-Allow-Origin", "*");
    return r;
}

http_response json_answer(int status, std::string body, const answer_context& ctx,
                          std::string operation) {
    http_response r;
    r.status = status;
    r.headers.set("x-amz-crc32", std::to_string(crc32_of(body)));
    r.headers.set("Content-Type", ctx.content_type);
    r.body = std::move(body);
    r.operation = std::move(operation);
    return finish(std::move(r), ctx);
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

http_response error_answer(const aws_error& e, const answer_context& ctx, std::string operation) {
    return json_answer(e.status, dump(e.to_json()), ctx, std::move(operation));
}

}  // namespace

aws_json_front::aws_json_front(aws_json_front_options options, core::logger log)
    : options_(std::move(options)), log_(std::move(log)) {
    if (!options_.ids)
        options_.ids = std::make_shared<core::random_id_source>();
}

namespace {

aws_async_service make_async(aws_service service) {
    return [svc = std::move(service)](aws_call call, json request,
                                      std::function<void(adapters::aws_result)> done) {
        done(svc(call, request));
    };
}

// The text of a JSON answer: its compact dump ({} for null).
aws_text_result to_text(adapters::aws_result result) {
    if (!result)
        return core::unexpected(std::move(result.error()));
    return result->is_null() ? std::string("{}") : dump(*result);
}

aws_json_front::operation_filter in_list(std::vector<std::string> operations) {
    std::sort(operations.begin(), operations.end());
    return [ops = std::move(operations)](std::string_view op) {
        return std::binary_search(ops.begin(), ops.end(), op);
    };
}

}  // namespace

void aws_json_front::add_service(std::string target_prefix, std::vector<std::string> operations,
                                 aws_service service) {
    add_async_service(std::move(target_prefix), in_list(std::move(operations)),
                      make_async(std::move(service)));
}

void aws_json_front::add_async_service(std::string target_prefix,
                                       std::vector<std::string> operations,
                                       aws_async_service service) {
    add_async_service(std::move(target_prefix), in_list(std::move(operations)), std::move(service));
}

void aws_json_front::add_service(std::string target_prefix, operation_filter serves,
                                 aws_service service) {
    add_async_service(std::move(target_prefix), std::move(serves), make_async(std::move(service)));
}

void aws_json_front::add_async_service(std::string target_prefix, operation_filter serves,
                                       aws_async_service service) {
    add_entry(
        std::move(target_prefix), std::move(serves),
        [svc = std::move(service)](aws_call call, json request,
                                   std::function<void(aws_text_result)> done) {
            svc(std::move(call), std::move(request),
                [done = std::move(done)](adapters::aws_result r) { done(to_text(std::move(r))); });
        });
}

void aws_json_front::add_text_service(std::string target_prefix, operation_filter serves,
                                      aws_text_service service, aws_text_reader reader) {
    add_entry(std::move(target_prefix), std::move(serves),
              [svc = std::move(service)](aws_call call, json request,
                                         std::function<void(aws_text_result)> done) {
                  done(svc(call, request));
              });
    services_.back().reader = std::move(reader);
}

void aws_json_front::add_entry(std::string target_prefix, operation_filter serves,
                               text_service call) {
    service_entry e;
    e.label = target_prefix.substr(0, target_prefix.find('_'));
    e.prefix = std::move(target_prefix);
    e.serves = std::move(serves);
    e.call = std::move(call);
    std::erase_if(services_, [&](const service_entry& s) { return s.prefix == e.prefix; });
    services_.push_back(std::move(e));
}

bool aws_json_front::has_service(std::string_view target_prefix) const {
    return find(target_prefix) != nullptr;
}

const aws_json_front::service_entry* aws_json_front::find(std::string_view prefix) const {
    for (const auto& s : services_)
        if (s.prefix == prefix)
            return &s;
    return nullptr;
}

http_handler aws_json_front::handler() const {
    return [this](http_request req, responder res) { handle(std::move(req), std::move(res)); };
}

http_response aws_json_front::unknown_operation_404() {
    // dynalite connection.js: this exact body, and the crc32 of it.
    http_response r = http_response::empty(404);
    r.body = "<UnknownOperationException/>\n";
    r.headers.set("x-amz-crc32", "3552371480");
    r.operation = "aws.invalid_request";
    return r;
}

void aws_json_front::handle(http_request req, responder res) const {
    answer_context ctx;
    ctx.request_id = options_.ids->alnum_upper(52);
    ctx.cors = req.headers.contains("Origin");

    // Step 1: CORS preflight, health, method and Content-Type.
    if (ctx.cors && req.method == "OPTIONS") {
        http_response r = http_response::empty(200);
        if (auto h = req.headers.get("Access-Control-Request-Headers"))
            r.headers.set("Access-Control-Allow-Headers", std::string(*h));
        if (auto m = req.headers.get("Access-Control-Request-Method"))
            r.headers.set("Access-Control-Allow-Methods", std::string(*m));
        r.headers.set("Access-Control-Max-Age", "172800");
        r.operation = "aws.cors_preflight";
        res.send(finish(std::move(r), ctx));
        return;
    }
    if (req.method == "GET" && req.path() == "/") {
        http_response r = http_response::text(
            200, "healthy: dynamodb." + options_.default_region + ".amazonaws.com ");
        r.operation = "aws.health";
        res.send(finish(std::move(r), ctx));
        return;
    }
    const std::string media = media_type(req.headers.value_or("Content-Type"));
    if (req.method != "POST" ||
        (!req.body.empty() && media != amz_json_10 && media != plain_json)) {
        res.send(finish(unknown_operation_404(), ctx));
        return;
    }
    ctx.content_type = std::string(media == amz_json_10 ? amz_json_10 : plain_json);

    // Content-Encoding (spec §1.7): gzip is decoded; anything else is a 500. req.body keeps
    // the bytes as received: a signature covers those.
    std::string decoded_body;
    const std::string* body_ptr = &req.body;
    if (auto enc = req.headers.get("Content-Encoding")) {
        const std::string e = lower_trimmed(*enc);
        if (e == "gzip") {
            auto decoded = gunzip(req.body, options_.max_decoded_body_bytes);
            if (!decoded) {
                if (decoded.error() == gunzip_error::too_large) {
                    http_response r = http_response::empty(413);
                    r.operation = "aws.too_large";
                    res.send(finish(std::move(r), ctx));
                    return;
                }
                res.send(error_answer(aws_error::internal("The request body could not be "
                                                          "decompressed (invalid gzip)."),
                                      ctx, "aws.bad_encoding"));
                return;
            }
            decoded_body = std::move(*decoded);
            body_ptr = &decoded_body;
        } else if (!e.empty() && e != "identity") {
            res.send(error_answer(
                aws_error::internal("Unsupported Content-Encoding: " + std::string(*enc)), ctx,
                "aws.bad_encoding"));
            return;
        }
    }

    const std::string& body = *body_ptr;

    // The target is read now, its errors sent at step 3: a service may take the body as text.
    const std::string_view target = req.headers.value_or("X-Amz-Target");
    const auto dot = target.find('.');
    const service_entry* svc = nullptr;
    std::string_view op;
    if (dot != std::string_view::npos && target.find('.', dot + 1) == std::string_view::npos) {
        svc = find(target.substr(0, dot));
        op = target.substr(dot + 1);
        if (svc && (op.empty() || !svc->serves(op)))
            svc = nullptr;
    }
    // A body the service's reader takes is a JSON object: step 2 has nothing to refuse.
    std::function<aws_text_result()> prepared;
    if (svc && svc->reader && !body.empty())
        prepared = svc->reader(op, body);

    // Step 2: the body must be JSON (an object).
    json request;
    bool deep = false;  // nested beyond max_json_depth: refused after the checks below
    if (!body.empty() && !prepared) {
        auto read = detail::read_json(body, request, max_json_depth);
        if (read == detail::json_read_status::too_deep) {
            // json_reader stops there; json::parse decides whether it is JSON at all.
            request = json::parse(body, nullptr, false);
            read = request.is_discarded() ? detail::json_read_status::invalid
                                          : detail::json_read_status::ok;
            deep = true;
        }
        if (read != detail::json_read_status::ok || !request.is_object()) {
            res.send(error_answer(aws_error::serialization(), ctx, "aws.serialization"));
            return;
        }
    }

    // Step 3: the target names a registered operation.
    if (!svc) {
        res.send(error_answer(aws_error::unknown_operation(), ctx, "aws.unknown_operation"));
        return;
    }
    std::string operation = svc->label + "." + std::string(op);

    // Step 4: credentials. The scope's region is used either way; checks only on request:
    // the header's form (require_header) or the whole signature (verify_signature).
    aws_call call;
    call.target_prefix = svc->prefix;
    call.operation = std::string(op);
    call.request_id = ctx.request_id;
    call.region = options_.default_region;
    const auto authorization = req.headers.get("Authorization");
    if (authorization) {
        if (auto scope = parse_sigv4_scope(*authorization)) {
            if (!scope->region.empty())
                call.region = scope->region;
            call.access_key_id = scope->access_key_id;
        }
    }
    if (options_.auth == aws_auth_mode::verify_signature) {
        if (!options_.signatures) {
            res.send(
                error_answer(aws_error::internal("no credentials configured"), ctx, operation));
            return;
        }
        // Streams are signed with DynamoDB's signing name (botocore: dynamodbstreams signs as
        // "dynamodb").
        auto identity = options_.signatures->verify(req, "dynamodb");
        if (!identity) {
            res.send(error_answer(identity.error(), ctx, operation));
            return;
        }
        call.region = identity->region;
        call.access_key_id = identity->access_key_id;
    } else if (options_.auth == aws_auth_mode::require_header) {
        if (!authorization || lower_trimmed(authorization->substr(0, 5)) != "aws4-") {
            aws_error e;
            e.type = "MissingAuthenticationTokenException";
            e.message = "Request is missing Authentication Token";
            res.send(error_answer(e, ctx, operation));
            return;
        }
        const bool has_date = req.headers.contains("X-Amz-Date") || req.headers.contains("Date");
        if (auto msg = incomplete_signature_message(*authorization, has_date); !msg.empty()) {
            aws_error e;
            e.type = "IncompleteSignatureException";
            e.message = std::move(msg);
            res.send(error_answer(e, ctx, operation));
            return;
        }
    }

    // Step 5: an operation needs a body.
    if (body.empty()) {
        res.send(error_answer(aws_error::serialization(), ctx, operation));
        return;
    }
    // Guard for recursive consumers (AttributeValue conversion): far beyond any valid request.
    if (deep && json_nesting_depth(body, max_json_depth) > max_json_depth) {
        res.send(error_answer(
            aws_error::validation("Nesting Levels have exceeded supported limits: Attributes "
                                  "in the item have nested levels beyond supported limit"),
            ctx, operation));
        return;
    }

    // Steps 6+: the service.
    const bool empty_success_body = op == "TagResource" || op == "UntagResource";
    auto done = [res, ctx, operation, empty_success_body, log = log_](aws_text_result result) {
        if (result) {
            if (empty_success_body)
                result->clear();
            res.send(json_answer(200, std::move(*result), ctx, operation));
            return;
        }
        if (result.error().status >= 500)
            log.log(core::log_level::warn, ctx.request_id, "{} failed: {} {}", operation,
                    result.error().type, result.error().message);
        res.send(error_answer(result.error(), ctx, operation));
    };
    try {
        if (prepared)
            done(prepared());
        else
            svc->call(std::move(call), std::move(request), done);
    } catch (const std::exception& e) {
        log_.log(core::log_level::error, ctx.request_id, "{} threw: {}", operation, e.what());
        done(core::unexpected(aws_error::internal("internal error")));
    } catch (...) {
        log_.log(core::log_level::error, ctx.request_id, "{} threw", operation);
        done(core::unexpected(aws_error::internal("internal error")));
    }
}

}  // namespace esser::emulator
