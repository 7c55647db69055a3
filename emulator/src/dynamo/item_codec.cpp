#include "item_codec.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "json_cursor.hpp"
#include <boost/container/small_vector.hpp>

#include "esser/emulator/dynamo/attribute_value_json.hpp"
#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/dynamo/json_text.hpp"

namespace esser::emulator::item_codec {

using nlohmann::json;
using u128 = unsigned __int128;

namespace {

// Appends to a std::string through a cursor: the string is grown ahead of the cursor and cut to
// the written length when the writer goes, so writing a byte is a store, not a push_back. The
// small writers are forced inline: the encoders call them for every byte, name and value.
class byte_writer {
public:
    explicit byte_writer(std::string& s) : s_(s), pos_(s.size()) { grow(256); }

    ~byte_writer() { s_.resize(pos_); }

    byte_writer(const byte_writer&) = delete;
    byte_writer& operator=(const byte_writer&) = delete;

    std::size_t size() const { return pos_; }

    // The bytes written so far (valid until the next write).
    char* data() { return s_.data(); }

    // Room for n more bytes at the cursor: write them, then advance(end of what was written).
    [[gnu::always_inline]] char* room(std::size_t n) {
        if (s_.size() - pos_ < n)
            grow(n);
        return s_.data() + pos_;
    }

    [[gnu::always_inline]] void advance(const char* end) {
        pos_ = static_cast<std::size_t>(end - s_.data());
    }

    [[gnu::always_inline]] void push_back(char c) {
        *room(1) = c;
        ++pos_;
    }

    [[gnu::always_inline]] void append(const char* p, std::size_t n) {
        std::memcpy(room(n), p, n);
        pos_ += n;
    }

    // Inserts n bytes at `at` (<= size()), moving what follows.
    void insert(std::size_t at, const char* p, std::size_t n) {
        char* d = room(n) - pos_;
        std::memmove(d + at + n, d + at, pos_ - at);
        std::memcpy(d + at, p, n);
        pos_ += n;
    }

private:
    [[gnu::noinline]] void grow(std::size_t n) {
        s_.resize(std::max(s_.size() * 2, pos_ + n + 64));
    }

    std::string& s_;
    std::size_t pos_;
};

[[gnu::always_inline]] inline char* write_varint(std::uint64_t v, char* p) {
    while (v >= 0x80) {
        *p++ = static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
}

[[gnu::always_inline]] inline void put_varint(std::uint64_t v, byte_writer& out) {
    out.advance(write_varint(v, out.room(10)));
}

[[gnu::always_inline]] inline void put_bytes(std::string_view s, byte_writer& out) {
    char* p = write_varint(s.size(), out.room(10 + s.size()));
    std::memcpy(p, s.data(), s.size());
    out.advance(p + s.size());
}

void put_number(const decimal& d, byte_writer& out) {
    u128 c = d.coefficient();
    unsigned char buf[16];
    int n = 0;
    while (c != 0) {
        buf[n++] = static_cast<unsigned char>(c & 0xFF);
        c >>= 8;
    }
    out.push_back(static_cast<char>((d.is_negative() ? 0x80 : 0) | n));
    const std::int64_t e = d.exponent();
    put_varint(static_cast<std::uint64_t>((e << 1) ^ (e >> 63)), out);
    out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

void put_value(const attribute_value& v, byte_writer& out);

void put_entries(const attribute_map& m, byte_writer& out) {
    put_varint(m.size(), out);
    for (const auto& [name, v] : m) {
        put_bytes(name, out);
        put_value(v, out);
    }
}

// Writes `body` preceded by its byte length: the body goes to the end of `out`, then its length
// is inserted in front of it (a short memmove; no second buffer).
template <class F>
void put_sized(byte_writer& out, F&& body) {
    const std::size_t start = out.size();
    body(out);
    char len[10];
    const char* end = write_varint(out.size() - start, len);
    out.insert(start, len, static_cast<std::size_t>(end - len));
}

void put_value(const attribute_value& v, byte_writer& out) {
    out.push_back(static_cast<char>(v.type()));
    switch (v.type()) {
        case value_type::S:
            put_bytes(v.as_s(), out);
            break;
        case value_type::B:
            put_bytes(v.as_b(), out);
            break;
        case value_type::N:
            put_number(v.as_n(), out);
            break;
        case value_type::BOOL:
            out.push_back(v.as_bool() ? 1 : 0);
            break;
        case value_type::NUL:
            break;
        case value_type::M:
            put_sized(out, [&](byte_writer& b) { put_entries(v.as_m(), b); });
            break;
        case value_type::L:
            put_sized(out, [&](byte_writer& b) {
                put_varint(v.as_l().size(), b);
                for (const auto& x : v.as_l()) put_value(x, b);
            });
            break;
        case value_type::SS:
        case value_type::BS: {
            const auto& set = v.type() == value_type::SS ? v.as_ss() : v.as_bs();
            put_varint(set.size(), out);
            for (const auto& s : set) put_bytes(s, out);
            break;
        }
        case value_type::NS:
            put_varint(v.as_ns().size(), out);
            for (const auto& d : v.as_ns()) put_number(d, out);
            break;
    }
}

// ---- encode_json: PutItem's one walk (see the header) ----

bool put_json_value(const json& j, int depth, byte_writer& out, std::size_t& size);

// The entries of an object, in its (bytewise) key order, each value at level `depth`. Sizes:
// top-level attributes count name + value, map entries (nested) one byte more.
// `index`: where each value goes (top level only).
bool put_json_entries(const json::object_t& obj, int depth, bool nested, byte_writer& out,
                      std::size_t& size, attribute_index* index = nullptr) {
    put_varint(obj.size(), out);
    for (const auto& [name, v] : obj) {
        if (name.size() > max_attribute_name_bytes)
            return false;
        put_bytes(name, out);
        size += name.size() + (nested ? 1 : 0);
        const std::size_t at = out.size();
        if (!put_json_value(v, depth, out, size))
            return false;
        if (index)
            index->add(name, at, out.size());
    }
    return true;
}

// A set: a non-empty array of strings, read by `read` (false declines), without duplicates,
// written in its sorted order.
template <class T, class Read, class Put>
bool put_json_set(const json& v, byte_writer& out, std::size_t& size, Read&& read, Put&& put) {
    if (!v.is_array() || v.empty())
        return false;
    std::vector<T> items;
    items.reserve(v.size());
    for (const auto& x : v) {
        if (!x.is_string() || !read(x.get_ref<const std::string&>(), items))
            return false;
    }
    std::sort(items.begin(), items.end());
    if (std::adjacent_find(items.begin(), items.end()) != items.end())
        return false;
    put_varint(items.size(), out);
    for (const auto& x : items) size += put(x);
    return true;
}

bool put_json_value(const json& j, int depth, byte_writer& out, std::size_t& size) {
    if (depth > max_attribute_depth || !j.is_object())
        return false;
    const auto& obj = j.get_ref<const json::object_t&>();
    if (obj.size() != 1)
        return false;
    const auto& [tag, v] = *obj.begin();
    const std::optional<value_type> t = parse_type_tag(tag);
    if (!t)
        return false;
    const value_type type = *t;
    out.push_back(static_cast<char>(type));
    auto text = [&]() -> const std::string& { return v.get_ref<const std::string&>(); };
    switch (type) {
        case value_type::S:
            if (!v.is_string())
                return false;
            put_bytes(text(), out);
            size += text().size();
            return true;
        case value_type::N: {
            if (!v.is_string())
                return false;
            const auto d = decimal::parse(text());
            if (!d)
                return false;
            put_number(*d, out);
            size += d->size_bytes();
            return true;
        }
        case value_type::B: {
            if (!v.is_string())
                return false;
            const auto b = base64_decode(text());
            if (!b)
                return false;
            put_bytes(*b, out);
            size += b->size();
            return true;
        }
        case value_type::BOOL:
            if (!v.is_boolean())
                return false;
            out.push_back(v.get<bool>() ? 1 : 0);
            size += 1;
            return true;
        case value_type::NUL:
            if (!v.is_boolean() || !v.get<bool>())
                return false;
            size += 1;
            return true;
        case value_type::M: {
            if (!v.is_object())
                return false;
            bool ok = true;
            put_sized(out, [&](byte_writer& b) {
                ok = put_json_entries(v.get_ref<const json::object_t&>(), depth + 1, true, b, size);
            });
            size += 3;
            return ok;
        }
        case value_type::L: {
            if (!v.is_array())
                return false;
            bool ok = true;
            put_sized(out, [&](byte_writer& b) {
                put_varint(v.size(), b);
                for (const auto& x : v) {
                    if (!(ok = put_json_value(x, depth + 1, b, size)))
                        return;
                }
            });
            size += 3 + v.size();
            return ok;
        }
        case value_type::SS:
            return put_json_set<std::string_view>(
                v, out, size,
                [](const std::string& s, std::vector<std::string_view>& items) {
                    items.emplace_back(s);
                    return true;
                },
                [&](std::string_view s) {
                    put_bytes(s, out);
                    return s.size();
                });
        case value_type::BS:
            return put_json_set<std::string>(
                v, out, size,
                [](const std::string& s, std::vector<std::string>& items) {
                    auto b = base64_decode(s);
                    if (b)
                        items.push_back(std::move(*b));
                    return b.has_value();
                },
                [&](const std::string& s) {
                    put_bytes(s, out);
                    return s.size();
                });
        case value_type::NS:
            return put_json_set<decimal>(
                v, out, size,
                [](const std::string& s, std::vector<decimal>& items) {
                    auto d = decimal::parse(s);
                    if (d)
                        items.push_back(*d);
                    return d.has_value();
                },
                [&](const decimal& d) {
                    put_number(d, out);
                    return d.size_bytes();
                });
    }
    return false;
}

// ---- encode_json_text: PutItem's Item from the request text (see the header) ----

bool put_text_value(json_cursor& in, int depth, byte_writer& out, std::size_t& size);

// One member as written in text order: its name, and where its name (`begin`) and value
// (`value`) start and where it ends in the writer.
struct text_entry {
    std::string_view name;
    std::size_t begin, value, end;
};

// The object at the cursor, written as put_json_entries writes the same object: its count, then
// each name and value in bytewise name order (std::map's order there). A repeated name
// declines: the tree keeps the last one.
bool put_text_entries(json_cursor& in, int depth, bool nested, byte_writer& out, std::size_t& size,
                      attribute_index* index) {
    if (!in.consume('{'))
        return false;
    const std::size_t start = out.size();
    boost::container::small_vector<text_entry, 16> entries;
    if (!in.consume('}')) {
        do {
            std::string_view name;
            if (!in.plain_string(name) || name.size() > max_attribute_name_bytes ||
                !in.consume(':'))
                return false;
            const std::size_t begin = out.size();
            put_bytes(name, out);
            const std::size_t value = out.size();
            if (!put_text_value(in, depth, out, size))
                return false;
            entries.push_back({name, begin, value, out.size()});
            size += name.size() + (nested ? 1 : 0);
        } while (in.consume(','));
        if (!in.consume('}'))
            return false;
    }
    auto by_name = [](const text_entry& a, const text_entry& b) { return a.name < b.name; };
    if (!std::is_sorted(entries.begin(), entries.end(), by_name)) {
        // Rewrite the members in name order (their bytes do not change, only their places).
        const std::string moved(out.data() + start, out.size() - start);
        std::sort(entries.begin(), entries.end(), by_name);
        std::size_t at = start;
        for (auto& e : entries) {
            const std::size_t n = e.end - e.begin;
            std::memcpy(out.data() + at, moved.data() + (e.begin - start), n);
            e.value = at + (e.value - e.begin);
            e.begin = at;
            e.end = at + n;
            at += n;
        }
    }
    for (std::size_t i = 1; i < entries.size(); ++i)
        if (entries[i - 1].name == entries[i].name)
            return false;
    char count[10];
    const auto count_size = static_cast<std::size_t>(write_varint(entries.size(), count) - count);
    out.insert(start, count, count_size);
    if (index) {
        index->reset(entries.size());
        for (const auto& e : entries) index->add(e.name, e.value + count_size, e.end + count_size);
    }
    return true;
}

// One AttributeValue at the cursor, written as put_json_value writes the same value. Sets
// decline (their order and duplicates are left to the tree path).
bool put_text_value(json_cursor& in, int depth, byte_writer& out, std::size_t& size) {
    std::string_view tag;
    if (depth > max_attribute_depth || !in.consume('{') || !in.plain_string(tag) ||
        !in.consume(':'))
        return false;
    const std::optional<value_type> t = parse_type_tag(tag);
    if (!t)
        return false;
    out.push_back(static_cast<char>(*t));
    std::string_view text;
    switch (*t) {
        case value_type::S:
            if (!in.plain_string(text))
                return false;
            put_bytes(text, out);
            size += text.size();
            break;
        case value_type::N: {
            if (!in.plain_string(text))
                return false;
            const auto d = decimal::parse(text);
            if (!d)
                return false;
            put_number(*d, out);
            size += d->size_bytes();
            break;
        }
        case value_type::B: {
            if (!in.plain_string(text))
                return false;
            const auto b = base64_decode(text);
            if (!b)
                return false;
            put_bytes(*b, out);
            size += b->size();
            break;
        }
        case value_type::BOOL:
            if (in.literal("true")) {
                out.push_back(1);
            } else if (in.literal("false")) {
                out.push_back(0);
            } else {
                return false;
            }
            size += 1;
            break;
        case value_type::NUL:
            if (!in.literal("true"))
                return false;
            size += 1;
            break;
        case value_type::M: {
            bool ok = true;
            put_sized(out, [&](byte_writer& b) {
                ok = put_text_entries(in, depth + 1, true, b, size, nullptr);
            });
            if (!ok)
                return false;
            size += 3;
            break;
        }
        case value_type::L: {
            bool ok = in.consume('[');
            std::size_t n = 0;
            put_sized(out, [&](byte_writer& b) {
                const std::size_t start = b.size();
                if (ok && !in.consume(']')) {
                    do {
                        if (!(ok = put_text_value(in, depth + 1, b, size)))
                            return;
                        ++n;
                    } while (in.consume(','));
                    ok = in.consume(']');
                }
                char count[10];
                b.insert(start, count, static_cast<std::size_t>(write_varint(n, count) - count));
            });
            if (!ok)
                return false;
            size += 3 + n;
            break;
        }
        default:
            return false;
    }
    return in.consume('}');  // exactly one tag
}

struct reader {
    const char* p;
    const char* end;

    std::uint64_t varint() {
        std::uint64_t v = 0;
        int shift = 0;
        for (;;) {
            const auto b = static_cast<unsigned char>(*p++);
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80))
                return v;
            shift += 7;
        }
    }

    std::string_view bytes() {
        const auto n = varint();
        std::string_view s(p, n);
        p += n;
        return s;
    }

    decimal number() {
        const auto head = static_cast<unsigned char>(*p++);
        const std::uint64_t z = varint();
        const auto e = static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
        const int n = head & 0x7F;
        u128 c = 0;
        for (int i = n - 1; i >= 0; --i) c = (c << 8) | static_cast<unsigned char>(p[i]);
        p += n;
        // Stored parts were normalised and range-checked when the item was written.
        return decimal::from_normalised_parts(c, static_cast<int>(e), (head & 0x80) != 0);
    }

    void skip_number() {
        const int n = static_cast<unsigned char>(*p++) & 0x7F;
        varint();
        p += n;
    }

    value_type tag() { return static_cast<value_type>(*p++); }

    void skip_value(value_type t) {
        switch (t) {
            case value_type::S:
            case value_type::B:
                bytes();
                break;
            case value_type::N:
                skip_number();
                break;
            case value_type::BOOL:
                ++p;
                break;
            case value_type::NUL:
                break;
            case value_type::M:
            case value_type::L: {
                const auto n = varint();
                p += n;
                break;
            }
            case value_type::SS:
            case value_type::BS: {
                const auto n = varint();
                for (std::uint64_t i = 0; i < n; ++i) bytes();
                break;
            }
            case value_type::NS: {
                const auto n = varint();
                for (std::uint64_t i = 0; i < n; ++i) skip_number();
                break;
            }
        }
    }

    attribute_value value(value_type t);

    // A Number's size: in a table item (spec/dynamodb-api.md §2.3), or, with StreamNumbers, in a
    // stream record (spec/streams-and-lambda.md §2.4: ceil(significant digits / 2) + 1).
    template <bool StreamNumbers>
    std::size_t number_size() {
        if constexpr (StreamNumbers) {
            return (static_cast<std::size_t>(number().digits()) + 1) / 2 + 1;
        } else {
            return number().size_bytes();
        }
    }

    // DynamoDB's size of the value at the cursor (spec §2.3), advancing past it; Numbers as
    // number_size<StreamNumbers> counts them.
    template <bool StreamNumbers = false>
    std::size_t value_size(value_type t) {
        switch (t) {
            case value_type::S:
            case value_type::B:
                return bytes().size();
            case value_type::N:
                return number_size<StreamNumbers>();
            case value_type::BOOL:
                ++p;
                return 1;
            case value_type::NUL:
                return 1;
            case value_type::M: {
                varint();
                return 3 + entries_size<StreamNumbers>(true);
            }
            case value_type::L: {
                varint();
                const auto n = varint();
                std::size_t total = 3;
                for (std::uint64_t i = 0; i < n; ++i) {
                    const auto et = tag();
                    total += 1 + value_size<StreamNumbers>(et);
                }
                return total;
            }
            case value_type::SS:
            case value_type::BS: {
                const auto n = varint();
                std::size_t total = 0;
                for (std::uint64_t i = 0; i < n; ++i) total += bytes().size();
                return total;
            }
            case value_type::NS: {
                const auto n = varint();
                std::size_t total = 0;
                for (std::uint64_t i = 0; i < n; ++i) total += number_size<StreamNumbers>();
                return total;
            }
        }
        return 0;
    }

    // Top-level items count name + value; map entries also 1 byte each (nested == true).
    template <bool StreamNumbers = false>
    std::size_t entries_size(bool nested) {
        const auto n = varint();
        std::size_t total = 0;
        for (std::uint64_t i = 0; i < n; ++i) {
            total += bytes().size() + (nested ? 1 : 0);
            const auto t = tag();
            total += value_size<StreamNumbers>(t);
        }
        return total;
    }

    attribute_map entries() {
        const auto n = varint();
        attribute_map m;
        m.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            std::string name(bytes());
            const auto t = tag();
            m.append_sorted(std::move(name), value(t));
        }
        return m;
    }

    json json_value(value_type t);

    json json_entries() {
        const auto n = varint();
        json out = json::object();
        auto& obj = out.get_ref<json::object_t&>();
        for (std::uint64_t i = 0; i < n; ++i) {
            std::string_view name = bytes();
            const auto t = tag();
            obj.emplace_hint(obj.end(), std::string(name), json_value(t));
        }
        return out;
    }

    // The same documents as json_entries / json_value, as text (what their dump() writes).
    // Padded: the input is followed by readable bytes (write_json_padded), so strings are
    // copied with json_text::padded_string.
    template <bool Padded>
    void text_value(value_type t, json_text& out);

    template <bool Padded>
    void text_string(json_text& out) {
        if constexpr (Padded)
            out.padded_string(bytes());
        else
            out.string(bytes());
    }

    template <bool Padded>
    void text_entries(json_text& out) {
        const auto n = varint();
        out.raw('{');
        for (std::uint64_t i = 0; i < n; ++i) {
            if (i > 0)
                out.raw(',');
            text_string<Padded>(out);
            out.raw(':');
            text_value<Padded>(tag(), out);
        }
        out.raw('}');
    }

    void text_number(json_text& out) {
        char* d = out.room(decimal::max_text_size);
        out.commit(static_cast<std::size_t>(number().write_text(d) - d));
    }

    // Base64 has nothing to escape: written straight into the text.
    void text_base64(json_text& out) {
        const std::string_view b = bytes();
        const std::size_t n = base64_size(b.size());
        char* d = out.room(n + 2);
        d[0] = '"';
        base64_write(b, d + 1);
        d[n + 1] = '"';
        out.commit(n + 2);
    }
};

template <bool Padded>
void reader::text_value(value_type t, json_text& out) {
    using namespace std::string_view_literals;
    switch (t) {
        case value_type::S:
            out.raw("{\"S\":"sv);
            text_string<Padded>(out);
            break;
        case value_type::B:
            out.raw("{\"B\":"sv);
            text_base64(out);
            break;
        case value_type::N:
            out.raw("{\"N\":\""sv);
            text_number(out);  // digits, '.', '-': nothing to escape
            out.raw('"');
            break;
        case value_type::BOOL:
            out.raw(*p++ != 0 ? "{\"BOOL\":true"sv : "{\"BOOL\":false"sv);
            break;
        case value_type::NUL:
            out.raw("{\"NULL\":true"sv);
            break;
        case value_type::M:
            varint();
            out.raw("{\"M\":"sv);
            text_entries<Padded>(out);
            break;
        case value_type::L: {
            varint();
            const auto n = varint();
            out.raw("{\"L\":["sv);
            for (std::uint64_t i = 0; i < n; ++i) {
                if (i > 0)
                    out.raw(',');
                text_value<Padded>(tag(), out);
            }
            out.raw(']');
            break;
        }
        case value_type::SS:
        case value_type::BS:
        case value_type::NS: {
            const auto n = varint();
            out.raw(t == value_type::SS   ? "{\"SS\":["sv
                    : t == value_type::BS ? "{\"BS\":["sv
                                          : "{\"NS\":["sv);
            for (std::uint64_t i = 0; i < n; ++i) {
                if (i > 0)
                    out.raw(',');
                if (t == value_type::SS) {
                    text_string<Padded>(out);
                } else if (t == value_type::BS) {
                    text_base64(out);
                } else {
                    out.raw('"');
                    text_number(out);
                    out.raw('"');
                }
            }
            out.raw(']');
            break;
        }
    }
    out.raw('}');
}

attribute_value reader::value(value_type t) {
    switch (t) {
        case value_type::S:
            return attribute_value::s(std::string(bytes()));
        case value_type::B:
            return attribute_value::b(std::string(bytes()));
        case value_type::N:
            return attribute_value::n(number());
        case value_type::BOOL:
            return attribute_value::boolean(*p++ != 0);
        case value_type::NUL:
            return attribute_value::null();
        case value_type::M: {
            varint();
            return attribute_value::m(entries());
        }
        case value_type::L: {
            varint();
            const auto n = varint();
            attribute_value::list_t l;
            l.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) {
                const auto et = tag();
                l.push_back(value(et));
            }
            return attribute_value::l(std::move(l));
        }
        case value_type::SS:
        case value_type::BS: {
            const auto n = varint();
            std::vector<std::string> set;
            set.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) set.emplace_back(bytes());
            // Stored sorted and unique: the factories' sort is a no-op pass.
            return t == value_type::SS ? attribute_value::ss(std::move(set))
                                       : attribute_value::bs(std::move(set));
        }
        case value_type::NS: {
            const auto n = varint();
            std::vector<decimal> set;
            set.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) set.push_back(number());
            return attribute_value::ns(std::move(set));
        }
    }
    return attribute_value::null();
}

json reader::json_value(value_type t) {
    json out = json::object();
    auto& obj = out.get_ref<json::object_t&>();
    switch (t) {
        case value_type::S:
            obj.emplace("S", std::string(bytes()));
            break;
        case value_type::B:
            obj.emplace("B", base64_encode(bytes()));
            break;
        case value_type::N:
            obj.emplace("N", number().to_string());
            break;
        case value_type::BOOL:
            obj.emplace("BOOL", *p++ != 0);
            break;
        case value_type::NUL:
            obj.emplace("NULL", true);
            break;
        case value_type::M:
            varint();
            obj.emplace("M", json_entries());
            break;
        case value_type::L: {
            varint();
            const auto n = varint();
            json arr = json::array();
            auto& a = arr.get_ref<json::array_t&>();
            a.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) {
                const auto et = tag();
                a.push_back(json_value(et));
            }
            obj.emplace("L", std::move(arr));
            break;
        }
        case value_type::SS:
        case value_type::BS: {
            const auto n = varint();
            json arr = json::array();
            auto& a = arr.get_ref<json::array_t&>();
            a.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) {
                if (t == value_type::SS) {
                    a.emplace_back(std::string(bytes()));
                } else {
                    a.emplace_back(base64_encode(bytes()));
                }
            }
            obj.emplace(t == value_type::SS ? "SS" : "BS", std::move(arr));
            break;
        }
        case value_type::NS: {
            const auto n = varint();
            json arr = json::array();
            auto& a = arr.get_ref<json::array_t&>();
            a.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) a.emplace_back(number().to_string());
            obj.emplace("NS", std::move(arr));
            break;
        }
    }
    return out;
}

void append_number_key(const decimal& d, std::string& out) {
    if (d.is_zero()) {
        out.push_back(0x01);
        return;
    }
    // Digits of the coefficient, least significant first (64-bit division when it fits).
    char digits[40];
    int n = 0;
    auto put_digits = [&](auto c) {
        for (; c != 0; c /= 10) digits[n++] = static_cast<char>('0' + static_cast<int>(c % 10));
    };
    if (const u128 c = d.coefficient(); c >> 64)
        put_digits(c);
    else
        put_digits(static_cast<std::uint64_t>(c));
    const int biased = d.exponent() + n - 1 + 130;  // the adjusted exponent, 0..255
    char key[43];
    int k = 0;
    const bool negative = d.is_negative();
    key[k++] = negative ? 0x00 : 0x02;
    key[k++] = static_cast<char>(negative ? 255 - biased : biased);
    for (int i = n - 1; i >= 0; --i) {
        key[k++] =
            negative ? static_cast<char>(0xFF - static_cast<unsigned char>(digits[i])) : digits[i];
    }
    if (negative)
        key[k++] = static_cast<char>(0xFF);
    out.append(key, static_cast<std::size_t>(k));
}

}  // namespace

void encode(const attribute_map& item, std::string& out) {
    byte_writer w(out);
    put_entries(item, w);
}

std::string encode(const attribute_map& item) {
    std::string out;
    out.reserve(64);
    encode(item, out);
    return out;
}

std::optional<std::size_t> encode_json(const json& item, std::string& out, attribute_index* index) {
    out.clear();
    if (!item.is_object())
        return std::nullopt;
    const auto& obj = item.get_ref<const json::object_t&>();
    if (index)
        index->reset(obj.size());
    std::size_t size = 0;
    byte_writer w(out);
    if (!put_json_entries(obj, 1, false, w, size, index))
        return std::nullopt;
    return size;
}

std::optional<std::size_t> encode_json_text(json_cursor& in, std::string& out,
                                            attribute_index* index) {
    out.clear();
    std::size_t size = 0;
    byte_writer w(out);
    if (!put_text_entries(in, 1, false, w, size, index))
        return std::nullopt;
    return size;
}

std::optional<std::string_view> attribute_index::find(std::string_view bytes,
                                                      std::string_view name) const {
    if (!indexed_)
        return item_codec::find(bytes, name);
    for (std::size_t i = 0; i < n_; ++i) {
        const entry& e = entries_[i];
        if (e.name.size() == name.size() &&
            std::memcmp(e.name.data(), name.data(), name.size()) == 0)
            return bytes.substr(e.at, e.size);
    }
    return std::nullopt;
}

attribute_map decode(std::string_view bytes) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    return r.entries();
}

attribute_map decode_some(std::string_view bytes, const std::vector<std::string>& names) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    const auto n = r.varint();
    attribute_map m;
    std::size_t k = 0;
    for (std::uint64_t i = 0; i < n && k < names.size(); ++i) {
        std::string_view name = r.bytes();
        const auto t = r.tag();
        while (k < names.size() && names[k] < name) ++k;
        if (k < names.size() && names[k] == name) {
            m.append_sorted(std::string(name), r.value(t));
            ++k;
        } else {
            r.skip_value(t);
        }
    }
    return m;
}

json to_json(std::string_view bytes) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    return r.json_entries();
}

void write_json(std::string_view bytes, std::string& out) {
    json_text text(out);
    write_json(bytes, text);
}

void write_json(std::string_view bytes, json_text& out) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    r.text_entries<false>(out);
}

void write_json_padded(std::string_view bytes, json_text& out) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    r.text_entries<true>(out);
}

std::optional<std::string_view> find(std::string_view bytes, std::string_view name) {
    return find_pair(bytes, name, name).first;
}

attribute_pair find_pair(std::string_view bytes, std::string_view a, std::string_view b) {
    // Names are in ascending byte order: past a name, it is not there. The first bytes decide
    // most comparisons without a memcmp.
    auto order = [](std::string_view x, std::string_view y) {
        return !x.empty() && !y.empty() && x[0] != y[0]
                   ? static_cast<unsigned char>(x[0]) - static_cast<unsigned char>(y[0])
                   : x.compare(y);
    };
    attribute_pair out;
    reader r{bytes.data(), bytes.data() + bytes.size()};
    const auto n = r.varint();
    bool past_a = false, past_b = false;
    for (std::uint64_t i = 0; i < n && !(past_a && past_b); ++i) {
        std::string_view current = r.bytes();
        const char* start = r.p;
        const int to_a = past_a ? -1 : order(current, a);
        const int to_b = past_b ? -1 : order(current, b);
        past_a = past_a || to_a >= 0;
        past_b = past_b || to_b >= 0;
        r.skip_value(r.tag());
        const std::string_view value(start, static_cast<std::size_t>(r.p - start));
        if (to_a == 0)
            out.first = value;
        if (to_b == 0)
            out.second = value;
    }
    return out;
}

attribute_value decode_value(std::string_view value_bytes) {
    reader r{value_bytes.data(), value_bytes.data() + value_bytes.size()};
    const auto t = r.tag();
    return r.value(t);
}

std::size_t item_size(std::string_view bytes) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    return r.entries_size(false);
}

std::size_t stream_size(std::string_view bytes) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    return r.entries_size<true>(false);
}

std::size_t stream_size(std::string_view bytes, std::string_view a, std::string_view b,
                        attribute_pair& found) {
    found = {};
    reader r{bytes.data(), bytes.data() + bytes.size()};
    const auto n = r.varint();
    std::size_t total = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::string_view name = r.bytes();
        const char* start = r.p;
        total += name.size() + r.value_size<true>(r.tag());
        const std::string_view value(start, static_cast<std::size_t>(r.p - start));
        if (name == a)
            found.first = value;
        if (name == b)
            found.second = value;
    }
    return total;
}

std::size_t encoded_size(std::span<const encoded_attribute> attributes) {
    char buf[10];
    std::size_t n = static_cast<std::size_t>(write_varint(attributes.size(), buf) - buf);
    for (const auto& a : attributes) {
        n += static_cast<std::size_t>(write_varint(a.name.size(), buf) - buf) + a.name.size() +
             a.value.size();
    }
    return n;
}

void encode(std::span<const encoded_attribute> attributes, std::string& out) {
    char buf[10];
    out.append(buf, static_cast<std::size_t>(write_varint(attributes.size(), buf) - buf));
    for (const auto& a : attributes) {
        assert(&a == attributes.data() || (&a)[-1].name < a.name);
        out.append(buf, static_cast<std::size_t>(write_varint(a.name.size(), buf) - buf));
        out.append(a.name);
        out.append(a.value);
    }
}

std::size_t bytes_length(std::string_view value_bytes) {
    reader r{value_bytes.data() + 1, value_bytes.data() + value_bytes.size()};
    return r.varint();
}

std::size_t attribute_count(std::string_view bytes) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    return r.varint();
}

void append_key_bytes_of_encoded(std::string_view value_bytes, std::string& out) {
    reader r{value_bytes.data(), value_bytes.data() + value_bytes.size()};
    const auto t = r.tag();
    switch (t) {
        case value_type::S:
        case value_type::B:
            out.append(r.bytes());
            break;
        case value_type::N:
            append_number_key(r.number(), out);
            break;
        default:
            assert(false && "key attribute must be S, N or B");
    }
}

void append_key_bytes(const attribute_value& v, std::string& out) {
    switch (v.type()) {
        case value_type::S:
            out.append(v.as_s());
            break;
        case value_type::B:
            out.append(v.as_b());
            break;
        case value_type::N:
            append_number_key(v.as_n(), out);
            break;
        default:
            assert(false && "key attribute must be S, N or B");
    }
}

std::string key_bytes(const attribute_value& v) {
    std::string out;
    append_key_bytes(v, out);
    return out;
}

}  // namespace esser::emulator::item_codec
