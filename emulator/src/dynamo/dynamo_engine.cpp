#include "esser/emulator/dynamo/dynamo_engine.hpp"

#include <exception>

#include "engine_impl.hpp"
#include "item_codec.hpp"
#include "operation_schemas.hpp"
#include "put_item_text.hpp"

namespace esser::emulator {

namespace {

// An operation: the reads also take where their items go (response_text.hpp).
struct handler {
    aws_result (dynamo_engine::impl::*plain)(const json&) = nullptr;
    aws_result (dynamo_engine::impl::*read)(const json&, deferred_items*) = nullptr;
    // PutItem: takes the Item encoded before the schema pass when it can be.
    aws_result (dynamo_engine::impl::*put)(const json&, const encoded_put_item*) = nullptr;
};

const std::map<std::string_view, handler>& handlers() {
    using impl = dynamo_engine::impl;
    static const std::map<std::string_view, handler> h = {
        {"CreateTable", {&impl::create_table}},
        {"DescribeTable", {&impl::describe_table}},
        {"ListTables", {&impl::list_tables}},
        {"DeleteTable", {&impl::delete_table}},
        {"UpdateTable", {&impl::update_table}},
        {"DescribeTimeToLive", {&impl::describe_time_to_live}},
        {"UpdateTimeToLive", {&impl::update_time_to_live}},
        {"PutItem", {nullptr, nullptr, &impl::put_item}},
        {"GetItem", {nullptr, &impl::get_item}},
        {"DeleteItem", {&impl::delete_item}},
        {"UpdateItem", {&impl::update_item}},
        {"Query", {nullptr, &impl::query}},
        {"Scan", {nullptr, &impl::scan}},
        {"BatchGetItem", {nullptr, &impl::batch_get_item}},
        {"BatchWriteItem", {&impl::batch_write_item}},
        {"TransactWriteItems", {&impl::transact_write_items}},
        {"TransactGetItems", {nullptr, &impl::transact_get_items}},
        {"TagResource", {&impl::tag_resource}},
        {"UntagResource", {&impl::untag_resource}},
        {"ListTagsOfResource", {&impl::list_tags_of_resource}},
        {"DescribeLimits", {&impl::describe_limits}},
        {"DescribeEndpoints", {&impl::describe_endpoints}},
    };
    return h;
}

// dispatch() and dispatch_text(): the checks every operation shares, then the operation.
// `prepared`: PutItem's Item encoded already from the request text (prepare_text), standing in
// the request as an empty object.
aws_result run(dynamo_engine::impl& engine, std::string_view operation, const json& request,
               deferred_items* deferred, const encoded_put_item* prepared = nullptr) {
    const auto& h = handlers();
    auto it = h.find(operation);
    if (it == h.end())
        return fail(aws_error::unknown_operation());
    // A body that is not an object cannot be deserialised into any request (spec §1.4 step 2).
    if (!request.is_object())
        return fail(aws_error::serialization());
    const schema::fields* s = schema::for_operation(operation);
    try {
        // A plainly valid Item is encoded in one walk; its type pass then has nothing to find.
        encoded_put_item encoded;
        const json* item = nullptr;
        if (prepared) {
            item = schema::member(request, "Item");
        } else if (it->second.put && engine.opts.one_walk_put_item) {
            item = schema::member(request, "Item");
            if (item) {
                if (auto size = item_codec::encode_json(*item, encoded.bytes, &encoded.index))
                    encoded.size = *size;
                else
                    item = nullptr;
            }
        }
        if (auto e = schema::check_request(request, *s, item))
            return fail(std::move(*e));
        if (engine.sink != nullptr) {
            // The storage failed (--data-dir): what could not be stored must not be read.
            if (std::string why = engine.sink->failure(); !why.empty())
                return fail(aws_error::internal(why + " (esser-local serves nothing more until it "
                                                      "is restarted)"));
        }
        const encoded_put_item* put_item = prepared ? prepared : item ? &encoded : nullptr;
        aws_result out = it->second.read  ? (engine.*(it->second.read))(request, deferred)
                         : it->second.put ? (engine.*(it->second.put))(request, put_item)
                                          : (engine.*(it->second.plain))(request);
        // Answer only once what the operation changed is durable (--data-dir).
        await_durable(engine.sink);
        return out;
    } catch (const std::exception& e) {
        return fail(aws_error::internal(std::string("internal error: ") + e.what()));
    }
}

// dispatch_text's answer for an operation's result.
core::expected<std::string, aws_error> text_answer(aws_result out, const deferred_items& items) {
    if (!out)
        return fail(std::move(out.error()));
    std::string text;
    try {
        write_response_text(*out, items, text);
    } catch (const std::exception& e) {
        return fail(aws_error::internal(std::string("internal error: ") + e.what()));
    }
    return text;
}

}  // namespace

dynamo_engine::impl::impl(options o) : opts(std::move(o)) {
    if (!opts.clock)
        opts.clock = std::make_shared<core::system_clock>();
    if (!opts.ids)
        opts.ids = std::make_shared<core::random_id_source>();
}

std::shared_ptr<table> dynamo_engine::impl::find_table(std::string_view name) const {
    std::shared_lock lock(registry_mu);
    auto it = tables.find(name);
    return it == tables.end() ? nullptr : it->second;
}

const json* dynamo_engine::impl::deleting_description(std::string_view name) const {
    auto it = deleting.find(name);
    return it != deleting.end() && now() < it->second.until ? &it->second.description : nullptr;
}

aws_error dynamo_engine::impl::table_being_deleted(std::string_view name) {
    return aws_error::resource_in_use(
        "Attempt to change a resource which is still in use: Table is being deleted: " +
        std::string(name));
}

aws_error dynamo_engine::impl::table_not_found(std::string_view name) {
    return aws_error::resource_not_found(
        "Requested resource not found: Table: " + std::string(name) + " not found");
}

core::expected<std::shared_ptr<table>, aws_error> dynamo_engine::impl::item_table(
    std::string_view name) const {
    auto t = find_table(name);
    if (!t || now() < t->active_at)
        return fail(aws_error::resource_not_found());
    return t;
}

void dynamo_engine::impl::announce_stream(table& t) {
    table_observer* o = observer.load();
    if (!o || !t.stream_enabled)
        return;
    t.stream = o->stream_enabled(t.name, t.arn, t.keys, t.stream_view, now());
}

dynamo_engine::dynamo_engine() : dynamo_engine(options{}) {}

dynamo_engine::dynamo_engine(options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}

dynamo_engine::~dynamo_engine() = default;

bool dynamo_engine::serves(std::string_view operation) {
    return handlers().count(operation) != 0;
}

adapters::aws_result dynamo_engine::dispatch(std::string_view operation, const json& request) {
    return run(*impl_, operation, request, nullptr);
}

std::shared_ptr<dynamo_engine::prepared_request> dynamo_engine::prepare_text(
    std::string_view operation, std::string_view body) const {
    if (operation != "PutItem" || !impl_->opts.one_walk_put_item)
        return nullptr;
    try {
        return read_put_item_text(body);
    } catch (const std::exception&) {
        return nullptr;  // out of memory: the general path answers
    }
}

core::expected<std::string, adapters::aws_error> dynamo_engine::dispatch_prepared(
    const prepared_request& request) {
    deferred_items items;
    return text_answer(run(*impl_, "PutItem", request.request, &items, &request.item), items);
}

core::expected<std::string, adapters::aws_error> dynamo_engine::dispatch_text(
    std::string_view operation, const json& request) {
    deferred_items items;
    return text_answer(run(*impl_, operation, request, &items), items);
}

core::expected<std::optional<encoded_item>, adapters::aws_error> dynamo_engine::get_item(
    std::string_view table, const attribute_map& key) {
    try {
        return impl_->native_get_item(table, key);
    } catch (const std::exception& e) {
        return fail(aws_error::internal(std::string("internal error: ") + e.what()));
    }
}

core::expected<dynamo_engine::query_result, adapters::aws_error> dynamo_engine::query(
    const query_spec& q) {
    try {
        return impl_->native_query(q);
    } catch (const std::exception& e) {
        return fail(aws_error::internal(std::string("internal error: ") + e.what()));
    }
}

void dynamo_engine::set_observer(table_observer* observer) {
    impl_->observer.store(observer);
    if (!observer)
        return;
    std::vector<std::shared_ptr<table>> all;
    {
        std::shared_lock lock(impl_->registry_mu);
        for (const auto& [name, t] : impl_->tables) all.push_back(t);
    }
    for (const auto& t : all) {
        std::lock_guard lock(t->mu);
        // A restored table's stream is restored with the streams, not announced anew.
        if (!t->deleted && !t->stream)
            impl_->announce_stream(*t);
    }
}

std::size_t dynamo_engine::sweep_expired_items() {
    const std::size_t n = impl_->sweep_expired_items();
    await_durable(impl_->sink);
    return n;
}

void dynamo_engine::set_durability(durability_sink* sink) {
    impl_->sink = sink;
}

core::result<void> dynamo_engine::restore_table(
    std::string_view definition,
    const std::function<std::optional<std::string_view>()>& next_item) {
    auto failed = [&](const std::string& name, const std::string& why) {
        return core::fail(core::error::parse_error(
            "cannot restore table " + (name.empty() ? std::string("(unnamed)") : name) + ": " +
            why));
    };
    const json d = json::parse(definition, nullptr, false);
    if (d.is_discarded())
        return failed("", "its definition is not JSON");
    auto t = table::from_definition(d);
    if (!t)
        return failed(d.value("name", ""), t.error());
    table& tt = **t;
    const table::commit_context ctx{nullptr, tt.created_at, false, nullptr};
    std::lock_guard lock(tt.mu);
    while (auto encoded = next_item()) {
        const attribute_map item = item_codec::decode(*encoded);
        if (auto bad = tt.check_item(item))
            return failed(tt.name, "an item does not fit its key schema: " + *bad);
        const item_key k = tt.key_of(item);
        tt.commit(k, tt.find(k), nullptr, &item, ctx);
    }
    std::unique_lock rlock(impl_->registry_mu);
    if (!impl_->tables.emplace(tt.name, *t).second)
        return failed(tt.name, "a table of that name was restored already");
    return {};
}

void dynamo_engine::reset() {
    std::map<std::string, std::shared_ptr<table>, std::less<>> dropped;
    {
        std::unique_lock lock(impl_->registry_mu);
        dropped.swap(impl_->tables);
        impl_->deleting.clear();
    }
    table_observer* o = impl_->observer.load();
    for (auto& [name, t] : dropped) {
        std::lock_guard lock(t->mu);
        durability_group durable(impl_->sink);
        t->deleted = true;
        if (o && t->stream_enabled)
            o->stream_disabled(t->name, impl_->now());
        if (impl_->sink != nullptr)
            record_durable(*impl_->sink, table_dropped{t->id});
    }
    {
        std::lock_guard lock(impl_->tokens_mu);
        impl_->tokens.clear();
    }
    await_durable(impl_->sink);
}

dynamo_engine::memory_usage dynamo_engine::memory() const {
    memory_usage m;
    std::vector<std::shared_ptr<table>> all;
    {
        std::shared_lock lock(impl_->registry_mu);
        for (const auto& [name, t] : impl_->tables) all.push_back(t);
    }
    for (const auto& t : all) {
        std::lock_guard lock(t->mu);
        m.item_bytes += t->item_block_bytes();
        m.structure_bytes += t->structure_bytes();
        m.raw_item_bytes += t->size_bytes;
        m.items += t->item_count;
    }
    return m;
}

const dynamo_engine::options& dynamo_engine::config() const {
    return impl_->opts;
}

}  // namespace esser::emulator
