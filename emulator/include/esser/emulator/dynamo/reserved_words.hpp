#pragma once
// DynamoDB's reserved words (AWS developer guide, "Reserved words in DynamoDB"; 573 words).
// A bare identifier in an expression's document path that is one of them, compared without
// regard to case, is rejected with "Attribute name is a reserved keyword; reserved keyword:
// <word as written>" (spec/dynamodb-api.md §4.1); `#name` placeholders avoid the check.

#include <cstddef>
#include <string_view>

namespace esser::emulator {

// Case-insensitive (ASCII). Allocation-free.
bool is_reserved_word(std::string_view word) noexcept;

// The number of words in the list (573).
std::size_t reserved_word_count() noexcept;

}  // namespace esser::emulator
