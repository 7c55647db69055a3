#pragma once
// Reading one partition (of a table or of a secondary index) in key order for Query: the
// entries whose sort key satisfies the key condition's range predicate, forwards or backwards,
// after an optional start position, into a sink that decides when the page is full.
//
// The matching entries always form one contiguous run: table entries are sorted by their sort
// key bytes (memcmp order == DynamoDB order), index entries by a tuple whose first component is
// the index sort key. So a scan skips up to the run and stops right after it.

#include <algorithm>
#include <string>
#include <string_view>

#include "item_codec.hpp"

#include "esser/emulator/dynamo/key_predicate.hpp"

namespace esser::emulator {

// The sort key range component of an entry: decoded from the tuple encoding into `out` (index
// entries), or the sort key itself (table items).
inline std::string_view range_of(std::string_view sort, bool tuple, std::string& out) {
    if (!tuple)
        return sort;
    out.clear();
    for (std::size_t i = 0; i < sort.size(); ++i) {
        if (sort[i] == '\0') {
            if (i + 1 < sort.size() && static_cast<unsigned char>(sort[i + 1]) == 0xFF) {
                out.push_back('\0');
                ++i;
                continue;
            }
            break;
        }
        out.push_back(sort[i]);
    }
    return out;
}

// Whether sort-key bytes satisfy the predicate, with bounds precomputed as key bytes.
struct range_bounds {
    key_predicate::op op = key_predicate::op::none;
    std::string lower, upper;

    static range_bounds of(const key_predicate& p) {
        range_bounds b;
        b.op = p.range;
        if (p.range != key_predicate::op::none) {
            if (p.range == key_predicate::op::begins_with) {
                b.lower = p.lower.type() == value_type::S ? p.lower.as_s() : p.lower.as_b();
            } else {
                item_codec::append_key_bytes(p.lower, b.lower);
            }
        }
        if (p.range == key_predicate::op::between)
            item_codec::append_key_bytes(p.upper, b.upper);
        return b;
    }

    bool matches(std::string_view k) const {
        switch (op) {
            case key_predicate::op::none:
                return true;
            case key_predicate::op::eq:
                return k == lower;
            case key_predicate::op::lt:
                return k < lower;
            case key_predicate::op::le:
                return k <= lower;
            case key_predicate::op::gt:
                return k > lower;
            case key_predicate::op::ge:
                return k >= lower;
            case key_predicate::op::between:
                return k >= lower && k <= upper;
            case key_predicate::op::begins_with:
                return k.substr(0, lower.size()) == lower;
        }
        return false;
    }
};

// Sink: `bool open() const` (may take another item), `void add(const char* block)`.
template <class Entries, class BlockOf, class Sink>
void scan_partition(const Entries& entries, BlockOf&& block_of, const range_bounds& bounds,
                    bool tuple, bool forward, const std::string* start_after, Sink& sink) {
    const std::size_t n = entries.size();
    auto sort_of = [&](std::size_t i) { return std::string_view(entries[i].sort_key()); };
    bool seen = false;
    std::string buffer;
    auto take = [&](std::size_t i) {
        if (!bounds.matches(range_of(sort_of(i), tuple, buffer)))
            return !seen;  // before the run: keep looking; after it: stop
        seen = true;
        sink.add(block_of(entries[i]));
        return true;
    };
    if (forward) {
        std::size_t i = 0;
        if (start_after) {
            i = static_cast<std::size_t>(
                std::partition_point(
                    entries.begin(), entries.end(),
                    [&](const auto& e) { return std::string_view(e.sort_key()) <= *start_after; }) -
                entries.begin());
        } else if (!tuple &&
                   (bounds.op == key_predicate::op::eq || bounds.op == key_predicate::op::ge ||
                    bounds.op == key_predicate::op::between ||
                    bounds.op == key_predicate::op::begins_with)) {
            i = static_cast<std::size_t>(
                std::partition_point(
                    entries.begin(), entries.end(),
                    [&](const auto& e) { return std::string_view(e.sort_key()) < bounds.lower; }) -
                entries.begin());
        }
        for (; i < n && sink.open(); ++i) {
            if (!take(i))
                break;
        }
    } else {
        std::size_t i = n;
        if (start_after) {
            i = static_cast<std::size_t>(
                std::partition_point(
                    entries.begin(), entries.end(),
                    [&](const auto& e) { return std::string_view(e.sort_key()) < *start_after; }) -
                entries.begin());
        } else if (!tuple &&
                   (bounds.op == key_predicate::op::eq || bounds.op == key_predicate::op::le ||
                    bounds.op == key_predicate::op::lt ||
                    bounds.op == key_predicate::op::between)) {
            // Start just past the upper bound.
            const std::string& upper =
                bounds.op == key_predicate::op::between ? bounds.upper : bounds.lower;
            const bool inclusive = bounds.op != key_predicate::op::lt;
            i = static_cast<std::size_t>(
                std::partition_point(entries.begin(), entries.end(),
                                     [&](const auto& e) {
                                         const std::string_view k(e.sort_key());
                                         return inclusive ? k <= upper : k < upper;
                                     }) -
                entries.begin());
        }
        while (i > 0 && sink.open()) {
            --i;
            if (!take(i))
                break;
        }
    }
}

}  // namespace esser::emulator
