#pragma once
// The id_source port: where every random-looking identifier comes from (aggregate ids, event
// ids, request ids, shard id suffixes, eventIDs of stream records).
//
// With `seeded_id_source` the sequence is a pure function of the seed, so ids in a recorded
// fixture or a scenario are identical run to run (DESIGN.md "Determinism").

#include <cstdint>
#include <mutex>
#include <string>

namespace esser::core {

// Thread-safe. Implementations supply next_u64(); everything else derives from it.
class id_source {
public:
    virtual ~id_source() = default;

    virtual std::uint64_t next_u64() = 0;

    // A random (version 4, variant 1) UUID in lower-case canonical form,
    // "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
    std::string uuid();
    // `n` lower-case hex digits (n <= 64).
    std::string hex(std::size_t n);
    // `n` characters from [0-9A-Z] (the shape of x-amzn-RequestId).
    std::string alnum_upper(std::size_t n);
};

// xoshiro256** seeded through splitmix64: fast, good statistical quality, fully determined by
// the seed. Not cryptographic.
class seeded_id_source final : public id_source {
public:
    explicit seeded_id_source(std::uint64_t seed);
    std::uint64_t next_u64() override;

private:
    std::mutex mu_;
    std::uint64_t s_[4];
};

// Seeded once from std::random_device; for real runs.
class random_id_source final : public id_source {
public:
    random_id_source();
    std::uint64_t next_u64() override;

private:
    seeded_id_source inner_;
};

}  // namespace esser::core
