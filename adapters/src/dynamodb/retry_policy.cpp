#include "esser/adapters/dynamodb/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace esser::adapters {

std::chrono::nanoseconds retry_policy::backoff(int retry, bool throttling,
                                               double unit) const noexcept {
    using std::chrono::nanoseconds;
    const double base = double(nanoseconds(throttling ? throttle_base_delay : base_delay).count());
    const double cap = double(nanoseconds(max_delay).count());
    // 2^(retry-1) overflows nothing useful past 2^62; the cap applies long before.
    const double ceiling = std::min(cap, base * std::ldexp(1.0, std::clamp(retry - 1, 0, 62)));
    const double u = std::clamp(unit, 0.0, 1.0);
    return nanoseconds(static_cast<nanoseconds::rep>(u * ceiling));
}

}  // namespace esser::adapters
