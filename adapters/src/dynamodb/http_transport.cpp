#include "esser/adapters/dynamodb/http_transport.hpp"

#include <atomic>
#include <charconv>
#include <random>
#include <thread>

#include <zlib.h>

#include "esser/adapters/aws/aws_config.hpp"
#include "esser/adapters/aws/sigv4_signer.hpp"

namespace esser::adapters {

namespace {

aws_error client_error(std::string type, std::string message) {
    aws_error e;
    e.type = std::move(type);
    e.message = std::move(message);
    e.status = 0;
    return e;
}

aws_error from_failure(const http_failure& f) {
    switch (f.what) {
        case http_failure::kind::resolve:
        case http_failure::kind::connect:
            return client_error("EndpointConnectionError", f.message);
        case http_failure::kind::connect_timeout:
            return client_error("ConnectTimeoutError", f.message);
        case http_failure::kind::tls:
            return client_error("SSLError", f.message);
        case http_failure::kind::timeout:
            return client_error("ReadTimeoutError", f.message);
        case http_failure::kind::closed:
            return client_error("ConnectionClosedError", f.message);
        case http_failure::kind::protocol:
            return client_error("ResponseParserError", f.message);
    }
    return client_error("ConnectionClosedError", f.message);
}

bool same_origin(const url& a, const url& b) {
    return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

double default_random() {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

std::string snippet(std::string_view body) {
    std::string s(body.substr(0, 200));
    if (body.size() > 200)
        s += "...";
    return s;
}

}  // namespace

core::result<http_transport_options> http_transport_options::from_environment(
    const environment_lookup& env) {
    auto config = aws_config::from_environment(env);
    if (!config)
        return core::fail(config.error());
    http_transport_options o;
    o.region = config->region;
    o.creds = config->creds;
    o.dynamodb_endpoint = config->dynamodb_endpoint;
    o.streams_endpoint = config->streams_endpoint;
    // As botocore: a PEM bundle of CAs to trust instead of the system store.
    if (auto ca = env("AWS_CA_BUNDLE"); ca && !ca->empty())
        o.http.tls.ca_file = *ca;
    return o;
}

bool http_transport::is_streams_operation(std::string_view op) noexcept {
    return op == "ListStreams" || op == "DescribeStream" || op == "GetShardIterator" ||
           op == "GetRecords";
}

struct http_transport::impl {
    http_transport_options options;
    sigv4_signer signer;
    std::unique_ptr<http_client> dynamodb;
    std::unique_ptr<http_client> streams;  // null: Streams shares `dynamodb`
    std::atomic<std::uint64_t> calls{0}, attempts{0}, retries{0}, gave_up{0};

    explicit impl(http_transport_options o)
        : options(std::move(o)), signer(options.region, "dynamodb") {}

    // One attempt's outcome from an HTTP response.
    aws_result interpret(const http_response& res, const url& endpoint) const {
        if (const auto* crc = res.headers.find("x-amz-crc32")) {
            std::uint32_t expected = 0;
            auto [p, ec] = std::from_chars(crc->data(), crc->data() + crc->size(), expected);
            const auto actual = static_cast<std::uint32_t>(
                crc32(0L, reinterpret_cast<const Bytef*>(res.body.data()),
                      static_cast<uInt>(res.body.size())));
            if (ec != std::errc{} || p != crc->data() + crc->size() || expected != actual)
                return core::unexpected(client_error(
                    "CRC32CheckFailed", "x-amz-crc32 mismatch on the HTTP " +
                                            std::to_string(res.status) + " response from " +
                                            endpoint.to_string() + ": header '" + *crc +
                                            "', body " + std::to_string(actual)));
        }
        auto body = nlohmann::json::parse(res.body, nullptr, /*allow_exceptions=*/false);
        if (res.status >= 200 && res.status < 300) {
            if (body.is_discarded() || !body.is_object())
                return core::unexpected(client_error(
                    "ResponseParserError", "the HTTP " + std::to_string(res.status) +
                                               " response from " + endpoint.to_string() +
                                               " is not a JSON object: '" + snippet(res.body) +
                                               "'"));
            return body;
        }
        if (body.is_discarded())
            body = std::string(snippet(res.body));
        const bool typed = body.is_object() && body.contains("__type");
        if (!typed) {
            // Some front ends name the error only in a header (JS v3 reads it too).
            if (const auto* t = res.headers.find("x-amzn-errortype")) {
                nlohmann::json b = body.is_object() ? body : nlohmann::json::object();
                b["__type"] = *t;
                if (!b.contains("message") && !b.contains("Message") && !body.is_object())
                    b["message"] = body.is_string() ? body.get<std::string>() : body.dump();
                return core::unexpected(aws_error::from_json(res.status, b));
            }
        }
        return core::unexpected(aws_error::from_json(res.status, body));
    }
};

core::result<std::unique_ptr<http_transport>> http_transport::create(http_transport_options o) {
    auto invalid = [](std::string type, std::string message) {
        core::error e = core::error::invalid_argument(std::move(message));
        e.type = std::move(type);
        return core::fail(std::move(e));
    };
    if (!valid_region_name(o.region))
        return invalid("InvalidRegionError",
                       "http_transport: invalid region '" + o.region + "' (e.g. 'eu-west-1')");
    if (o.dynamodb_endpoint.host.empty())
        return invalid("InvalidEndpointError", "http_transport: no DynamoDB endpoint");
    if (!o.credentials_source &&
        (o.creds.access_key_id.empty() || o.creds.secret_access_key.empty()))
        return invalid("NoCredentialsError",
                       "http_transport: no credentials (access key id and secret are required)");
    if (o.retry.max_attempts < 1)
        return invalid("InvalidRetryPolicy", "http_transport: retry.max_attempts must be >= 1");
    if (o.streams_endpoint.host.empty())
        o.streams_endpoint = o.dynamodb_endpoint;
    if (!o.clock)
        o.clock = std::make_shared<core::system_clock>();
    if (!o.sleep)
        o.sleep = [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); };
    if (!o.random)
        o.random = default_random;

    auto p = std::make_unique<impl>(std::move(o));
    auto ddb = http_client::create(p->options.dynamodb_endpoint, p->options.http);
    if (!ddb)
        return core::fail(ddb.error());
    p->dynamodb = std::move(*ddb);
    if (!same_origin(p->options.streams_endpoint, p->options.dynamodb_endpoint)) {
        auto st = http_client::create(p->options.streams_endpoint, p->options.http);
        if (!st)
            return core::fail(st.error());
        p->streams = std::move(*st);
    }
    return std::unique_ptr<http_transport>(new http_transport(std::move(p)));
}

core::result<std::unique_ptr<http_transport>> http_transport::from_environment(
    const environment_lookup& env) {
    auto o = http_transport_options::from_environment(env);
    if (!o)
        return core::fail(o.error());
    return create(std::move(*o));
}

http_transport::http_transport(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

http_transport::~http_transport() = default;

http_transport::statistics http_transport::stats() const {
    statistics s;
    s.calls = impl_->calls.load();
    s.attempts = impl_->attempts.load();
    s.retries = impl_->retries.load();
    s.gave_up = impl_->gave_up.load();
    s.dynamodb = impl_->dynamodb->stats();
    if (impl_->streams)
        s.streams = impl_->streams->stats();
    return s;
}

aws_result http_transport::call(std::string_view operation, const nlohmann::json& request) {
    auto& p = *impl_;
    ++p.calls;
    if (operation.empty() ||
        operation.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
            std::string_view::npos)
        return core::unexpected(client_error(
            "ParamValidationError", "invalid operation name '" + std::string(operation) + "'"));
    if (!request.is_object())
        return core::unexpected(
            client_error("ParamValidationError",
                         "the request of " + std::string(operation) + " must be a JSON object"));
    std::string body;
    try {
        body = request.dump();
    } catch (const nlohmann::json::exception& e) {  // invalid UTF-8 in a string
        return core::unexpected(client_error(
            "ParamValidationError",
            "the request of " + std::string(operation) + " cannot be serialised: " + e.what()));
    }
    credentials creds = p.options.creds;
    if (p.options.credentials_source) {
        auto c = p.options.credentials_source();
        if (!c)
            return core::unexpected(client_error(
                c.error().type.empty() ? "NoCredentialsError" : c.error().type, c.error().message));
        creds = std::move(*c);
    }

    const bool streams = is_streams_operation(operation);
    const url& endpoint = streams ? p.options.streams_endpoint : p.options.dynamodb_endpoint;
    http_client& client = (streams && p.streams) ? *p.streams : *p.dynamodb;
    std::string target = streams ? "DynamoDBStreams_20120810." : "DynamoDB_20120810.";
    target.append(operation);
    const int max = p.options.retry.max_attempts;

    aws_error last;
    for (int attempt = 1;; ++attempt) {
        ++p.attempts;
        http_request req;
        req.method = "POST";
        req.target = endpoint.path.empty() ? "/" : endpoint.path;
        req.headers.add("Host", endpoint.host_header());
        req.headers.add("Content-Type", "application/x-amz-json-1.0");
        req.headers.add("X-Amz-Target", target);
        req.headers.add("User-Agent", p.options.user_agent);
        req.headers.add("amz-sdk-request",
                        "attempt=" + std::to_string(attempt) + "; max=" + std::to_string(max));
        req.body = body;
        p.signer.sign(req, creds, p.options.clock->now());

        auto res = client.send(std::move(req));
        aws_result outcome = res ? p.interpret(*res, endpoint)
                                 : aws_result(core::unexpected(from_failure(res.error())));
        if (outcome)
            return outcome;
        last = std::move(outcome.error());
        if (!is_retryable(last))
            return core::unexpected(std::move(last));
        if (attempt >= max)
            break;
        ++p.retries;
        p.options.sleep(p.options.retry.backoff(attempt, is_throttling(last), p.options.random()));
    }
    ++p.gave_up;
    if (max > 1) {
        if (!last.message.empty())
            last.message += " ";
        last.message += "(gave up after " + std::to_string(max) + " attempts)";
    }
    return core::unexpected(std::move(last));
}

}  // namespace esser::adapters
