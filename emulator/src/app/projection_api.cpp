#include "esser/emulator/app/projection_api.hpp"

#include <algorithm>

#include "query_params.hpp"
#include <nlohmann/json.hpp>

#include "esser/emulator/dynamo/base64.hpp"
#include "esser/emulator/http/rest_error.hpp"

namespace esser::emulator {

namespace {

using nlohmann::json;

constexpr std::size_t default_page = 100;

json document_json(const std::string& projection, core::document d) {
    return {{"projection", projection},
            {"id", std::move(d.id)},
            {"version", d.version},
            {"updated_at", std::move(d.updated_at)},
            {"state", std::move(d.body)}};
}

// A filter value: JSON scalars other than strings compare as what they are (?price=10 matches
// the number 10), a JSON string literal is that string, any other text is itself.
json filter_value(const std::string& text) {
    json v = json::parse(text, nullptr, false);
    if (!v.is_discarded() && (v.is_number() || v.is_boolean() || v.is_null() || v.is_string()))
        return v;
    return text;
}

// base64url without padding: the token goes back in a query string untouched ('+' would read
// as a space, '/' and '=' need escaping).
std::string to_base64url(std::string_view bytes) {
    std::string s = base64_encode(bytes);
    while (!s.empty() && s.back() == '=') s.pop_back();
    std::replace(s.begin(), s.end(), '+', '-');
    std::replace(s.begin(), s.end(), '/', '_');
    return s;
}

std::optional<std::string> from_base64url(std::string_view text) {
    std::string s(text);
    if (s.find_first_of("+/=") != std::string::npos)
        return std::nullopt;
    std::replace(s.begin(), s.end(), '-', '+');
    std::replace(s.begin(), s.end(), '_', '/');
    while (s.size() % 4 != 0) s.push_back('=');
    return base64_decode(s);
}

}  // namespace

projection_api::projection_api(core::read_store& store, std::vector<std::string> domain_projections)
    : store_(store), domain_projections_(std::move(domain_projections)) {
    std::sort(domain_projections_.begin(), domain_projections_.end());
}

void projection_api::install(router& r) {
    r.add_sync(
        "GET", "/esser/v1/projections", [this](const http_request&) { return list_names(); },
        "esser.projections");
    r.add_sync(
        "GET", "/esser/v1/projections/{name}",
        [this](const http_request& req) { return list(req); }, "esser.projection.list");
    r.add_sync(
        "GET", "/esser/v1/projections/{name}/{id}",
        [this](const http_request& req) { return get(req); }, "esser.projection.get");
}

std::string projection_api::make_next(std::string_view projection, std::string_view after) {
    return to_base64url(json{{"p", projection}, {"a", after}}.dump());
}

core::result<std::string> projection_api::parse_next(std::string_view projection,
                                                     std::string_view token) {
    auto bad = [&] {
        return core::fail(core::error::validation(
            "'next' is not a paging token of projection '" + std::string(projection) +
                "': pass the \"next\" value of the previous page unchanged",
            {{"/next", "not a token of this projection"}}));
    };
    auto bytes = from_base64url(token);
    if (!bytes)
        return bad();
    json t = json::parse(*bytes, nullptr, false);
    if (t.is_discarded() || !t.is_object() || t.size() != 2)
        return bad();
    auto p = t.find("p");
    auto a = t.find("a");
    if (p == t.end() || a == t.end() || !p->is_string() || !a->is_string() || *p != projection ||
        a->get_ref<const std::string&>().empty())
        return bad();
    return a->get<std::string>();
}

core::result<void> projection_api::check_known(const std::string& name) const {
    if (std::binary_search(domain_projections_.begin(), domain_projections_.end(), name))
        return {};
    auto names = store_.collections();
    if (!names)
        return core::fail(names.error());
    if (std::find(names->begin(), names->end(), name) != names->end())
        return {};
    return core::fail(core::error::not_found("no projection named '" + name +
                                             "' (GET /esser/v1/projections lists them)"));
}

http_response projection_api::list_names() const {
    auto names = store_.collections();
    if (!names)
        return esser_error_response(names.error());
    std::vector<std::string> all = domain_projections_;
    all.insert(all.end(), names->begin(), names->end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return http_response::json(200, {{"projections", all}});
}

http_response projection_api::list(const http_request& req) const {
    const std::string name(req.path_param("name"));
    if (auto known = check_known(name); !known)
        return esser_error_response(known.error());
    auto params = query_params(req);
    if (!params)
        return esser_error_response(params.error());
    auto limit = number_param(req, "limit", 1, core::list_query::max_limit);
    if (!limit)
        return esser_error_response(limit.error());
    core::list_query q;
    q.limit = limit->value_or(default_page);
    for (auto& [key, value] : *params) {
        if (key == "limit")
            continue;
        if (key == "next") {
            auto after = parse_next(name, value);
            if (!after)
                return esser_error_response(after.error());
            q.after = std::move(*after);
            continue;
        }
        q.where.emplace_back(std::move(key), filter_value(value));
    }
    if (auto ok = core::read_store_rules::check_query(q); !ok) {
        core::error e = ok.error();
        e.code = core::errc::validation;
        e.message = "bad filter: " + e.message +
                    " (filters are ?field=value on a top-level state member; field names are "
                    "1 to 64 of A-Z a-z 0-9 _ -)";
        return esser_error_response(e);
    }
    auto page = store_.list(name, q);
    if (!page)
        return esser_error_response(page.error());
    json items = json::array();
    for (auto& d : page->items) {
        json j = document_json(name, std::move(d));
        j.erase("projection");
        items.push_back(std::move(j));
    }
    json out = {{"projection", name}, {"items", std::move(items)}};
    if (!page->next.empty())
        out["next"] = make_next(name, page->next);
    return http_response::json(200, out);
}

http_response projection_api::get(const http_request& req) const {
    const std::string name(req.path_param("name"));
    const std::string id(req.path_param("id"));
    if (auto known = check_known(name); !known)
        return esser_error_response(known.error());
    auto d = store_.get(name, id);
    if (!d)
        return esser_error_response(d.error());
    if (!*d) {
        return esser_error_response(
            core::error::not_found("projection '" + name + "' has no document '" + id + "'"));
    }
    return http_response::json(200, document_json(name, std::move(**d)));
}

}  // namespace esser::emulator
