#include "esser/core/error.hpp"

#include <utility>

namespace esser::core {

std::string_view to_string(errc code) noexcept {
    switch (code) {
        case errc::internal:
            return "internal";
        case errc::validation:
            return "validation";
        case errc::version_conflict:
            return "version_conflict";
        case errc::not_found:
            return "not_found";
        case errc::aggregate_deleted:
            return "aggregate_deleted";
        case errc::vetoed:
            return "vetoed";
        case errc::invalid_domain:
            return "invalid_domain";
        case errc::parse_error:
            return "parse_error";
        case errc::throttled:
            return "throttled";
        case errc::unavailable:
            return "unavailable";
        case errc::timeout:
            return "timeout";
        case errc::remote:
            return "remote";
        case errc::invalid_argument:
            return "invalid_argument";
    }
    return "internal";
}

namespace {
error make(errc code, std::string message, std::vector<field_error> fields = {}) {
    error e;
    e.code = code;
    e.message = std::move(message);
    e.fields = std::move(fields);
    return e;
}
}  // namespace

error error::internal(std::string m) {
    return make(errc::internal, std::move(m));
}

error error::validation(std::string m, std::vector<field_error> f) {
    return make(errc::validation, std::move(m), std::move(f));
}

error error::version_conflict(std::string m) {
    return make(errc::version_conflict, std::move(m));
}

error error::not_found(std::string m, std::vector<field_error> f) {
    return make(errc::not_found, std::move(m), std::move(f));
}

error error::aggregate_deleted(std::string m) {
    return make(errc::aggregate_deleted, std::move(m));
}

error error::vetoed(std::string type, std::string m) {
    error e = make(errc::vetoed, std::move(m));
    e.type = std::move(type);
    return e;
}

error error::invalid_domain(std::string m, std::vector<field_error> f) {
    return make(errc::invalid_domain, std::move(m), std::move(f));
}

error error::parse_error(std::string m, std::vector<field_error> f) {
    return make(errc::parse_error, std::move(m), std::move(f));
}

error error::throttled(std::string m) {
    return make(errc::throttled, std::move(m));
}

error error::unavailable(std::string m) {
    return make(errc::unavailable, std::move(m));
}

error error::timeout(std::string m) {
    return make(errc::timeout, std::move(m));
}

error error::remote(std::string type, std::string m) {
    error e = make(errc::remote, std::move(m));
    e.type = std::move(type);
    return e;
}

error error::invalid_argument(std::string m) {
    return make(errc::invalid_argument, std::move(m));
}

bool error::retryable() const noexcept {
    return code == errc::throttled || code == errc::unavailable || code == errc::timeout;
}

std::string error::describe() const {
    std::string out;
    if (!source.empty()) {
        out += source;
        out += ": ";
    }
    out += to_string(code);
    if (!type.empty()) {
        out += " (";
        out += type;
        out += ")";
    }
    out += ": ";
    out += message;
    if (!fields.empty()) {
        out += " [";
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i)
                out += "; ";
            out += fields[i].pointer.empty() ? "(document)" : fields[i].pointer;
            out += ": ";
            out += fields[i].reason;
        }
        out += "]";
    }
    return out;
}

}  // namespace esser::core
