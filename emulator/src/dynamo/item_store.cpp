#include "item_store.hpp"

namespace esser::emulator {

std::uint64_t partition_hash(std::string_view key) noexcept {
    // FNV-1a over the bytes, then MurmurHash3's fmix64 so that the top bits (bucket selection,
    // scan segments) depend on every byte.
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : key) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

}  // namespace esser::emulator
