#pragma once
// Shard iterators: encoded and decoded here and nowhere else (spec/streams-and-lambda.md §1.4,
// §2.3; spec/dynamodb-api.md §3.9).
//
// Shape, as AWS's look: "<stream ARN>|1|<base64 payload>". The payload holds the stream and
// shard (internal serials), the absolute record position, the issue time and the reader (the
// GetShardIterator call the chain of NextShardIterators descends from), followed by a
// SipHash-2-4 tag over the ARN and those fields, keyed by a secret drawn from the id source
// when the registry starts. A garbage, truncated or edited iterator fails the tag check and is
// rejected (ValidationException at the API), so iterators need no server-side table.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace esser::emulator::streams_detail {

struct iterator_payload {
    std::uint64_t stream_serial = 0;
    std::uint32_t shard_serial = 0;
    std::uint64_t position = 0;  // absolute record index within the shard
    std::int64_t issued_ms = 0;  // epoch ms, for expiry
    std::uint32_t reader = 0;    // issued by GetShardIterator, kept by GetRecords (§6.18)
};

using iterator_key = std::array<std::uint64_t, 2>;

std::string encode_shard_iterator(std::string_view stream_arn, const iterator_payload& p,
                                  const iterator_key& key);

struct decoded_iterator {
    std::string_view stream_arn;  // a view into the decoded text
    iterator_payload payload;
};

// nullopt for anything encode_shard_iterator did not produce with this key.
std::optional<decoded_iterator> decode_shard_iterator(std::string_view text,
                                                      const iterator_key& key);

// SipHash-2-4 (Aumasson & Bernstein), 64-bit tag. Also used for event ids.
std::uint64_t siphash24(const iterator_key& key, const void* data, std::size_t size);

}  // namespace esser::emulator::streams_detail
