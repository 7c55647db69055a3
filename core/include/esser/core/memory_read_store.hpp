#pragma once
// An in-process read_store (read_store.hpp has the contract): for tests, and for esser-local
// when no read store is configured. Nothing survives the process.
//
// Invariants: every collection in `collections_` has been written at least once; a tombstone is
// a row with `live == false` and keeps its version; rows are ordered by id (std::string compares
// bytes as unsigned char, the same order as the SQL stores' binary / "C" collation).
//
// Thread-safety: every member function takes one mutex.

#include <map>
#include <mutex>
#include <string>

#include "esser/core/read_store.hpp"

namespace esser::core {

class memory_read_store final : public read_store {
public:
    [[nodiscard]] result<std::size_t> write(const std::vector<write_op>& ops) override;
    [[nodiscard]] result<std::optional<document>> get(std::string_view collection,
                                                      std::string_view id) override;
    [[nodiscard]] result<document_page> list(std::string_view collection,
                                             const list_query& q) override;
    [[nodiscard]] result<std::vector<std::string>> collections() override;
    [[nodiscard]] result<void> drop(std::string_view collection) override;

private:
    struct row {
        document doc;
        bool live = true;
    };

    using table = std::map<std::string, row, std::less<>>;

    std::mutex mu_;
    std::map<std::string, table, std::less<>> collections_;
};

}  // namespace esser::core
