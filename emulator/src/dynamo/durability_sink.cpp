#include "esser/emulator/dynamo/durability_sink.hpp"

#include <algorithm>

namespace esser::emulator {

namespace {

// One thread's open group and its last submitted ticket. A request runs on one thread from
// dispatch to reply, so thread-local state is the request's state.
struct thread_state {
    durability_sink* group_sink = nullptr;
    int depth = 0;
    std::vector<durable_change> unit;
    durability_sink* pending_sink = nullptr;
    std::uint64_t pending_ticket = 0;
};

thread_local thread_state current;

void note_ticket(durability_sink& sink, std::uint64_t ticket) {
    if (current.pending_sink != &sink)
        current.pending_ticket = 0;
    current.pending_sink = &sink;
    current.pending_ticket = std::max(current.pending_ticket, ticket);
}

}  // namespace

durability_group::durability_group(durability_sink* sink) : sink_(sink) {
    if (sink_ == nullptr)
        return;
    if (current.depth++ == 0)
        current.group_sink = sink_;
}

durability_group::~durability_group() {
    if (sink_ == nullptr || --current.depth > 0)
        return;
    durability_sink* sink = current.group_sink;
    current.group_sink = nullptr;
    if (current.unit.empty())
        return;
    std::vector<durable_change> unit;
    unit.swap(current.unit);
    note_ticket(*sink, sink->submit(std::move(unit)));
}

void record_durable(durability_sink& sink, durable_change change) {
    if (current.depth > 0 && current.group_sink == &sink) {
        current.unit.push_back(std::move(change));
        return;
    }
    std::vector<durable_change> unit;
    unit.push_back(std::move(change));
    note_ticket(sink, sink.submit(std::move(unit)));
}

void await_durable(durability_sink* sink) {
    if (sink == nullptr || current.pending_sink != sink || current.pending_ticket == 0)
        return;
    const std::uint64_t ticket = current.pending_ticket;
    current.pending_ticket = 0;
    sink->wait_durable(ticket);
}

}  // namespace esser::emulator
