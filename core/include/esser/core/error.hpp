#pragma once
// The value every expected failure travels as, and result<T>.
//
// Expected failures (bad input, conflicts, missing things, remote service errors) are values,
// never exceptions. Exceptions are reserved for broken invariants and infrastructure faults
// (DESIGN.md "Error model"). Each boundary translates `error` exactly once: the HTTP front to an
// AWS-shaped JSON body and status, the Lambda entry to a function error, the CLI to a message and
// an exit code.

#include <string>
#include <string_view>
#include <vector>

#include "esser/core/expected.hpp"

namespace esser::core {

// Kinds of expected failure. Only the names are stable (they appear in JSON and in scenario
// files as `type`); the numeric values are not persisted anywhere.
enum class errc {
    internal,           // a bug or an unset result; never expected
    validation,         // input failed a schema or a rule; `fields` says where
    version_conflict,   // the stream's version was not the expected one
    not_found,          // no such aggregate, entity, command, table, function...
    aggregate_deleted,  // the aggregate was deleted and refuses further commands
    vetoed,             // a pre_save receiver refused the events
    invalid_domain,     // a domain definition (file or C++) is malformed
    parse_error,        // a file or message is not what it claims to be
    throttled,          // the backend asked us to slow down; retryable
    unavailable,        // the backend could not be reached or failed; retryable
    timeout,            // an operation ran out of time
    remote,             // a remote service error with no better mapping; `type` has its name
    invalid_argument,   // a caller passed an argument that can never work
};

// "validation", "version_conflict", ... (the enumerator's name).
std::string_view to_string(errc code) noexcept;

// One problem at one place in a document: `pointer` is a JSON Pointer (RFC 6901) into the
// document that was checked ("" for the whole document), `reason` says what is wrong in words a
// user can act on.
struct field_error {
    std::string pointer;
    std::string reason;

    friend bool operator==(const field_error&, const field_error&) = default;
};

struct error {
    errc code = errc::internal;
    std::string message = "unset";
    std::vector<field_error> fields;  // validation problems, in document order
    std::string type;                 // remote error name (e.g. "ThrottlingException") or a
                                      // user-defined error type from a veto
    std::string source;               // where the input came from: a file name, "command", ...

    static error internal(std::string message);
    static error validation(std::string message, std::vector<field_error> fields = {});
    static error version_conflict(std::string message);
    static error not_found(std::string message, std::vector<field_error> fields = {});
    static error aggregate_deleted(std::string message);
    static error vetoed(std::string type, std::string message);
    static error invalid_domain(std::string message, std::vector<field_error> fields = {});
    static error parse_error(std::string message, std::vector<field_error> fields = {});
    static error throttled(std::string message);
    static error unavailable(std::string message);
    static error timeout(std::string message);
    static error remote(std::string type, std::string message);
    static error invalid_argument(std::string message);

    // True for failures worth retrying unchanged (throttled, unavailable, timeout).
    bool retryable() const noexcept;

    // One line for logs and CLIs: "validation: command payload is invalid (/price: must differ
    // from the current value)". Includes `source` and every field.
    std::string describe() const;
};

template <class T>
using result = expected<T, error>;

// Shorthand for `return core::fail(error::not_found("..."));`
inline unexpected<error> fail(error e) {
    return unexpected<error>(std::move(e));
}

}  // namespace esser::core
