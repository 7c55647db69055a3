#include "esser/emulator/testing/http_scenario.hpp"

#include <map>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "esser/adapters/http/http_client.hpp"
#include "esser/adapters/http/url.hpp"
#include "esser/emulator/testing/json_diff.hpp"

namespace esser::emulator {

using nlohmann::json;

namespace {

// A step that did not hold: its report (the step pointer is added by the caller).
struct step_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
std::string path_segment(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

struct http_run {
    const scenario& s;
    std::string base;  // the URL as given, without a trailing '/'
    std::unique_ptr<adapters::http_client> client;
    std::map<std::string, json> saved;
    path_filter ignore;
    std::vector<std::string> log;  // one line per step done

    // ${name} in every string of `v` (recursively) replaced by the saved value: a whole-string
    // reference keeps the value's JSON type, one inside a longer text inserts its text.
    json substitute(const json& v) const {
        if (v.is_string()) {
            const std::string& text = v.get_ref<const std::string&>();
            if (text.find("${") == std::string::npos)
                return v;
            std::string out;
            std::size_t i = 0;
            while (i < text.size()) {
                const std::size_t open = text.find("${", i);
                if (open == std::string::npos) {
                    out.append(text, i, std::string::npos);
                    break;
                }
                const std::size_t close = text.find('}', open);
                if (close == std::string::npos)
                    throw step_failure(fmt::format("unterminated ${{...}} in \"{}\"", text));
                const std::string name = text.substr(open + 2, close - open - 2);
                json value;
                if (name == "url") {
                    value = base;
                } else if (auto it = saved.find(name); it != saved.end()) {
                    value = it->second;
                } else {
                    std::string names = "url";
                    for (const auto& [n, x] : saved) names += ", " + n;
                    throw step_failure(fmt::format(
                        "${{{}}} is not saved by an earlier step (saved so far: {})", name, names));
                }
                if (open == 0 && close + 1 == text.size())
                    return value;
                out.append(text, i, open - i);
                out += value.is_string() ? value.get<std::string>() : value.dump();
                i = close + 1;
            }
            return out;
        }
        if (v.is_object() || v.is_array()) {
            json out = v;
            for (auto it = out.begin(); it != out.end(); ++it) *it = substitute(*it);
            return out;
        }
        return v;
    }

    struct exchange {
        std::string request_line;
        std::string request_body;
        int status = 0;
        std::string body_text;
        json body;  // parsed, or discarded when not JSON
    };

    exchange call(const std::string& method, const std::string& target, const json* body,
                  const json& headers = json::object()) {
        adapters::http_request req;
        req.method = method;
        req.target = target;
        if (body) {
            req.body = body->is_string() ? body->get<std::string>() : body->dump();
            req.headers.set("Content-Type", "application/json");
        }
        for (auto it = headers.begin(); it != headers.end(); ++it)
            req.headers.set(it.key(), it->get<std::string>());
        exchange x;
        x.request_line = method + " " + target;
        x.request_body = req.body;
        auto r = client->send(std::move(req));
        if (!r)
            throw step_failure(fmt::format("{}: esser-local at {} did not answer: {}",
                                           x.request_line, base, r.error().message));
        x.status = r->status;
        x.body_text = std::move(r->body);
        x.body = json::parse(x.body_text, nullptr, false);
        return x;
    }

    static std::string describe(const exchange& x) {
        std::string out = "  request: " + x.request_line + "\n";
        if (!x.request_body.empty())
            out += "    " +
                   short_json(json::parse(x.request_body, nullptr, false).is_discarded()
                                  ? json(x.request_body)
                                  : json::parse(x.request_body),
                              400) +
                   "\n";
        out += fmt::format(
            "  response: {}\n    {}\n", x.status,
            x.body.is_discarded() ? short_json(json(x.body_text), 1000) : short_json(x.body, 1000));
        return out;
    }

    // The step's expectation: status (default `status`, or any 2xx when 0) and body subset.
    void check(const exchange& x, const json& step, int status, const json& default_body) {
        const json expect = step.value("expect", json::object());
        const int want = expect.contains("status") ? expect["status"].get<int>() : status;
        if (want != 0 ? x.status != want : (x.status < 200 || x.status > 299)) {
            throw step_failure(fmt::format("expected status {}, got {}\n{}",
                                           want != 0 ? std::to_string(want) : "2xx", x.status,
                                           describe(x)));
        }
        const json body = expect.contains("body") ? substitute(expect["body"]) : default_body;
        if (!body.is_null()) {
            if (x.body.is_discarded())
                throw step_failure("the response body is not JSON\n" + describe(x));
            if (auto d = json_diff(body, x.body, diff_mode::subset, ignore); !d.empty())
                throw step_failure("the response body differs (expected as a subset):\n" +
                                   format_differences(d) + describe(x));
        }
        if (auto sv = step.find("save"); sv != step.end()) {
            for (auto it = sv->begin(); it != sv->end(); ++it) {
                const auto ptr = json::json_pointer(it->get<std::string>());
                if (x.body.is_discarded() || !x.body.contains(ptr))
                    throw step_failure(
                        fmt::format("save {}: the response body has nothing at {}\n{}", it.key(),
                                    it->get<std::string>(), describe(x)));
                saved[it.key()] = x.body.at(ptr);
            }
        }
    }

    json command_body(const json& c) const {
        json body = substitute(c);
        if (auto n = body.find("name"); n != body.end() && !body.contains("command")) {
            body["command"] = *n;
            body.erase("name");
        }
        if (!body.contains("entity") && !s.entity.empty())
            body["entity"] = s.entity;
        if (!body.contains("id") && !s.id.empty() && body.value("entity", "") == s.entity)
            body["id"] = s.id;
        return body;
    }

    void projection_row(const json& row_in) {
        const json row = substitute(row_in);
        const std::string name = row["name"].get<std::string>();
        const std::string id = row["id"].get<std::string>();
        const exchange x = call(
            "GET", "/esser/v1/projections/" + path_segment(name) + "/" + path_segment(id), nullptr);
        const std::string head = fmt::format("projection {}/{}", name, id);
        if (row.contains("missing")) {
            if (x.status != 404)
                throw step_failure(fmt::format("{}: expected no such row (404), got {}\n{}", head,
                                               x.status, describe(x)));
            return;
        }
        if (x.status != 200)
            throw step_failure(
                fmt::format("{}: expected the row (200), got {}\n{}", head, x.status, describe(x)));
        if (auto v = row.find("version"); v != row.end() && x.body.value("version", json()) != *v)
            throw step_failure(fmt::format("{}: expected version {}, got {}\n{}", head, v->dump(),
                                           x.body.value("version", json()).dump(), describe(x)));
        const auto mode = *diff_mode_from_string(row.value("match", std::string("exact")));
        if (auto d = json_diff(row["value"], x.body.value("state", json()), mode, ignore);
            !d.empty())
            throw step_failure(fmt::format("{} ({}) failed:\n{}{}", head, to_string_mode(mode),
                                           format_differences(d), describe(x)));
    }

    static const char* to_string_mode(diff_mode m) {
        return m == diff_mode::exact ? "exact" : "subset";
    }

    void queue(const json& q_in) {
        const json q = substitute(q_in);
        const std::string name = q["name"].get<std::string>();
        const exchange x =
            call("GET", "/esser/v1/queues/" + path_segment(name) + "/messages?max=10&consume=false",
                 nullptr);
        if (x.status != 200 || x.body.is_discarded() || !x.body.contains("messages"))
            throw step_failure(fmt::format("queue {}: expected its messages (200), got {}\n{}",
                                           name, x.status, describe(x)));
        std::vector<json> bodies;
        for (const auto& m : x.body["messages"]) {
            const std::string text = m.value("Body", std::string());
            json parsed = json::parse(text, nullptr, false);
            bodies.push_back(parsed.is_discarded() ? json(text) : std::move(parsed));
        }
        auto listing = [&] {
            std::string out;
            for (std::size_t i = 0; i < bodies.size(); ++i)
                out += fmt::format("  [{}] {}\n", i, short_json(bodies[i], 600));
            return out.empty() ? std::string("  (no messages)\n") : out;
        };
        if (auto c = q.find("count"); c != q.end() && bodies.size() != c->get<std::size_t>())
            throw step_failure(fmt::format("queue {}: expected {} visible messages, got {}:\n{}",
                                           name, c->get<std::size_t>(), bodies.size(), listing()));
        const json expected = q.value("messages", json::array());
        const bool exact = q.value("match", std::string("contains")) == "exact";
        if (exact && expected.size() != bodies.size())
            throw step_failure(fmt::format("queue {}: expected exactly {} messages, got {}:\n{}",
                                           name, expected.size(), bodies.size(), listing()));
        std::vector<bool> used(bodies.size(), false);
        for (std::size_t i = 0; i < expected.size(); ++i) {
            bool found = false;
            std::vector<json_difference> closest;
            for (std::size_t j = 0; j < bodies.size() && !found; ++j) {
                if (used[j] || (exact && j != i))
                    continue;
                auto d = json_diff(expected[i], bodies[j], diff_mode::subset, ignore);
                if (d.empty()) {
                    used[j] = found = true;
                } else if (closest.empty() || d.size() < closest.size()) {
                    closest = std::move(d);
                }
            }
            if (!found)
                throw step_failure(fmt::format(
                    "queue {}: expected message [{}] {} is not there{}\nmessages:\n{}", name, i,
                    short_json(expected[i], 400),
                    closest.empty() ? "" : "; closest:\n" + format_differences(closest, "    "),
                    listing()));
        }
    }

    void run(const scenario_step& st) {
        using k = scenario_step::kind;
        const json& step = st.extra;
        switch (st.what) {
            case k::send: {
                const json body = command_body(st.body);
                check(call("POST", "/esser/v1/commands", &body), step, 200, json());
                break;
            }
            case k::request: {
                const json r = substitute(st.body);
                const json* body = r.contains("body") ? &r["body"] : nullptr;
                check(call(r["method"].get<std::string>(), r["path"].get<std::string>(), body,
                           r.value("headers", json::object())),
                      step, 0, json());
                break;
            }
            case k::drain: {
                const json empty = json::object();
                check(call("POST", "/esser/v1/drain", &empty), step, 200, json{{"idle", true}});
                break;
            }
            case k::advance: {
                const json body = {{"by", st.body}};
                check(call("POST", "/esser/v1/clock/advance", &body), json::object(), 200, json());
                break;
            }
            case k::set_clock: {
                const json body = {{"to", st.body}};
                check(call("POST", "/esser/v1/clock/set", &body), json::object(), 200, json());
                break;
            }
            case k::rotate: {
                const json empty = json::object();
                check(call("POST",
                           "/esser/v1/streams/" +
                               path_segment(substitute(st.body).get<std::string>()) + "/rotate",
                           &empty),
                      json::object(), 200, json());
                break;
            }
            case k::projection:
                for (const json& row : st.body.is_array() ? st.body : json::array({st.body}))
                    projection_row(row);
                break;
            case k::queue:
                queue(st.body);
                break;
            case k::ignoring: {
                std::vector<std::string> patterns;
                for (const auto& p : st.body) patterns.push_back(p.get<std::string>());
                ignore = ignore.combined(path_filter(patterns));
                break;
            }
            default:
                throw step_failure(
                    fmt::format("the {} step is an in-process step (remove "
                                "\"target\": \"http\" to run it)",
                                to_string(st.what)));
        }
    }
};

}  // namespace

core::result<void> run_http_scenario(const scenario& s, const std::string& url) {
    auto fail = [&](std::string message) -> core::result<void> {
        core::error e = core::error::validation(std::move(message));
        e.source = s.file;
        return core::fail(std::move(e));
    };
    if (s.target != scenario_target::http)
        return fail("/target: run_http_scenario runs \"target\": \"http\" scenarios");
    auto origin = adapters::url::parse(url);
    if (!origin)
        return fail("--url " + url + ": " + origin.error().message);
    if (origin->is_tls())
        return fail("--url " + url + ": esser-local test speaks plain http to 127.0.0.1");
    adapters::http_client_options co;
    co.connect_timeout = std::chrono::seconds(5);
    co.request_timeout = std::chrono::seconds(30);
    auto client = adapters::http_client::create(*origin, co);
    if (!client)
        return fail("--url " + url + ": " + client.error().message);
    http_run run{s, url, std::move(*client), {}, {}, {}};
    while (!run.base.empty() && run.base.back() == '/') run.base.pop_back();
    if (!s.ignoring.empty())
        run.ignore = path_filter(s.ignoring);
    const scenario_step* current = nullptr;
    try {
        if (s.reset) {
            const json empty = json::object();
            run.check(run.call("POST", "/esser/v1/reset", &empty), json::object(), 0, json());
        }
        for (const auto& st : s.steps) {
            current = &st;
            run.run(st);
            run.log.push_back(fmt::format("{} ({}) ok", st.pointer, to_string(st.what)));
        }
    } catch (const std::exception& e) {
        std::string story;
        for (const auto& l : run.log) story += "  " + l + "\n";
        return fail(fmt::format("{} ({}): {}\nsteps done against {}:\n{}",
                                current ? current->pointer : "/reset",
                                current ? to_string(current->what) : "reset", e.what(), run.base,
                                story.empty() ? "  (none)\n" : story));
    }
    return {};
}

}  // namespace esser::emulator
