#pragma once
// stream_lambda_event: the event Lambda hands a function for a batch of DynamoDB stream records
// (spec/streams-and-lambda.md §2.5; tumbling windows §4.7):
//
//   {"Records": [to_lambda_json(record, region, stream ARN) for each record]}
//   plus, in tumbling-window invokes, "eventSourceARN", "isFinalInvokeForWindow",
//   "isWindowTerminatedEarly", "shardId", "state", "window" (window_fields()).
//
// Event source mappings build one per batch and keep it for the batch's retries; each function
// kind reads it in the form it takes, and each form is made only when first asked for:
//   - records(): the typed records, nothing rendered (in-process functions that take them);
//   - document(): the JSON document (in-process JSON handlers);
//   - text(): the JSON text, byte for byte document().dump(), written straight from the
//     records' encoded images without a JSON tree (executables, URL functions).
// Renderings are kept. set_window_fields() changes only the window keys (the records' parts are
// reused), and slice() reuses the rendered records of the batch it cuts (bisect, partial retry).
//
// Thread-safe for const use (the renderings are made under a mutex); add() and
// set_window_fields() must not run while another thread reads the event. Records are shared,
// immutable stream records.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "esser/emulator/streams/stream_record.hpp"

namespace esser::emulator {

class stream_lambda_event {
public:
    using record_ptr = std::shared_ptr<const stream_record>;

    stream_lambda_event(std::string region, std::string stream_arn);
    stream_lambda_event(const stream_lambda_event&) = delete;
    stream_lambda_event& operator=(const stream_lambda_event&) = delete;

    // Appends a record. `rendered`, when not null, must be to_lambda_json of it (a caller that
    // already built it, e.g. to match filters, hands it over instead of building it twice).
    // Not after a rendering was made.
    void add(record_ptr record, nlohmann::json rendered = nullptr);

    const std::vector<record_ptr>& records() const { return records_; }

    std::size_t size() const { return records_.size(); }

    bool empty() const { return records_.empty(); }

    const std::string& region() const { return region_; }

    const std::string& stream_arn() const { return stream_arn_; }

    // The keys next to "Records" (an object; empty by default). Every key must sort after
    // "Records" in byte order (the tumbling-window keys do).
    void set_window_fields(nlohmann::json fields);

    const nlohmann::json& window_fields() const { return window_fields_; }

    const nlohmann::json& document() const;
    const std::string& text() const;

    // Sizes for keeping an event under a payload cap without rendering it:
    // text().size() == envelope_bytes + sum of record_text_size + (records - 1) separators
    // (no window fields). record_text_bound() >= record_text_size(), computed in O(1) from the
    // encoded size (a JSON rendering is at most 90 times its encoding: the worst case is a
    // number set element, 2 encoded bytes for up to 172 characters); record_text_size()
    // renders the record to measure it.
    static constexpr std::size_t envelope_bytes = 14;  // {"Records":[ ]}
    static std::size_t record_text_bound(const stream_record& r, std::string_view region,
                                         std::string_view stream_arn);
    static std::size_t record_text_size(const stream_record& r, std::string_view region,
                                        std::string_view stream_arn);

    // Records [from, to) as a new event (same region and ARN, no window fields).
    std::shared_ptr<stream_lambda_event> slice(std::size_t from, std::size_t to) const;

private:
    void render_text_locked() const;
    void write_tail_locked() const;

    std::string region_;
    std::string stream_arn_;
    std::vector<record_ptr> records_;
    mutable std::vector<nlohmann::json> given_;  // per record: to_lambda_json from add(), or null
    nlohmann::json window_fields_ = nlohmann::json::object();

    mutable std::mutex mu_;
    mutable nlohmann::json document_;        // null until made
    mutable std::string text_;               // empty until made
    mutable std::vector<std::size_t> ends_;  // text_: end offset of each record's rendering
    mutable std::size_t records_end_ = 0;    // text_: offset just after the Records array
};

}  // namespace esser::emulator
