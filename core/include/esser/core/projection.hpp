#pragma once
// A projection: turns stored events into a read model. stream_handler drives every projection
// of a domain with each event decoded from the DynamoDB stream (production: the projection
// Lambda), after the event's post_save receivers.
//
// Delivery contract (what an implementation can rely on and must tolerate):
//  - per stream, events arrive in version order; across streams, in no particular order;
//  - at least once: after a failure or a crash the same event may arrive again, and a fresh
//    process may see versions its predecessor already applied. stream_handler skips versions it
//    has already applied in this process, but a projection must still be idempotent per
//    (stream, version): store the last applied version with the row and ignore older ones.
//  - a version may be skipped when it was applied by another process (gaps are normal).
//
// The built-in projection that materialises each aggregate's current state into a read store
// comes with the read_store port (issue 9); custom projections implement this interface.

#include <string_view>

#include "esser/core/error.hpp"
#include "esser/core/event.hpp"

namespace esser::core {

class projection {
public:
    virtual ~projection() = default;

    // A stable name for logs and the esser API ("items_view").
    virtual std::string_view name() const = 0;

    // Applies one stored event. An error fails the event's stream record: the stream delivers
    // it (and the records after it) again, so errors must be retryable or the record goes to
    // the mapping's on-failure destination after its retries.
    [[nodiscard]] virtual result<void> apply(const event& e) = 0;

    // Called once at the end of every batch (commit a transaction, flush a buffer), also when
    // a record failed: what was applied before it stays applied. A flush error fails the whole
    // batch, which is then delivered again from its first record. Default: nothing.
    [[nodiscard]] virtual result<void> flush() { return {}; }
};

}  // namespace esser::core
