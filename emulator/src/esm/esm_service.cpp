#include "esser/emulator/esm/esm_service.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "esser/emulator/dynamo/durability_sink.hpp"
#include "esser/emulator/esm/batch_response.hpp"
#include "esser/emulator/esm/esm_request.hpp"
#include "esser/emulator/esm/event_filter.hpp"
#include "esser/emulator/esm/failure_record.hpp"
#include "esser/emulator/lambda/lambda_service.hpp"
#include "esser/emulator/sqs/sqs_service.hpp"
#include "esser/emulator/streams/stream_lambda_event.hpp"
#include "esser/emulator/streams/stream_registry.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;
using record_ptr = std::shared_ptr<const stream_record>;
using steady = std::chrono::steady_clock;

// One batch on its way to the function: the records (stream order) as the Lambda event they
// make, and what its invokes so far did.
struct pending_batch {
    // {"Records": [...]} (tumbling windows set their keys before each invoke), rendered only in
    // the form the function takes and kept for the retries: invoke() does not consume it.
    std::shared_ptr<stream_lambda_event> event;
    invocation inv;                     // inv.stream_event is `event`
    std::uint32_t failed_attempts = 0;  // counted toward MaximumRetryAttempts
    std::uint32_t invokes = 0;          // invokes that reached the function
    std::string last_request_id;
    std::optional<std::string> last_function_error;  // nullopt: the last failure was a response
    std::string executed_version = "$LATEST";
    std::uint64_t drain_gen = 0;  // drain() pass that last tried it
    std::uint32_t drain_tries = 0;
    steady::time_point not_before{};  // real time: earliest retry
    // Tumbling windows (§4.7): the window the records belong to; a final batch has no records
    // and closes the window.
    std::int64_t window_start = 0;  // epoch seconds
    bool final_window = false;
    bool terminated_early = false;  // a final invoke because the state grew over 1 MB
    // One record whose event alone is over the invoke payload cap: discarded, never invoked.
    bool oversize = false;

    explicit pending_batch(std::shared_ptr<stream_lambda_event> e) : event(std::move(e)) {
        inv.stream_event = event;
    }

    const std::vector<record_ptr>& records() const { return event->records(); }

    std::vector<sequence_number> sequences() const {
        std::vector<sequence_number> out;
        out.reserve(records().size());
        for (const auto& r : records()) out.push_back(r->sequence);
        return out;
    }
};

// A sub-range [from, to) of `b` as a fresh batch (counts reset unless told otherwise); the
// records' renderings are reused.
pending_batch slice(const pending_batch& b, std::size_t from, std::size_t to) {
    pending_batch out(b.event->slice(from, to));
    out.window_start = b.window_start;
    return out;
}

// Keeps a batch's event under the invoke payload cap (6 MB, §4.1 "the payload reaches 6 MB",
// §5.1) without rendering anything in the common case: a cheap upper bound per record, and
// exact sizes (each record rendered once to measure it) only once the bounds could pass the cap.
class payload_budget {
public:
    payload_budget(std::size_t cap, std::string_view region, std::string_view arn)
        : cap_(cap), region_(region), arn_(arn) {}

    // Whether `r` fits after `taken` (the records accepted so far, all through this budget);
    // counts it when it does.
    bool fits(const stream_record& r, const std::vector<record_ptr>& taken) {
        const std::size_t sep = taken.empty() ? 0 : 1;
        if (!exact_) {
            const std::size_t b = stream_lambda_event::record_text_bound(r, region_, arn_);
            if (bound_ + sep + b <= cap_) {
                bound_ += sep + b;
                return true;
            }
            // The bounds could pass the cap: measure what is taken, then go on exactly.
            exact_ = true;
            used_ = stream_lambda_event::envelope_bytes;
            for (std::size_t i = 0; i < taken.size(); ++i)
                used_ += (i > 0 ? 1 : 0) +
                         stream_lambda_event::record_text_size(*taken[i], region_, arn_);
        }
        const std::size_t n = sep + stream_lambda_event::record_text_size(r, region_, arn_);
        if (used_ + n > cap_)
            return false;
        used_ += n;
        return true;
    }

private:
    std::size_t cap_;
    std::string_view region_, arn_;
    bool exact_ = false;
    std::size_t bound_ = stream_lambda_event::envelope_bytes;
    std::size_t used_ = 0;
};

// A lane's open tumbling window and the state the function returned last.
struct window_state {
    bool open = false;
    std::int64_t start = 0;  // epoch seconds
    json state = json::object();
};

struct shard_state {
    std::string id;
    std::string parent;
    bool opened = false;
    shard_cursor read;      // after the last record taken into a batch (or filtered)
    shard_cursor done;      // after the last record whose batches are all finished
    bool end_seen = false;  // the shard is closed and `read` is at its end
    bool finished = false;  // end_seen and nothing pending: children may start
    std::vector<std::deque<pending_batch>> lanes;  // ParallelizationFactor sub-queues
    std::vector<window_state> windows;             // per lane, tumbling windows only
    std::optional<sequence_number> checkpoint;     // the last record done (status)
    std::uint64_t trimmed_fallbacks = 0;

    bool idle_lanes() const {
        return std::all_of(lanes.begin(), lanes.end(), [](const auto& l) { return l.empty(); });
    }

    std::size_t waiting_records() const {
        std::size_t n = 0;
        for (const auto& l : lanes)
            for (const auto& b : l) n += b.records().size();
        return n;
    }
};

struct counters {
    std::uint64_t invokes = 0;
    std::uint64_t records_delivered = 0;
    std::uint64_t records_filtered = 0;
    std::uint64_t function_errors = 0;
    std::uint64_t throttles = 0;
    std::uint64_t batches_discarded = 0;
};

// §4.7: a tumbling window's state may hold at most 1 MB.
constexpr std::size_t max_window_state_bytes = 1024 * 1024;

// FNV-1a over the item's key attributes' JSON text: the sub-queue of a record (§4.8).
std::size_t lane_of(const stream_record& r, std::size_t lanes) {
    if (lanes <= 1)
        return 0;
    std::string text;
    r.append_keys_json(text);
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return static_cast<std::size_t>(h % lanes);
}

std::string trace_id_from(core::id_source& ids, core::time_point now) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    return fmt::format("Root=1-{:08x}-{:012x}{:012x};Parent={:016x};Sampled=0",
                       static_cast<std::uint32_t>(secs.count()), ids.next_u64() & 0xffffffffffffULL,
                       ids.next_u64() & 0xffffffffffffULL, ids.next_u64());
}

core::error not_found_mapping() {
    return esm_error("ResourceNotFoundException", "The resource you requested does not exist.");
}

}  // namespace

struct esm_service::mapping {
    // Guarded by info_mu: what Get describes.
    mutable std::mutex info_mu;
    esm_info info;
    std::uint64_t config_gen = 1;
    std::string function_name;  // as resolved for invokes
    // Set once, at creation or restore.
    bool durable = false;     // recorded under --data-dir (its function is not in-process)
    std::uint64_t order = 0;  // creation order

    // Guarded by run_mu: delivery state.
    std::mutex run_mu;
    esm_config cfg;  // the config delivery runs with
    std::string cfg_function_arn;
    std::uint64_t cfg_gen = 0;
    filter_criteria filters;
    std::shared_ptr<lambda_function> fn;
    std::map<std::string, shard_state, std::less<>> shards;
    counters total;
    bool reset_to_checkpoint = false;
    std::string saved_shards;  // the checkpoints document recorded last
    bool removed = false;      // deleted: nothing more is recorded for it

    // Real-time poller.
    std::thread thread;
    std::mutex wake_mu;
    std::condition_variable cv;
    bool wake = false;
    bool stop = false;
    std::uint64_t watch = 0;
    bool watching = false;

    void set_result(std::string text) {
        std::lock_guard l(info_mu);
        info.last_processing_result = std::move(text);
    }

    void poke() {
        {
            std::lock_guard l(wake_mu);
            wake = true;
        }
        cv.notify_one();
    }
};

namespace {

// Everything a delivery step needs besides the mapping.
struct step_context {
    lambda_service& lambda;
    stream_registry& streams;
    sqs_service& queues;
    core::clock& clock;
    core::id_source& ids;
    const esm_service_options& options;
    const core::logger& log;
    durability_sink* sink = nullptr;
    std::uint64_t drain_gen = 0;  // 0: real time
};

// The "esm_shards" document of a mapping (run_mu held): per shard read so far, the position
// after the last record whose batches are all finished (never ahead of an acknowledgement).
std::string shards_state(const esm_service::mapping& m);

// The "esm" document of a mapping (info_mu held).
std::string mapping_state(const esm_service::mapping& m) {
    json j = esm_info_state(m.info);
    j["order"] = m.order;
    return j.dump();
}

class delivery {
public:
    delivery(esm_service::mapping& m, step_context& c) : m_(m), c_(c) {}

    // One pass over the mapping's shards, then its checkpoints recorded when they moved; true
    // when anything changed. Caller holds run_mu.
    bool step() {
        const bool progress = advance();
        if (c_.sink != nullptr && m_.durable && !m_.removed) {
            std::string doc = shards_state(m_);
            if (doc != m_.saved_shards) {
                record_durable(*c_.sink, document_saved{"esm_shards", m_.info.uuid, doc});
                m_.saved_shards = std::move(doc);
            }
        }
        return progress;
    }

private:
    bool advance() {
        refresh_config();
        if (!m_.cfg.enabled)
            return false;
        if (m_.reset_to_checkpoint) {
            for (auto& [id, s] : m_.shards) {
                for (auto& l : s.lanes) l.clear();
                s.windows.assign(s.lanes.size(), window_state{});  // re-read into fresh windows
                if (s.opened)
                    s.read = s.done;
                s.end_seen = false;
            }
            m_.reset_to_checkpoint = false;
        }
        auto d = c_.streams.describe(m_.cfg.event_source_arn);
        if (!d) {
            m_.set_result("PROBLEM: Stream not found: " + m_.cfg.event_source_arn);
            return false;
        }
        region_ = d->region;
        for (const auto& sh : d->shards) {
            auto [it, inserted] = m_.shards.try_emplace(sh.shard_id);
            if (inserted) {
                it->second.id = sh.shard_id;
                it->second.parent = sh.parent_shard_id;
            }
        }
        bool progress = false;
        for (const auto& sh : d->shards) {
            auto& s = m_.shards.at(sh.shard_id);
            if (s.finished)
                continue;
            if (!s.parent.empty()) {
                auto p = m_.shards.find(s.parent);
                if (p != m_.shards.end() && !p->second.finished)
                    continue;  // parent first (§4.2)
            }
            progress = step_shard(s) || progress;
        }
        // Shards that left the stream: a closed shard is dropped `retention` after it closed
        // (§6.5), so whatever it still held is past retention. Batches already read still get
        // their outcome (process_front discards them as RecordAgeExceeded); then the shard
        // counts as finished, which lets its children start (§4.2), and is forgotten. Without
        // this a clock moved past the retention left the children waiting for a parent that
        // no longer existed.
        for (auto it = m_.shards.begin(); it != m_.shards.end();) {
            shard_state& s = it->second;
            const bool listed =
                std::any_of(d->shards.begin(), d->shards.end(),
                            [&](const auto& sh) { return sh.shard_id == it->first; });
            if (listed) {
                ++it;
                continue;
            }
            s.end_seen = true;
            if (s.opened && !s.finished && !s.idle_lanes()) {
                progress = step_shard(s) || progress;
                ++it;
                continue;
            }
            it = m_.shards.erase(it);
            progress = true;
        }
        return progress;
    }

    void refresh_config() {
        std::lock_guard l(m_.info_mu);
        if (m_.cfg_gen == m_.config_gen)
            return;
        const bool was_enabled = m_.cfg_gen != 0 && m_.cfg.enabled;
        const bool function_changed = m_.cfg.function_name != m_.info.config.function_name;
        m_.cfg = m_.info.config;
        m_.cfg_function_arn = m_.info.function_arn;
        m_.cfg_gen = m_.config_gen;
        if (auto f = filter_criteria::compile(m_.cfg.filter_patterns))
            m_.filters = std::move(*f);
        if (function_changed)
            m_.fn.reset();
        if (was_enabled && !m_.cfg.enabled)
            m_.reset_to_checkpoint = true;
        const std::size_t lanes = std::max<std::uint32_t>(1, m_.cfg.parallelization_factor);
        for (auto& [id, s] : m_.shards) {
            if (s.lanes.size() != lanes) {
                // Batches in flight are dropped and re-read from the checkpoint.
                for (auto& ln : s.lanes) ln.clear();
                if (s.opened)
                    s.read = s.done;
                s.end_seen = false;
                s.lanes.resize(lanes);
                s.windows.assign(lanes, window_state{});
            }
        }
    }

    bool open(shard_state& s) {
        auto cur = c_.streams.open_cursor(m_.cfg.event_source_arn, s.id,
                                          shard_iterator_type::TRIM_HORIZON);
        if (!cur)
            return false;
        s.read = s.done = *cur;
        s.opened = true;
        return true;
    }

    bool step_shard(shard_state& s) {
        if (s.lanes.empty()) {
            s.lanes.resize(std::max<std::uint32_t>(1, m_.cfg.parallelization_factor));
            s.windows.assign(s.lanes.size(), window_state{});
        }
        if (!s.opened && !open(s))
            return false;
        bool progress = false;
        if (s.idle_lanes() && !open_windows(s)) {
            if (s.end_seen) {
                s.finished = true;
                return true;
            }
        }
        if (s.idle_lanes() && !s.end_seen) {
            progress = read_batch(s);
        }
        if (m_.cfg.tumbling_window_s > 0)
            close_windows(s);
        for (std::size_t i = 0; i < s.lanes.size(); ++i) {
            if (!s.lanes[i].empty())
                progress = process_front(s, i) || progress;
        }
        if (s.idle_lanes() && !open_windows(s)) {
            s.done = s.read;
            if (s.end_seen) {
                s.finished = true;
                progress = true;
            }
        }
        return progress;
    }

    // Reads up to BatchSize records that pass the filters into the lanes. True when the read
    // position moved (records taken or filtered) or the shard end was found.
    bool read_batch(shard_state& s) {
        const std::size_t want = m_.cfg.batch_size;
        const shard_cursor start = s.read;
        std::vector<record_ptr> kept;
        std::vector<json> kept_json;  // with filters: the records' JSON they were matched on
        std::uint64_t filtered = 0;
        std::optional<sequence_number> last_seen;
        const std::int64_t window_s = m_.cfg.tumbling_window_s;
        std::optional<std::int64_t> window;
        bool moved = false;
        bool end = false;
        shard_cursor pos = s.read;
        payload_budget budget(c_.lambda.options().max_request_payload_bytes, region_,
                              m_.cfg.event_source_arn);
        bool full = false;      // the payload cap ended the batch
        bool oversize = false;  // its one record is over the cap on its own
        while (kept.size() < want) {
            auto r = c_.streams.read(pos, want - kept.size());
            if (!r) {
                if (r.error().type == "TrimmedDataAccessException") {
                    // §6.5: the checkpoint fell behind the trim point; restart at the oldest
                    // record still held, and say so.
                    auto th = c_.streams.open_cursor(m_.cfg.event_source_arn, s.id,
                                                     shard_iterator_type::TRIM_HORIZON);
                    if (!th)
                        return false;
                    s.read = s.done = *th;
                    ++s.trimmed_fallbacks;
                    m_.set_result(
                        "PROBLEM: Records were trimmed before they were processed; resumed at "
                        "TRIM_HORIZON of " +
                        s.id);
                    c_.log.warn("event source mapping {}: shard {} checkpoint trimmed",
                                m_.info.uuid, s.id);
                    return true;
                }
                m_.set_result("PROBLEM: " + r.error().message);
                return false;
            }
            bool boundary = false;
            for (auto& rec : r->records) {
                if (window_s > 0) {
                    const auto w = window_of(*rec, window_s);
                    if (!window && !kept.empty())
                        window = window_of(*kept.front(), window_s);
                    if (window && w != *window) {
                        // A batch holds one window: stop before the first record of the next.
                        auto at = c_.streams.open_cursor(m_.cfg.event_source_arn, s.id,
                                                         shard_iterator_type::AT_SEQUENCE_NUMBER,
                                                         rec->sequence);
                        if (at) {
                            pos = *at;
                            boundary = true;
                            break;
                        }
                    }
                }
                last_seen = rec->sequence;
                if (!m_.filters.empty()) {
                    // Filters read the record's Lambda JSON; the batch's event reuses it.
                    json j = to_lambda_json(*rec, region_, m_.cfg.event_source_arn);
                    if (!m_.filters.matches(j)) {
                        ++filtered;
                        continue;
                    }
                    kept_json.push_back(std::move(j));
                }
                if (!budget.fits(*rec, kept)) {
                    // The batch is full: this record starts the next one. A record that does
                    // not fit even alone is taken alone, to be discarded.
                    oversize = kept.empty();
                    const auto at =
                        c_.streams.open_cursor(m_.cfg.event_source_arn, s.id,
                                               oversize ? shard_iterator_type::AFTER_SEQUENCE_NUMBER
                                                        : shard_iterator_type::AT_SEQUENCE_NUMBER,
                                               rec->sequence);
                    if (at) {
                        pos = *at;
                        full = boundary = true;
                        if (oversize) {
                            if (window_s > 0 && !window)
                                window = window_of(*rec, window_s);
                            kept.push_back(std::move(rec));
                        } else if (!kept_json.empty()) {
                            kept_json.pop_back();
                        }
                        break;
                    }
                    oversize = false;
                }
                if (window_s > 0 && !window)
                    window = window_of(*rec, window_s);
                kept.push_back(std::move(rec));
            }
            moved = moved || !r->records.empty();
            if (boundary)
                break;
            pos = r->next;
            if (r->shard_end) {
                end = true;
                break;
            }
            if (r->records.empty())
                break;
        }
        // Batching window (real time only; drain() never waits): hold a partial batch until the
        // window since its first record has passed.
        if (c_.drain_gen == 0 && m_.cfg.maximum_batching_window_s > 0 && !kept.empty() &&
            kept.size() < want && !end && !full) {
            const auto age = c_.clock.now() - kept.front()->at;
            if (age < std::chrono::seconds(m_.cfg.maximum_batching_window_s)) {
                s.read = start;
                return false;
            }
        }
        s.read = pos;
        s.end_seen = end;
        m_.total.records_filtered += filtered;
        if (kept.empty()) {
            if (last_seen)
                s.checkpoint = last_seen;
            return moved || end;
        }
        // Spread over the lanes by item key; each lane's share is one batch.
        const std::size_t n = s.lanes.size();
        std::vector<std::shared_ptr<stream_lambda_event>> per_lane(n);
        for (std::size_t i = 0; i < kept.size(); ++i) {
            auto& e = per_lane[lane_of(*kept[i], n)];
            if (!e)
                e = new_event();
            e->add(std::move(kept[i]), kept_json.empty() ? json() : std::move(kept_json[i]));
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (!per_lane[i])
                continue;
            pending_batch b(std::move(per_lane[i]));
            if (window)
                b.window_start = *window;
            b.oversize = oversize;
            s.lanes[i].push_back(std::move(b));
        }
        return true;
    }

    std::shared_ptr<stream_lambda_event> new_event() const {
        return std::make_shared<stream_lambda_event>(region_, m_.cfg.event_source_arn);
    }

    lambda_function* function() {
        if (!m_.fn) {
            auto f = c_.lambda.function(m_.cfg.function_name);
            if (!f)
                return nullptr;
            m_.fn = std::move(*f);
        }
        return m_.fn.get();
    }

    // Invokes the batch at the head of `lane` once (or discards it). True when something
    // happened.
    bool process_front(shard_state& s, std::size_t lane_index) {
        auto& lane = s.lanes[lane_index];
        const bool tumbling = m_.cfg.tumbling_window_s > 0;
        if (tumbling && !lane.front().final_window) {
            // Records of a later window: the open one gets its final invoke first.
            auto& w = s.windows[lane_index];
            if (w.open && w.start != lane.front().window_start) {
                pending_batch fin(new_event());
                fin.final_window = true;
                fin.window_start = w.start;
                lane.push_front(std::move(fin));
            }
        }
        pending_batch& b = lane.front();
        if (c_.drain_gen != 0) {
            if (b.drain_gen != c_.drain_gen) {
                b.drain_gen = c_.drain_gen;
                b.drain_tries = 0;
            }
            if (b.drain_tries >= c_.options.drain_max_attempts)
                return false;  // blocked for this drain
        } else if (steady::now() < b.not_before) {
            return false;
        }
        const auto now = c_.clock.now();
        const auto oldest = b.final_window ? now : b.records().front()->at;
        const auto retention = c_.streams.options().retention;
        if (!b.final_window && (m_.cfg.maximum_record_age_s >= 0 &&
                                now - oldest > std::chrono::seconds(m_.cfg.maximum_record_age_s)) ||
            (retention > core::duration::zero() && now - oldest >= retention)) {
            discard(s, lane, "RecordAgeExceeded");
            return true;
        }
        if (b.oversize) {
            // §4.5: its event cannot be sent (over the 6 MB invoke payload); no invoke.
            discard(s, lane, "MaximumPayloadSizeExceeded");
            return true;
        }
        lambda_function* fn = function();
        if (fn == nullptr) {
            note_not_invoked(b, "PROBLEM: Function not found: " + m_.cfg.function_name);
            return true;
        }
        if (tumbling) {
            // The state changes between invokes: the event is rebuilt each time.
            auto& w = s.windows[lane_index];
            if (!w.open) {
                w.open = true;
                w.start = b.window_start;
                w.state = json::object();
            }
            const auto start = core::time_point(std::chrono::seconds(w.start));
            const auto end = start + std::chrono::seconds(m_.cfg.tumbling_window_s);
            b.event->set_window_fields(json{{"window",
                                             {{"start", core::format_rfc3339_ms(start)},
                                              {"end", core::format_rfc3339_ms(end)}}},
                                            {"state", w.state},
                                            {"shardId", s.id},
                                            {"eventSourceARN", m_.cfg.event_source_arn},
                                            {"isFinalInvokeForWindow", b.final_window},
                                            {"isWindowTerminatedEarly", b.terminated_early}});
        }
        b.inv.request_id = c_.ids.uuid();
        b.inv.invoked_function_arn = m_.cfg_function_arn;
        b.inv.trace_id = trace_id_from(c_.ids, now);
        b.inv.deadline = core::time_point{};
        invocation_result r = fn->invoke(b.inv);
        if (r.status == invoke_status::throttled || r.status == invoke_status::service_error) {
            if (r.status == invoke_status::service_error)
                m_.fn.reset();  // the function may have been deleted or re-created
            note_not_invoked(
                b, r.status == invoke_status::throttled
                       ? "PROBLEM: Function call throttled."
                       : "PROBLEM: Lambda could not invoke the function: " + r.error_message);
            return true;
        }
        ++b.invokes;
        ++m_.total.invokes;
        m_.total.records_delivered += b.records().size();
        b.last_request_id = b.inv.request_id;
        b.executed_version = r.executed_version;
        if (r.status == invoke_status::function_error) {
            fail(s, lane, r.function_error.empty() ? std::string("Unhandled") : r.function_error);
            return true;
        }
        const auto seqs = b.sequences();
        const batch_response br = read_batch_response(r.payload, r.payload_is_json, seqs,
                                                      m_.cfg.report_batch_item_failures, tumbling);
        bool terminate_early = false;
        if (tumbling && br.outcome != batch_response::kind::failure) {
            auto& w = s.windows[lane_index];
            if (b.final_window) {
                w = window_state{};  // checkpointed; the state is dropped
            } else {
                w.state = br.state;
                // §4.7: state over 1 MB ends the window early.
                terminate_early =
                    br.outcome == batch_response::kind::success &&
                    w.state.dump(-1, ' ', false, json::error_handler_t::replace).size() >
                        max_window_state_bytes;
            }
        }
        switch (br.outcome) {
            case batch_response::kind::success: {
                m_.set_result("OK");
                const std::int64_t window_start = b.window_start;
                complete(s, lane);
                if (terminate_early) {
                    pending_batch fin(new_event());
                    fin.final_window = true;
                    fin.terminated_early = true;
                    fin.window_start = window_start;
                    lane.push_front(std::move(fin));
                }
                break;
            }
            case batch_response::kind::partial:
                if (b.final_window) {
                    fail(s, lane, std::nullopt);
                } else if (br.first_failed > 0) {
                    // Records before the lowest failure are done; the rest is a new batch.
                    m_.set_result("OK");
                    s.checkpoint = b.records()[br.first_failed - 1]->sequence;
                    pending_batch rest = slice(b, br.first_failed, b.records().size());
                    lane.front() = std::move(rest);
                } else {
                    fail(s, lane, std::nullopt);
                }
                break;
            case batch_response::kind::failure:
                fail(s, lane, std::nullopt);
                break;
        }
        return true;
    }

    void note_not_invoked(pending_batch& b, std::string why) {
        ++m_.total.throttles;
        ++b.drain_tries;
        b.not_before = steady::now() + c_.options.retry_delay;
        m_.set_result(std::move(why));
    }

    void fail(shard_state& s, std::deque<pending_batch>& lane,
              std::optional<std::string> function_error) {
        pending_batch& b = lane.front();
        ++m_.total.function_errors;
        m_.set_result("PROBLEM: Function call failed");
        b.last_function_error = std::move(function_error);
        if (b.final_window) {
            // §4.7: a failed final invoke suspends the shard until it succeeds.
            ++b.failed_attempts;
            ++b.drain_tries;
            b.not_before = steady::now() + c_.options.retry_delay;
            return;
        }
        if (m_.cfg.bisect_batch_on_function_error && b.records().size() > 1) {
            // §4.3: split in halves; splitting does not use up a retry.
            const std::size_t half = b.records().size() / 2;
            pending_batch first = slice(b, 0, half);
            pending_batch second = slice(b, half, b.records().size());
            first.failed_attempts = second.failed_attempts = b.failed_attempts;
            first.window_start = second.window_start = b.window_start;
            lane.pop_front();
            lane.push_front(std::move(second));
            lane.push_front(std::move(first));
            return;
        }
        ++b.failed_attempts;
        if (m_.cfg.maximum_retry_attempts < 0)
            ++b.drain_tries;  // unbounded: drain() gives up on it after a few tries
        if (m_.cfg.maximum_retry_attempts >= 0 &&
            b.failed_attempts > static_cast<std::uint32_t>(m_.cfg.maximum_retry_attempts)) {
            discard(s, lane, "RetryAttemptsExhausted");
            return;
        }
        b.not_before = steady::now() + c_.options.retry_delay;
    }

    void complete(shard_state& s, std::deque<pending_batch>& lane) {
        if (!lane.front().records().empty())
            s.checkpoint = lane.front().records().back()->sequence;
        lane.pop_front();
    }

    static std::int64_t window_of(const stream_record& r, std::int64_t window_s) {
        const std::int64_t t = r.approximate_creation_date_time();
        return t - (t % window_s + window_s) % window_s;
    }

    bool open_windows(const shard_state& s) const {
        return std::any_of(s.windows.begin(), s.windows.end(),
                           [](const window_state& w) { return w.open; });
    }

    // Queues the final invoke of every open window that has ended (clock time) or whose shard
    // ended, on lanes with nothing else waiting.
    void close_windows(shard_state& s) {
        const auto now = c_.clock.now();
        for (std::size_t i = 0; i < s.lanes.size(); ++i) {
            auto& w = s.windows[i];
            if (!w.open || !s.lanes[i].empty())
                continue;
            const auto end =
                core::time_point(std::chrono::seconds(w.start + m_.cfg.tumbling_window_s));
            if (now >= end || s.end_seen) {
                pending_batch fin(new_event());
                fin.final_window = true;
                fin.window_start = w.start;
                s.lanes[i].push_back(std::move(fin));
            }
        }
    }

    // Gives the batch up: the on-failure record (§4.5) to the destination, then move on.
    void discard(shard_state& s, std::deque<pending_batch>& lane, std::string condition) {
        pending_batch& b = lane.front();
        ++m_.total.batches_discarded;
        if (!m_.cfg.on_failure_destination.empty()) {
            failure_record f;
            f.request_id = b.last_request_id.empty() ? c_.ids.uuid() : b.last_request_id;
            f.function_arn = m_.cfg_function_arn;
            f.condition = std::move(condition);
            f.approximate_invoke_count = b.invokes;
            f.has_response = b.invokes > 0;
            f.executed_version = b.executed_version;
            f.function_error = b.last_function_error;
            f.timestamp = c_.clock.now();
            f.shard_id = s.id;
            f.start_sequence_number = b.records().front()->sequence.to_string();
            f.end_sequence_number = b.records().back()->sequence.to_string();
            f.first_arrival = b.records().front()->at;
            f.last_arrival = b.records().back()->at;
            f.batch_size = static_cast<std::uint32_t>(b.records().size());
            f.stream_arn = m_.cfg.event_source_arn;
            std::string body = render_failure_record(f);
            auto sent = c_.queues.send(m_.cfg.on_failure_destination, body);
            if (!sent && sent.error().code == core::errc::not_found) {
                // The user deleted the queue: AWS would fail the delivery; esser re-creates it
                // so the record is not lost.
                if (c_.queues.create(m_.cfg.on_failure_destination))
                    sent = c_.queues.send(m_.cfg.on_failure_destination, std::move(body));
            }
            if (!sent) {
                c_.log.error("event source mapping {}: on-failure record not sent: {}",
                             m_.info.uuid, sent.error().message);
            }
        }
        c_.log.info("event source mapping {}: discarded {} record(s) of {} after {} invoke(s)",
                    m_.info.uuid, b.records().size(), s.id, b.invokes);
        complete(s, lane);
    }

    esm_service::mapping& m_;
    step_context& c_;
    std::string region_;
};

std::string shards_state(const esm_service::mapping& m) {
    json shards = json::array();
    for (const auto& [id, s] : m.shards) {
        if (!s.opened && !s.finished)
            continue;  // not read yet: starts where a new shard starts
        shards.push_back({{"id", id},
                          {"parent", s.parent},
                          {"position", s.opened ? s.done.position() : 0},
                          {"finished", s.finished}});
    }
    return json{{"shards", std::move(shards)}}.dump();
}

esm_drain_mapping delta(const std::string& uuid, const counters& before, const counters& after) {
    esm_drain_mapping d;
    d.uuid = uuid;
    d.invokes = after.invokes - before.invokes;
    d.records_delivered = after.records_delivered - before.records_delivered;
    d.records_filtered = after.records_filtered - before.records_filtered;
    d.function_errors = after.function_errors - before.function_errors;
    d.throttles = after.throttles - before.throttles;
    d.batches_discarded = after.batches_discarded - before.batches_discarded;
    return d;
}

}  // namespace

json to_json(const esm_drain_report& r) {
    json maps = json::array();
    for (const auto& m : r.mappings) {
        maps.push_back({{"UUID", m.uuid},
                        {"invokes", m.invokes},
                        {"records_delivered", m.records_delivered},
                        {"records_filtered", m.records_filtered},
                        {"function_errors", m.function_errors},
                        {"throttles", m.throttles},
                        {"batches_discarded", m.batches_discarded},
                        {"blocked_shards", m.blocked_shards}});
    }
    return {{"mappings", std::move(maps)}, {"rounds", r.rounds}, {"idle", r.idle}};
}

// ---------------------------------------------------------------------------------------------
// Control plane

esm_service::esm_service(lambda_service& lambda, stream_registry& streams, sqs_service& queues,
                         core::clock& clock, core::id_source& ids, esm_service_options options,
                         core::logger log)
    : lambda_(lambda),
      streams_(streams),
      queues_(queues),
      clock_(clock),
      ids_(ids),
      options_(std::move(options)),
      log_(std::move(log)) {
    if (options_.real_time)
        running_ = true;
}

esm_service::~esm_service() {
    clear();
}

core::result<std::string> esm_service::check_function(const esm_config& c) const {
    auto f = lambda_.get_function(c.function_name);
    if (!f)
        return core::fail(esm_error("ResourceNotFoundException", "Function does not exist"));
    return f->arn;
}

core::result<void> esm_service::check_duplicate(const esm_config& c,
                                                const std::string& function_arn,
                                                std::string_view except_uuid) const {
    for (const auto& [uuid, m] : by_uuid_) {
        if (uuid == except_uuid)
            continue;
        std::lock_guard l(m->info_mu);
        if (m->info.config.event_source_arn == c.event_source_arn &&
            m->info.function_arn == function_arn) {
            return core::fail(esm_error(
                "ResourceConflictException",
                fmt::format("The event source arn (\" {} \") and function (\" {} \") provided "
                            "mapping already exists. Please update or delete the existing "
                            "mapping with UUID {}",
                            c.event_source_arn, c.function_name, uuid)));
        }
    }
    return {};
}

core::result<void> esm_service::check_destination(const esm_config& c) const {
    if (c.on_failure_destination.empty())
        return {};
    // The queue must exist when the mapping is made (see the header); the ARN's form was
    // checked by parse_create_request.
    if (auto q = queues_.info(c.on_failure_destination); !q) {
        return core::fail(esm_error(
            "InvalidParameterValueException",
            "The OnFailure destination " + c.on_failure_destination +
                " does not exist: create the queue first (sqs create-queue), then the mapping."));
    }
    return {};
}

core::result<esm_info> esm_service::create(esm_config config) {
    auto fn_arn = check_function(config);
    if (!fn_arn)
        return core::fail(fn_arn.error());
    auto d = streams_.describe(config.event_source_arn);
    if (!d) {
        return core::fail(esm_error("InvalidParameterValueException",
                                    "Stream not found: " + config.event_source_arn));
    }
    if (auto q = check_destination(config); !q)
        return core::fail(q.error());
    auto fn = lambda_.get_function(config.function_name);
    auto m = std::make_shared<mapping>();
    m->durable = fn && fn->config.kind != function_kind::in_process;
    m->info.uuid = ids_.uuid();
    m->info.arn = fmt::format("arn:aws:lambda:{}:{}:event-source-mapping:{}", options_.region,
                              options_.account, m->info.uuid);
    m->info.function_arn = *fn_arn;
    m->info.last_modified = clock_.now();
    m->info.state = config.enabled ? esm_state::Enabled : esm_state::Disabled;
    m->info.config = std::move(config);
    // LATEST: the open shards start where they are now (records written after the create are
    // delivered, even if the first poll comes later); closed shards hold nothing new.
    if (m->info.config.starting_position == esm_starting_position::LATEST) {
        for (const auto& sh : d->shards) {
            shard_state s;
            s.id = sh.shard_id;
            s.parent = sh.parent_shard_id;
            if (sh.closed()) {
                s.finished = true;
            } else {
                auto cur = streams_.open_cursor(m->info.config.event_source_arn, sh.shard_id,
                                                shard_iterator_type::LATEST);
                if (cur) {
                    s.read = s.done = *cur;
                    s.opened = true;
                }
            }
            m->shards.emplace(sh.shard_id, std::move(s));
        }
    }
    esm_info answer;
    durability_sink* const sink = sink_.load();
    {
        std::unique_lock lock(mu_);
        if (auto dup = check_duplicate(m->info.config, *fn_arn, {}); !dup)
            return core::fail(dup.error());
        m->order = next_order_++;
        by_uuid_.emplace(m->info.uuid, m);
        order_.push_back(m->info.uuid);
        answer = m->info;
        if (sink != nullptr && m->durable) {
            // One unit: the mapping and, for LATEST, where its shards start.
            durability_group group(sink);
            record_durable(*sink, document_saved{"esm", m->info.uuid, mapping_state(*m)});
            m->saved_shards = shards_state(*m);
            record_durable(*sink, document_saved{"esm_shards", m->info.uuid, m->saved_shards});
        }
        if (running_)
            start_poller(m);
    }
    await_durable(sink);
    answer.state = esm_state::Creating;
    return answer;
}

core::result<std::shared_ptr<esm_service::mapping>> esm_service::find_mapping(
    std::string_view uuid) const {
    std::shared_lock lock(mu_);
    auto it = by_uuid_.find(uuid);
    if (it == by_uuid_.end())
        return core::fail(not_found_mapping());
    return it->second;
}

core::result<esm_info> esm_service::get(std::string_view uuid) const {
    auto m = find_mapping(uuid);
    if (!m)
        return core::fail(m.error());
    std::lock_guard l((*m)->info_mu);
    return (*m)->info;
}

std::vector<esm_info> esm_service::list(std::string_view event_source_arn,
                                        std::string_view function_name) const {
    std::string fn_arn;
    if (!function_name.empty()) {
        auto f = lambda_.get_function(function_name);
        if (!f)
            return {};
        fn_arn = f->arn;
    }
    std::shared_lock lock(mu_);
    std::vector<esm_info> out;
    for (const auto& uuid : order_) {
        const auto& m = by_uuid_.at(uuid);
        std::lock_guard l(m->info_mu);
        if (!event_source_arn.empty() && m->info.config.event_source_arn != event_source_arn)
            continue;
        if (!fn_arn.empty() && m->info.function_arn != fn_arn)
            continue;
        out.push_back(m->info);
    }
    return out;
}

core::result<esm_info> esm_service::update(std::string_view uuid, const json& body) {
    auto found = find_mapping(uuid);
    if (!found)
        return core::fail(found.error());
    std::shared_ptr<mapping> m = std::move(*found);
    esm_config current;
    {
        std::lock_guard l(m->info_mu);
        current = m->info.config;
    }
    auto next = parse_update_request(body, current);
    if (!next)
        return core::fail(next.error());
    std::string fn_arn;
    {
        std::lock_guard l(m->info_mu);
        fn_arn = m->info.function_arn;
    }
    if (next->function_name != current.function_name) {
        auto f = check_function(*next);
        if (!f)
            return core::fail(f.error());
        fn_arn = *f;
        std::shared_lock lock(mu_);
        if (auto dup = check_duplicate(*next, fn_arn, uuid); !dup)
            return core::fail(dup.error());
    }
    if (next->on_failure_destination != current.on_failure_destination) {
        if (auto q = check_destination(*next); !q)
            return core::fail(q.error());
    }
    esm_info answer;
    durability_sink* const sink = sink_.load();
    {
        std::lock_guard l(m->info_mu);
        const bool was = m->info.config.enabled;
        m->info.config = *next;
        m->info.function_arn = fn_arn;
        m->info.last_modified = clock_.now();
        m->info.state = next->enabled ? esm_state::Enabled : esm_state::Disabled;
        ++m->config_gen;
        answer = m->info;
        answer.state = was == next->enabled ? esm_state::Updating
                       : next->enabled      ? esm_state::Enabling
                                            : esm_state::Disabling;
        if (sink != nullptr && m->durable)
            record_durable(*sink, document_saved{"esm", m->info.uuid, mapping_state(*m)});
    }
    m->poke();
    await_durable(sink);
    return answer;
}

core::result<esm_info> esm_service::remove(std::string_view uuid) {
    std::shared_ptr<mapping> m;
    {
        std::unique_lock lock(mu_);
        auto it = by_uuid_.find(uuid);
        if (it == by_uuid_.end())
            return core::fail(not_found_mapping());
        m = it->second;
        by_uuid_.erase(it);
        order_.erase(std::find(order_.begin(), order_.end(), m->info.uuid));
    }
    if (m->watching)
        streams_.unwatch(m->watch);
    {
        std::lock_guard l(m->wake_mu);
        m->stop = true;
    }
    m->cv.notify_all();
    if (m->thread.joinable())
        m->thread.join();
    esm_info answer;
    durability_sink* const sink = sink_.load();
    {
        std::lock_guard run(m->run_mu);  // let a drain() in progress finish with it
        std::lock_guard l(m->info_mu);
        answer = m->info;
        m->removed = true;
        if (sink != nullptr && m->durable) {
            durability_group group(sink);
            record_durable(*sink, documents_removed{"esm", m->info.uuid, true});
            record_durable(*sink, documents_removed{"esm_shards", m->info.uuid, true});
        }
    }
    await_durable(sink);
    answer.state = esm_state::Deleting;
    return answer;
}

void esm_service::clear() {
    std::vector<std::string> uuids;
    {
        std::shared_lock lock(mu_);
        uuids = order_;
    }
    for (const auto& u : uuids) (void)remove(u);
}

core::result<json> esm_service::status(std::string_view uuid) const {
    auto found = find_mapping(uuid);
    if (!found)
        return core::fail(found.error());
    std::shared_ptr<mapping> m = std::move(*found);
    json out;
    {
        std::lock_guard l(m->info_mu);
        out = esm_to_json(m->info);
    }
    std::lock_guard run(m->run_mu);
    json shards = json::array();
    for (const auto& [id, s] : m->shards) {
        json j = {{"shardId", id},
                  {"finished", s.finished},
                  {"waitingRecords", s.waiting_records()},
                  {"trimmedFallbacks", s.trimmed_fallbacks}};
        if (!s.parent.empty())
            j["parentShardId"] = s.parent;
        j["checkpoint"] = s.checkpoint ? json(s.checkpoint->to_string()) : json(nullptr);
        std::uint32_t attempts = 0;
        for (const auto& l : s.lanes)
            if (!l.empty())
                attempts = std::max(attempts, l.front().failed_attempts);
        j["failedAttempts"] = attempts;
        shards.push_back(std::move(j));
    }
    out["Shards"] = std::move(shards);
    out["Counters"] = {{"invokes", m->total.invokes},
                       {"records_delivered", m->total.records_delivered},
                       {"records_filtered", m->total.records_filtered},
                       {"function_errors", m->total.function_errors},
                       {"throttles", m->total.throttles},
                       {"batches_discarded", m->total.batches_discarded}};
    return out;
}

// ---------------------------------------------------------------------------------------------
// Delivery

esm_drain_report esm_service::drain() {
    static std::atomic<std::uint64_t> generations{0};
    step_context ctx{lambda_,  streams_, queues_,      clock_,       ids_,
                     options_, log_,     sink_.load(), ++generations};
    std::vector<std::shared_ptr<mapping>> maps;
    {
        std::shared_lock lock(mu_);
        for (const auto& u : order_) maps.push_back(by_uuid_.at(u));
    }
    std::vector<counters> before(maps.size());
    for (std::size_t i = 0; i < maps.size(); ++i) {
        std::lock_guard run(maps[i]->run_mu);
        before[i] = maps[i]->total;
    }
    esm_drain_report report;
    // Bounded: every pass either moves a read position, finishes a batch or uses up one of a
    // batch's per-drain tries; the cap guards against a writer that never stops appending.
    constexpr std::uint64_t max_rounds = 1'000'000;
    bool progress = true;
    while (progress && report.rounds < max_rounds) {
        progress = false;
        ++report.rounds;
        for (auto& m : maps) {
            std::lock_guard run(m->run_mu);
            delivery d(*m, ctx);
            progress = d.step() || progress;
        }
    }
    report.idle = !progress;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        auto& m = maps[i];
        std::lock_guard run(m->run_mu);
        if (!m->cfg.enabled)
            continue;
        auto d = delta(m->info.uuid, before[i], m->total);
        for (const auto& [id, s] : m->shards)
            if (!s.idle_lanes())
                d.blocked_shards.push_back(id);
        if (!d.blocked_shards.empty())
            report.idle = false;
        report.mappings.push_back(std::move(d));
    }
    await_durable(ctx.sink);  // the checkpoints this drain moved
    return report;
}

void esm_service::set_durability(durability_sink* sink) {
    sink_.store(sink);
}

core::result<void> esm_service::restore_mapping(std::string_view state, std::string_view shards) {
    auto fail = [](std::string what) {
        return core::fail(core::error::parse_error("event source mapping state: " + what));
    };
    const json j = json::parse(state, nullptr, false);
    auto info = esm_info_from_state(j);
    if (!info)
        return core::fail(info.error());
    auto filters = filter_criteria::compile(info->config.filter_patterns);
    if (!filters)
        return fail("invalid FilterCriteria: " + filters.error().message);
    auto m = std::make_shared<mapping>();
    m->durable = true;
    const json order = j.value("order", json());
    if (!order.is_number_unsigned())
        return fail("member 'order' is missing or invalid");
    m->order = order.get<std::uint64_t>();
    if (!shards.empty()) {
        const json doc = json::parse(shards, nullptr, false);
        const json* list = doc.is_object() && doc.contains("shards") ? &doc["shards"] : nullptr;
        if (list == nullptr || !list->is_array())
            return fail("the checkpoints are not a {\"shards\": [...]} document");
        for (const json& e : *list) {
            if (!e.is_object() || !e.value("id", json()).is_string() ||
                !e.value("parent", json()).is_string() ||
                !e.value("position", json()).is_number_unsigned() ||
                !e.value("finished", json()).is_boolean())
                return fail("a shard checkpoint is malformed: " + e.dump());
            shard_state s;
            s.id = e["id"].get<std::string>();
            s.parent = e["parent"].get<std::string>();
            s.finished = e["finished"].get<bool>();
            if (!s.finished) {
                // At the checkpoint; a shard gone meanwhile is dropped by the first step, one
                // trimmed past it falls back to TRIM_HORIZON there (§6.5), as while running.
                auto cur = streams_.open_cursor(info->config.event_source_arn, s.id,
                                                shard_iterator_type::TRIM_HORIZON);
                if (cur) {
                    s.read = s.done = cur->at(e["position"].get<std::uint64_t>());
                    s.opened = true;
                }
            }
            m->shards.emplace(s.id, std::move(s));
        }
    }
    m->info = std::move(*info);
    m->saved_shards = shards_state(*m);
    std::unique_lock lock(mu_);
    if (by_uuid_.count(m->info.uuid) != 0)
        return fail("mapping " + m->info.uuid + " is there twice");
    next_order_ = std::max(next_order_, m->order + 1);
    by_uuid_.emplace(m->info.uuid, m);
    auto at = std::find_if(order_.begin(), order_.end(),
                           [&](const std::string& u) { return by_uuid_.at(u)->order > m->order; });
    order_.insert(at, m->info.uuid);
    if (running_)
        start_poller(m);
    return {};
}

void esm_service::start_poller(const std::shared_ptr<mapping>& m) {
    mapping* raw = m.get();
    auto w = streams_.watch(m->info.config.event_source_arn, [raw] { raw->poke(); });
    if (w) {
        m->watch = *w;
        m->watching = true;
    }
    m->thread = std::thread([this, raw] {
        step_context ctx{lambda_, streams_, queues_, clock_, ids_, options_, log_, nullptr, 0};
        for (;;) {
            {
                std::lock_guard l(raw->wake_mu);
                if (raw->stop)
                    return;
                raw->wake = false;
            }
            bool progress = false;
            ctx.sink = sink_.load();  // attached after a restored mapping's poller started
            {
                std::lock_guard run(raw->run_mu);
                delivery d(*raw, ctx);
                progress = d.step();
            }
            try {
                // Bounds what a crash makes it deliver again to what it did since this step.
                await_durable(ctx.sink);
            } catch (const std::exception& e) {
                raw->set_result(std::string("PROBLEM: checkpoint not stored: ") + e.what());
            }
            if (!progress) {
                std::unique_lock l(raw->wake_mu);
                raw->cv.wait_for(l, options_.poll_interval,
                                 [raw] { return raw->stop || raw->wake; });
            }
        }
    });
}

void esm_service::start() {
    std::unique_lock lock(mu_);
    if (running_)
        return;
    running_ = true;
    for (auto& [uuid, m] : by_uuid_) {
        {
            std::lock_guard l(m->wake_mu);
            m->stop = false;
        }
        start_poller(m);
    }
}

void esm_service::stop() {
    std::vector<std::shared_ptr<mapping>> maps;
    {
        std::unique_lock lock(mu_);
        if (!running_)
            return;
        running_ = false;
        for (auto& [uuid, m] : by_uuid_) maps.push_back(m);
    }
    for (auto& m : maps) {
        if (m->watching) {
            streams_.unwatch(m->watch);
            m->watching = false;
        }
        {
            std::lock_guard l(m->wake_mu);
            m->stop = true;
        }
        m->cv.notify_all();
        if (m->thread.joinable())
            m->thread.join();
    }
}

}  // namespace esser::emulator
