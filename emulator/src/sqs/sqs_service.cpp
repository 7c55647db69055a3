#include "esser/emulator/sqs/sqs_service.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "esser/emulator/dynamo/durability_sink.hpp"
#include "esser/emulator/sqs/sqs_error.hpp"

namespace esser::emulator {

namespace {

// SQS's characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF, in
// well-formed UTF-8.
bool valid_message_text(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::uint32_t cp = 0;
        std::size_t len = 0;
        if (c < 0x80) {
            cp = c;
            len = 1;
        } else if ((c & 0xe0) == 0xc0) {
            cp = c & 0x1f;
            len = 2;
        } else if ((c & 0xf0) == 0xe0) {
            cp = c & 0x0f;
            len = 3;
        } else if ((c & 0xf8) == 0xf0) {
            cp = c & 0x07;
            len = 4;
        } else {
            return false;
        }
        if (i + len > s.size())
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        // Overlong forms are not well formed.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
            return false;
        const bool ok = cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
                        (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
        if (!ok)
            return false;
        i += len;
    }
    return true;
}

std::size_t message_size(const std::string& body, const sqs_message_attributes& attributes) {
    std::size_t n = body.size();
    for (const auto& [name, a] : attributes)
        n += name.size() + a.data_type.size() + a.string_value.size() + a.binary_value.size();
    return n;
}

}  // namespace

sqs_service::sqs_service(core::clock& clock, core::id_source& ids, sqs_service_options options)
    : clock_(clock), ids_(ids), options_(std::move(options)) {
    while (options_.endpoint_url.ends_with('/')) options_.endpoint_url.pop_back();
    timer_ = std::thread([this] { timer_loop(); });
}

sqs_service::~sqs_service() {
    ready_list ready;
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        for (auto& w : waiters_) ready.emplace_back(std::move(w.done), std::vector<sqs_message>{});
        waiters_.clear();
    }
    timer_cv_.notify_all();
    timer_.join();
    run(ready);
}

void sqs_service::set_endpoint_url(std::string url) {
    while (url.ends_with('/')) url.pop_back();
    std::lock_guard lock(mu_);
    options_.endpoint_url = std::move(url);
}

std::string sqs_service::arn_of(std::string_view name) const {
    return "arn:aws:sqs:" + options_.region + ":" + options_.account + ":" + std::string(name);
}

std::string sqs_service::url_of(std::string_view name) const {
    std::lock_guard lock(mu_);
    return url_locked(name);
}

std::string sqs_service::url_locked(std::string_view name) const {
    return options_.endpoint_url + "/" + options_.account + "/" + std::string(name);
}

core::result<std::string> sqs_service::resolve(std::string_view queue) const {
    if (queue.starts_with("arn:")) {
        auto a = parse_queue_arn(queue);
        if (!a) {
            return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                        "Not an SQS queue ARN: " + std::string(queue)));
        }
        if (a->account != options_.account)
            return core::fail(no_such_queue());
        return a->name;
    }
    if (queue.find('/') != std::string_view::npos) {
        auto u = parse_queue_url(queue);
        if (!u) {
            return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                        "Value " + std::string(queue) +
                                            " for parameter QueueUrl is invalid. Reason: not a "
                                            "queue URL <endpoint>/<account>/<queue name>."));
        }
        if (u->account != options_.account)
            return core::fail(no_such_queue());
        return u->name;
    }
    if (!valid_queue_name(queue)) {
        return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                    "Can only include alphanumeric characters, hyphens, or "
                                    "underscores. 1 to 80 in length"));
    }
    return std::string(queue);
}

sqs_queue* sqs_service::find_locked(const std::string& name) {
    auto it = queues_.find(name);
    return it == queues_.end() ? nullptr : &it->second;
}

const sqs_queue* sqs_service::find_locked(const std::string& name) const {
    auto it = queues_.find(name);
    return it == queues_.end() ? nullptr : &it->second;
}

template <class Self, class Fn>
auto sqs_service::with_queue(Self& self, std::string_view queue, Fn&& fn) {
    using queue_ref = decltype((self.queues_.begin()->second));
    using result_type = std::invoke_result_t<Fn&, queue_ref, const std::string&>;
    auto n = self.resolve(queue);
    if (!n)
        return result_type(core::fail(n.error()));
    std::lock_guard lock(self.mu_);
    auto it = self.queues_.find(*n);
    if (it == self.queues_.end())
        return result_type(core::fail(no_such_queue()));
    return fn(it->second, *n);
}

queue_info sqs_service::info_locked(const sqs_queue& q) const {
    return {q.name(), arn_of(q.name()), url_locked(q.name()), q.counts(clock_.now()).total(),
            q.sent(), q.created()};
}

core::result<std::string> sqs_service::create_queue(std::string_view name,
                                                    const sqs_attribute_map& attributes) {
    if (!valid_queue_name(name)) {
        return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                    "Can only include alphanumeric characters, hyphens, or "
                                    "underscores. 1 to 80 in length"));
    }
    if (name.ends_with(".fifo")) {
        return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                    "esser-local emulates standard queues only: FIFO queues "
                                    "(names ending in .fifo) are not supported."));
    }
    const auto now = clock_.now();
    // Checks the attributes whether or not the queue exists.
    auto fresh = sqs_queue::make(std::string(name), arn_of(name), attributes, now);
    if (!fresh)
        return core::fail(fresh.error());
    std::unique_lock lock(mu_);
    if (const auto* q = find_locked(std::string(name))) {
        if (!q->has_attributes(attributes)) {
            return core::fail(sqs_error(sqs_errors::queue_name_exists,
                                        "A queue already exists with the same name and a "
                                        "different value for attribute(s)."));
        }
    } else {
        auto& made = queues_.emplace(std::string(name), std::move(*fresh)).first->second;
        made.track_removals(sink_.load() != nullptr);
        record_queue_locked(made);
    }
    std::string url = url_locked(name);
    lock.unlock();
    if (core::error e; !durable(&e))
        return core::fail(std::move(e));
    return url;
}

core::result<std::string> sqs_service::get_queue_url(std::string_view name) const {
    return with_queue(*this, name, [&](const sqs_queue&, const std::string& n) {
        return core::result<std::string>(url_locked(n));
    });
}

core::result<sqs_attribute_map> sqs_service::get_queue_attributes(
    std::string_view queue, const std::vector<std::string>& names) {
    return with_queue(*this, queue, [&](sqs_queue& q, const std::string&) {
        const auto now = clock_.now();
        q.expire(now);
        record_locked(q, {});
        return q.attributes(names, now);
    });
}

core::result<void> sqs_service::set_queue_attributes(std::string_view queue,
                                                     const sqs_attribute_map& attributes) {
    auto out = with_queue(*this, queue, [&](sqs_queue& q, const std::string&) {
        auto set = q.set_attributes(attributes, clock_.now());
        if (set)
            record_queue_locked(q);
        return set;
    });
    if (core::error e; out && !durable(&e))
        return core::fail(std::move(e));
    return out;
}

core::result<sqs_message> sqs_service::send_message(std::string_view queue, std::string body,
                                                    sqs_message_attributes attributes,
                                                    std::optional<std::uint32_t> delay_s) {
    if (body.empty()) {
        return core::fail(sqs_error(sqs_errors::missing_parameter,
                                    "The request must contain the parameter MessageBody."));
    }
    if (!valid_message_text(body)) {
        return core::fail(sqs_error(sqs_errors::invalid_message_contents,
                                    "Invalid characters found. Valid unicode characters are #x9 "
                                    "| #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 "
                                    "to #x10FFFF"));
    }
    if (delay_s && *delay_s > 900) {
        return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                    "Value " + std::to_string(*delay_s) +
                                        " for parameter DelaySeconds is invalid. Reason: must be "
                                        "between 0 and 900, if provided."));
    }
    sqs_message m;
    m.message_id = ids_.uuid();
    m.md5_of_body = md5_hex(body);
    m.md5_of_attributes = md5_of_message_attributes(attributes);
    m.attributes = std::move(attributes);
    const std::size_t size = message_size(body, m.attributes);
    m.body = std::move(body);
    ready_list ready;
    auto stored = with_queue(*this, queue, [&](sqs_queue& q, const std::string& n) {
        if (size > q.maximum_message_size()) {
            return core::result<sqs_message>(core::fail(sqs_error(
                sqs_errors::invalid_parameter_value,
                "One or more parameters are invalid. Reason: Message must be shorter than " +
                    std::to_string(q.maximum_message_size()) + " bytes.")));
        }
        core::result<sqs_message> sent = q.send(std::move(m), delay_s, clock_.now());
        record_locked(q, {*sent});
        serve_waiters_locked(n, false, ready);
        return sent;
    });
    changed_.notify_all();
    core::error e;
    const bool ok = durable(&e);
    run(ready);
    if (!ok)
        return core::fail(std::move(e));
    return stored;
}

std::uint64_t sqs_service::receive(sqs_receive_request request, receive_callback done) {
    std::uint64_t ticket = 0;
    auto got = with_queue(*this, request.queue, [&](sqs_queue& q, const std::string& n) {
        core::result<std::vector<sqs_message>> msgs =
            q.receive(request.max_messages, request.visibility_timeout_s, clock_.now(), ids_);
        record_locked(q, *msgs);
        const std::uint32_t wait = request.wait_time_s.value_or(q.receive_wait_time_s());
        if (msgs->empty() && wait > 0 && !stopping_) {
            ticket = next_ticket_++;
            waiters_.push_back({ticket, n, request.max_messages, request.visibility_timeout_s,
                                std::chrono::steady_clock::now() + std::chrono::seconds(wait),
                                std::move(done)});
            timer_cv_.notify_all();
        }
        return msgs;
    });
    if (ticket == 0) {
        if (core::error e; !durable(&e))
            got = core::fail(std::move(e));
        done(std::move(got));  // outside the lock
    } else {
        (void)durable();  // what expired meanwhile; the receive itself is parked
    }
    return ticket;
}

void sqs_service::cancel_receive(std::uint64_t ticket) {
    std::lock_guard lock(mu_);
    waiters_.remove_if([&](const waiter& w) { return w.ticket == ticket; });
}

void sqs_service::serve_waiters_locked(std::string_view name, bool flush, ready_list& ready) {
    const auto steady_now = std::chrono::steady_clock::now();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
        if (it->queue != name) {
            ++it;
            continue;
        }
        std::vector<sqs_message> got;
        auto* q = find_locked(it->queue);
        if (q && !flush) {
            got = q->receive(it->max_messages, it->visibility_timeout_s, clock_.now(), ids_);
            record_locked(*q, got);
        }
        if (got.empty() && !flush && q && steady_now < it->deadline) {
            ++it;
            continue;
        }
        ready.emplace_back(std::move(it->done), std::move(got));
        it = waiters_.erase(it);
    }
}

void sqs_service::timer_loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        if (waiters_.empty()) {
            timer_cv_.wait(lock);
            continue;
        }
        auto wake = std::chrono::steady_clock::now() + options_.long_poll_recheck;
        for (const auto& w : waiters_) wake = std::min(wake, w.deadline);
        timer_cv_.wait_until(lock, wake);
        if (stopping_)
            break;
        // Every queue with parked receives: messages may have become visible, waits may be over.
        std::vector<std::string> names;
        for (const auto& w : waiters_) {
            if (std::find(names.begin(), names.end(), w.queue) == names.end())
                names.push_back(w.queue);
        }
        ready_list ready;
        for (const auto& n : names) serve_waiters_locked(n, false, ready);
        if (!ready.empty()) {
            lock.unlock();
            // The receive counts recorded; a storage failure leaves them in memory only (the
            // messages themselves were stored when sent), so the answers still go out.
            (void)durable();
            run(ready);
            lock.lock();
        }
    }
}

void sqs_service::run(ready_list& ready) {
    for (auto& [done, msgs] : ready) done(std::move(msgs));
    ready.clear();
}

core::result<void> sqs_service::delete_message(std::string_view queue,
                                               std::string_view receipt_handle) {
    auto out = with_queue(*this, queue, [&](sqs_queue& q, const std::string&) {
        auto deleted = q.delete_message(receipt_handle);
        record_locked(q, {});
        return deleted;
    });
    changed_.notify_all();
    if (core::error e; out && !durable(&e))
        return core::fail(std::move(e));
    return out;
}

core::result<void> sqs_service::change_message_visibility(std::string_view queue,
                                                          std::string_view receipt_handle,
                                                          std::uint32_t visibility_s) {
    if (visibility_s > 43200) {
        return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                    "Value " + std::to_string(visibility_s) +
                                        " for parameter VisibilityTimeout is invalid. Reason: "
                                        "Must be between 0 and 43200, if provided."));
    }
    ready_list ready;
    auto out = with_queue(*this, queue, [&](sqs_queue& q, const std::string& n) {
        auto changed = q.change_visibility(receipt_handle, visibility_s, clock_.now());
        if (changed && visibility_s == 0)
            serve_waiters_locked(n, false, ready);
        return changed;
    });
    (void)durable();  // receives of parked requests (see timer_loop)
    run(ready);
    return out;
}

core::result<void> sqs_service::purge_queue(std::string_view queue) {
    auto out = with_queue(*this, queue, [&](sqs_queue& q, const std::string& n) {
        const auto now = clock_.now();
        if (q.last_purge && now < *q.last_purge + std::chrono::seconds(60)) {
            return core::result<void>(core::fail(sqs_error(
                sqs_errors::purge_queue_in_progress,
                "Only one PurgeQueue operation on " + n + " is allowed every 60 seconds.")));
        }
        q.last_purge = now;
        q.purge();
        record_locked(q, {});
        return core::result<void>();
    });
    changed_.notify_all();
    if (core::error e; out && !durable(&e))
        return core::fail(std::move(e));
    return out;
}

core::result<void> sqs_service::delete_queue(std::string_view queue) {
    return remove(queue);
}

core::result<sqs_queue_page> sqs_service::list_queues(std::string_view prefix,
                                                      std::optional<std::uint32_t> max_results,
                                                      std::string_view next_token) const {
    if (max_results && (*max_results < 1 || *max_results > 1000)) {
        return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                    "Value " + std::to_string(*max_results) +
                                        " for parameter MaxResults is invalid. Reason: must be "
                                        "between 1 and 1000."));
    }
    if (!next_token.empty() && !max_results) {
        return core::fail(sqs_error(sqs_errors::invalid_parameter_value,
                                    "MaxResults is required when NextToken is given."));
    }
    std::lock_guard lock(mu_);
    sqs_queue_page page;
    // The token is the last name of the previous page: pages stay correct across creates.
    auto it = next_token.empty() ? queues_.begin() : queues_.upper_bound(next_token);
    for (; it != queues_.end(); ++it) {
        if (!it->first.starts_with(prefix))
            continue;
        if (max_results && page.urls.size() == *max_results) {
            const auto& last = page.urls.back();
            page.next_token = last.substr(last.rfind('/') + 1);
            break;
        }
        page.urls.push_back(url_locked(it->first));
    }
    return page;
}

core::result<queue_info> sqs_service::create(std::string_view queue) {
    auto n = resolve(queue);
    if (!n)
        return core::fail(n.error());
    if (auto url = create_queue(*n, {}); !url)
        return core::fail(url.error());
    return info(*n);
}

core::result<queue_info> sqs_service::info(std::string_view queue) const {
    return with_queue(*this, queue, [&](const sqs_queue& q, const std::string&) {
        return core::result<queue_info>(info_locked(q));
    });
}

std::vector<queue_info> sqs_service::list() const {
    std::lock_guard lock(mu_);
    std::vector<queue_info> out;
    out.reserve(queues_.size());
    for (const auto& [name, q] : queues_) out.push_back(info_locked(q));
    return out;
}

core::result<sqs_message> sqs_service::send(std::string_view queue, std::string body) {
    sqs_message m;
    m.message_id = ids_.uuid();
    m.md5_of_body = md5_hex(body);
    m.body = std::move(body);
    ready_list ready;
    auto stored = with_queue(*this, queue, [&](sqs_queue& q, const std::string& n) {
        core::result<sqs_message> sent = q.send(std::move(m), std::nullopt, clock_.now());
        record_locked(q, {*sent});
        serve_waiters_locked(n, false, ready);
        return sent;
    });
    changed_.notify_all();
    core::error e;
    const bool ok = durable(&e);
    run(ready);
    if (!ok)
        return core::fail(std::move(e));
    return stored;
}

core::result<std::vector<sqs_message>> sqs_service::peek(std::string_view queue,
                                                         std::size_t max) const {
    return with_queue(*this, queue, [&](const sqs_queue& q, const std::string&) {
        return core::result<std::vector<sqs_message>>(q.peek(max, clock_.now()));
    });
}

core::result<std::vector<sqs_message>> sqs_service::take(std::string_view queue, std::size_t max) {
    auto got = with_queue(*this, queue, [&](sqs_queue& q, const std::string&) {
        core::result<std::vector<sqs_message>> got =
            q.receive(max, std::nullopt, clock_.now(), ids_);
        for (const auto& m : *got) (void)q.delete_message(m.receipt_handle);
        record_locked(q, {});
        return got;
    });
    if (core::error e; got && !durable(&e))
        return core::fail(std::move(e));
    return got;
}

core::result<std::size_t> sqs_service::purge(std::string_view queue) {
    auto n = with_queue(*this, queue, [&](sqs_queue& q, const std::string&) {
        core::result<std::size_t> purged = q.purge();
        record_locked(q, {});
        return purged;
    });
    if (core::error e; n && !durable(&e))
        return core::fail(std::move(e));
    return n;
}

core::result<void> sqs_service::remove(std::string_view queue) {
    ready_list ready;
    auto out = with_queue(*this, queue, [&](sqs_queue&, const std::string& n) {
        const std::string name = n;  // `n` lives in the map entry erased here
        queues_.erase(name);
        if (auto* sink = sink_.load()) {
            durability_group group(sink);
            record_durable(*sink, documents_removed{"queue", name, true});
            record_durable(*sink, documents_removed{"message", name + "/"});
        }
        serve_waiters_locked(name, true, ready);
        return core::result<void>();
    });
    changed_.notify_all();
    core::error e;
    const bool ok = durable(&e);
    run(ready);
    if (out && !ok)
        return core::fail(std::move(e));
    return out;
}

void sqs_service::clear() {
    ready_list ready;
    {
        std::lock_guard lock(mu_);
        queues_.clear();
        if (auto* sink = sink_.load()) {
            durability_group group(sink);
            record_durable(*sink, documents_removed{"queue", ""});
            record_durable(*sink, documents_removed{"message", ""});
        }
        for (auto& w : waiters_) ready.emplace_back(std::move(w.done), std::vector<sqs_message>{});
        waiters_.clear();
    }
    changed_.notify_all();
    (void)durable();
    run(ready);
}

bool sqs_service::wait_for(std::string_view queue, std::size_t count,
                           std::chrono::milliseconds timeout) const {
    auto n = resolve(queue);
    if (!n)
        return false;
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] {
        const auto* q = find_locked(*n);
        return q && q->counts(clock_.now()).total() >= count;
    });
}

// ---------------------------------------------------------------------------------------------
// Durability

namespace {

std::string message_document_id(std::string_view queue, std::uint64_t sequence) {
    return fmt::format("{}/{:020}", queue, sequence);
}

core::error damaged(std::string what) {
    return core::error::parse_error("SQS state: " + std::move(what));
}

}  // namespace

void sqs_service::record_queue_locked(const sqs_queue& q) {
    durability_sink* const sink = sink_.load();
    if (sink == nullptr)
        return;
    const nlohmann::json doc = {{"name", q.name()},
                                {"created_ms", core::to_epoch_ms(q.created())},
                                {"attributes", q.settable_attributes()}};
    record_durable(*sink, document_saved{"queue", q.name(), doc.dump()});
}

void sqs_service::record_locked(sqs_queue& q, const std::vector<sqs_message>& saved) {
    durability_sink* const sink = sink_.load();
    if (sink == nullptr)
        return;
    const auto removed = q.take_removed();
    if (saved.empty() && removed.empty())
        return;
    durability_group group(sink);
    for (const std::uint64_t seq : removed) {
        if (seq == 0)
            record_durable(*sink, documents_removed{"message", q.name() + "/"});
        else
            record_durable(*sink,
                           documents_removed{"message", message_document_id(q.name(), seq), true});
    }
    for (const auto& m : saved) {
        record_durable(*sink, document_saved{"message", message_document_id(q.name(), m.sequence),
                                             sqs_message_state(m).dump()});
    }
}

bool sqs_service::durable(core::error* error) {
    try {
        await_durable(sink_.load());
        return true;
    } catch (const std::exception& e) {
        if (error != nullptr)
            *error = sqs_error(sqs_errors::internal, e.what());
        return false;
    }
}

void sqs_service::set_durability(durability_sink* sink) {
    std::lock_guard lock(mu_);
    sink_.store(sink);
    for (auto& [name, q] : queues_) q.track_removals(sink != nullptr);
}

core::result<void> sqs_service::restore_queue(std::string_view state) {
    const auto doc = nlohmann::json::parse(state, nullptr, false);
    if (!doc.is_object() || !doc.value("name", nlohmann::json()).is_string() ||
        !doc.value("created_ms", nlohmann::json()).is_number_integer() ||
        !doc.value("attributes", nlohmann::json()).is_object())
        return core::fail(damaged("a queue is not a {name, created_ms, attributes} document"));
    const std::string name = doc["name"].get<std::string>();
    if (!valid_queue_name(name))
        return core::fail(damaged("a queue has an invalid name"));
    sqs_attribute_map attributes;
    for (const auto& [k, v] : doc["attributes"].items()) {
        if (!v.is_string())
            return core::fail(damaged("queue " + name + ": attribute " + k + " is not a string"));
        attributes[k] = v.get<std::string>();
    }
    const auto created = core::from_epoch_ms(doc["created_ms"].get<std::int64_t>());
    auto q = sqs_queue::make(name, arn_of(name), attributes, created);
    if (!q)
        return core::fail(damaged("queue " + name + ": " + q.error().message));
    q->restore_created(created);
    std::lock_guard lock(mu_);
    if (!queues_.emplace(name, std::move(*q)).second)
        return core::fail(damaged("queue " + name + " is there twice"));
    return {};
}

core::result<void> sqs_service::restore_message(std::string_view id, std::string_view state) {
    const auto slash = id.find('/');
    if (slash == std::string_view::npos)
        return core::fail(damaged("a message id has no queue"));
    auto m = sqs_message_from_state(nlohmann::json::parse(state, nullptr, false));
    if (!m)
        return core::fail(m.error());
    if (message_document_id(id.substr(0, slash), m->sequence) != id)
        return core::fail(damaged("message " + std::string(id) + " has another sequence"));
    std::lock_guard lock(mu_);
    auto* q = find_locked(std::string(id.substr(0, slash)));
    if (q == nullptr)
        return core::fail(damaged("message " + std::string(id) + " belongs to no queue"));
    q->restore_message(std::move(*m), clock_.now());
    return {};
}

}  // namespace esser::emulator
