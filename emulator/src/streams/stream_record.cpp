#include "esser/emulator/streams/stream_record.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>

#include "item_codec.hpp"  // the engine's compact item encoding (emulator/src/dynamo)

#include "esser/emulator/dynamo/json_text.hpp"

namespace esser::emulator {

std::string_view stream_event_name_text(stream_event_name n) noexcept {
    switch (n) {
        case stream_event_name::INSERT:
            return "INSERT";
        case stream_event_name::MODIFY:
            return "MODIFY";
        case stream_event_name::REMOVE:
            return "REMOVE";
    }
    return "INSERT";
}

std::string_view stream_view_type_text(stream_view_type v) noexcept {
    switch (v) {
        case stream_view_type::KEYS_ONLY:
            return "KEYS_ONLY";
        case stream_view_type::NEW_IMAGE:
            return "NEW_IMAGE";
        case stream_view_type::OLD_IMAGE:
            return "OLD_IMAGE";
        case stream_view_type::NEW_AND_OLD_IMAGES:
            return "NEW_AND_OLD_IMAGES";
    }
    return "KEYS_ONLY";
}

std::optional<stream_view_type> parse_stream_view_type(std::string_view text) noexcept {
    for (auto v : {stream_view_type::KEYS_ONLY, stream_view_type::NEW_IMAGE,
                   stream_view_type::OLD_IMAGE, stream_view_type::NEW_AND_OLD_IMAGES}) {
        if (stream_view_type_text(v) == text)
            return v;
    }
    return std::nullopt;
}

void stream_record::set_images(const item& keys, const item* old_image, const item* new_image) {
    images_.clear();
    item_codec::encode(keys, images_);
    old_at_ = static_cast<std::uint32_t>(images_.size());
    has_old_ = old_image != nullptr;
    if (has_old_)
        item_codec::encode(*old_image, images_);
    new_at_ = static_cast<std::uint32_t>(images_.size());
    has_new_ = new_image != nullptr;
    if (has_new_)
        item_codec::encode(*new_image, images_);
    images_.shrink_to_fit();
}

void stream_record::set_encoded_images(const key_schema& schema,
                                       std::optional<std::string_view> old_image,
                                       std::optional<std::string_view> new_image, bool with_old,
                                       bool with_new) {
    assert(old_image || new_image);
    with_old = with_old && old_image.has_value();
    with_new = with_new && new_image.has_value();
    // The key attributes, read from the new image (the old for a deletion); when the record
    // carries that image, in the walk that sizes it.
    const std::string_view hash = schema.hash.name;
    const std::string_view range = schema.range ? std::string_view(schema.range->name) : hash;
    const bool from_new = new_image.has_value();
    const std::string_view source = from_new ? *new_image : *old_image;
    item_codec::attribute_pair found;
    std::size_t size = 0;
    if (from_new ? with_new : with_old) {
        size += item_codec::stream_size(source, hash, range, found);
    } else {
        found = item_codec::find_pair(source, hash, range);
    }
    if (with_old && from_new)
        size += item_codec::stream_size(*old_image);
    // The keys as an item of their own, names in ascending order (as encode() writes them).
    std::array<item_codec::encoded_attribute, 2> keys;
    std::size_t n = 0;
    if (found.first)
        keys[n++] = {hash, *found.first};
    if (range != hash && found.second) {
        keys[n++] = {range, *found.second};
        if (n == 2 && range < hash)
            std::swap(keys[0], keys[1]);
    }
    const std::span<const item_codec::encoded_attribute> key_attributes(keys.data(), n);

    images_.clear();
    images_.reserve(item_codec::encoded_size(key_attributes) + (with_old ? old_image->size() : 0) +
                    (with_new ? new_image->size() : 0));
    item_codec::encode(key_attributes, images_);
    size += item_codec::stream_size(images_);
    old_at_ = static_cast<std::uint32_t>(images_.size());
    has_old_ = with_old;
    if (has_old_)
        images_ += *old_image;
    new_at_ = static_cast<std::uint32_t>(images_.size());
    has_new_ = with_new;
    if (has_new_)
        images_ += *new_image;
    size_bytes = static_cast<std::uint32_t>(size);
}

item stream_record::keys() const {
    return item_codec::decode(std::string_view(images_).substr(0, old_at_));
}

std::optional<item> stream_record::old_image() const {
    if (!has_old_)
        return std::nullopt;
    return item_codec::decode(std::string_view(images_).substr(old_at_, new_at_ - old_at_));
}

std::optional<item> stream_record::new_image() const {
    if (!has_new_)
        return std::nullopt;
    return item_codec::decode(std::string_view(images_).substr(new_at_));
}

nlohmann::json stream_record::keys_json() const {
    return item_codec::to_json(std::string_view(images_).substr(0, old_at_));
}

nlohmann::json stream_record::old_image_json() const {
    if (!has_old_)
        return nullptr;
    return item_codec::to_json(std::string_view(images_).substr(old_at_, new_at_ - old_at_));
}

nlohmann::json stream_record::new_image_json() const {
    if (!has_new_)
        return nullptr;
    return item_codec::to_json(std::string_view(images_).substr(new_at_));
}

void stream_record::append_keys_json(std::string& out) const {
    item_codec::write_json(std::string_view(images_).substr(0, old_at_), out);
}

bool stream_record::append_old_image_json(std::string& out) const {
    if (!has_old_)
        return false;
    item_codec::write_json(std::string_view(images_).substr(old_at_, new_at_ - old_at_), out);
    return true;
}

bool stream_record::append_new_image_json(std::string& out) const {
    if (!has_new_)
        return false;
    item_codec::write_json(std::string_view(images_).substr(new_at_), out);
    return true;
}

std::int64_t stream_record::approximate_creation_date_time() const {
    const auto ms = core::to_epoch_ms(at);
    // Round down, also before 1970.
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

namespace {
// §2.4: N counts ceil(significant digits / 2) + 1 in stream records (this is not the table's
// item-size formula of spec/dynamodb-api.md §2.3, which adds a byte for some exponents).
std::size_t value_size(const attribute_value& v) {
    switch (v.type()) {
        case value_type::S:
            return v.as_s().size();
        case value_type::N:
            return (static_cast<std::size_t>(v.as_n().digits()) + 1) / 2 + 1;
        case value_type::B:
            return v.as_b().size();
        case value_type::BOOL:
        case value_type::NUL:
            return 1;
        case value_type::M: {
            std::size_t n = 3;
            for (const auto& [name, e] : v.as_m()) n += 1 + name.size() + value_size(e);
            return n;
        }
        case value_type::L: {
            std::size_t n = 3;
            for (const auto& e : v.as_l()) n += 1 + value_size(e);
            return n;
        }
        case value_type::SS: {
            std::size_t n = 0;
            for (const auto& s : v.as_ss()) n += s.size();
            return n;
        }
        case value_type::NS: {
            std::size_t n = 0;
            for (const auto& d : v.as_ns()) n += (static_cast<std::size_t>(d.digits()) + 1) / 2 + 1;
            return n;
        }
        case value_type::BS: {
            std::size_t n = 0;
            for (const auto& b : v.as_bs()) n += b.size();
            return n;
        }
    }
    return 0;
}

std::size_t image_size(const item& image) {
    std::size_t n = 0;
    for (const auto& [name, v] : image) n += name.size() + value_size(v);
    return n;
}

nlohmann::json record_json(const stream_record& r, std::string_view region) {
    using nlohmann::json;
    json dynamodb = json::object();
    dynamodb["ApproximateCreationDateTime"] = r.approximate_creation_date_time();
    dynamodb["Keys"] = r.keys_json();
    if (r.has_new_image())
        dynamodb["NewImage"] = r.new_image_json();
    if (r.has_old_image())
        dynamodb["OldImage"] = r.old_image_json();
    dynamodb["SequenceNumber"] = r.sequence.to_string();
    dynamodb["SizeBytes"] = r.size_bytes;
    dynamodb["StreamViewType"] = stream_view_type_text(r.view_type);

    json out = json::object();
    out["eventID"] = r.event_id_text();
    out["eventName"] = stream_event_name_text(r.event_name);
    out["eventVersion"] = "1.1";
    out["eventSource"] = "aws:dynamodb";
    out["awsRegion"] = region;
    out["dynamodb"] = std::move(dynamodb);
    if (r.by_ttl) {
        out["userIdentity"] = json{{"type", "Service"}, {"principalId", "dynamodb.amazonaws.com"}};
    }
    return out;
}
}  // namespace

std::size_t record_size_bytes(const item& keys, const item* old_image, const item* new_image) {
    std::size_t n = image_size(keys);
    if (old_image)
        n += image_size(*old_image);
    if (new_image)
        n += image_size(*new_image);
    return n;
}

nlohmann::json to_streams_json(const stream_record& r, std::string_view region) {
    return record_json(r, region);
}

nlohmann::json to_lambda_json(const stream_record& r, std::string_view region,
                              std::string_view stream_arn) {
    nlohmann::json out = record_json(r, region);
    out["eventSourceARN"] = stream_arn;
    return out;
}

void append_lambda_json(const stream_record& r, std::string_view region,
                        std::string_view stream_arn, std::string& out) {
    // Keys in the order dump() writes them (std::map: byte order), so the text is identical.
    out += "{\"awsRegion\":";
    append_json_string(out, region);
    out += ",\"dynamodb\":{\"ApproximateCreationDateTime\":";
    append_json_int(out, r.approximate_creation_date_time());
    out += ",\"Keys\":";
    r.append_keys_json(out);
    if (r.has_new_image()) {
        out += ",\"NewImage\":";
        r.append_new_image_json(out);
    }
    if (r.has_old_image()) {
        out += ",\"OldImage\":";
        r.append_old_image_json(out);
    }
    out += ",\"SequenceNumber\":";
    append_json_string(out, r.sequence.to_string());
    out += ",\"SizeBytes\":";
    append_json_int(out, r.size_bytes);
    out += ",\"StreamViewType\":\"";
    out += stream_view_type_text(r.view_type);
    out += "\"},\"eventID\":";
    append_json_string(out, r.event_id_text());
    out += ",\"eventName\":\"";
    out += stream_event_name_text(r.event_name);
    out += "\",\"eventSource\":\"aws:dynamodb\",\"eventSourceARN\":";
    append_json_string(out, stream_arn);
    out += ",\"eventVersion\":\"1.1\"";
    if (r.by_ttl)
        out +=
            ",\"userIdentity\":{\"principalId\":\"dynamodb.amazonaws.com\",\"type\":\"Service\"}";
    out.push_back('}');
}

namespace {

// Little-endian fixed-width integers of the stored record layout.
template <class T>
void put_le(std::string& out, T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i)
        out.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
}

template <class T>
bool get_le(std::string_view& in, T& v) {
    if (in.size() < sizeof(T))
        return false;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        x |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
    v = static_cast<T>(x);
    in.remove_prefix(sizeof(T));
    return true;
}

constexpr std::uint8_t record_layout_version = 1;

}  // namespace

// version u8 | event_name u8 | view u8 | by_ttl u8 | size_bytes u32 | at (ns since epoch) i64 |
// event_id 32 bytes | sequence text: len u8, digits | old_at u32 | new_at u32 |
// has_old u8 | has_new u8 | images
void stream_record::encode(std::string& out) const {
    const std::string seq = sequence.to_string();
    out.reserve(out.size() + 64 + seq.size() + images_.size());
    put_le<std::uint8_t>(out, record_layout_version);
    put_le<std::uint8_t>(out, static_cast<std::uint8_t>(event_name));
    put_le<std::uint8_t>(out, static_cast<std::uint8_t>(view_type));
    put_le<std::uint8_t>(out, by_ttl ? 1 : 0);
    put_le<std::uint32_t>(out, size_bytes);
    put_le<std::int64_t>(
        out, std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count());
    out.append(event_id.data(), event_id.size());
    put_le<std::uint8_t>(out, static_cast<std::uint8_t>(seq.size()));
    out += seq;
    put_le<std::uint32_t>(out, old_at_);
    put_le<std::uint32_t>(out, new_at_);
    put_le<std::uint8_t>(out, has_old_ ? 1 : 0);
    put_le<std::uint8_t>(out, has_new_ ? 1 : 0);
    out += images_;
}

std::optional<stream_record> stream_record::decode(std::string_view in) {
    stream_record r;
    std::uint8_t version = 0, name = 0, view = 0, ttl = 0, seq_len = 0, has_old = 0, has_new = 0;
    std::int64_t at_ns = 0;
    if (!get_le(in, version) || version != record_layout_version || !get_le(in, name) ||
        !get_le(in, view) || !get_le(in, ttl) || !get_le(in, r.size_bytes) || !get_le(in, at_ns))
        return std::nullopt;
    if (name > static_cast<std::uint8_t>(stream_event_name::REMOVE) ||
        view > static_cast<std::uint8_t>(stream_view_type::NEW_AND_OLD_IMAGES) || ttl > 1)
        return std::nullopt;
    r.event_name = static_cast<stream_event_name>(name);
    r.view_type = static_cast<stream_view_type>(view);
    r.by_ttl = ttl == 1;
    r.at = core::time_point(
        std::chrono::duration_cast<core::duration>(std::chrono::nanoseconds(at_ns)));
    if (in.size() < r.event_id.size())
        return std::nullopt;
    std::copy_n(in.data(), r.event_id.size(), r.event_id.data());
    in.remove_prefix(r.event_id.size());
    if (!get_le(in, seq_len) || in.size() < seq_len)
        return std::nullopt;
    auto seq = sequence_number::parse(in.substr(0, seq_len));
    if (!seq)
        return std::nullopt;
    r.sequence = *seq;
    in.remove_prefix(seq_len);
    if (!get_le(in, r.old_at_) || !get_le(in, r.new_at_) || !get_le(in, has_old) ||
        !get_le(in, has_new) || has_old > 1 || has_new > 1)
        return std::nullopt;
    if (r.old_at_ > r.new_at_ || r.new_at_ > in.size())
        return std::nullopt;
    r.has_old_ = has_old == 1;
    r.has_new_ = has_new == 1;
    r.images_.assign(in.data(), in.size());
    return r;
}

}  // namespace esser::emulator
