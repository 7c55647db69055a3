#pragma once
// function_registry: the functions that exist, by name (what CreateFunction, GetFunction,
// ListFunctions and DeleteFunction see), each with its configuration, its function object and
// its log.
//
// Records are immutable once added (a changed configuration is a new record); readers get
// shared pointers, so a record removed while an invoke uses it stays valid until that invoke
// returns.
//
// Thread-safe: every member may be called concurrently.

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "esser/core/clock.hpp"
#include "esser/core/error.hpp"
#include "esser/emulator/lambda/function_config.hpp"
#include "esser/emulator/lambda/function_log.hpp"
#include "esser/emulator/lambda/lambda_function.hpp"

namespace esser::emulator {

// What GetFunction describes.
struct function_info {
    function_config config;
    std::string arn;                 // arn:aws:lambda:<region>:<account>:function:<name>
    core::time_point last_modified;  // when it was created (clock time)
    std::string revision_id;         // a UUID, new with every change
};

struct function_record {
    function_info info;
    std::shared_ptr<lambda_function> function;  // the kind that runs it
    std::shared_ptr<function_log> log;
    // Stops what the function runs (executable: kills its processes); may be empty.
    std::function<void()> shutdown;
};

class function_registry {
public:
    // Adds `r` under r->info.config.name. Error: ResourceConflictException (errc::
    // version_conflict) "Function already exist: <name>" when the name is taken.
    core::result<std::shared_ptr<const function_record>> add(std::shared_ptr<function_record> r);
    // The record named `name`, or null.
    std::shared_ptr<const function_record> find(std::string_view name) const;
    // Every record, sorted by name.
    std::vector<std::shared_ptr<const function_record>> list() const;
    // Removes and returns the record named `name` (null when there is none). The caller shuts
    // it down.
    std::shared_ptr<const function_record> remove(std::string_view name);
    std::size_t size() const;

private:
    mutable std::shared_mutex mu_;
    std::map<std::string, std::shared_ptr<const function_record>, std::less<>> records_;
};

}  // namespace esser::emulator
