#include "esser/emulator/streams/stream_registry.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>

#include "item_codec.hpp"  // the engine's item encoding (emulator/src/dynamo)
#include "shard_iterator.hpp"
#include "stream_arn.hpp"
#include <fmt/format.h>

namespace esser::emulator {

using adapters::aws_error;
using streams_detail::iterator_payload;

namespace {
constexpr auto never = core::time_point::max();
// Per-record allowance for the JSON around the images when applying the 1 MB GetRecords cap.
constexpr std::size_t record_overhead_bytes = 256;

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Stable placement hash of a partition key value, given encoded (item_codec): FNV-1a over the
// type tag and the value's canonical bytes (numbers by their canonical text, so 1 and 1.0 land
// together), then a splitmix64 finaliser to spread the bits over the whole 64-bit range.
std::uint64_t key_hash(std::string_view value) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&h](std::string_view bytes) {
        for (unsigned char c : bytes) {
            h ^= c;
            h *= 0x100000001b3ULL;
        }
    };
    mix(value.substr(0, 1));  // the tag: the value_type
    switch (static_cast<value_type>(value[0])) {
        case value_type::S:
        case value_type::B:
            mix(value.substr(value.size() - item_codec::bytes_length(value)));
            break;
        case value_type::N:
            mix(item_codec::decode_value(value).as_n().to_string());
            break;
        default:
            break;  // keys are S, N or B; anything else all lands on one shard
    }
    return splitmix64(h);
}

// Sequence number prefix of a lineage generation: 4, 40, 400, ... (one more digit per
// generation, so a shard's numbers are longer than its parent's: 21 digits, then 22, ...),
// capped at 18 digits (38-digit numbers), then counting up.
std::uint64_t prefix_for_generation(std::uint32_t g) {
    std::uint64_t p = 4;
    const std::uint32_t grow = std::min<std::uint32_t>(g, 17);
    for (std::uint32_t i = 0; i < grow; ++i) p *= 10;
    return p + (g > 17 ? g - 17 : 0);
}

void write_hex(std::uint64_t v, char* out) {
    static constexpr char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out[i] = digits[v & 0xf];
        v >>= 4;
    }
}

aws_error stream_not_found(std::string_view arn) {
    return aws_error::resource_not_found(
        fmt::format("Requested resource not found: Stream: {} not found", arn));
}

aws_error shard_not_found(std::string_view shard_id, std::string_view arn) {
    return aws_error::resource_not_found(fmt::format(
        "Requested resource not found: Shard: {} in Stream: {} not found", shard_id, arn));
}

aws_error invalid_arn(std::string_view field, std::string_view arn) {
    return aws_error::validation(
        fmt::format("Invalid {}: '{}' is not a stream ARN "
                    "(arn:aws:dynamodb:<region>:<account>:table/<TableName>/stream/<StreamLabel>)",
                    field, arn));
}

// GetShardIterator's type / SequenceNumber pairing (§1.4).
std::optional<aws_error> check_iterator_arguments(shard_iterator_type type,
                                                  const std::optional<sequence_number>& seq) {
    const bool needs_seq = type == shard_iterator_type::AT_SEQUENCE_NUMBER ||
                           type == shard_iterator_type::AFTER_SEQUENCE_NUMBER;
    if (needs_seq && !seq) {
        return aws_error::validation(
            fmt::format("A SequenceNumber is required for ShardIteratorType {}",
                        shard_iterator_type_text(type)));
    }
    if (!needs_seq && seq) {
        return aws_error::validation(
            fmt::format("SequenceNumber must not be given with ShardIteratorType {}",
                        shard_iterator_type_text(type)));
    }
    return std::nullopt;
}

aws_error trimmed(std::string_view shard_id) {
    return aws_error::trimmed_data_access(fmt::format(
        "The operation attempted to read past the oldest stream record in shard {}: the data "
        "was trimmed (older than the stream's retention period)",
        shard_id));
}
}  // namespace

std::string_view stream_status_text(stream_status s) noexcept {
    switch (s) {
        case stream_status::ENABLING:
            return "ENABLING";
        case stream_status::ENABLED:
            return "ENABLED";
        case stream_status::DISABLING:
            return "DISABLING";
        case stream_status::DISABLED:
            return "DISABLED";
    }
    return "ENABLED";
}

std::string_view shard_iterator_type_text(shard_iterator_type t) noexcept {
    switch (t) {
        case shard_iterator_type::TRIM_HORIZON:
            return "TRIM_HORIZON";
        case shard_iterator_type::LATEST:
            return "LATEST";
        case shard_iterator_type::AT_SEQUENCE_NUMBER:
            return "AT_SEQUENCE_NUMBER";
        case shard_iterator_type::AFTER_SEQUENCE_NUMBER:
            return "AFTER_SEQUENCE_NUMBER";
    }
    return "TRIM_HORIZON";
}

std::optional<shard_iterator_type> parse_shard_iterator_type(std::string_view text) noexcept {
    for (auto t :
         {shard_iterator_type::TRIM_HORIZON, shard_iterator_type::LATEST,
          shard_iterator_type::AT_SEQUENCE_NUMBER, shard_iterator_type::AFTER_SEQUENCE_NUMBER}) {
        if (shard_iterator_type_text(t) == text)
            return t;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// State

struct stream_registry::shard_state {
    std::uint32_t serial = 0;
    std::string id;
    std::string parent_id;
    std::uint32_t generation = 0;
    std::uint64_t prefix = 4;                // sequence number prefix (prefix_for_generation)
    std::uint64_t hash_lo = 0, hash_hi = 0;  // inclusive range of partition key hashes
    std::int64_t created_ms = 0;             // as in the id
    core::time_point rollover_at = never;
    bool open = true;
    core::time_point closed_at{};
    sequence_number starting;
    sequence_number last;  // last record appended (starting while none): EndingSequenceNumber
    std::deque<std::shared_ptr<const stream_record>> records;
    std::uint64_t trimmed = 0;     // absolute index of records.front()
    sequence_number last_trimmed;  // valid when trimmed > 0
    // Readers seen by GetRecords within the last second, with when (§6.18; only kept while
    // options.max_readers_per_shard is set).
    std::vector<std::pair<std::uint32_t, core::time_point>> readers;

    std::uint64_t end() const { return trimmed + records.size(); }
};

struct stream_registry::stream_state {
    std::uint64_t serial = 0;
    std::string arn, label, table, region;
    key_schema keys;
    stream_view_type view = stream_view_type::KEYS_ONLY;
    core::time_point created{};
    std::uint64_t event_id_seed = 0;

    std::mutex mu;  // guards everything below
    bool enabled = true;
    core::time_point disabled_at{};
    std::atomic<bool> removed{false};  // all data gone; awaiting removal from the registry
    std::uint64_t counter = 0;         // sequence number counter (per stream)
    std::vector<std::unique_ptr<shard_state>> shards;         // index == serial; null once removed
    std::map<std::string, std::uint32_t, std::less<>> by_id;  // live shards, sorted by id
    std::vector<shard_state*> open;                           // sorted by hash_lo
    std::vector<std::pair<watch_id, std::function<void()>>> watchers;
    core::time_point next_housekeeping = never;
    bool durable = true;              // recorded to the sink (imported streams are not)
    std::uint64_t saved_version = 0;  // of the last state recorded
};

// ---------------------------------------------------------------------------------------------
// Construction

stream_registry::stream_registry(core::clock& clock, core::id_source& ids, stream_options options)
    : clock_(clock), ids_(ids), options_(std::move(options)) {
    options_.partitions = std::clamp<std::size_t>(options_.partitions, 1, 1000);
    iterator_key_[0] = ids_.next_u64();
    iterator_key_[1] = ids_.next_u64();
    if (options_.follow_manual_clock && clock_.is_manual()) {
        manual_clock_ = dynamic_cast<core::manual_clock*>(&clock_);
        if (manual_clock_ != nullptr) {
            clock_subscription_ =
                manual_clock_->subscribe([this](core::time_point t) { on_clock(t); });
        }
    }
}

stream_registry::~stream_registry() {
    if (manual_clock_ != nullptr)
        manual_clock_->unsubscribe(clock_subscription_);
}

void stream_registry::on_clock(core::time_point) {
    tick();
}

// ---------------------------------------------------------------------------------------------
// Lookup (lock order: mu_ is never taken while a stream's mu is held)

stream_registry::stream_ptr stream_registry::find_by_arn(std::string_view arn) const {
    std::shared_lock lock(mu_);
    auto it = by_arn_.find(arn);
    return it == by_arn_.end() ? nullptr : it->second;
}

stream_registry::stream_ptr stream_registry::find_by_serial(std::uint64_t serial) const {
    std::shared_lock lock(mu_);
    auto it = by_serial_.find(serial);
    return it == by_serial_.end() ? nullptr : it->second;
}

stream_registry::stream_ptr stream_registry::enabled_stream(std::string_view table) const {
    std::shared_lock lock(mu_);
    auto it = enabled_by_table_.find(table);
    return it == enabled_by_table_.end() ? nullptr : it->second;
}

streams_result<stream_registry::stream_ptr> stream_registry::resolve_arn(
    std::string_view arn) const {
    if (!streams_detail::parse_stream_arn(arn)) {
        return core::unexpected(invalid_arn("StreamArn", arn));
    }
    auto s = find_by_arn(arn);
    if (!s || s->removed.load())
        return core::unexpected(stream_not_found(arn));
    return s;
}

// ---------------------------------------------------------------------------------------------
// Shards (stream mutex held)

stream_registry::shard_state& stream_registry::new_shard(stream_state& s, const shard_state* parent,
                                                         std::uint64_t hash_lo,
                                                         std::uint64_t hash_hi,
                                                         core::time_point created) {
    auto sh = std::make_unique<shard_state>();
    sh->serial = static_cast<std::uint32_t>(s.shards.size());
    // A child's id must sort after its parent's: same millisecond -> one later.
    sh->created_ms = core::to_epoch_ms(created);
    if (parent != nullptr)
        sh->created_ms = std::max(sh->created_ms, parent->created_ms + 1);
    do {
        sh->id = fmt::format("shardId-{:020d}-{}", sh->created_ms, ids_.hex(8));
    } while (s.by_id.contains(sh->id));
    if (parent != nullptr) {
        sh->parent_id = parent->id;
        sh->generation = parent->generation + 1;
    }
    sh->prefix = prefix_for_generation(sh->generation);
    sh->hash_lo = hash_lo;
    sh->hash_hi = hash_hi;
    if (options_.rollover_interval > core::duration::zero()) {
        sh->rollover_at = created + options_.rollover_interval;
    }
    sh->starting = sequence_number::make(sh->prefix, ++s.counter);
    sh->last = sh->starting;
    s.next_housekeeping = std::min(s.next_housekeeping, sh->rollover_at);
    s.by_id.emplace(sh->id, sh->serial);
    s.shards.push_back(std::move(sh));
    return *s.shards.back();
}

void stream_registry::close_shard(stream_state& s, shard_state& sh, core::time_point at) {
    sh.open = false;
    sh.closed_at = at;
    sh.rollover_at = never;
    s.next_housekeeping = std::min(s.next_housekeeping, at + options_.retention);
}

void stream_registry::rebuild_open_index(stream_state& s) {
    s.open.clear();
    for (auto& sh : s.shards) {
        if (sh && sh->open)
            s.open.push_back(sh.get());
    }
    std::sort(s.open.begin(), s.open.end(),
              [](const shard_state* a, const shard_state* b) { return a->hash_lo < b->hash_lo; });
}

std::vector<std::string> stream_registry::split_locked(stream_state& s, shard_state& parent,
                                                       std::size_t children, core::time_point now) {
    close_shard(s, parent, now);
    const unsigned __int128 width =
        static_cast<unsigned __int128>(parent.hash_hi) - parent.hash_lo + 1;
    const std::size_t n = static_cast<std::size_t>(
        std::min<unsigned __int128>(width, static_cast<unsigned __int128>(children)));
    std::vector<std::string> ids;
    ids.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto lo = static_cast<std::uint64_t>(parent.hash_lo + width * i / n);
        const auto hi = static_cast<std::uint64_t>(parent.hash_lo + width * (i + 1) / n - 1);
        ids.push_back(new_shard(s, &parent, lo, hi, now).id);
    }
    return ids;
}

void stream_registry::roll_over(stream_state& s, core::time_point now) {
    if (!s.enabled || options_.rollover_interval <= core::duration::zero())
        return;
    bool changed = false;
    // new_shard appends to s.shards: iterate over a snapshot of the open shards.
    const std::vector<shard_state*> open = s.open;
    for (shard_state* sh : open) {
        if (sh->rollover_at > now)
            continue;
        const core::time_point due = sh->rollover_at;
        close_shard(s, *sh, due);
        // The child takes over at the last rollover time due by now: a clock that jumped over
        // several intervals yields one child, not a chain of empty shards.
        const auto missed = (now - due) / options_.rollover_interval;
        new_shard(s, sh, sh->hash_lo, sh->hash_hi, due + missed * options_.rollover_interval);
        changed = true;
    }
    if (changed)
        rebuild_open_index(s);
}

void stream_registry::trim(stream_state& s, core::time_point now) {
    bool any_live = false;
    for (auto& slot : s.shards) {
        if (!slot)
            continue;
        shard_state& sh = *slot;
        const std::uint64_t trimmed_before = sh.trimmed;
        while (!sh.records.empty() && sh.records.front()->at + options_.retention <= now) {
            sh.last_trimmed = sh.records.front()->sequence;
            sh.records.pop_front();
            ++sh.trimmed;
        }
        if (sh.trimmed != trimmed_before && sink_ != nullptr && s.durable)
            record_durable(*sink_, records_trimmed{s.serial, sh.serial, sh.trimmed});
        if (!sh.open && sh.closed_at + options_.retention <= now) {
            s.by_id.erase(sh.id);
            slot.reset();
            continue;
        }
        any_live = true;
    }
    if (!s.enabled && !any_live)
        s.removed.store(true);
}

void stream_registry::housekeep(stream_state& s, core::time_point now) {
    if (now < s.next_housekeeping)
        return;
    const std::size_t shards_before = s.by_id.size();
    const std::size_t open_before = s.open.size();
    roll_over(s, now);
    trim(s, now);
    // Next moment anything is due.
    core::time_point next = never;
    for (const auto& slot : s.shards) {
        if (!slot)
            continue;
        next = std::min(next, slot->rollover_at);
        if (!slot->records.empty())
            next = std::min(next, slot->records.front()->at + options_.retention);
        if (!slot->open)
            next = std::min(next, slot->closed_at + options_.retention);
    }
    s.next_housekeeping = next;
    if (s.removed.load() && sink_ != nullptr && s.durable) {
        record_durable(*sink_, stream_dropped{s.serial});
    } else if (s.by_id.size() != shards_before || s.open.size() != open_before) {
        save_state(s);
    }
    if (s.by_id.size() != shards_before || s.open.size() != open_before)
        wake(s);
}

void stream_registry::wake(stream_state& s) {
    for (auto& [id, fn] : s.watchers) fn();
}

// ---------------------------------------------------------------------------------------------
// table_observer

stream_identity stream_registry::stream_enabled(std::string_view table,
                                                const std::string& table_arn,
                                                const key_schema& keys, stream_view_type view,
                                                core::time_point at) {
    std::unique_lock lock(mu_);
    const std::string table_name(table);
    if (auto it = enabled_by_table_.find(table_name); it != enabled_by_table_.end()) {
        stream_ptr old = it->second;
        enabled_by_table_.erase(it);
        std::lock_guard old_lock(old->mu);
        old->enabled = false;
        old->disabled_at = at;
        for (shard_state* sh : old->open) close_shard(*old, *sh, at);
        old->open.clear();
        save_state(*old);
        wake(*old);
    }

    auto s = std::make_shared<stream_state>();
    s->serial = next_stream_serial_++;
    s->table = table_name;
    s->keys = keys;
    s->view = view;
    std::string prefix;
    if (auto parts = streams_detail::parse_table_arn(table_arn)) {
        s->region = std::string(parts->region);
        prefix = table_arn;
    } else {
        s->region = options_.region;
        prefix = fmt::format("arn:aws:dynamodb:{}:{}:table/{}", options_.region, options_.account,
                             table_name);
    }
    // Labels are unique per table: a stream re-enabled within the same millisecond gets the next
    // one, so its ARN differs from the old stream's (§1.1).
    core::time_point label_time = at;
    for (;;) {
        s->label = streams_detail::format_stream_label(label_time);
        s->arn = prefix + "/stream/" + s->label;
        if (!by_arn_.contains(s->arn))
            break;
        label_time += std::chrono::milliseconds(1);
    }
    s->created = label_time;
    s->event_id_seed = ids_.next_u64();
    // Counters start at a seeded 11-digit offset so numbers look like AWS's
    // ("400000000024465870661"), not like 1, 2, 3.
    s->counter = 10'000'000'000ULL + ids_.next_u64() % 90'000'000'000ULL;

    std::size_t partitions = options_.partitions;
    if (auto it = partitions_by_table_.find(table_name); it != partitions_by_table_.end()) {
        partitions = it->second;
    }
    {
        std::lock_guard stream_lock(s->mu);
        const unsigned __int128 width = static_cast<unsigned __int128>(1) << 64;
        for (std::size_t i = 0; i < partitions; ++i) {
            const auto lo = static_cast<std::uint64_t>(width * i / partitions);
            const auto hi = static_cast<std::uint64_t>(width * (i + 1) / partitions - 1);
            new_shard(*s, nullptr, lo, hi, s->created);
        }
        rebuild_open_index(*s);
        save_state(*s);
    }
    by_arn_.emplace(s->arn, s);
    by_serial_.emplace(s->serial, s);
    enabled_by_table_.emplace(table_name, s);
    return stream_identity{s->arn, s->label};
}

void stream_registry::stream_disabled(std::string_view table, core::time_point at) {
    stream_ptr s;
    {
        std::unique_lock lock(mu_);
        auto it = enabled_by_table_.find(std::string(table));
        if (it == enabled_by_table_.end())
            return;
        s = it->second;
        enabled_by_table_.erase(it);
    }
    std::lock_guard lock(s->mu);
    housekeep(*s, clock_.now());
    s->enabled = false;
    s->disabled_at = at;
    for (shard_state* sh : s->open) close_shard(*s, *sh, at);
    s->open.clear();
    save_state(*s);
    wake(*s);
}

void stream_registry::item_changed(const item_change& change) {
    // The engine hands over encoded images (wants_decoded_images() is false); changes built by
    // hand may carry decoded ones. Both make the same record.
    const bool encoded = change.encoded();
    const bool has_old = encoded ? change.old_encoded.has_value() : change.old_image != nullptr;
    const bool has_new = encoded ? change.new_encoded.has_value() : change.new_image != nullptr;
    if ((!encoded && change.keys == nullptr) || (!has_old && !has_new)) {
        assert(false && "item_change without keys or images");
        return;
    }
    stream_ptr s = enabled_stream(change.table);
    if (!s)
        return;
    std::lock_guard lock(s->mu);
    if (!s->enabled)
        return;  // disabled between the lookup and the lock
    housekeep(*s, clock_.now());

    auto rec = std::make_shared<stream_record>();
    rec->event_name = !has_old   ? stream_event_name::INSERT
                      : !has_new ? stream_event_name::REMOVE
                                 : stream_event_name::MODIFY;
    rec->view_type = s->view;
    rec->by_ttl = change.by_ttl && rec->event_name == stream_event_name::REMOVE;
    const bool wants_old =
        s->view == stream_view_type::OLD_IMAGE || s->view == stream_view_type::NEW_AND_OLD_IMAGES;
    const bool wants_new =
        s->view == stream_view_type::NEW_IMAGE || s->view == stream_view_type::NEW_AND_OLD_IMAGES;
    if (encoded) {
        rec->set_encoded_images(s->keys, change.old_encoded, change.new_encoded, wants_old,
                                wants_new);
    } else {
        const item* old_image = wants_old ? change.old_image : nullptr;
        const item* new_image = wants_new ? change.new_image : nullptr;
        rec->set_images(*change.keys, old_image, new_image);
        rec->size_bytes =
            static_cast<std::uint32_t>(record_size_bytes(*change.keys, old_image, new_image));
    }

    const auto pk = item_codec::find(rec->encoded_keys(), s->keys.hash.name);
    const std::uint64_t h = pk ? key_hash(*pk) : 0;
    auto it =
        std::upper_bound(s->open.begin(), s->open.end(), h,
                         [](std::uint64_t v, const shard_state* sh) { return v < sh->hash_lo; });
    assert(it != s->open.begin());
    shard_state& sh = **std::prev(it);

    const std::uint64_t n = ++s->counter;
    rec->sequence = sequence_number::make(sh.prefix, n);
    rec->at = change.at;
    write_hex(splitmix64(s->event_id_seed ^ n), rec->event_id.data());
    write_hex(splitmix64(s->event_id_seed + n * 0x9e3779b97f4a7c15ULL), rec->event_id.data() + 16);

    sh.last = rec->sequence;
    if (sh.records.empty()) {
        s->next_housekeeping = std::min(s->next_housekeeping, rec->at + options_.retention);
    }
    if (sink_ != nullptr) {
        // Joins the unit of the write that made the change (table::commit's group).
        std::string bytes(sizeof(n), '\0');
        std::memcpy(bytes.data(), &n, sizeof(n));
        rec->encode(bytes);
        record_durable(*sink_, record_saved{s->serial, sh.serial, sh.end(), std::move(bytes)});
    }
    sh.records.push_back(std::move(rec));
    wake(*s);
}

// ---------------------------------------------------------------------------------------------
// Replay: streams rebuilt from recorded records (issue 8)

streams_result<void> stream_registry::import_stream(std::string_view stream_arn,
                                                    std::string_view table, const key_schema& keys,
                                                    stream_view_type view,
                                                    core::time_point created) {
    auto parts = streams_detail::parse_stream_arn(stream_arn);
    if (!parts)
        return core::unexpected(invalid_arn("StreamArn", stream_arn));
    std::unique_lock lock(mu_);
    if (by_arn_.contains(stream_arn))
        return core::unexpected(
            aws_error::validation(fmt::format("Stream {} already exists", stream_arn)));
    auto s = std::make_shared<stream_state>();
    s->serial = next_stream_serial_++;
    s->arn = std::string(stream_arn);
    s->label = std::string(parts->label);
    s->table = std::string(table);
    s->region = std::string(parts->region);
    s->keys = keys;
    s->view = view;
    s->created = created;
    s->enabled = false;
    s->disabled_at = created;
    s->durable = false;
    imported_[s->serial] = true;
    by_serial_.emplace(s->serial, s);
    by_arn_.emplace(s->arn, std::move(s));
    return {};
}

streams_result<void> stream_registry::import_record(std::string_view stream_arn,
                                                    std::string_view shard_id,
                                                    std::string_view parent_shard_id,
                                                    std::shared_ptr<const stream_record> record) {
    stream_ptr s = find_by_arn(stream_arn);
    {
        std::shared_lock lock(mu_);
        if (!s || !imported_.contains(s->serial))
            return core::unexpected(aws_error::validation(
                fmt::format("Stream {} was not created by import_stream", stream_arn)));
    }
    std::lock_guard lock(s->mu);
    shard_state* sh = nullptr;
    if (auto it = s->by_id.find(shard_id); it != s->by_id.end()) {
        sh = s->shards[it->second].get();
        if (sh->parent_id != parent_shard_id)
            return core::unexpected(aws_error::validation(fmt::format(
                "Shard {} has parent '{}', not '{}'", shard_id, sh->parent_id, parent_shard_id)));
        if (!(sh->last < record->sequence))
            return core::unexpected(aws_error::validation(
                fmt::format("Shard {}: sequence number {} does not follow {}", shard_id,
                            record->sequence.to_string(), sh->last.to_string())));
    } else {
        auto made = std::make_unique<shard_state>();
        made->serial = static_cast<std::uint32_t>(s->shards.size());
        made->id = std::string(shard_id);
        made->parent_id = std::string(parent_shard_id);
        made->open = false;
        made->closed_at = record->at;
        made->starting = record->sequence;
        s->by_id.emplace(made->id, made->serial);
        s->shards.push_back(std::move(made));
        sh = s->shards.back().get();
    }
    // A closed shard disappears `retention` after it closed: keep it as long as its records.
    sh->closed_at = std::max(sh->closed_at, record->at);
    sh->last = record->sequence;
    if (sh->records.empty())
        s->next_housekeeping = std::min(s->next_housekeeping, record->at + options_.retention);
    sh->records.push_back(std::move(record));
    wake(*s);
    return {};
}

// ---------------------------------------------------------------------------------------------
// Positions and iterators (stream mutex held)

streams_result<std::uint64_t> stream_registry::position_for(
    stream_state& s, shard_state& sh, shard_iterator_type type,
    const std::optional<sequence_number>& seq) {
    switch (type) {
        case shard_iterator_type::TRIM_HORIZON:
            return sh.trimmed;
        case shard_iterator_type::LATEST:
            return sh.end();
        default:
            break;
    }
    const sequence_number& n = *seq;
    const bool after = type == shard_iterator_type::AFTER_SEQUENCE_NUMBER;
    // A number outside [StartingSequenceNumber, last number of the shard] did not come from
    // this shard (typically: a checkpoint of another shard).
    if (n < sh.starting || sh.last < n) {
        return core::unexpected(aws_error::validation(fmt::format(
            "Invalid SequenceNumber {} for shard {}: it is outside the shard's range [{}, {}]",
            n.to_string(), sh.id, sh.starting.to_string(), sh.last.to_string())));
    }
    // Records held are sorted by sequence number: first one at (AT) or after (AFTER) n.
    auto it = std::partition_point(sh.records.begin(), sh.records.end(),
                                   [&](const std::shared_ptr<const stream_record>& r) {
                                       return after ? !(n < r->sequence) : r->sequence < n;
                                   });
    const std::uint64_t pos = sh.trimmed + static_cast<std::uint64_t>(it - sh.records.begin());
    if (pos == sh.trimmed && sh.trimmed > 0) {
        // The position is at the trim point: fine only if nothing trimmed lies at or after n.
        const bool lost = after ? n < sh.last_trimmed : !(sh.last_trimmed < n);
        if (lost)
            return core::unexpected(trimmed(sh.id));
    }
    return pos;
}

std::string stream_registry::make_iterator(const stream_state& s, const shard_state& sh,
                                           std::uint64_t position, core::time_point issued,
                                           std::uint32_t reader) const {
    iterator_payload p;
    p.stream_serial = s.serial;
    p.shard_serial = sh.serial;
    p.position = position;
    p.issued_ms = core::to_epoch_ms(issued);
    p.reader = reader;
    return streams_detail::encode_shard_iterator(s.arn, p, {iterator_key_[0], iterator_key_[1]});
}

// ---------------------------------------------------------------------------------------------
// Streams API, typed

stream_description stream_registry::describe_locked(const stream_state& s,
                                                    core::time_point now) const {
    stream_description d;
    d.arn = s.arn;
    d.label = s.label;
    d.table = s.table;
    d.region = s.region;
    d.view_type = s.view;
    d.created = s.created;
    d.keys = s.keys;
    const bool transitions = options_.status_transition > core::duration::zero();
    if (s.enabled) {
        d.status = transitions && now < s.created + options_.status_transition
                       ? stream_status::ENABLING
                       : stream_status::ENABLED;
    } else {
        d.status = transitions && now < s.disabled_at + options_.status_transition
                       ? stream_status::DISABLING
                       : stream_status::DISABLED;
    }
    return d;
}

namespace {
shard_info info_of(const auto& sh) {
    shard_info i;
    i.shard_id = sh.id;
    i.parent_shard_id = sh.parent_id;
    i.starting_sequence_number = sh.starting;
    if (!sh.open)
        i.ending_sequence_number = sh.last;
    return i;
}
}  // namespace

streams_result<list_streams_page> stream_registry::list_streams(
    std::optional<std::string_view> table, std::size_t limit,
    std::optional<std::string_view> exclusive_start_stream_arn) {
    if (exclusive_start_stream_arn &&
        !streams_detail::parse_stream_arn(*exclusive_start_stream_arn)) {
        return core::unexpected(
            invalid_arn("ExclusiveStartStreamArn", *exclusive_start_stream_arn));
    }
    tick();  // drops streams whose data is all gone
    list_streams_page page;
    std::shared_lock lock(mu_);
    auto it = exclusive_start_stream_arn ? by_arn_.upper_bound(*exclusive_start_stream_arn)
                                         : by_arn_.begin();
    for (; it != by_arn_.end(); ++it) {
        const stream_state& s = *it->second;
        if (s.removed.load())
            continue;
        if (table && s.table != *table)
            continue;
        if (page.streams.size() == limit) {
            page.last_evaluated_stream_arn = page.streams.back().arn;
            break;
        }
        page.streams.push_back(stream_summary{s.arn, s.table, s.label});
    }
    return page;
}

streams_result<stream_description> stream_registry::describe_stream(
    std::string_view stream_arn, std::size_t limit,
    std::optional<std::string_view> exclusive_start_shard_id,
    std::optional<std::string_view> child_shards_of) {
    auto s = resolve_arn(stream_arn);
    if (!s)
        return core::unexpected(s.error());
    stream_state& st = **s;
    const auto now = clock_.now();
    std::lock_guard lock(st.mu);
    housekeep(st, now);
    if (st.removed.load())
        return core::unexpected(stream_not_found(stream_arn));
    stream_description d = describe_locked(st, now);
    auto it = st.by_id.begin();
    if (exclusive_start_shard_id) {
        it = st.by_id.find(*exclusive_start_shard_id);
        // AWS: an ExclusiveStartShardId that does not exist gives an empty page (§1.2).
        if (it == st.by_id.end())
            return d;
        ++it;
    }
    for (; it != st.by_id.end(); ++it) {
        const shard_state& sh = *st.shards[it->second];
        if (child_shards_of && sh.parent_id != *child_shards_of)
            continue;
        if (d.shards.size() == limit) {
            d.last_evaluated_shard_id = d.shards.back().shard_id;
            break;
        }
        d.shards.push_back(info_of(sh));
    }
    return d;
}

streams_result<std::string> stream_registry::get_shard_iterator(
    std::string_view stream_arn, std::string_view shard_id, shard_iterator_type type,
    std::optional<sequence_number> sequence) {
    auto cursor = open_cursor(stream_arn, shard_id, type, sequence);
    if (!cursor)
        return core::unexpected(cursor.error());
    auto s = find_by_serial(cursor->stream_serial_);
    if (!s)
        return core::unexpected(stream_not_found(stream_arn));
    std::lock_guard lock(s->mu);
    const shard_state* sh = s->shards[cursor->shard_serial_].get();
    if (sh == nullptr)
        return core::unexpected(trimmed(shard_id));
    return make_iterator(*s, *sh, cursor->position_, clock_.now(),
                         next_reader_.fetch_add(1, std::memory_order_relaxed));
}

bool stream_registry::admit_reader(shard_state& sh, std::uint32_t reader,
                                   core::time_point now) const {
    if (options_.max_readers_per_shard == 0)
        return true;
    const auto window = std::chrono::seconds(1);
    std::erase_if(sh.readers, [&](const auto& r) { return r.second + window <= now; });
    for (auto& r : sh.readers) {
        if (r.first == reader) {
            r.second = now;
            return true;
        }
    }
    if (sh.readers.size() >= options_.max_readers_per_shard)
        return false;
    sh.readers.emplace_back(reader, now);
    return true;
}

bool stream_registry::draw_empty_page() {
    if (options_.empty_page_probability <= 0)
        return false;
    // splitmix64 over (seed, draw number): a repeatable sequence without shared generator
    // state, so concurrent readers need no lock.
    const std::uint64_t z =
        splitmix64(options_.empty_page_seed +
                   page_draws_.fetch_add(1, std::memory_order_relaxed) * 0x9e3779b97f4a7c15ULL);
    // The top 53 bits as a double in [0, 1).
    const double u = static_cast<double>(z >> 11) * 0x1.0p-53;
    return u < options_.empty_page_probability;
}

streams_result<get_records_page> stream_registry::get_records(std::string_view shard_iterator,
                                                              std::size_t limit) {
    const auto decoded =
        streams_detail::decode_shard_iterator(shard_iterator, {iterator_key_[0], iterator_key_[1]});
    if (!decoded) {
        return core::unexpected(aws_error::validation(
            "Invalid ShardIterator: not an iterator returned by GetShardIterator or GetRecords"));
    }
    auto s = find_by_serial(decoded->payload.stream_serial);
    if (!s || s->arn != decoded->stream_arn || s->removed.load()) {
        return core::unexpected(stream_not_found(decoded->stream_arn));
    }
    const auto now = clock_.now();
    const auto issued = core::from_epoch_ms(decoded->payload.issued_ms);
    if (now >= issued + options_.iterator_ttl) {
        return core::unexpected(aws_error::expired_iterator(fmt::format(
            "Iterator expired. The iterator was created at {} and expires after {} seconds; it is "
            "now {}",
            core::format_rfc3339_ms(issued),
            std::chrono::duration_cast<std::chrono::seconds>(options_.iterator_ttl).count(),
            core::format_rfc3339_ms(now))));
    }
    std::lock_guard lock(s->mu);
    housekeep(*s, now);
    if (decoded->payload.shard_serial >= s->shards.size()) {
        return core::unexpected(aws_error::validation("Invalid ShardIterator"));
    }
    shard_state* sh = s->shards[decoded->payload.shard_serial].get();
    if (sh == nullptr)
        return core::unexpected(trimmed("of this iterator"));
    std::uint64_t pos = decoded->payload.position;
    if (pos < sh->trimmed)
        return core::unexpected(trimmed(sh->id));
    if (pos > sh->end())
        return core::unexpected(aws_error::validation("Invalid ShardIterator"));
    const std::uint32_t reader = decoded->payload.reader;
    if (!admit_reader(*sh, reader, now)) {
        // AWS answers just "Rate exceeded" (aws/aws-sdk-java-v2#470); SDKs retry it.
        return core::unexpected(aws_error::limit_exceeded("Rate exceeded"));
    }

    get_records_page page;
    page.region = s->region;
    // §6.3: an open shard may answer an empty page although records wait (closed shards
    // always answer what they hold).
    const bool empty_page = sh->open && draw_empty_page();
    std::size_t bytes = 0;
    while (!empty_page && pos < sh->end() && page.records.size() < limit) {
        const auto& rec = sh->records[pos - sh->trimmed];
        const std::size_t size = rec->size_bytes + record_overhead_bytes;
        if (!page.records.empty() && bytes + size > options_.max_response_bytes)
            break;
        bytes += size;
        page.records.push_back(rec);
        ++pos;
    }
    if (sh->open || pos < sh->end())
        page.next_shard_iterator = make_iterator(*s, *sh, pos, now, reader);
    return page;
}

// ---------------------------------------------------------------------------------------------
// Subscription API

std::optional<stream_summary> stream_registry::latest_stream(std::string_view table) {
    stream_ptr s = enabled_stream(table);
    if (!s)
        return std::nullopt;
    return stream_summary{s->arn, s->table, s->label};
}

streams_result<stream_description> stream_registry::describe(std::string_view stream_arn) {
    return describe_stream(stream_arn, std::numeric_limits<std::size_t>::max(), std::nullopt,
                           std::nullopt);
}

streams_result<shard_cursor> stream_registry::open_cursor(std::string_view stream_arn,
                                                          std::string_view shard_id,
                                                          shard_iterator_type type,
                                                          std::optional<sequence_number> sequence) {
    // Order of checks: malformed input (ValidationException) before lookups
    // (ResourceNotFoundException), as AWS does.
    if (!streams_detail::parse_stream_arn(stream_arn)) {
        return core::unexpected(invalid_arn("StreamArn", stream_arn));
    }
    if (auto bad = check_iterator_arguments(type, sequence))
        return core::unexpected(*bad);
    auto s = resolve_arn(stream_arn);
    if (!s)
        return core::unexpected(s.error());
    stream_state& st = **s;
    std::lock_guard lock(st.mu);
    housekeep(st, clock_.now());
    if (st.removed.load())
        return core::unexpected(stream_not_found(stream_arn));
    auto it = st.by_id.find(shard_id);
    if (it == st.by_id.end())
        return core::unexpected(shard_not_found(shard_id, stream_arn));
    shard_state& sh = *st.shards[it->second];
    auto pos = position_for(st, sh, type, sequence);
    if (!pos)
        return core::unexpected(pos.error());
    shard_cursor c;
    c.stream_arn_ = st.arn;
    c.shard_id_ = sh.id;
    c.stream_serial_ = st.serial;
    c.shard_serial_ = sh.serial;
    c.position_ = *pos;
    return c;
}

streams_result<read_batch> stream_registry::read(const shard_cursor& cursor,
                                                 std::size_t max_records) {
    auto s = find_by_serial(cursor.stream_serial_);
    if (!s || s->removed.load())
        return core::unexpected(stream_not_found(cursor.stream_arn_));
    std::lock_guard lock(s->mu);
    housekeep(*s, clock_.now());
    if (cursor.shard_serial_ >= s->shards.size()) {
        return core::unexpected(shard_not_found(cursor.shard_id_, cursor.stream_arn_));
    }
    shard_state* sh = s->shards[cursor.shard_serial_].get();
    if (sh == nullptr)
        return core::unexpected(trimmed(cursor.shard_id_));
    std::uint64_t pos = cursor.position_;
    if (pos < sh->trimmed)
        return core::unexpected(trimmed(sh->id));
    pos = std::min(pos, sh->end());
    read_batch b;
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(sh->end() - pos, max_records));
    b.records.reserve(n);
    const auto first = sh->records.begin() + static_cast<std::ptrdiff_t>(pos - sh->trimmed);
    b.records.assign(first, first + static_cast<std::ptrdiff_t>(n));
    pos += n;
    b.next = cursor;
    b.next.position_ = pos;
    b.shard_end = !sh->open && pos == sh->end();
    return b;
}

streams_result<stream_registry::watch_id> stream_registry::watch(std::string_view stream_arn,
                                                                 std::function<void()> waker) {
    auto s = resolve_arn(stream_arn);
    if (!s)
        return core::unexpected(s.error());
    watch_id id;
    {
        std::unique_lock lock(mu_);
        id = next_watch_id_++;
        watch_streams_.emplace(id, (*s)->serial);
    }
    std::lock_guard lock((*s)->mu);
    (*s)->watchers.emplace_back(id, std::move(waker));
    return id;
}

void stream_registry::unwatch(watch_id id) {
    std::uint64_t serial;
    {
        std::unique_lock lock(mu_);
        auto it = watch_streams_.find(id);
        if (it == watch_streams_.end())
            return;
        serial = it->second;
        watch_streams_.erase(it);
    }
    auto s = find_by_serial(serial);
    if (!s)
        return;
    std::lock_guard lock(s->mu);
    std::erase_if(s->watchers, [id](const auto& w) { return w.first == id; });
}

// ---------------------------------------------------------------------------------------------
// esser API hooks

core::result<std::vector<std::string>> stream_registry::rotate(std::string_view table) {
    stream_ptr s = enabled_stream(table);
    if (!s) {
        return core::fail(core::error::not_found(
            fmt::format("table '{}' has no enabled stream to rotate", table)));
    }
    std::lock_guard lock(s->mu);
    if (!s->enabled) {
        return core::fail(core::error::not_found(
            fmt::format("table '{}' has no enabled stream to rotate", table)));
    }
    const auto now = clock_.now();
    housekeep(*s, now);
    std::vector<std::string> ids;
    const std::vector<shard_state*> open = s->open;
    for (shard_state* sh : open) {
        auto child = split_locked(*s, *sh, 1, now);
        ids.insert(ids.end(), child.begin(), child.end());
    }
    rebuild_open_index(*s);
    save_state(*s);
    wake(*s);
    return ids;
}

core::result<std::vector<std::string>> stream_registry::split(std::string_view table,
                                                              std::size_t children) {
    if (children < 1 || children > 100) {
        return core::fail(core::error::validation(
            fmt::format("children must be between 1 and 100, got {}", children)));
    }
    stream_ptr s = enabled_stream(table);
    if (!s) {
        return core::fail(core::error::not_found(
            fmt::format("table '{}' has no enabled stream to split", table)));
    }
    std::lock_guard lock(s->mu);
    if (!s->enabled) {
        return core::fail(core::error::not_found(
            fmt::format("table '{}' has no enabled stream to split", table)));
    }
    const auto now = clock_.now();
    housekeep(*s, now);
    std::vector<std::string> ids;
    const std::vector<shard_state*> open = s->open;
    for (shard_state* sh : open) {
        auto kids = split_locked(*s, *sh, children, now);
        ids.insert(ids.end(), kids.begin(), kids.end());
    }
    rebuild_open_index(*s);
    save_state(*s);
    wake(*s);
    return ids;
}

core::result<std::vector<std::string>> stream_registry::split_shard(std::string_view table,
                                                                    std::string_view shard_id,
                                                                    std::size_t children) {
    if (children < 1 || children > 100) {
        return core::fail(core::error::validation(
            fmt::format("children must be between 1 and 100, got {}", children)));
    }
    stream_ptr s = enabled_stream(table);
    if (!s) {
        return core::fail(
            core::error::not_found(fmt::format("table '{}' has no enabled stream", table)));
    }
    std::lock_guard lock(s->mu);
    const auto now = clock_.now();
    housekeep(*s, now);
    auto it = s->by_id.find(shard_id);
    if (it == s->by_id.end()) {
        return core::fail(
            core::error::not_found(fmt::format("stream {} has no shard '{}'", s->arn, shard_id)));
    }
    shard_state& sh = *s->shards[it->second];
    if (!sh.open) {
        return core::fail(core::error::validation(
            fmt::format("shard {} is closed; only open shards can be split", shard_id)));
    }
    auto ids = split_locked(*s, sh, children, now);
    rebuild_open_index(*s);
    save_state(*s);
    wake(*s);
    return ids;
}

core::result<void> stream_registry::set_partitions(std::string_view table, std::size_t partitions) {
    if (partitions < 1 || partitions > 1000) {
        return core::fail(core::error::validation(
            fmt::format("partitions must be between 1 and 1000, got {}", partitions)));
    }
    std::unique_lock lock(mu_);
    partitions_by_table_[std::string(table)] = partitions;
    return {};
}

void stream_registry::reset() {
    if (sink_ != nullptr)
        record_durable(*sink_, streams_cleared{});
    std::unique_lock lock(mu_);
    for (auto& [arn, s] : by_arn_) s->removed.store(true);  // holders of a stream_ptr see it gone
    by_arn_.clear();
    enabled_by_table_.clear();
    by_serial_.clear();
    imported_.clear();
    watch_streams_.clear();
}

void stream_registry::tick() {
    std::vector<stream_ptr> all;
    {
        std::shared_lock lock(mu_);
        all.reserve(by_arn_.size());
        for (const auto& [arn, s] : by_arn_) all.push_back(s);
    }
    const auto now = clock_.now();
    bool any_removed = false;
    for (const auto& s : all) {
        std::lock_guard lock(s->mu);
        housekeep(*s, now);
        any_removed = any_removed || s->removed.load();
    }
    if (any_removed)
        purge_removed_streams();
}

void stream_registry::purge_removed_streams() {
    std::unique_lock lock(mu_);
    for (auto it = by_arn_.begin(); it != by_arn_.end();) {
        if (it->second->removed.load()) {
            by_serial_.erase(it->second->serial);
            imported_.erase(it->second->serial);
            it = by_arn_.erase(it);
        } else {
            ++it;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Durability (--data-dir, issue 9). A stream's state is stored whole (it changes only when its
// shards do); its records are stored one by one, each framed as its counter (8 bytes, the
// machine's byte order: the file never moves between machines) then stream_record::encode().

namespace {

using nlohmann::json;

json time_ms(core::time_point t) {
    return t == never ? json(nullptr) : json(core::to_epoch_ms(t));
}

core::time_point time_from(const json& j) {
    return j.is_null() ? never : core::from_epoch_ms(j.get<std::int64_t>());
}

sequence_number sequence_from(const json& j) {
    auto n = sequence_number::parse(j.get<std::string>());
    if (!n)
        throw std::invalid_argument("a sequence number is malformed");
    return *n;
}

core::error damaged(std::string_view what, std::string_view why) {
    return core::error::parse_error(fmt::format("cannot restore {}: {}", what, why));
}

}  // namespace

void stream_registry::set_durability(durability_sink* sink) {
    sink_ = sink;
}

void stream_registry::save_state(stream_state& s) {
    if (sink_ == nullptr || !s.durable)
        return;
    json shards = json::array();
    for (const auto& slot : s.shards) {
        if (!slot) {
            shards.push_back(nullptr);
            continue;
        }
        const shard_state& sh = *slot;
        shards.push_back({{"id", sh.id},
                          {"parent", sh.parent_id},
                          {"generation", sh.generation},
                          {"prefix", sh.prefix},
                          {"lo", sh.hash_lo},
                          {"hi", sh.hash_hi},
                          {"created_ms", sh.created_ms},
                          {"rollover_ms", time_ms(sh.rollover_at)},
                          {"open", sh.open},
                          {"closed_ms", core::to_epoch_ms(sh.closed_at)},
                          {"starting", sh.starting.to_string()},
                          {"last", sh.last.to_string()},
                          {"trimmed", sh.trimmed},
                          {"last_trimmed", sh.last_trimmed.to_string()}});
    }
    json state = {{"serial", s.serial},
                  {"arn", s.arn},
                  {"label", s.label},
                  {"table", s.table},
                  {"region", s.region},
                  {"keys", key_schema_state(s.keys)},
                  {"view", std::string(stream_view_type_text(s.view))},
                  {"created_ms", core::to_epoch_ms(s.created)},
                  {"event_id_seed", s.event_id_seed},
                  {"enabled", s.enabled},
                  {"disabled_ms", core::to_epoch_ms(s.disabled_at)},
                  {"counter", s.counter},
                  {"shards", std::move(shards)}};
    record_durable(*sink_, stream_saved{s.serial, ++s.saved_version, state.dump()});
}

core::result<void> stream_registry::restore_stream(std::string_view text) {
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object())
        return core::fail(damaged("a stream", "its state is not a JSON object"));
    auto s = std::make_shared<stream_state>();
    try {
        s->serial = j.at("serial").get<std::uint64_t>();
        s->arn = j.at("arn").get<std::string>();
        s->label = j.at("label").get<std::string>();
        s->table = j.at("table").get<std::string>();
        s->region = j.at("region").get<std::string>();
        auto keys = key_schema_from_state(j.at("keys"));
        auto view = parse_stream_view_type(j.at("view").get<std::string>());
        if (!keys || !view || s->serial == 0 || !streams_detail::parse_stream_arn(s->arn))
            return core::fail(
                damaged("stream " + s->arn, "its key schema, view or ARN is damaged"));
        s->keys = *keys;
        s->view = *view;
        s->created = core::from_epoch_ms(j.at("created_ms").get<std::int64_t>());
        s->event_id_seed = j.at("event_id_seed").get<std::uint64_t>();
        s->enabled = j.at("enabled").get<bool>();
        s->disabled_at = core::from_epoch_ms(j.at("disabled_ms").get<std::int64_t>());
        s->counter = j.at("counter").get<std::uint64_t>();
        for (const auto& js : j.at("shards")) {
            if (js.is_null()) {
                s->shards.push_back(nullptr);
                continue;
            }
            auto sh = std::make_unique<shard_state>();
            sh->serial = static_cast<std::uint32_t>(s->shards.size());
            sh->id = js.at("id").get<std::string>();
            sh->parent_id = js.at("parent").get<std::string>();
            sh->generation = js.at("generation").get<std::uint32_t>();
            sh->prefix = js.at("prefix").get<std::uint64_t>();
            sh->hash_lo = js.at("lo").get<std::uint64_t>();
            sh->hash_hi = js.at("hi").get<std::uint64_t>();
            sh->created_ms = js.at("created_ms").get<std::int64_t>();
            sh->rollover_at = time_from(js.at("rollover_ms"));
            sh->open = js.at("open").get<bool>();
            sh->closed_at = core::from_epoch_ms(js.at("closed_ms").get<std::int64_t>());
            sh->starting = sequence_from(js.at("starting"));
            sh->last = sequence_from(js.at("last"));
            sh->trimmed = js.at("trimmed").get<std::uint64_t>();
            sh->last_trimmed = sequence_from(js.at("last_trimmed"));
            if (sh->hash_lo > sh->hash_hi || !s->by_id.emplace(sh->id, sh->serial).second)
                return core::fail(damaged("stream " + s->arn, "a shard is damaged"));
            s->shards.push_back(std::move(sh));
        }
    } catch (const std::exception& e) {
        return core::fail(damaged("a stream", e.what()));
    }
    s->saved_version = 1;
    s->next_housekeeping = core::time_point::min();  // recomputed by the first housekeep
    std::unique_lock lock(mu_);
    if (by_serial_.contains(s->serial) || by_arn_.contains(s->arn))
        return core::fail(damaged("stream " + s->arn, "it was restored already"));
    by_serial_.emplace(s->serial, s);
    by_arn_.emplace(s->arn, std::move(s));
    return {};
}

core::result<void> stream_registry::restore_record(std::uint64_t stream, std::uint32_t shard,
                                                   std::uint64_t position, std::string_view bytes) {
    stream_ptr s = find_by_serial(stream);
    if (!s || shard >= s->shards.size() || !s->shards[shard])
        return {};  // its stream or shard is gone (trimmed before the last save)
    std::uint64_t counter = 0;
    std::optional<stream_record> rec;
    if (bytes.size() > sizeof(counter)) {
        std::memcpy(&counter, bytes.data(), sizeof(counter));
        rec = stream_record::decode(bytes.substr(sizeof(counter)));
    }
    std::lock_guard lock(s->mu);
    shard_state& sh = *s->shards[shard];
    if (!rec) {
        return core::fail(damaged(fmt::format("a record of shard {}", sh.id),
                                  "it is not a stream record this esser-local wrote"));
    }
    if (position < sh.trimmed) {
        sh.last_trimmed = std::max(sh.last_trimmed, rec->sequence);
    } else {
        if (sh.records.empty())
            sh.trimmed = position;  // what came before is gone
        else if (position != sh.end())
            return core::fail(damaged(fmt::format("shard {}", sh.id), "its records have a gap"));
        if (!sh.records.empty() && !(sh.records.back()->sequence < rec->sequence)) {
            return core::fail(
                damaged(fmt::format("shard {}", sh.id), "its sequence numbers do not rise"));
        }
        sh.records.push_back(std::make_shared<const stream_record>(std::move(*rec)));
    }
    sh.last = std::max(sh.last, sh.records.empty() ? sh.last : sh.records.back()->sequence);
    s->counter = std::max(s->counter, counter);
    return {};
}

void stream_registry::finish_restore() {
    std::unique_lock lock(mu_);
    for (auto& [arn, s] : by_arn_) {
        next_stream_serial_ = std::max(next_stream_serial_, s->serial + 1);
        std::lock_guard stream_lock(s->mu);
        rebuild_open_index(*s);
        if (!s->enabled)
            continue;
        auto& slot = enabled_by_table_[s->table];
        if (!slot || slot->serial < s->serial)
            slot = s;
    }
}

}  // namespace esser::emulator
