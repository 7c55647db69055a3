#pragma once
// function_registry: the functions that exist, by name (what CreateFunction, GetFunction,
// ListFunctions and DeleteFunction see), each with its configuration, its function object and
// its log.
//
// Records are immutable once added (a changed configuration is a new record, swapped in by
// replace()); readers get shared pointers, so a record removed or replaced while an invoke uses
// it stays valid until that invoke returns.
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
    core::time_point last_modified;  // when it was created or last changed (clock time)
    std::string revision_id;         // a UUID, new with every change
    // Zip packages (issue 13): the zip's size and base64 SHA-256 (CodeSize, CodeSha256) and the
    // directory it was unzipped into. Zero/empty for functions given by command, URL or handler.
    std::uint64_t code_size = 0;
    std::string code_sha256;
    std::string code_directory;
};

// An unzipped package (lambda_service's, issue 13): its directory is removed when the last
// record using it is gone. Opaque here.
struct function_package;

struct function_record {
    // Declared first so it is destroyed last: the function's processes are gone before their
    // package directory is removed.
    std::shared_ptr<const function_package> package;
    function_info info;
    std::shared_ptr<lambda_function> function;  // the kind that runs it
    std::shared_ptr<function_log> log;
    // Stops what the function runs (executable: kills its processes); may be empty.
    std::function<void()> shutdown;
    // The same across UpdateFunctionCode/UpdateFunctionConfiguration (replace()), new when a
    // function is created: a handle bound to a function follows its updates but not a
    // re-creation under the same name.
    std::uint64_t identity = 0;
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
    // Swaps `current` (the record under its name) for `next`, which keeps current's identity.
    // ResourceConflictException (errc::version_conflict) when `current` is no longer the
    // record under that name (deleted, or changed by a concurrent update). The old record
    // stays alive while invokes hold it; its function stops when the last one lets go.
    core::result<std::shared_ptr<const function_record>> replace(
        const std::shared_ptr<const function_record>& current,
        std::shared_ptr<function_record> next);
    std::size_t size() const;

private:
    mutable std::shared_mutex mu_;
    std::map<std::string, std::shared_ptr<const function_record>, std::less<>> records_;
};

}  // namespace esser::emulator
