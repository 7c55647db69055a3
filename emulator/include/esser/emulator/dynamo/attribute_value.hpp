#pragma once
// DynamoDB's AttributeValue: the value model of the fake engine (spec/dynamodb-api.md §2).
//
//   S     UTF-8 string (may be empty outside keys)
//   N     decimal (exact, 38 digits)
//   B     raw bytes (base64 only on the wire)
//   BOOL, NULL
//   M     map of name -> value (may be empty)
//   L     list of values (may be empty)
//   SS/NS/BS  non-empty sets without duplicates
//
// Invariants (established by the JSON reader and every constructor below):
//  - sets are non-empty, sorted and unique: SS/BS by unsigned bytes, NS numerically. AWS does
//    not promise an order; a sorted one makes our output deterministic and comparison cheap.
//  - maps are sorted by name (bytewise) with unique names.
// Equality is DynamoDB's `=`: same type and same value (sets as unordered collections, which the
// sorted invariant turns into element-wise equality).
//
// This tree is the working form for requests, expressions and responses. The engine may store
// items in a more compact encoding; it converts at the edges.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "esser/emulator/dynamo/decimal.hpp"

namespace esser::emulator {

// The order is the order of the type tags in the wire format table; it is also used in the
// compact item encoding: do not reorder.
enum class value_type : std::uint8_t { S, N, B, BOOL, NUL, M, L, SS, NS, BS };

// "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
std::string_view type_tag(value_type t) noexcept;

// The reverse: the type of a wire tag, nullopt for anything else (inline: the JSON readers ask
// for every value).
inline std::optional<value_type> parse_type_tag(std::string_view t) noexcept {
    switch (t.size()) {
        case 1:
            switch (t[0]) {
                case 'S':
                    return value_type::S;
                case 'N':
                    return value_type::N;
                case 'B':
                    return value_type::B;
                case 'M':
                    return value_type::M;
                case 'L':
                    return value_type::L;
                default:
                    return std::nullopt;
            }
        case 2:
            if (t[1] != 'S')
                return std::nullopt;
            switch (t[0]) {
                case 'S':
                    return value_type::SS;
                case 'N':
                    return value_type::NS;
                case 'B':
                    return value_type::BS;
                default:
                    return std::nullopt;
            }
        case 4:
            if (std::memcmp(t.data(), "BOOL", 4) == 0)
                return value_type::BOOL;
            if (std::memcmp(t.data(), "NULL", 4) == 0)
                return value_type::NUL;
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

// The names DynamoDB uses in operand-type error messages: STRING, NUMBER, BINARY, BOOLEAN, NULL,
// MAP, LIST, SET OF STRING, ... (spec §4.5).
std::string_view type_description(value_type t) noexcept;

class attribute_value;

// A map value or a whole item: sorted by name, unique names.
class attribute_map {
public:
    using entry = std::pair<std::string, attribute_value>;
    using const_iterator = std::vector<entry>::const_iterator;
    using iterator = std::vector<entry>::iterator;

    attribute_map() = default;
    // Sorts; a later duplicate name replaces an earlier one.
    explicit attribute_map(std::vector<entry> entries);

    const attribute_value* find(std::string_view name) const;
    attribute_value* find(std::string_view name);
    // Inserts or replaces; returns the stored value.
    attribute_value& set(std::string name, attribute_value v);
    // Returns whether something was removed.
    bool erase(std::string_view name);
    // Appends at the end: `name` must sort after every name already present (bytewise), e.g.
    // when copying from another sorted source. Cheaper than set(); a violation breaks the
    // invariant (asserted in debug builds).
    void append_sorted(std::string name, attribute_value v);

    void reserve(std::size_t n) { entries_.reserve(n); }

    bool empty() const { return entries_.empty(); }

    std::size_t size() const { return entries_.size(); }

    const_iterator begin() const { return entries_.begin(); }

    const_iterator end() const { return entries_.end(); }

    iterator begin() { return entries_.begin(); }

    iterator end() { return entries_.end(); }

    const std::vector<entry>& entries() const { return entries_; }

    friend bool operator==(const attribute_map&, const attribute_map&);

private:
    std::vector<entry> entries_;
};

using item = attribute_map;  // a table item: top-level attributes

class attribute_value {
public:
    struct binary {
        std::string bytes;
        friend auto operator<=>(const binary&, const binary&) = default;
    };

    struct null_t {
        friend bool operator==(null_t, null_t) { return true; }
    };

    using list_t = std::vector<attribute_value>;

    struct string_set {
        std::vector<std::string> v;
        friend bool operator==(const string_set&, const string_set&) = default;
    };

    struct number_set {
        std::vector<decimal> v;
        friend bool operator==(const number_set&, const number_set&) = default;
    };

    struct binary_set {
        std::vector<std::string> v;
        friend bool operator==(const binary_set&, const binary_set&) = default;
    };

    attribute_value() : v_(null_t{}) {}  // NULL

    static attribute_value s(std::string v) { return attribute_value(std::move(v)); }

    static attribute_value n(decimal v) { return attribute_value(v); }

    static attribute_value b(std::string bytes) {
        return attribute_value(binary{std::move(bytes)});
    }

    static attribute_value boolean(bool v) { return attribute_value(v); }

    static attribute_value null() { return attribute_value(); }

    static attribute_value m(attribute_map v) { return attribute_value(std::move(v)); }

    static attribute_value l(list_t v) { return attribute_value(std::move(v)); }

    // Set factories sort and de-duplicate; callers that must reject duplicates or empty sets
    // (the wire reader) check before calling.
    static attribute_value ss(std::vector<std::string> v);
    static attribute_value ns(std::vector<decimal> v);
    static attribute_value bs(std::vector<std::string> v);

    value_type type() const { return static_cast<value_type>(v_.index()); }

    // Accessors: the caller has checked type(); a wrong type is a broken invariant (asserts,
    // then std::get throws).
    const std::string& as_s() const { return std::get<0>(v_); }

    const decimal& as_n() const { return std::get<1>(v_); }

    const std::string& as_b() const { return std::get<2>(v_).bytes; }

    bool as_bool() const { return std::get<3>(v_); }

    const attribute_map& as_m() const { return std::get<5>(v_); }

    attribute_map& as_m() { return std::get<5>(v_); }

    const list_t& as_l() const { return std::get<6>(v_); }

    list_t& as_l() { return std::get<6>(v_); }

    const std::vector<std::string>& as_ss() const { return std::get<7>(v_).v; }

    const std::vector<decimal>& as_ns() const { return std::get<8>(v_).v; }

    const std::vector<std::string>& as_bs() const { return std::get<9>(v_).v; }

    // Size in bytes by DynamoDB's formula (spec §2.3), for the value alone (no name).
    std::size_t size_bytes() const;

    friend bool operator==(const attribute_value&, const attribute_value&) = default;

private:
    // Alternative index == value_type: keep in the enum's order.
    using variant_t = std::variant<std::string, decimal, binary, bool, null_t, attribute_map,
                                   list_t, string_set, number_set, binary_set>;
    // Constrained so that it never competes with the copy/move constructors (an unconstrained
    // T&& is picked for copies from non-const lvalues, e.g. inside vector's copy assignment).
    template <class T>

    requires(!std::is_same_v<std::remove_cvref_t<T>, attribute_value>) explicit attribute_value(
        T&& v)
        : v_(std::forward<T>(v)) {}

    variant_t v_;
};

// Item size by DynamoDB's formula: sum over attributes of UTF-8 name bytes + value size.
std::size_t item_size(const attribute_map& item);

}  // namespace esser::emulator
