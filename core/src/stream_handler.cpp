#include "esser/core/stream_handler.hpp"

#include <fmt/format.h>

#include "esser/core/event_item.hpp"

namespace esser::core {

using nlohmann::json;

json stream_batch_result::lambda_response() const {
    json failures = json::array();
    if (failed_sequence_number)
        failures.push_back({{"itemIdentifier", *failed_sequence_number}});
    return json{{"batchItemFailures", std::move(failures)}};
}

stream_handler::stream_handler(std::shared_ptr<const domain> d,
                               std::vector<std::shared_ptr<projection>> projections)
    : stream_handler(std::move(d), std::move(projections), options{}) {}

stream_handler::stream_handler(std::shared_ptr<const domain> d,
                               std::vector<std::shared_ptr<projection>> projections, options opts)
    : domain_(std::move(d)), projections_(std::move(projections)), opts_(std::move(opts)) {}

result<std::optional<event>> stream_handler::decode_record(const json& record) {
    auto bad = [](std::string pointer, std::string reason) {
        return fail(error::parse_error("malformed DynamoDB stream record",
                                       {{std::move(pointer), std::move(reason)}}));
    };
    if (!record.is_object())
        return bad("", "a stream record must be a JSON object");
    auto name = record.find("eventName");
    if (name == record.end() || !name->is_string()) {
        return bad("/eventName", "must be \"INSERT\", \"MODIFY\" or \"REMOVE\"");
    }
    const auto& n = name->get_ref<const std::string&>();
    if (n == "REMOVE")
        return std::optional<event>{};
    if (n != "INSERT" && n != "MODIFY") {
        return bad("/eventName", "must be \"INSERT\", \"MODIFY\" or \"REMOVE\", not \"" + n + "\"");
    }
    auto ddb = record.find("dynamodb");
    if (ddb == record.end() || !ddb->is_object())
        return bad("/dynamodb", "must be an object");
    auto image = ddb->find("NewImage");
    if (image == ddb->end()) {
        return bad("/dynamodb/NewImage",
                   "is missing: the events table's stream must use StreamViewType NEW_IMAGE or "
                   "NEW_AND_OLD_IMAGES");
    }
    auto e = event_from_item(*image);
    if (!e) {
        error err = std::move(e).error();
        for (auto& f : err.fields) f.pointer = "/dynamodb/NewImage" + f.pointer;
        return fail(std::move(err));
    }
    return std::optional<event>(std::move(*e));
}

result<bool> stream_handler::apply(const event& e) {
    const std::string key = e.stream().key();
    {
        std::lock_guard lock(mu_);
        auto it = applied_.find(key);
        if (it != applied_.end() && e.version <= it->second)
            return false;
    }
    if (auto r = domain_->receivers().emit_post_save(e); !r)
        return fail(std::move(r).error());
    for (const auto& p : projections_) {
        if (auto r = p->apply(e); !r) {
            error err = std::move(r).error();
            err.message = fmt::format("projection {}: {}", p->name(), err.message);
            return fail(std::move(err));
        }
    }
    std::lock_guard lock(mu_);
    if (applied_.size() >= opts_.dedupe_capacity && !applied_.count(key))
        applied_.clear();
    auto& v = applied_[key];
    if (e.version > v)
        v = e.version;
    return true;
}

result<stream_batch_result> stream_handler::handle(const json& lambda_event) {
    if (!lambda_event.is_object()) {
        return fail(error::parse_error("not a DynamoDB stream event",
                                       {{"", "must be an object {\"Records\": [...]}"}}));
    }
    auto records = lambda_event.find("Records");
    if (records == lambda_event.end() || !records->is_array()) {
        return fail(error::parse_error("not a DynamoDB stream event",
                                       {{"/Records", "must be an array of stream records"}}));
    }
    // Every record must name its sequence number, or a failure could not be reported.
    std::vector<std::string> seqs;
    seqs.reserve(records->size());
    for (std::size_t i = 0; i < records->size(); ++i) {
        const json& r = (*records)[i];
        const json* seq = nullptr;
        if (r.is_object()) {
            if (auto d = r.find("dynamodb"); d != r.end() && d->is_object()) {
                if (auto s = d->find("SequenceNumber"); s != d->end() && s->is_string())
                    seq = &*s;
            }
        }
        if (!seq) {
            return fail(error::parse_error(
                "not a DynamoDB stream event",
                {{fmt::format("/Records/{}/dynamodb/SequenceNumber", i), "must be a string"}}));
        }
        seqs.push_back(seq->get<std::string>());
    }

    stream_batch_result out;
    out.records = records->size();
    for (std::size_t i = 0; i < records->size(); ++i) {
        auto decoded = decode_record((*records)[i]);
        result<bool> applied = false;
        if (!decoded) {
            error err = std::move(decoded).error();
            for (auto& f : err.fields) f.pointer = fmt::format("/Records/{}", i) + f.pointer;
            applied = fail(std::move(err));
        } else if (!*decoded) {
            ++out.ignored;
            continue;
        } else {
            applied = apply(**decoded);
        }
        if (!applied) {
            opts_.log.warn("stream record {} failed: {}", seqs[i], applied.error().describe());
            out.failed_sequence_number = seqs[i];
            out.failure = std::move(applied).error();
            break;
        }
        if (*applied) {
            ++out.applied;
        } else {
            ++out.duplicates;
        }
    }
    for (const auto& p : projections_) {
        if (auto r = p->flush(); !r) {
            // Nothing of this batch is known to be durable: retry it from its first record.
            error err = std::move(r).error();
            err.message = fmt::format("projection {} flush: {}", p->name(), err.message);
            out.failure = std::move(err);
            out.failed_sequence_number = seqs.empty() ? std::optional<std::string>{} : seqs.front();
            std::lock_guard lock(mu_);
            applied_.clear();
            break;
        }
    }
    return out;
}

}  // namespace esser::core
