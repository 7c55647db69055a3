#include "esser/core/memory_read_store.hpp"

namespace esser::core {

result<std::size_t> memory_read_store::write(const std::vector<write_op>& ops) {
    auto reduced = read_store_rules::reduce_batch(ops);
    if (!reduced)
        return fail(std::move(reduced).error());
    std::lock_guard lock(mu_);
    std::size_t changed = 0;
    // Validated up front, and nothing below can fail: the batch is atomic.
    for (const write_op* op : *reduced) {
        table& t = collections_[op->collection];
        auto it = t.find(op->doc.id);
        if (it != t.end() && it->second.doc.version >= op->doc.version)
            continue;
        row r{op->doc, op->what == write_op::kind::upsert};
        if (!r.live)
            r.doc.body = nlohmann::json();
        if (it == t.end()) {
            t.emplace(op->doc.id, std::move(r));
        } else {
            it->second = std::move(r);
        }
        ++changed;
    }
    return changed;
}

result<std::optional<document>> memory_read_store::get(std::string_view collection,
                                                       std::string_view id) {
    if (auto r = read_store_rules::check_collection(collection); !r)
        return fail(std::move(r).error());
    std::lock_guard lock(mu_);
    auto c = collections_.find(collection);
    if (c == collections_.end())
        return std::optional<document>{};
    auto it = c->second.find(id);
    if (it == c->second.end() || !it->second.live)
        return std::optional<document>{};
    return std::optional<document>(it->second.doc);
}

result<document_page> memory_read_store::list(std::string_view collection, const list_query& q) {
    if (auto r = read_store_rules::check_collection(collection); !r)
        return fail(std::move(r).error());
    if (auto r = read_store_rules::check_query(q); !r)
        return fail(std::move(r).error());
    std::lock_guard lock(mu_);
    document_page page;
    auto c = collections_.find(collection);
    if (c == collections_.end())
        return page;
    const table& t = c->second;
    auto it = q.after.empty() ? t.begin() : t.upper_bound(q.after);
    for (; it != t.end(); ++it) {
        if (!it->second.live || !read_store_rules::matches(it->second.doc.body, q))
            continue;
        if (page.items.size() == q.limit) {
            // One more match exists: the page is full and there is a next one.
            page.next = page.items.back().id;
            break;
        }
        page.items.push_back(it->second.doc);
    }
    return page;
}

result<std::vector<std::string>> memory_read_store::collections() {
    std::lock_guard lock(mu_);
    std::vector<std::string> names;
    names.reserve(collections_.size());
    for (const auto& [name, t] : collections_) names.push_back(name);
    return names;
}

result<void> memory_read_store::drop(std::string_view collection) {
    if (auto r = read_store_rules::check_collection(collection); !r)
        return r;
    std::lock_guard lock(mu_);
    if (auto c = collections_.find(collection); c != collections_.end())
        collections_.erase(c);
    return {};
}

}  // namespace esser::core
