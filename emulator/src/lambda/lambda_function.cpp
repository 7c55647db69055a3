#include "esser/emulator/lambda/lambda_function.hpp"

#include "esser/emulator/streams/stream_lambda_event.hpp"

namespace esser::emulator {

const nlohmann::json& event_document(const invocation& inv) {
    return inv.stream_event ? inv.stream_event->document() : inv.payload;
}

std::string event_text(const invocation& inv) {
    if (!inv.raw_payload.empty())
        return inv.raw_payload;
    if (inv.stream_event)
        return inv.stream_event->text();
    return inv.payload.dump();
}

}  // namespace esser::emulator
