#include "esser/emulator/lambda/lambda_service.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "event_queue.hpp"
#include "invoke_outcome.hpp"
#include "task_pool.hpp"
#include <fmt/format.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/dynamo/durability_sink.hpp"
#include "esser/emulator/lambda/runtime_function.hpp"
#include "esser/emulator/lambda/url_function.hpp"
#include "esser/emulator/lambda/zip_runtime.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

constexpr std::size_t max_client_context_bytes = 3583;  // AWS API_Invoke
constexpr std::size_t log_tail_bytes = 4096;

core::error aws_error(core::errc code, std::string type, std::string message) {
    core::error e;
    e.code = code;
    e.type = std::move(type);
    e.message = std::move(message);
    return e;
}

core::error function_not_found(const std::string& arn) {
    return aws_error(core::errc::not_found, "ResourceNotFoundException",
                     "Function not found: " + arn);
}

core::error service_exception(std::string message) {
    return aws_error(core::errc::unavailable, "ServiceException", std::move(message));
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0"
std::string make_trace_id(const core::clock& clock, core::id_source& ids) {
    const auto secs = core::to_epoch_ms(clock.now()) / 1000;
    return fmt::format("Root=1-{:08x}-{};Parent={};Sampled=0", secs, ids.hex(24), ids.hex(16));
}

// A function error instead of a result over Lambda's 6 MB response limit. `measure_json`:
// also serialise JSON results that came without bytes (in-process), keeping the text.
void limit_response(invocation_result& r, bool measure_json) {
    if (r.status != invoke_status::success)
        return;
    if (measure_json && r.payload_is_json && r.raw_payload.empty())
        r.raw_payload = dump(r.payload);
    const std::size_t size = r.raw_payload.size();
    if (size > max_response_payload_bytes) {
        std::string log = std::move(r.log_tail);
        r = response_too_large_result(size);
        r.log_tail = std::move(log);
    }
}

namespace fs = std::filesystem;

// The directory packages are unzipped under; removed at the end when esser made it.
struct code_root {
    fs::path dir;
    bool owned = false;

    ~code_root() {
        std::error_code ec;
        if (owned)
            fs::remove_all(dir, ec);
    }
};

std::string sha256_base64(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(md), n));
}

}  // namespace

// One unzipped package; its directory goes with the last record that uses it.
struct function_package {
    std::shared_ptr<code_root> root;
    fs::path dir;
    std::uint64_t size = 0;
    std::string sha256;

    ~function_package() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

bool parse_invocation_type(std::string_view text, invocation_type& out) noexcept {
    if (text == "RequestResponse") {
        out = invocation_type::request_response;
    } else if (text == "Event") {
        out = invocation_type::event;
    } else if (text == "DryRun") {
        out = invocation_type::dry_run;
    } else {
        return false;
    }
    return true;
}

std::string invoke_response::body() const {
    if (status_code != 200)
        return {};
    if (!result.payload_is_json || !result.raw_payload.empty())
        return result.raw_payload;
    return dump(result.payload);
}

struct lambda_service::impl : std::enable_shared_from_this<impl> {
    lambda_service_options opts;
    std::shared_ptr<core::clock> clock;
    std::shared_ptr<core::id_source> ids;
    core::logger log;
    function_registry registry;
    std::unique_ptr<event_queue> events;
    std::unique_ptr<task_pool> pool;
    std::atomic<bool> shut_down{false};
    std::mutex endpoint_mu;  // guards opts.endpoint_url (set_endpoint_url)
    std::atomic<std::uint64_t> next_identity{1};
    std::atomic<durability_sink*> sink{nullptr};
    std::mutex durable_mu;  // orders the records of function documents
    std::mutex code_mu;     // guards code_root_ and packages_made
    std::shared_ptr<code_root> code_root_;
    std::uint64_t packages_made = 0;

    // What build() makes: the function object and what the record needs next to it.
    struct built {
        function_config config;  // resolved (program path, task root, zip command)
        std::shared_ptr<lambda_function> function;
        std::shared_ptr<function_log> log;
        std::function<void()> stop;
    };

    std::string arn(std::string_view name) const {
        return function_arn(opts.region, opts.account, name);
    }

    // Resolves a name/ARN (+ qualifier) to the record, with AWS's errors.
    core::result<std::shared_ptr<const function_record>> resolve(std::string_view name_or_arn,
                                                                 std::string_view qualifier) const {
        auto ref = parse_function_ref(name_or_arn);
        if (!ref)
            return core::fail(ref.error());
        std::string q = ref->qualifier;
        if (!qualifier.empty()) {
            if (!q.empty() && q != qualifier) {
                return core::fail(aws_error(
                    core::errc::validation, "InvalidParameterValueException",
                    "The derived qualifier from the function name does not match the specified "
                    "qualifier."));
            }
            q = std::string(qualifier);
        }
        // Region and account of an ARN are not checked: esser-local is one account in one
        // region, whatever the client's configuration says.
        const std::string a = arn(ref->name);
        if (!q.empty() && q != "$LATEST")
            return core::fail(function_not_found(a + ":" + q));
        auto rec = registry.find(ref->name);
        if (!rec)
            return core::fail(function_not_found(a));
        return rec;
    }

    // Fills what an invocation needs and the caller left empty.
    void prepare(invocation& inv, const function_record& rec) const {
        if (inv.request_id.empty())
            inv.request_id = ids->uuid();
        if (inv.invoked_function_arn.empty())
            inv.invoked_function_arn = rec.info.arn;
        if (inv.trace_id.empty())
            inv.trace_id = make_trace_id(*clock, *ids);
    }

    std::shared_ptr<function_log> new_log(const std::string& name) const {
        return std::make_shared<function_log>(opts.function_log_bytes,
                                              core::logger("lambda:" + name, log.sink()));
    }

    // The function object for `config` (executable or URL; a zip package when `pkg` is set),
    // writing to `fn_log` (null: a new log).
    core::result<built> build(function_config config,
                              const std::shared_ptr<const function_package>& pkg,
                              std::shared_ptr<function_log> fn_log) {
        if (pkg) {
            const fs::path runtimes = opts.runtime_directory.empty()
                                          ? default_runtime_directory()
                                          : fs::path(opts.runtime_directory);
            auto command = zip_runtime_command(
                config.runtime, config.handler, pkg->dir, runtimes,
                opts.interpreter_path.empty() ? default_interpreter_path() : opts.interpreter_path);
            if (!command)
                return core::fail(command.error());
            config.kind = function_kind::executable;
            config.command = std::move(*command);
            config.working_directory = pkg->dir.string();
        }
        if (auto ok = validate_function_config(config); !ok)
            return core::fail(ok.error());
        if (!fn_log)
            fn_log = new_log(config.name);
        switch (config.kind) {
            case function_kind::in_process:
                break;
            case function_kind::executable: {
                runtime_function_options ro;
                ro.region = opts.region;
                ro.account = opts.account;
                {
                    std::lock_guard lock(endpoint_mu);
                    ro.endpoint_url = opts.endpoint_url;
                }
                ro.access_key_id = opts.access_key_id;
                ro.secret_access_key = opts.secret_access_key;
                ro.session_token = opts.session_token;
                ro.ca_bundle = opts.ca_bundle;
                ro.inherit_environment = opts.inherit_environment;
                ro.clock = clock;
                ro.ids = ids;
                ro.log = fn_log;
                ro.logger = log;
                auto fn = std::make_shared<runtime_function>(std::move(config), std::move(ro));
                built b{fn->config(), fn, std::move(fn_log), [fn] { fn->shutdown(); }};
                return b;
            }
            case function_kind::url: {
                auto fn = url_function::create(config, clock, fn_log);
                if (!fn)
                    return core::fail(fn.error());
                return built{std::move(config), std::move(*fn), std::move(fn_log), {}};
            }
        }
        return core::fail(aws_error(core::errc::invalid_argument, "InvalidParameterValueException",
                                    "an in-process function needs a C++ handler"));
    }

    // Unzips `zip` into a new directory under the code root.
    core::result<std::shared_ptr<const function_package>> unpack(const std::string& name,
                                                                 std::string_view zip) {
        auto archive = zip_archive::open(zip, opts.zip);
        if (!archive)
            return core::fail(archive.error());
        auto pkg = std::make_shared<function_package>();
        {
            std::lock_guard lock(code_mu);
            if (!code_root_) {
                auto root = std::make_shared<code_root>();
                std::error_code ec;
                if (opts.code_directory.empty()) {
                    std::string t = (fs::temp_directory_path(ec) / "esser-lambda.XXXXXX").string();
                    if (ec || ::mkdtemp(t.data()) == nullptr)
                        return core::fail(
                            service_exception("cannot create a directory for "
                                              "function code under $TMPDIR"));
                    root->dir = t;
                    root->owned = true;
                } else {
                    root->dir = opts.code_directory;
                    fs::create_directories(root->dir, ec);
                    if (ec)
                        return core::fail(service_exception(fmt::format(
                            "cannot create {}: {}", opts.code_directory, ec.message())));
                }
                code_root_ = std::move(root);
            }
            pkg->root = code_root_;
            pkg->dir = code_root_->dir / fmt::format("{}-{}", name, ++packages_made);
        }
        std::error_code ec;
        fs::remove_all(pkg->dir, ec);  // a leftover of an earlier run with the same code dir
        if (!fs::create_directory(pkg->dir, ec) || ec)
            return core::fail(service_exception("cannot create " + pkg->dir.string()));
        auto written = archive->extract_to(pkg->dir);
        if (!written)
            return core::fail(written.error());  // ~function_package removes the directory
        pkg->size = zip.size();
        pkg->sha256 = sha256_base64(zip);
        return std::shared_ptr<const function_package>(std::move(pkg));
    }

    core::result<function_info> add(core::result<built> b,
                                    std::shared_ptr<const function_package> pkg = nullptr) {
        if (!b)
            return core::fail(b.error());
        if (shut_down) {
            if (b->stop)
                b->stop();
            return core::fail(service_exception("the Lambda service stopped"));
        }
        function_info info;
        info.arn = arn(b->config.name);
        auto rec = make_record(std::move(info), std::move(*b), std::move(pkg));
        rec->identity = next_identity++;
        auto added = registry.add(rec);
        if (!added) {
            if (rec->shutdown)
                rec->shutdown();
            return core::fail(added.error());
        }
        log.info("created function {} ({})", rec->info.config.name,
                 to_string(rec->info.config.kind));
        return rec->info;
    }

    // A record of `b` (and `pkg`), described by `info` with the configuration, code and times
    // of this version.
    std::shared_ptr<function_record> make_record(function_info info, built b,
                                                 std::shared_ptr<const function_package> pkg) {
        auto rec = std::make_shared<function_record>();
        rec->info = std::move(info);
        rec->info.config = std::move(b.config);
        rec->info.last_modified = clock->now();
        rec->info.revision_id = ids->uuid();
        rec->info.code_size = pkg ? pkg->size : 0;
        rec->info.code_sha256 = pkg ? pkg->sha256 : std::string();
        rec->info.code_directory = pkg ? pkg->dir.string() : std::string();
        rec->package = std::move(pkg);
        rec->function = std::move(b.function);
        rec->log = std::move(b.log);
        rec->shutdown = std::move(b.stop);
        return rec;
    }

    // The file name of a kept package: CodeSha256 made safe for file names.
    static std::string package_file(const std::string& name, std::string_view sha256) {
        std::string f = name + ".";
        for (char c : sha256) {
            if (c == '=')
                continue;
            f += c == '/' ? '_' : c == '+' ? '-' : c;
        }
        return f + ".zip";
    }

    // Keeps `zip` (the package of a new version of `name`) under options.package_store.
    core::result<void> keep_package(const std::string& name, std::string_view zip) {
        if (opts.package_store.empty() || sink.load() == nullptr)
            return {};
        const fs::path path = fs::path(opts.package_store) / package_file(name, sha256_base64(zip));
        std::error_code ec;
        if (fs::exists(path, ec))
            return {};
        fs::create_directories(opts.package_store, ec);
        const fs::path tmp = path.string() + ".tmp";
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(zip.data(), static_cast<std::streamsize>(zip.size()));
            out.close();
            if (!out)
                return core::fail(service_exception("cannot keep the package in " + tmp.string()));
        }
        fs::rename(tmp, path, ec);
        if (ec)
            return core::fail(service_exception("cannot keep the package in " + path.string()));
        return {};
    }

    // Records the current version of `name` (or that it is gone) and waits until it is durable;
    // then removes the package files no recorded version uses. Throws what await_durable throws.
    void persist(const std::string& name) {
        durability_sink* s = sink.load();
        if (s == nullptr)
            return;
        std::string keep;
        {
            std::lock_guard l(durable_mu);
            auto rec = registry.find(name);
            if (rec && rec->info.config.kind != function_kind::in_process) {
                json doc = {{"config", function_config_state(rec->info.config)}};
                if (rec->package) {
                    keep = package_file(name, rec->info.code_sha256);
                    doc["package"] = keep;
                }
                record_durable(*s, document_saved{"function", name, doc.dump()});
            } else {
                record_durable(*s, documents_removed{"function", name, true});
            }
        }
        await_durable(s);
        if (opts.package_store.empty())
            return;
        std::error_code ec;
        for (fs::directory_iterator it(opts.package_store, ec), end; !ec && it != end;
             it.increment(ec)) {
            const std::string f = it->path().filename().string();
            if (f.starts_with(name + ".") && f != keep)
                fs::remove(it->path(), ec);
        }
    }

    // A new version of `current` from `config` and `pkg`, swapped in atomically.
    core::result<function_info> replace(const std::shared_ptr<const function_record>& current,
                                        function_config config,
                                        std::shared_ptr<const function_package> pkg) {
        if (shut_down)
            return core::fail(service_exception("the Lambda service stopped"));
        auto b = build(std::move(config), pkg, current->log);
        if (!b)
            return core::fail(b.error());
        auto rec = make_record(current->info, std::move(*b), std::move(pkg));
        auto swapped = registry.replace(current, rec);
        if (!swapped) {
            if (rec->shutdown)
                rec->shutdown();
            return core::fail(swapped.error());
        }
        // The old version's processes stop when its last invoke lets go of it (the record's
        // function object is destroyed then); idle ones go with it at once.
        log.info("updated function {}", rec->info.config.name);
        return rec->info;
    }

    std::optional<invocation_result> run_event(const queued_event& ev) {
        auto rec = registry.find(ev.function_name);
        if (!rec || rec->info.arn != ev.function_arn)
            return std::nullopt;
        invocation inv;
        inv.request_id = ev.request_id;
        inv.payload = json::parse(ev.payload, nullptr, false);
        inv.raw_payload = ev.payload;
        inv.client_context = ev.client_context;
        prepare(inv, *rec);
        auto r = rec->function->invoke(inv);
        limit_response(r, false);
        return r;
    }
};

namespace {

// The handle function() returns: bound to one record, checks that it still exists.
class managed_function final : public lambda_function {
public:
    managed_function(std::weak_ptr<lambda_service::impl> svc,
                     const std::shared_ptr<const function_record>& rec)
        : svc_(std::move(svc)),
          name_(rec->info.config.name),
          arn_(rec->info.arn),
          identity_(rec->identity) {}

    invocation_result invoke(const invocation& inv) override {
        auto s = svc_.lock();
        if (!s || s->shut_down)
            return service_error_result("the Lambda service stopped");
        // The current version of the same function (updates keep the identity).
        const auto rec = s->registry.find(name_);
        if (!rec || rec->identity != identity_)
            return service_error_result("Function not found: " + arn_);
        invocation_result r;
        if (inv.request_id.empty() || inv.invoked_function_arn.empty() || inv.trace_id.empty()) {
            invocation filled = inv;
            s->prepare(filled, *rec);
            r = rec->function->invoke(filled);
        } else {
            r = rec->function->invoke(inv);
        }
        limit_response(r, false);
        return r;
    }

private:
    std::weak_ptr<lambda_service::impl> svc_;
    std::string name_;
    std::string arn_;
    std::uint64_t identity_;
};

}  // namespace

lambda_service::lambda_service(lambda_service_options o, std::shared_ptr<core::clock> clock,
                               std::shared_ptr<core::id_source> ids, core::logger log)
    : impl_(std::make_shared<impl>()) {
    impl_->opts = std::move(o);
    impl_->clock = clock ? std::move(clock) : std::make_shared<core::system_clock>();
    impl_->ids = ids ? std::move(ids) : std::make_shared<core::random_id_source>();
    impl_->log = std::move(log);
    event_queue_options eo;
    eo.max_retries = impl_->opts.async_max_retries;
    eo.retry_delays = impl_->opts.async_retry_delays;
    eo.delay_scale = impl_->opts.async_delay_scale;
    eo.max_event_age = impl_->opts.async_max_event_age;
    eo.workers = impl_->opts.async_workers;
    std::weak_ptr<impl> w = impl_;
    impl_->events = std::make_unique<event_queue>(
        eo, impl_->clock,
        [w](const queued_event& ev) -> std::optional<invocation_result> {
            auto s = w.lock();
            return s ? s->run_event(ev) : std::nullopt;
        },
        impl_->log);
    impl_->pool = std::make_unique<task_pool>(impl_->opts.max_concurrent_requests);
}

lambda_service::~lambda_service() {
    shutdown();
}

void lambda_service::shutdown() {
    if (impl_->shut_down.exchange(true))
        return;
    // Kill the processes first: invokes in flight then end at once instead of at their
    // timeouts, so the queue and the request threads can be joined quickly.
    for (const auto& rec : impl_->registry.list())
        if (rec->shutdown)
            rec->shutdown();
    impl_->events->stop();
    impl_->pool->shutdown();
}

const lambda_service_options& lambda_service::options() const {
    return impl_->opts;
}

std::string lambda_service::function_arn_of(std::string_view name) const {
    return impl_->arn(name);
}

void lambda_service::set_endpoint_url(std::string url) {
    std::lock_guard lock(impl_->endpoint_mu);
    impl_->opts.endpoint_url = std::move(url);
}

// ---------------------------------------------------------------------------------------------
// Registry

core::result<function_info> lambda_service::create_function(function_config config) {
    if (auto ok = validate_function_config(config); !ok)
        return core::fail(ok.error());
    const std::string name = config.name;
    auto made = impl_->add(impl_->build(std::move(config), nullptr, nullptr));
    if (made)
        impl_->persist(name);
    return made;
}

core::result<function_info> lambda_service::create_zip_function(function_config config,
                                                                std::string_view zip) {
    // Name, timeout, memory and environment first; the command comes from the package.
    function_config early = config;
    early.kind = function_kind::in_process;
    if (auto ok = validate_function_config(early); !ok)
        return core::fail(ok.error());
    if (impl_->registry.find(config.name)) {
        // Checked before unzipping (add() checks again, atomically).
        core::error e = core::error::version_conflict("Function already exist: " + config.name);
        e.type = "ResourceConflictException";
        return core::fail(std::move(e));
    }
    auto pkg = impl_->unpack(config.name, zip);
    if (!pkg)
        return core::fail(pkg.error());
    if (auto kept = impl_->keep_package(config.name, zip); !kept)
        return core::fail(kept.error());
    const std::string name = config.name;
    auto made = impl_->add(impl_->build(std::move(config), *pkg, nullptr), *pkg);
    if (made)
        impl_->persist(name);
    return made;
}

core::result<function_info> lambda_service::update_function_code(std::string_view name_or_arn,
                                                                 std::string_view zip) {
    auto rec = impl_->resolve(name_or_arn, {});
    if (!rec)
        return core::fail(rec.error());
    const auto& current = *rec;
    if (current->info.config.kind != function_kind::executable) {
        return core::fail(aws_error(
            core::errc::invalid_argument, "InvalidParameterValueException",
            fmt::format("esser-local updates the code of zip and executable functions only; {} "
                        "is a {} function",
                        current->info.config.name, to_string(current->info.config.kind))));
    }
    auto pkg = impl_->unpack(current->info.config.name, zip);
    if (!pkg)
        return core::fail(pkg.error());
    if (auto kept = impl_->keep_package(current->info.config.name, zip); !kept)
        return core::fail(kept.error());
    auto made = impl_->replace(current, current->info.config, *pkg);
    if (made)
        impl_->persist(made->config.name);
    return made;
}

core::result<function_info> lambda_service::update_function_configuration(
    std::string_view name_or_arn, const std::function<core::result<void>(function_config&)>& edit) {
    auto rec = impl_->resolve(name_or_arn, {});
    if (!rec)
        return core::fail(rec.error());
    const auto& current = *rec;
    if (current->info.config.kind == function_kind::in_process) {
        return core::fail(aws_error(core::errc::invalid_argument, "InvalidParameterValueException",
                                    "an in-process function's configuration is set by the code "
                                    "that created it"));
    }
    function_config config = current->info.config;
    if (auto ok = edit(config); !ok)
        return core::fail(ok.error());
    config.name = current->info.config.name;  // the name is not a configuration
    auto made = impl_->replace(current, std::move(config), current->package);
    if (made)
        impl_->persist(made->config.name);
    return made;
}

core::result<function_info> lambda_service::create_function(function_config config,
                                                            in_process_handler handler) {
    return create_stream_function(std::move(config), {}, std::move(handler));
}

core::result<function_info> lambda_service::create_stream_function(function_config config,
                                                                   stream_records_handler records,
                                                                   in_process_handler other) {
    config.kind = function_kind::in_process;
    if (auto ok = validate_function_config(config); !ok)
        return core::fail(ok.error());
    if (!records && !other) {
        return core::fail(aws_error(core::errc::invalid_argument, "InvalidParameterValueException",
                                    "an in-process function needs a C++ handler"));
    }
    auto log = impl_->new_log(config.name);
    auto fn = std::make_shared<in_process_function>(config, std::move(records), std::move(other),
                                                    impl_->clock, log);
    return impl_->add(impl::built{std::move(config), std::move(fn), std::move(log), {}});
}

core::result<function_info> lambda_service::add_function(function_config config,
                                                         std::shared_ptr<lambda_function> function,
                                                         std::function<void()> shutdown) {
    if (auto ok = validate_function_config(config); !ok) {
        if (shutdown)
            shutdown();
        return core::fail(ok.error());
    }
    return impl_->add(
        impl::built{std::move(config), std::move(function), nullptr, std::move(shutdown)});
}

core::result<function_info> lambda_service::get_function(std::string_view name_or_arn) const {
    auto rec = impl_->resolve(name_or_arn, {});
    if (!rec)
        return core::fail(rec.error());
    return (*rec)->info;
}

std::vector<function_info> lambda_service::list_functions() const {
    std::vector<function_info> out;
    for (const auto& rec : impl_->registry.list()) out.push_back(rec->info);
    return out;
}

core::result<void> lambda_service::delete_function(std::string_view name_or_arn) {
    auto rec = impl_->resolve(name_or_arn, {});
    if (!rec)
        return core::fail(rec.error());
    auto removed = impl_->registry.remove((*rec)->info.config.name);
    if (!removed)
        return core::fail(function_not_found((*rec)->info.arn));
    if (removed->shutdown)
        removed->shutdown();
    impl_->log.info("deleted function {}", removed->info.config.name);
    impl_->persist(removed->info.config.name);
    return {};
}

void lambda_service::set_durability(durability_sink* sink) {
    impl_->sink.store(sink);
}

core::result<void> lambda_service::restore_function(std::string_view state) {
    const json doc = json::parse(state, nullptr, false);
    if (!doc.is_object() || !doc.contains("config"))
        return core::fail(
            core::error::parse_error("function state: not a {\"config\": ...} document"));
    auto config = function_config_from_state(doc["config"]);
    if (!config)
        return core::fail(config.error());
    const std::string name = config->name;
    auto failed = [&](core::error e) {
        e.message = "cannot restore function " + name + ": " + e.message;
        return core::fail(std::move(e));
    };
    if (const auto pkg = doc.find("package"); pkg != doc.end()) {
        if (!pkg->is_string() || impl_->opts.package_store.empty())
            return failed(core::error::parse_error("member 'package' is invalid"));
        const fs::path path = fs::path(impl_->opts.package_store) / pkg->get<std::string>();
        std::ifstream in(path, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        if (!in)
            return failed(core::error::unavailable("cannot read its package " + path.string()));
        if (auto made = create_zip_function(std::move(*config), bytes.str()); !made)
            return failed(made.error());
        return {};
    }
    if (auto made = create_function(std::move(*config)); !made)
        return failed(made.error());
    return {};
}

core::result<std::string> lambda_service::function_log_text(std::string_view name_or_arn) const {
    auto rec = impl_->resolve(name_or_arn, {});
    if (!rec)
        return core::fail(rec.error());
    return (*rec)->log ? (*rec)->log->text() : std::string();
}

// ---------------------------------------------------------------------------------------------
// Invoking

core::result<invoke_response> lambda_service::invoke(const invoke_request& request) {
    auto& s = *impl_;
    if (s.shut_down)
        return core::fail(service_exception("the Lambda service stopped"));
    auto resolved = s.resolve(request.function_name, request.qualifier);
    if (!resolved)
        return core::fail(resolved.error());
    const function_record& rec = **resolved;

    const bool event = request.type == invocation_type::event;
    const std::size_t limit =
        event ? s.opts.max_event_payload_bytes : s.opts.max_request_payload_bytes;
    if (request.payload.size() > limit) {
        return core::fail(aws_error(
            core::errc::invalid_argument, "RequestTooLargeException",
            fmt::format("Request must be smaller than {} bytes for the InvokeFunction operation",
                        limit)));
    }
    const std::string_view text =
        request.payload.empty() ? std::string_view("{}") : std::string_view(request.payload);
    json payload;
    try {
        payload = json::parse(text);
    } catch (const json::parse_error& e) {
        return core::fail(aws_error(
            core::errc::parse_error, "InvalidRequestContentException",
            std::string("Could not parse request body into json: Could not parse payload into "
                        "json: ") +
                e.what()));
    }
    if (!request.client_context.empty()) {
        auto decoded = base64_decode(request.client_context);
        const bool ok = decoded && decoded->size() <= max_client_context_bytes &&
                        json::parse(*decoded, nullptr, false).is_object();
        if (!ok) {
            return core::fail(aws_error(core::errc::validation, "InvalidRequestContentException",
                                        "Client context must be a valid Base64-encoded JSON "
                                        "object."));
        }
    }

    invoke_response out;
    out.request_id = s.ids->uuid();
    switch (request.type) {
        case invocation_type::dry_run:
            out.status_code = 204;
            return out;
        case invocation_type::event: {
            queued_event ev;
            ev.request_id = out.request_id;
            ev.function_name = rec.info.config.name;
            ev.function_arn = rec.info.arn;
            ev.payload = std::string(text);
            ev.client_context = request.client_context;
            s.events->push(std::move(ev));
            out.status_code = 202;
            return out;
        }
        case invocation_type::request_response:
            break;
    }

    invocation inv;
    inv.request_id = out.request_id;
    inv.payload = std::move(payload);
    inv.raw_payload = std::string(text);
    inv.client_context = request.client_context;
    s.prepare(inv, rec);
    invocation_result r = rec.function->invoke(inv);
    if (r.status == invoke_status::throttled) {
        // AWS words every throttle the same way; the reason goes in the REST answer.
        return core::fail(
            aws_error(core::errc::throttled, "TooManyRequestsException", "Rate Exceeded."));
    }
    if (r.status == invoke_status::service_error)
        return core::fail(service_exception(r.error_message));
    limit_response(r, true);
    if (request.log_tail) {
        const std::string& tail = r.log_tail;
        out.log_result = base64_encode(std::string_view(tail).substr(
            tail.size() > log_tail_bytes ? tail.size() - log_tail_bytes : 0));
    }
    out.status_code = 200;
    out.result = std::move(r);
    return out;
}

void lambda_service::invoke_async(invoke_request request,
                                  std::function<void(core::result<invoke_response>)> done) {
    if (request.type != invocation_type::request_response || impl_->shut_down) {
        done(invoke(request));
        return;
    }
    // Keep the impl alive for the task: the service may be destroyed while it waits.
    impl_->pool->post(
        [this, request = std::move(request), done = std::move(done)] { done(invoke(request)); });
}

core::result<invocation_result> lambda_service::invoke_function(std::string_view name_or_arn,
                                                                json event) {
    auto& s = *impl_;
    if (s.shut_down)
        return core::fail(service_exception("the Lambda service stopped"));
    auto rec = s.resolve(name_or_arn, {});
    if (!rec)
        return core::fail(rec.error());
    invocation inv;
    inv.payload = std::move(event);
    s.prepare(inv, **rec);
    auto r = (*rec)->function->invoke(inv);
    limit_response(r, false);
    return r;
}

core::result<std::shared_ptr<lambda_function>> lambda_service::function(
    std::string_view name_or_arn) const {
    auto rec = impl_->resolve(name_or_arn, {});
    if (!rec)
        return core::fail(rec.error());
    return std::shared_ptr<lambda_function>(std::make_shared<managed_function>(impl_, *rec));
}

// ---------------------------------------------------------------------------------------------
// Event invokes

std::size_t lambda_service::pending_events() const {
    return impl_->events->pending();
}

bool lambda_service::wait_for_events(std::chrono::milliseconds timeout) const {
    return impl_->events->wait_idle(timeout);
}

std::vector<json> lambda_service::failed_events() const {
    return impl_->events->failures();
}

}  // namespace esser::emulator
