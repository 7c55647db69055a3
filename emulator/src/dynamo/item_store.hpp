#pragma once
// Where a table's items (and a secondary index's entries) live: a hash table of partitions
// whose iteration order is the partition-key hash order, each partition a vector sorted by the
// sort key bytes (item_codec key bytes, memcmp order = DynamoDB order, spec §2.5).
//
// Why this shape:
//  - GetItem/PutItem: O(1) to the partition, binary search inside it; an event store's appends
//    land at the end of their partition's vector (no shifting).
//  - Query: a contiguous, already ordered run of one partition, forwards or backwards.
//  - Scan: AWS returns items in hash order; so do we, and a (hash, key) position is resumable
//    from any ExclusiveStartKey and splits into Segment/TotalSegments hash ranges.
//  - Memory: one heap block per item (its encoded attributes plus the sort key bytes), one
//    small record per partition; no per-attribute allocations.
//
// The table is a vector of 2^bits buckets; bucket b holds the partitions whose hash has top
// bits b, sorted by (hash, key). Doubling splits each bucket in place and keeps the order.
//
// Invariants: partitions are never empty (the last item's removal removes its partition);
// within a bucket partitions are strictly increasing by (hash, key); within a partition
// entries are strictly increasing by sort key.
// Not thread-safe: the owning table's lock serialises access.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace esser::emulator {

// 64-bit hash of partition key bytes: stable across runs and platforms (scan order is
// deterministic), well mixed in the top bits (bucket selection).
std::uint64_t partition_hash(std::string_view key) noexcept;

// One stored item: a single heap block
// [u32 sort_len][u32 item_len][u32 item_size][sort key bytes][item bytes], where item_size is
// the item's DynamoDB size (spec §2.3), computed once when the item is written: reads account
// the 1 MB page and capacity units per item without walking the encoding (issue 6, Query).
// Move-only owner; block() is a stable address for index entries to point at.
class stored_item {
public:
    stored_item() = default;

    // `size` must be item_codec::item_size(item).
    stored_item(std::string_view sort_key, std::string_view item, std::size_t size) {
        const std::size_t n = header + sort_key.size() + item.size();
        p_ = static_cast<char*>(std::malloc(n));
        if (!p_)
            throw std::bad_alloc();
        const auto a = static_cast<std::uint32_t>(sort_key.size());
        const auto b = static_cast<std::uint32_t>(item.size());
        const auto c = static_cast<std::uint32_t>(size);
        std::memcpy(p_, &a, 4);
        std::memcpy(p_ + 4, &b, 4);
        std::memcpy(p_ + 8, &c, 4);
        std::memcpy(p_ + header, sort_key.data(), sort_key.size());
        std::memcpy(p_ + header + sort_key.size(), item.data(), item.size());
    }

    stored_item(stored_item&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}

    stored_item& operator=(stored_item&& o) noexcept {
        if (this != &o) {
            std::free(p_);
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }

    stored_item(const stored_item&) = delete;
    stored_item& operator=(const stored_item&) = delete;

    ~stored_item() { std::free(p_); }

    const char* block() const { return p_; }

    std::string_view sort_key() const { return sort_key_of(p_); }

    std::string_view item() const { return item_of(p_); }

    std::size_t block_size() const { return header + sort_key().size() + item().size(); }

    static std::string_view sort_key_of(const char* block) {
        std::uint32_t a;
        std::memcpy(&a, block, 4);
        return {block + header, a};
    }

    static std::string_view item_of(const char* block) {
        std::uint32_t a, b;
        std::memcpy(&a, block, 4);
        std::memcpy(&b, block + 4, 4);
        return {block + header + a, b};
    }

    // The item's DynamoDB size (item_codec::item_size of item_of(block)).
    static std::size_t size_of(const char* block) {
        std::uint32_t c;
        std::memcpy(&c, block + 8, 4);
        return c;
    }

private:
    static constexpr std::size_t header = 12;

    char* p_ = nullptr;
};

// A secondary index entry: its own sort key (index range key bytes, then the table key) and the
// base item's block. Entries are rebuilt whenever their base item is written.
struct index_entry {
    std::string sort;
    const char* block = nullptr;  // the base table's stored_item block

    std::string_view sort_key() const { return sort; }
};

template <class Entry>
struct partition {
    std::uint64_t hash = 0;
    std::string key;  // partition key bytes
    std::vector<Entry> entries;

    // First entry with sort key >= k (or > k when `after`).
    std::size_t lower(std::string_view k, bool after = false) const {
        auto it = std::partition_point(entries.begin(), entries.end(), [&](const Entry& e) {
            return after ? e.sort_key() <= k : e.sort_key() < k;
        });
        return static_cast<std::size_t>(it - entries.begin());
    }

    const Entry* find(std::string_view k) const {
        const std::size_t i = lower(k);
        return i < entries.size() && entries[i].sort_key() == k ? &entries[i] : nullptr;
    }
};

// A position in scan order: a partition (hash, key) and, inside it, an entry sort key.
struct scan_position {
    std::uint64_t hash = 0;
    std::string key;
    std::string sort;
};

template <class Entry>
class partition_table {
public:
    using partition_t = partition<Entry>;

    partition_table() : buckets_(std::size_t{1} << initial_bits), bits_(initial_bits) {}

    std::size_t partition_count() const { return count_; }

    partition_t* find(std::uint64_t h, std::string_view key) {
        auto& b = bucket_of(h);
        auto it = lower_in(b, h, key);
        return it != b.end() && it->hash == h && it->key == key ? &*it : nullptr;
    }

    const partition_t* find(std::uint64_t h, std::string_view key) const {
        return const_cast<partition_table*>(this)->find(h, key);
    }

    partition_t& find_or_insert(std::uint64_t h, std::string_view key) {
        if (partition_t* p = find(h, key))
            return *p;
        if (count_ + 1 > (buckets_.size() << 2))
            grow();
        auto& b = bucket_of(h);
        auto it = lower_in(b, h, key);
        ++count_;
        partition_t p;
        p.hash = h;
        p.key.assign(key);
        return *b.insert(it, std::move(p));
    }

    // Removes the partition if it has no entries left.
    void erase_if_empty(std::uint64_t h, std::string_view key) {
        auto& b = bucket_of(h);
        auto it = lower_in(b, h, key);
        if (it != b.end() && it->hash == h && it->key == key && it->entries.empty()) {
            b.erase(it);
            --count_;
        }
    }

    // Visits partitions in scan order starting at the first partition >= (h, key) (> when
    // `after`), while the visitor returns true.
    template <class F>
    void for_each_from(std::uint64_t h, std::string_view key, bool after, F&& visit) {
        for (std::size_t bi = bucket_index(h); bi < buckets_.size(); ++bi) {
            auto& b = buckets_[bi];
            auto it = b.begin();
            if (bi == bucket_index(h)) {
                it = std::partition_point(b.begin(), b.end(), [&](const partition_t& p) {
                    if (p.hash != h)
                        return p.hash < h;
                    return after ? std::string_view(p.key) <= key : std::string_view(p.key) < key;
                });
            }
            for (; it != b.end(); ++it) {
                if (!visit(*it))
                    return;
            }
        }
    }

    template <class F>
    void for_each(F&& visit) {
        for_each_from(0, {}, false, std::forward<F>(visit));
    }

    // Bytes held by the table structure itself (not the items' blocks).
    std::size_t overhead_bytes() const {
        std::size_t n = buckets_.capacity() * sizeof(buckets_[0]);
        for (const auto& b : buckets_) {
            n += b.capacity() * sizeof(partition_t);
            for (const auto& p : b) {
                n += p.entries.capacity() * sizeof(Entry);
                if (p.key.capacity() > 15)
                    n += p.key.capacity() + 1;
            }
        }
        return n;
    }

    void clear() {
        buckets_.clear();
        buckets_.resize(std::size_t{1} << initial_bits);
        bits_ = initial_bits;
        count_ = 0;
    }

private:
    static constexpr int initial_bits = 4;

    std::size_t bucket_index(std::uint64_t h) const {
        return static_cast<std::size_t>(h >> (64 - bits_));
    }

    std::vector<partition_t>& bucket_of(std::uint64_t h) { return buckets_[bucket_index(h)]; }

    static typename std::vector<partition_t>::iterator lower_in(std::vector<partition_t>& b,
                                                                std::uint64_t h,
                                                                std::string_view key) {
        return std::partition_point(b.begin(), b.end(), [&](const partition_t& p) {
            return p.hash != h ? p.hash < h : std::string_view(p.key) < key;
        });
    }

    void grow() {
        std::vector<std::vector<partition_t>> next(buckets_.size() * 2);
        const int next_bits = bits_ + 1;
        for (std::size_t i = 0; i < buckets_.size(); ++i) {
            auto& b = buckets_[i];
            // Order is kept: the lower half of each bucket goes to 2i, the upper to 2i+1.
            auto split = std::partition_point(b.begin(), b.end(), [&](const partition_t& p) {
                return static_cast<std::size_t>(p.hash >> (64 - next_bits)) == 2 * i;
            });
            next[2 * i].reserve(static_cast<std::size_t>(split - b.begin()));
            for (auto it = b.begin(); it != split; ++it) next[2 * i].push_back(std::move(*it));
            next[2 * i + 1].reserve(static_cast<std::size_t>(b.end() - split));
            for (auto it = split; it != b.end(); ++it) next[2 * i + 1].push_back(std::move(*it));
        }
        buckets_ = std::move(next);
        bits_ = next_bits;
    }

    std::vector<std::vector<partition_t>> buckets_;
    int bits_;
    std::size_t count_ = 0;
};

}  // namespace esser::emulator
