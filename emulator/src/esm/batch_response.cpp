#include "esser/emulator/esm/batch_response.hpp"

#include <algorithm>

namespace esser::emulator {

namespace {

using nlohmann::json;

batch_response failed(std::string why) {
    batch_response r;
    r.outcome = batch_response::kind::failure;
    r.reason = std::move(why);
    return r;
}

// batchItemFailures of an object response (§4.4).
batch_response read_item_failures(const json& payload, std::span<const sequence_number> batch) {
    batch_response r;
    auto it = payload.find("batchItemFailures");
    if (it == payload.end() || it->is_null())
        return r;
    if (!it->is_array())
        return failed("batchItemFailures is not a list");
    if (it->empty())
        return r;
    std::optional<std::size_t> lowest;
    for (const auto& f : *it) {
        if (!f.is_object())
            return failed("a batchItemFailures entry is not an object");
        auto id = f.find("itemIdentifier");
        if (id == f.end())
            return failed("a batchItemFailures entry has no itemIdentifier");
        if (!id->is_string())
            return failed("an itemIdentifier is not a string");
        const auto& text = id->get_ref<const std::string&>();
        if (text.empty())
            return failed("an itemIdentifier is empty");
        auto seq = sequence_number::parse(text);
        if (!seq)
            return failed("itemIdentifier '" + text + "' is not a sequence number of the batch");
        // Batches are in stream order, so the sequence numbers are sorted.
        auto pos = std::lower_bound(batch.begin(), batch.end(), *seq);
        if (pos == batch.end() || !(*pos == *seq))
            return failed("itemIdentifier '" + text + "' is not a sequence number of the batch");
        const auto index = static_cast<std::size_t>(pos - batch.begin());
        lowest = lowest ? std::min(*lowest, index) : index;
    }
    r.outcome = batch_response::kind::partial;
    r.first_failed = *lowest;
    return r;
}

}  // namespace

batch_response read_batch_response(const json& payload, bool is_json,
                                   std::span<const sequence_number> batch,
                                   bool report_item_failures, bool tumbling) {
    if (tumbling) {
        if (!is_json || !payload.is_object())
            return failed("a tumbling window invoke must return an object with \"state\"");
        auto st = payload.find("state");
        if (st == payload.end() || !st->is_object())
            return failed("the response has no \"state\" object");
        batch_response r;
        if (report_item_failures)
            r = read_item_failures(payload, batch);
        if (r.outcome != batch_response::kind::failure)
            r.state = *st;
        return r;
    }
    if (!report_item_failures)
        return {};
    if (!is_json)
        return failed("the response is not JSON");
    if (!payload.is_object())
        return {};
    return read_item_failures(payload, batch);
}

}  // namespace esser::emulator
