#include "esser/emulator/http/router.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace esser::emulator {

namespace {

enum class seg_kind : int { wildcard = 0, param = 1, literal = 2 };

struct segment {
    seg_kind kind;
    std::string text;  // literal text, or the parameter's name
};

constexpr std::size_t max_segments = 32;

// A match's specificity: the kind of each matched segment, compared lexicographically
// (earlier segments weigh more; a prefix ranks below its extensions). Kept inline: select()
// runs twice for every request.
struct match_rank {
    std::array<std::int8_t, max_segments> kinds{};
    std::uint8_t size = 0;

    void push(seg_kind k) { kinds[size++] = static_cast<std::int8_t>(k); }

    friend bool operator==(const match_rank& a, const match_rank& b) {
        return std::equal(a.kinds.begin(), a.kinds.begin() + a.size, b.kinds.begin(),
                          b.kinds.begin() + b.size);
    }

    friend bool operator>(const match_rank& a, const match_rank& b) {
        return std::lexicographical_compare(b.kinds.begin(), b.kinds.begin() + b.size,
                                            a.kinds.begin(), a.kinds.begin() + a.size);
    }
};

// "/a/{b}/*" -> [literal a, param b, wildcard]; "/" -> [literal ""].
std::vector<segment> compile(const std::string& pattern) {
    if (pattern.empty() || pattern[0] != '/')
        throw std::invalid_argument("route pattern must start with '/': " + pattern);
    std::vector<segment> out;
    std::string_view rest = std::string_view(pattern).substr(1);
    for (;;) {
        const auto slash = rest.find('/');
        std::string_view s = rest.substr(0, slash);
        if (s == "*") {
            if (slash != std::string_view::npos)
                throw std::invalid_argument("'*' must be the last segment: " + pattern);
            out.push_back({seg_kind::wildcard, {}});
        } else if (!s.empty() && s.front() == '{') {
            if (s.size() < 3 || s.back() != '}')
                throw std::invalid_argument("malformed {param} in route pattern: " + pattern);
            out.push_back({seg_kind::param, std::string(s.substr(1, s.size() - 2))});
        } else {
            if (s.find_first_of("{}*") != std::string_view::npos)
                throw std::invalid_argument("'{', '}' or '*' inside a literal segment: " + pattern);
            out.push_back({seg_kind::literal, std::string(s)});
        }
        if (slash == std::string_view::npos)
            break;
        rest = rest.substr(slash + 1);
    }
    if (out.size() > max_segments)
        throw std::invalid_argument("route pattern has more than 32 segments: " + pattern);
    return out;
}

// The raw segments of a request path ("/a/b/" -> a, b, "").
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.empty() || path[0] != '/')
        return out;  // e.g. "*" or an absolute-form URI
    std::string_view rest = path.substr(1);
    for (;;) {
        const auto slash = rest.find('/');
        out.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos)
            break;
        rest = rest.substr(slash + 1);
    }
    return out;
}

}  // namespace

struct router::route {
    std::string method;
    std::string pattern;
    std::string name;
    std::vector<segment> segments;
    http_handler handler;
    std::optional<route_body_limit> limit;

    // Specificity of each matched position (higher wins), or false when it does not match.
    bool match(const std::vector<std::string_view>& path, match_rank& rank) const {
        rank.size = 0;
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const segment& s = segments[i];
            if (s.kind == seg_kind::wildcard) {
                rank.push(seg_kind::wildcard);
                return true;
            }
            if (i >= path.size())
                return false;
            if (s.kind == seg_kind::literal && s.text != path[i])
                return false;
            if (s.kind == seg_kind::param && path[i].empty())
                return false;
            rank.push(s.kind);
        }
        return path.size() == segments.size();
    }
};

router::router() = default;
router::~router() = default;
router::router(router&&) noexcept = default;
router& router::operator=(router&&) noexcept = default;

router& router::add(std::string method, std::string pattern, http_handler handler,
                    std::string name) {
    route r;
    r.segments = compile(pattern);
    r.method = std::move(method);
    r.name = name.empty() ? pattern : std::move(name);
    r.pattern = std::move(pattern);
    r.handler = std::move(handler);
    const segment& first = r.segments.front();
    if (first.kind == seg_kind::literal)
        by_first_literal_[first.text].push_back(routes_.size());
    else
        open_first_.push_back(routes_.size());
    routes_.push_back(std::move(r));
    return *this;
}

router& router::add_sync(std::string method, std::string pattern, sync_http_handler handler,
                         std::string name) {
    return add(
        std::move(method), std::move(pattern),
        [h = std::move(handler)](http_request req, responder res) { res.send(h(req)); },
        std::move(name));
}

router& router::fallback(http_handler handler, std::string name) {
    fallback_ = std::move(handler);
    fallback_name_ = std::move(name);
    return *this;
}

router& router::guard(std::string path_prefix, http_guard check, std::string name) {
    guards_.push_back({std::move(path_prefix), std::move(check), std::move(name)});
    return *this;
}

router& router::body_limit(std::string_view method, std::string_view pattern,
                           std::uint64_t max_bytes, http_response too_large) {
    for (route& r : routes_) {
        if (r.method == method && r.pattern == pattern) {
            r.limit = route_body_limit{max_bytes, std::move(too_large)};
            return *this;
        }
    }
    throw std::invalid_argument("body_limit: no route " + std::string(method) + " " +
                                std::string(pattern));
}

const route_body_limit* router::body_limit_for(std::string_view method,
                                               std::string_view path) const {
    std::string allow;
    const route* r = select(method, split_path(path), allow);
    return r && r->limit ? &*r->limit : nullptr;
}

const router::route* router::select(std::string_view method,
                                    const std::vector<std::string_view>& path,
                                    std::string& allow) const {
    const route* best = nullptr;
    match_rank best_rank, rank, other_rank;
    // The candidates in registration order: a merge of the two sorted index lists.
    static const std::vector<std::size_t> none;
    const std::vector<std::size_t>* literal = &none;
    if (!path.empty()) {
        if (auto it = by_first_literal_.find(path.front()); it != by_first_literal_.end())
            literal = &it->second;
    }
    auto a = literal->begin();
    auto b = open_first_.begin();
    while (a != literal->end() || b != open_first_.end()) {
        const bool take_a = b == open_first_.end() || (a != literal->end() && *a < *b);
        const route& r = routes_[take_a ? *a++ : *b++];
        if (!r.match(path, rank))
            continue;
        if (r.method != "*" && r.method != method) {
            if (allow.empty() || rank > other_rank) {
                allow = r.method;
                other_rank = rank;
            } else if (rank == other_rank && allow.find(r.method) == std::string::npos) {
                allow += ", " + r.method;
            }
            continue;
        }
        if (!best || rank > best_rank) {  // lexicographic: earlier segments weigh more
            best = &r;
            best_rank = rank;
        }
    }
    // A more specific route exists for this path, only not for this method: 405, rather than
    // letting a catch-all pattern answer for it.
    if (best && !allow.empty() && other_rank > best_rank)
        return nullptr;
    return best;
}

std::string_view router::dispatch(http_request req, responder res) const {
    static const std::string not_found_name = "not_found";
    static const std::string method_not_allowed_name = "method_not_allowed";

    for (const prefix_guard& g : guards_) {
        if (req.path().substr(0, g.prefix.size()) != g.prefix)
            continue;
        if (auto refused = g.check(req)) {
            res.send(std::move(*refused));
            return g.name;
        }
    }

    const auto path = split_path(req.path());
    std::string allow;
    const route* best = select(req.method, path, allow);
    if (best) {
        for (std::size_t i = 0; i < best->segments.size(); ++i) {
            const segment& s = best->segments[i];
            if (s.kind == seg_kind::param) {
                // An undecodable escape keeps its raw text; the handler validates names.
                auto decoded = percent_decode(path[i]);
                req.path_params.emplace_back(s.text, decoded ? *decoded : std::string(path[i]));
            } else if (s.kind == seg_kind::wildcard) {
                std::string tail;
                for (std::size_t j = i; j < path.size(); ++j) {
                    if (j > i)
                        tail += '/';
                    tail += path[j];
                }
                req.path_params.emplace_back("*", std::move(tail));
            }
        }
        best->handler(std::move(req), std::move(res));
        return best->name;
    }
    if (!allow.empty()) {
        http_response r = http_response::json(
            405, {{"message", "method " + req.method + " is not allowed here"}});
        r.headers.set("Allow", allow);
        res.send(std::move(r));
        return method_not_allowed_name;
    }
    if (fallback_) {
        fallback_(std::move(req), std::move(res));
        return fallback_name_;
    }
    res.send(http_response::json(404, {{"message", "no route for " + std::string(req.path())}}));
    return not_found_name;
}

}  // namespace esser::emulator
