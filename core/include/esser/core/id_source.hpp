#pragma once
// The id_source port: where every random-looking identifier comes from (aggregate ids, event
// ids, request ids, shard id suffixes, eventIDs of stream records).
//
// With `seeded_id_source` the sequence is a pure function of the seed, so ids in a recorded
// fixture or a scenario are identical run to run (DESIGN.md "Determinism").

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

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
    // `n` characters from [0-9A-Z] (the shape of x-amzn-RequestId). One draw per character, so
    // a seeded source's sequence is stable; random_id_source draws once per 12 characters.
    virtual std::string alnum_upper(std::size_t n);
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
    // Twelve base-36 digits per draw (36^12 < 2^64): every answer of esser-local carries a
    // 52-character request id, and one locked draw per character showed in its profile.
    std::string alnum_upper(std::size_t n) override;

private:
    seeded_id_source inner_;
};

// Name-based UUIDs (RFC 4122 §4.3, version 5, SHA-1): the same namespace and name always give
// the same id, on any machine and in any language (Python: uuid.uuid5(ns, name)).
using uuid_bytes = std::array<std::uint8_t, 16>;

// esser's namespace for derived aggregate ids: e18473e1-d572-5b4f-a7f9-7cb66d6c0160
// (= uuid5(NAMESPACE_URL, "https://github.com/esser/esser#aggregate-id")). Never change it:
// ids derived from it are stored in event streams.
inline constexpr uuid_bytes esser_id_namespace = {0xe1, 0x84, 0x73, 0xe1, 0xd5, 0x72, 0x5b, 0x4f,
                                                  0xa7, 0xf9, 0x7c, 0xb6, 0x6d, 0x6c, 0x01, 0x60};

// Lower-case canonical form, "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx".
std::string uuid_v5(const uuid_bytes& name_space, std::string_view name);

// Parses the canonical 36-character form (either case); false when malformed.
bool parse_uuid(std::string_view text, uuid_bytes& out) noexcept;

}  // namespace esser::core
