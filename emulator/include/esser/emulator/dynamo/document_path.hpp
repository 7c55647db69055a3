#pragma once
// A document path into an item: `a.b[3].c` is the map key "a", the map key "b", list index 3,
// the map key "c" (spec/dynamodb-api.md §4.2). Paths appear in every kind of expression; the
// expression compiler resolves `#name` placeholders, so a path here holds real attribute names
// (a dot inside a name is part of the name, never a separator).
//
// The first element is always a map key (a top-level attribute name).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "esser/emulator/dynamo/attribute_value.hpp"

namespace esser::emulator {

struct path_element {
    std::string name;         // the map key, when !is_index
    std::uint32_t index = 0;  // the list index, when is_index (saturates at 2^32-1)
    bool is_index = false;

    static path_element key(std::string name) { return {std::move(name), 0, false}; }

    static path_element at(std::uint32_t index) { return {{}, index, true}; }

    friend bool operator==(const path_element&, const path_element&) = default;
};

class document_path {
public:
    document_path() = default;

    explicit document_path(std::vector<path_element> elements) : elements_(std::move(elements)) {}

    const std::vector<path_element>& elements() const { return elements_; }

    std::vector<path_element>& elements() { return elements_; }

    std::size_t size() const { return elements_.size(); }

    bool empty() const { return elements_.empty(); }

    // The top-level attribute name. Precondition: !empty().
    const std::string& head() const { return elements_.front().name; }

    bool nested() const { return elements_.size() > 1; }

    // The value at this path in `item`, or null when any step is missing or has the wrong type
    // (a map step on a non-map, an index step on a non-list, an index past the end): DynamoDB
    // treats all of these as "the attribute does not exist" (§4.2).
    const attribute_value* resolve(const attribute_map& item) const;

    // DynamoDB's rendering in error messages: "[a, b, [3], c]" (names verbatim, indexes in
    // brackets), as in "Two document paths overlap with each other; ... path one: [a]".
    std::string to_string() const;

    friend bool operator==(const document_path&, const document_path&) = default;

private:
    std::vector<path_element> elements_;
};

// The same operations on a bare run of elements (the first one a map key).
const attribute_value* resolve_path(std::span<const path_element> path, const attribute_map& item);
std::string path_to_string(std::span<const path_element> path);

// Copies the parts of `item` named by `paths` into a new item, keeping their nesting: maps keep
// only the named members, lists keep only the named elements, compacted in index order; paths
// that do not resolve are left out (spec §4.6). This is what a ProjectionExpression returns,
// and what ReturnValues UPDATED_OLD / UPDATED_NEW return for an update's paths.
// Precondition: no path is a prefix of another (the compiler rejects overlapping paths).
attribute_map project_paths(const attribute_map& item, std::span<const document_path> paths);

// The order project_paths works in: element by element, list indexes before map keys, keys
// bytewise, indexes numerically, a prefix before its extensions.
bool path_less(const document_path& a, const document_path& b);
// project_paths() for paths already sorted by path_less (no empty path): saves the sort when
// the same paths are applied to many items.
attribute_map project_sorted_paths(const attribute_map& item,
                                   std::span<const document_path* const> sorted);

}  // namespace esser::emulator
