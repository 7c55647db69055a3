#include "esser/emulator/streams/stream_lambda_event.hpp"

#include <cassert>

namespace esser::emulator {

namespace {
constexpr std::string_view records_open = "{\"Records\":[";

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

stream_lambda_event::stream_lambda_event(std::string region, std::string stream_arn)
    : region_(std::move(region)), stream_arn_(std::move(stream_arn)) {}

void stream_lambda_event::add(record_ptr record, nlohmann::json rendered) {
    assert(document_.is_null() && text_.empty());
    if (!rendered.is_null() || !given_.empty()) {
        given_.resize(records_.size());
        given_.push_back(std::move(rendered));
    }
    records_.push_back(std::move(record));
}

void stream_lambda_event::set_window_fields(nlohmann::json fields) {
    std::lock_guard l(mu_);
    assert(fields.is_object());
    window_fields_ = std::move(fields);
    if (!document_.is_null()) {
        auto records = std::move(document_["Records"]);
        document_ = window_fields_;
        document_["Records"] = std::move(records);
    }
    if (!text_.empty())
        write_tail_locked();
}

const nlohmann::json& stream_lambda_event::document() const {
    std::lock_guard l(mu_);
    if (document_.is_null()) {
        nlohmann::json records = nlohmann::json::array();
        auto& arr = records.get_ref<nlohmann::json::array_t&>();
        arr.reserve(records_.size());
        for (std::size_t i = 0; i < records_.size(); ++i) {
            if (i < given_.size() && !given_[i].is_null()) {
                arr.push_back(std::move(given_[i]));
            } else {
                arr.push_back(to_lambda_json(*records_[i], region_, stream_arn_));
            }
        }
        nlohmann::json doc = window_fields_;
        doc["Records"] = std::move(records);
        document_ = std::move(doc);
        given_.clear();  // moved into the document
    }
    return document_;
}

const std::string& stream_lambda_event::text() const {
    std::lock_guard l(mu_);
    if (text_.empty())
        render_text_locked();
    return text_;
}

void stream_lambda_event::render_text_locked() const {
    text_.reserve(records_open.size() + records_.size() * 512);
    text_ = records_open;
    ends_.clear();
    ends_.reserve(records_.size());
    for (std::size_t i = 0; i < records_.size(); ++i) {
        if (i > 0)
            text_.push_back(',');
        append_lambda_json(*records_[i], region_, stream_arn_, text_);
        ends_.push_back(text_.size());
    }
    text_.push_back(']');
    records_end_ = text_.size();
    write_tail_locked();
}

void stream_lambda_event::write_tail_locked() const {
    text_.resize(records_end_);
    // std::map order: "Records" (upper case) sorts before the window keys.
    for (const auto& [key, value] : window_fields_.items()) {
        assert(key > "Records");
        text_.push_back(',');
        text_ += dump(key);
        text_.push_back(':');
        text_ += dump(value);
    }
    text_.push_back('}');
}

std::size_t stream_lambda_event::record_text_bound(const stream_record& r, std::string_view region,
                                                   std::string_view stream_arn) {
    // Fixed members and their values (sequence number, ids, names, SizeBytes): under 600
    // characters; region and ARN at most 6 characters per byte (\u00xx escapes).
    return 600 + 6 * (region.size() + stream_arn.size()) + 90 * r.encoded_size();
}

std::size_t stream_lambda_event::record_text_size(const stream_record& r, std::string_view region,
                                                  std::string_view stream_arn) {
    thread_local std::string scratch;
    scratch.clear();
    append_lambda_json(r, region, stream_arn, scratch);
    const std::size_t n = scratch.size();
    if (scratch.capacity() > (1u << 20))
        std::string().swap(scratch);  // do not keep a huge buffer per thread
    return n;
}

std::shared_ptr<stream_lambda_event> stream_lambda_event::slice(std::size_t from,
                                                                std::size_t to) const {
    auto made = std::make_shared<stream_lambda_event>(region_, stream_arn_);
    auto& out = *made;
    std::lock_guard l(mu_);
    out.records_.assign(records_.begin() + static_cast<std::ptrdiff_t>(from),
                        records_.begin() + static_cast<std::ptrdiff_t>(to));
    if (!document_.is_null()) {
        const auto& arr = document_.at("Records");
        out.given_.assign(arr.begin() + static_cast<std::ptrdiff_t>(from),
                          arr.begin() + static_cast<std::ptrdiff_t>(to));
    } else if (!given_.empty()) {
        out.given_.assign(given_.begin() + static_cast<std::ptrdiff_t>(from),
                          given_.begin() + static_cast<std::ptrdiff_t>(to));
    }
    if (!text_.empty() && from < to) {
        // The records' renderings are reused as they are.
        const std::size_t begin = from == 0 ? records_open.size() : ends_[from - 1] + 1;
        out.text_ = records_open;
        out.text_.append(text_, begin, ends_[to - 1] - begin);
        out.ends_.reserve(to - from);
        const std::size_t shift = begin - records_open.size();
        for (std::size_t i = from; i < to; ++i) out.ends_.push_back(ends_[i] - shift);
        out.text_.push_back(']');
        out.records_end_ = out.text_.size();
        out.write_tail_locked();
    }
    return made;
}

}  // namespace esser::emulator
