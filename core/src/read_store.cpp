#include "esser/core/read_store.hpp"

#include <cstring>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

namespace esser::core {

using nlohmann::json;

write_op write_op::upsert(std::string collection, document d) {
    write_op op;
    op.what = kind::upsert;
    op.collection = std::move(collection);
    op.doc = std::move(d);
    return op;
}

write_op write_op::remove(std::string collection, std::string id, std::uint64_t version,
                          std::string updated_at) {
    write_op op;
    op.what = kind::remove;
    op.collection = std::move(collection);
    op.doc.id = std::move(id);
    op.doc.version = version;
    op.doc.updated_at = std::move(updated_at);
    op.doc.body = json();
    return op;
}

result<bool> read_store::upsert(std::string_view collection, document d) {
    std::vector<write_op> ops;
    ops.push_back(write_op::upsert(std::string(collection), std::move(d)));
    auto n = write(ops);
    if (!n)
        return fail(std::move(n).error());
    return *n > 0;
}

result<bool> read_store::remove(std::string_view collection, std::string_view id,
                                std::uint64_t version, std::string updated_at) {
    std::vector<write_op> ops;
    ops.push_back(
        write_op::remove(std::string(collection), std::string(id), version, std::move(updated_at)));
    auto n = write(ops);
    if (!n)
        return fail(std::move(n).error());
    return *n > 0;
}

namespace read_store_rules {
namespace {

bool is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF) without NUL: what every store
// can keep (PostgreSQL text and jsonb refuse NUL and invalid UTF-8; nlohmann cannot dump it).
bool storable(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned c = *p;
        if (c == 0)
            return false;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int n = 0;
        unsigned cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= n)
            return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        p += n + 1;
    }
    return true;
}

// True when every string (member name or value) anywhere in `j` is storable().
bool storable(const json& j) {
    switch (j.type()) {
        case json::value_t::string:
            return storable(std::string_view(j.get_ref<const std::string&>()));
        case json::value_t::object:
            for (const auto& [k, v] : j.items()) {
                if (!storable(std::string_view(k)) || !storable(v))
                    return false;
            }
            return true;
        case json::value_t::array:
            for (const auto& v : j) {
                if (!storable(v))
                    return false;
            }
            return true;
        case json::value_t::binary:
        case json::value_t::discarded:
            return false;
        default:
            return true;
    }
}

error bad(std::string message) {
    return error::invalid_argument(std::move(message));
}

}  // namespace

result<void> check_collection(std::string_view name) {
    if (name.empty() || name.size() > 63 || !is_lower(name[0])) {
        return fail(bad(fmt::format(
            "read store: collection name \"{}\" must be 1 to 63 characters [a-z0-9_] starting "
            "with a letter",
            name)));
    }
    for (char c : name) {
        if (!is_lower(c) && !is_digit(c) && c != '_') {
            return fail(bad(fmt::format(
                "read store: collection name \"{}\" may only contain [a-z0-9_]", name)));
        }
    }
    if (name.size() >= 6 && name.substr(0, 6) == "esser_") {
        return fail(bad(fmt::format(
            "read store: collection name \"{}\" is reserved (prefix \"esser_\")", name)));
    }
    return {};
}

result<void> check_op(const write_op& op) {
    if (auto r = check_collection(op.collection); !r)
        return r;
    const document& d = op.doc;
    if (d.id.empty() || d.id.size() > 1024 || !storable(std::string_view(d.id))) {
        return fail(bad(fmt::format(
            "read store: document id in \"{}\" must be 1 to 1024 bytes of UTF-8 without NUL",
            op.collection)));
    }
    if (d.version == 0 ||
        d.version > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return fail(bad(fmt::format("read store: version {} of \"{}/{}\" is out of range 1..2^63-1",
                                    d.version, op.collection, d.id)));
    }
    if (!storable(std::string_view(d.updated_at))) {
        return fail(bad(fmt::format("read store: updated_at of \"{}/{}\" is not UTF-8 without NUL",
                                    op.collection, d.id)));
    }
    if (op.what == write_op::kind::upsert) {
        if (!d.body.is_object()) {
            return fail(bad(fmt::format("read store: the body of \"{}/{}\" must be a JSON object",
                                        op.collection, d.id)));
        }
        if (!storable(d.body)) {
            return fail(bad(fmt::format(
                "read store: the body of \"{}/{}\" has a string that is not UTF-8 without NUL",
                op.collection, d.id)));
        }
    }
    return {};
}

result<void> check_query(const list_query& q) {
    if (q.limit == 0 || q.limit > list_query::max_limit) {
        return fail(bad(fmt::format("read store: limit {} is out of range 1..{}", q.limit,
                                    list_query::max_limit)));
    }
    if (!storable(std::string_view(q.after)))
        return fail(bad("read store: the page cursor is not UTF-8 without NUL"));
    for (const auto& [name, value] : q.where) {
        bool ok = !name.empty() && name.size() <= 64;
        for (char c : name) ok = ok && (is_alpha(c) || is_digit(c) || c == '_' || c == '-');
        if (!ok) {
            return fail(bad(fmt::format(
                "read store: filter member \"{}\" must be 1 to 64 characters [A-Za-z0-9_-]",
                name)));
        }
        if (value.is_structured() || value.is_binary() || value.is_discarded()) {
            return fail(bad(fmt::format(
                "read store: filter on \"{}\" must compare with a string, number, boolean or null",
                name)));
        }
        if (!storable(value))
            return fail(
                bad(fmt::format("read store: filter on \"{}\" is not UTF-8 without NUL", name)));
    }
    return {};
}

result<std::vector<const write_op*>> reduce_batch(const std::vector<write_op>& ops) {
    std::vector<const write_op*> out;
    out.reserve(ops.size());
    // (collection, id) -> index in `out`. Batches are small (a stream batch), a hash map is fine.
    std::unordered_map<std::string, std::size_t> seen;
    seen.reserve(ops.size());
    std::string key;
    for (const auto& op : ops) {
        if (auto r = check_op(op); !r)
            return fail(std::move(r).error());
        key.assign(op.collection);
        key.push_back('\0');
        key.append(op.doc.id);
        auto [it, inserted] = seen.try_emplace(key, out.size());
        if (inserted) {
            out.push_back(&op);
        } else if (op.doc.version > out[it->second]->doc.version) {
            out[it->second] = &op;
        }
    }
    return out;
}

bool matches(const json& body, const list_query& q) {
    for (const auto& [name, value] : q.where) {
        auto it = body.find(name);
        if (it == body.end())
            return false;
        // nlohmann compares integers and floats numerically; strings, booleans and null by
        // type and value: exactly the SQL stores' semantics.
        if (it->is_number() != value.is_number() || !(*it == value))
            return false;
    }
    return true;
}

}  // namespace read_store_rules
}  // namespace esser::core
