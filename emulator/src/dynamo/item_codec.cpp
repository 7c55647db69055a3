#include "item_codec.hpp"

#include <cassert>

#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/dynamo/json_text.hpp"

namespace esser::emulator::item_codec {

using nlohmann::json;
using u128 = unsigned __int128;

namespace {

void put_varint(std::uint64_t v, std::string& out) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

void put_bytes(std::string_view s, std::string& out) {
    put_varint(s.size(), out);
    out.append(s);
}

void put_number(const decimal& d, std::string& out) {
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

void put_value(const attribute_value& v, std::string& out);

void put_entries(const attribute_map& m, std::string& out) {
    put_varint(m.size(), out);
    for (const auto& [name, v] : m) {
        put_bytes(name, out);
        put_value(v, out);
    }
}

// Writes `body` preceded by its byte length: the body goes to the end of `out`, then its length
// is inserted in front of it (a short memmove; no second buffer).
template <class F>
void put_sized(std::string& out, F&& body) {
    const std::size_t start = out.size();
    body(out);
    const std::size_t n = out.size() - start;
    char len[10];
    std::size_t k = 0;
    for (std::uint64_t v = n;; v >>= 7) {
        if (v < 0x80) {
            len[k++] = static_cast<char>(v);
            break;
        }
        len[k++] = static_cast<char>((v & 0x7F) | 0x80);
    }
    out.insert(start, len, k);
}

void put_value(const attribute_value& v, std::string& out) {
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
            put_sized(out, [&](std::string& b) { put_entries(v.as_m(), b); });
            break;
        case value_type::L:
            put_sized(out, [&](std::string& b) {
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

    value_type tag() { return static_cast<value_type>(*p++); }

    void skip_value(value_type t) {
        switch (t) {
            case value_type::S:
            case value_type::B:
                bytes();
                break;
            case value_type::N:
                number();
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
                for (std::uint64_t i = 0; i < n; ++i) number();
                break;
            }
        }
    }

    attribute_value value(value_type t);

    // DynamoDB's size of the value at the cursor (spec §2.3), advancing past it.
    std::size_t value_size(value_type t) {
        switch (t) {
            case value_type::S:
            case value_type::B:
                return bytes().size();
            case value_type::N:
                return number().size_bytes();
            case value_type::BOOL:
                ++p;
                return 1;
            case value_type::NUL:
                return 1;
            case value_type::M: {
                varint();
                return 3 + entries_size(true);
            }
            case value_type::L: {
                varint();
                const auto n = varint();
                std::size_t total = 3;
                for (std::uint64_t i = 0; i < n; ++i) {
                    const auto et = tag();
                    total += 1 + value_size(et);
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
                for (std::uint64_t i = 0; i < n; ++i) total += number().size_bytes();
                return total;
            }
        }
        return 0;
    }

    // Top-level items count name + value; map entries also 1 byte each (nested == true).
    std::size_t entries_size(bool nested) {
        const auto n = varint();
        std::size_t total = 0;
        for (std::uint64_t i = 0; i < n; ++i) {
            total += bytes().size() + (nested ? 1 : 0);
            const auto t = tag();
            total += value_size(t);
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
    void text_value(value_type t, json_text& out);

    void text_entries(json_text& out) {
        const auto n = varint();
        out.raw('{');
        for (std::uint64_t i = 0; i < n; ++i) {
            if (i > 0)
                out.raw(',');
            out.string(bytes());
            out.raw(':');
            text_value(tag(), out);
        }
        out.raw('}');
    }

    void text_number(json_text& out) {
        char* d = out.room(decimal::max_text_size);
        out.commit(static_cast<std::size_t>(number().write_text(d) - d));
    }
};

void reader::text_value(value_type t, json_text& out) {
    using namespace std::string_view_literals;
    switch (t) {
        case value_type::S:
            out.raw("{\"S\":"sv);
            out.string(bytes());
            break;
        case value_type::B:
            out.raw("{\"B\":"sv);
            out.string(base64_encode(bytes()));
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
            text_entries(out);
            break;
        case value_type::L: {
            varint();
            const auto n = varint();
            out.raw("{\"L\":["sv);
            for (std::uint64_t i = 0; i < n; ++i) {
                if (i > 0)
                    out.raw(',');
                text_value(tag(), out);
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
                    out.string(bytes());
                } else if (t == value_type::BS) {
                    out.string(base64_encode(bytes()));
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
    // Digits of the coefficient, most significant first.
    char digits[40];
    int n = 0;
    for (u128 c = d.coefficient(); c != 0; c /= 10)
        digits[n++] = static_cast<char>('0' + static_cast<int>(c % 10));
    const int biased = d.adjusted_exponent() + 130;  // 0..255
    if (!d.is_negative()) {
        out.push_back(0x02);
        out.push_back(static_cast<char>(biased));
        for (int i = n - 1; i >= 0; --i) out.push_back(digits[i]);
    } else {
        out.push_back(0x00);
        out.push_back(static_cast<char>(255 - biased));
        for (int i = n - 1; i >= 0; --i)
            out.push_back(static_cast<char>(0xFF - static_cast<unsigned char>(digits[i])));
        out.push_back(static_cast<char>(0xFF));
    }
}

}  // namespace

void encode(const attribute_map& item, std::string& out) {
    put_entries(item, out);
}

std::string encode(const attribute_map& item) {
    std::string out;
    out.reserve(64);
    encode(item, out);
    return out;
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
    r.text_entries(out);
}

std::optional<std::string_view> find(std::string_view bytes, std::string_view name) {
    reader r{bytes.data(), bytes.data() + bytes.size()};
    const auto n = r.varint();
    for (std::uint64_t i = 0; i < n; ++i) {
        std::string_view current = r.bytes();
        const char* start = r.p;
        const auto t = r.tag();
        r.skip_value(t);
        if (current == name)
            return std::string_view(start, static_cast<std::size_t>(r.p - start));
        if (current > name)
            break;
    }
    return std::nullopt;
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
