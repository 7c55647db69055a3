#pragma once
// How many times, and how long apart, http_transport retries a DynamoDB request.
//
// Which errors are retried is is_retryable() (aws_error.hpp): the SDKs' standard-mode list
// (spec/dynamodb-api.md §1.5) plus connection failures and x-amz-crc32 mismatches; never
// conditional failures. This struct only says how often and how long to wait.
//
// Defaults follow the SDK "standard" retry mode (AWS SDK for JavaScript v3, botocore
// standard): 3 attempts in total, exponential backoff with full jitter, base 100 ms (500 ms
// after a throttling error), capped at 20 s:
//     delay(retry r) = U[0,1) * min(max_delay, base * 2^(r-1))       (r = 1 for the first retry)
// The standard mode's client-wide retry quota (token bucket) is not implemented: attempts are
// bounded per call only.

#include <chrono>

namespace esser::adapters {

struct retry_policy {
    int max_attempts = 3;  // including the first; 1 disables retries
    std::chrono::milliseconds base_delay{100};
    std::chrono::milliseconds throttle_base_delay{500};
    std::chrono::milliseconds max_delay{20000};

    // The wait before retry number `retry` (1-based) given a uniform random `unit` in [0, 1).
    std::chrono::nanoseconds backoff(int retry, bool throttling, double unit) const noexcept;
};

}  // namespace esser::adapters
