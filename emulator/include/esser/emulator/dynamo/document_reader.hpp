#pragma once
// Reads the members of a document a service recorded under --data-dir (durability_sink.hpp's
// document_saved: event source mappings, functions, messages; issue 9). The file is input like
// any other: every member is checked, and the first one missing or of the wrong type (or out of
// range) is named in one errc::parse_error, "<what>: member '<name>' is missing or invalid".
//
//   document_reader r(j, "function state");
//   r.text("name", c.name);
//   c.memory_size_mb = r.unsigned_number<std::uint32_t>("memory_size_mb");
//   if (auto ok = r.result(); !ok) return core::fail(ok.error());

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"

namespace esser::emulator {

class document_reader {
public:
    // `what` names the document in the error ("SQS message state", ...).
    document_reader(const nlohmann::json& j, std::string what) : j_(j), what_(std::move(what)) {}

    void text(const char* name, std::string& out) {
        if (const auto* v = find(name); v != nullptr && v->is_string())
            out = v->get<std::string>();
        else
            note(name);
    }

    void boolean(const char* name, bool& out) {
        if (const auto* v = find(name); v != nullptr && v->is_boolean())
            out = v->get<bool>();
        else
            note(name);
    }

    // An integer within [lo, hi]; `lo` when it is not.
    std::int64_t integer(const char* name, std::int64_t lo, std::int64_t hi) {
        const auto* v = find(name);
        if (v == nullptr || !v->is_number_integer() ||
            (v->is_number_unsigned() &&
             v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) ||
            v->get<std::int64_t>() < lo || v->get<std::int64_t>() > hi) {
            note(name);
            return lo;
        }
        return v->get<std::int64_t>();
    }

    // A time as milliseconds since the epoch (core::to_epoch_ms); the epoch when invalid.
    core::time_point time(const char* name) {
        return core::from_epoch_ms(integer(name, 0, INT64_MAX));
    }

    // A non-negative integer that fits T; 0 when it is not.
    template <class T>
    T unsigned_number(const char* name) {
        const auto* v = find(name);
        if (v == nullptr || !v->is_number_unsigned() ||
            v->get<std::uint64_t>() > std::numeric_limits<T>::max()) {
            note(name);
            return 0;
        }
        return static_cast<T>(v->get<std::uint64_t>());
    }

    void strings(const char* name, std::vector<std::string>& out) {
        const auto* v = find(name);
        if (v != nullptr && v->is_array() &&
            std::all_of(v->begin(), v->end(),
                        [](const nlohmann::json& e) { return e.is_string(); }))
            out = v->get<std::vector<std::string>>();
        else
            note(name);
    }

    void string_map(const char* name, std::map<std::string, std::string>& out) {
        const auto* v = find(name);
        if (v != nullptr && v->is_object() &&
            std::all_of(v->begin(), v->end(),
                        [](const nlohmann::json& e) { return e.is_string(); }))
            out = v->get<std::map<std::string, std::string>>();
        else
            note(name);
    }

    bool has(const char* name) const { return find(name) != nullptr; }

    // Marks `name` as invalid (a check the caller made).
    void note(const char* name) {
        if (bad_.empty())
            bad_ = name;
    }

    core::result<void> result() const {
        if (!j_.is_object())
            return core::fail(core::error::parse_error(what_ + ": not a JSON object"));
        if (bad_.empty())
            return {};
        return core::fail(
            core::error::parse_error(what_ + ": member '" + bad_ + "' is missing or invalid"));
    }

private:
    const nlohmann::json* find(const char* name) const {
        if (!j_.is_object())
            return nullptr;
        auto it = j_.find(name);
        return it == j_.end() ? nullptr : &*it;
    }

    const nlohmann::json& j_;
    std::string what_;
    std::string bad_;
};

}  // namespace esser::emulator
