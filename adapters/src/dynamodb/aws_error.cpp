#include "esser/adapters/dynamodb/aws_error.hpp"

#include <array>

namespace esser::adapters {

namespace {
constexpr std::array<std::string_view, 7> coral_service = {"SerializationException",
                                                           "UnknownOperationException",
                                                           "MissingAuthenticationTokenException",
                                                           "IncompleteSignatureException",
                                                           "InvalidSignatureException",
                                                           "UnrecognizedClientException",
                                                           "AccessDeniedException"};

bool in(std::string_view name, auto const& list) {
    for (auto n : list)
        if (n == name)
            return true;
    return false;
}

aws_error make(std::string type, std::string message, int status = 400) {
    aws_error e;
    e.type = std::move(type);
    e.message = std::move(message);
    e.status = status;
    return e;
}
}  // namespace

std::string_view aws_error::type_namespace() const {
    if (type == "ValidationException")
        return "com.amazon.coral.validate";
    if (in(type, coral_service))
        return "com.amazon.coral.service";
    if (type == "ThrottlingException")
        return "com.amazon.coral.availability";
    return "com.amazonaws.dynamodb.v20120810";
}

std::string aws_error::qualified_type() const {
    return std::string(type_namespace()) + "#" + type;
}

bool aws_error::capitalised_message() const {
    return type == "SerializationException" || type == "AccessDeniedException" ||
           type == "TransactionCanceledException";
}

nlohmann::json aws_error::to_json() const {
    nlohmann::json j = extra.is_object() ? extra : nlohmann::json::object();
    j["__type"] = qualified_type();
    if (!message.empty())
        j[capitalised_message() ? "Message" : "message"] = message;
    return j;
}

aws_error aws_error::from_json(int status, const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("__type") || !body["__type"].is_string()) {
        return make("InternalServerError",
                    "unexpected error response (HTTP " + std::to_string(status) +
                        "): " + body.dump().substr(0, 200),
                    status >= 400 ? status : 500);
    }
    aws_error e;
    e.status = status;
    std::string t = body["__type"].get<std::string>();
    if (auto hash = t.rfind('#'); hash != std::string::npos)
        t = t.substr(hash + 1);
    if (auto colon = t.find(':'); colon != std::string::npos)
        t = t.substr(0, colon);
    e.type = std::move(t);
    for (const char* key : {"message", "Message"}) {
        if (auto it = body.find(key); it != body.end() && it->is_string()) {
            e.message = it->get<std::string>();
            break;
        }
    }
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() != "__type" && it.key() != "message" && it.key() != "Message")
            e.extra[it.key()] = it.value();
    }
    return e;
}

aws_error aws_error::validation(std::string m) {
    return make("ValidationException", std::move(m));
}

aws_error aws_error::serialization(std::string m) {
    return make("SerializationException", std::move(m));
}

aws_error aws_error::unknown_operation() {
    return make("UnknownOperationException", {});
}

aws_error aws_error::resource_not_found(std::string m) {
    return make("ResourceNotFoundException", std::move(m));
}

aws_error aws_error::resource_in_use(std::string m) {
    return make("ResourceInUseException", std::move(m));
}

aws_error aws_error::conditional_check_failed(nlohmann::json item) {
    aws_error e = make("ConditionalCheckFailedException", "The conditional request failed");
    if (!item.is_null())
        e.extra["Item"] = std::move(item);
    return e;
}

aws_error aws_error::transaction_canceled(nlohmann::json reasons) {
    std::string codes;
    for (const auto& r : reasons) {
        if (!codes.empty())
            codes += ", ";
        codes += r.value("Code", "None");
    }
    aws_error e = make("TransactionCanceledException",
                       "Transaction cancelled, please refer cancellation reasons for specific "
                       "reasons [" +
                           codes + "]");
    e.extra["CancellationReasons"] = std::move(reasons);
    return e;
}

aws_error aws_error::idempotent_parameter_mismatch(std::string m) {
    return make("IdempotentParameterMismatchException", std::move(m));
}

aws_error aws_error::limit_exceeded(std::string m) {
    return make("LimitExceededException", std::move(m));
}

aws_error aws_error::throttling(std::string m) {
    return make("ThrottlingException", std::move(m));
}

aws_error aws_error::internal(std::string m) {
    return make("InternalServerError", std::move(m), 500);
}

aws_error aws_error::expired_iterator(std::string m) {
    return make("ExpiredIteratorException", std::move(m));
}

aws_error aws_error::trimmed_data_access(std::string m) {
    return make("TrimmedDataAccessException", std::move(m));
}

namespace {
constexpr std::array<std::string_view, 14> throttle_codes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException"};
constexpr std::array<std::string_view, 5> retryable_client_side = {
    "EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError",
    "CRC32CheckFailed"};
}  // namespace

bool is_throttling(const aws_error& e) {
    return e.status != 0 && (in(e.type, throttle_codes) || e.status == 429);
}

bool is_retryable(const aws_error& e) {
    if (e.status == 0)
        return in(e.type, retryable_client_side);
    if (is_throttling(e))
        return true;
    if (e.type == "RequestTimeout" || e.type == "RequestTimeoutException")
        return true;
    return e.status == 500 || e.status == 502 || e.status == 503 || e.status == 504;
}

core::error to_core_error(const aws_error& e) {
    core::error out;
    const std::string text = e.type + (e.message.empty() ? "" : ": " + e.message);
    if (e.status == 0) {
        if (e.type == "ConnectTimeoutError" || e.type == "ReadTimeoutError")
            out = core::error::timeout(text);
        else if (e.type == "ParamValidationError")
            out = core::error::invalid_argument(text);
        else
            out = core::error::unavailable(text);
    } else if (e.type == "ConditionalCheckFailedException") {
        out = core::error::version_conflict(text);
    } else if (e.type == "TransactionCanceledException") {
        bool conditional = false;
        for (const auto& r : e.extra.value("CancellationReasons", nlohmann::json::array()))
            conditional = conditional || r.value("Code", "") == "ConditionalCheckFailed";
        out = conditional ? core::error::version_conflict(text) : core::error::remote(e.type, text);
    } else if (e.type == "ResourceNotFoundException") {
        out = core::error::not_found(text);
    } else if (e.type == "ValidationException") {
        out = core::error::validation(text);
    } else if (is_retryable(e)) {
        out = e.status >= 500 ? core::error::unavailable(text) : core::error::throttled(text);
    } else {
        out = core::error::remote(e.type, text);
    }
    out.type = e.type;
    return out;
}

}  // namespace esser::adapters
