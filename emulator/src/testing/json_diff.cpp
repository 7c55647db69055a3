#include "esser/emulator/testing/json_diff.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace esser::emulator {

using nlohmann::json;

namespace {

std::string escape_token(std::string_view t) {
    std::string out;
    out.reserve(t.size());
    for (char c : t) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

// "/a/b~1c" -> {"a", "b/c"}; false when malformed.
bool split_pointer(std::string_view p, std::vector<std::string>& out) {
    out.clear();
    if (p.empty())
        return true;
    if (p.front() != '/')
        return false;
    std::string cur;
    for (std::size_t i = 1; i <= p.size(); ++i) {
        if (i == p.size() || p[i] == '/') {
            out.push_back(std::move(cur));
            cur.clear();
            continue;
        }
        if (p[i] == '~') {
            if (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))
                return false;
            cur += p[i + 1] == '0' ? '~' : '/';
            ++i;
            continue;
        }
        cur += p[i];
    }
    return true;
}

bool match_from(const std::vector<std::string>& pat, std::size_t pi,
                const std::vector<std::string>& tok, std::size_t ti) {
    while (pi < pat.size()) {
        if (pat[pi] == "**") {
            // `**` swallows zero or more segments; patterns are short, so plain backtracking.
            for (std::size_t k = ti; k <= tok.size(); ++k) {
                if (match_from(pat, pi + 1, tok, k))
                    return true;
            }
            return false;
        }
        if (ti >= tok.size())
            return false;
        if (pat[pi] != "*" && pat[pi] != tok[ti])
            return false;
        ++pi;
        ++ti;
    }
    return ti == tok.size();
}

struct differ {
    diff_mode mode;
    const path_filter& ignore;
    std::vector<std::string> tokens;
    std::string base;
    std::vector<json_difference> out;

    std::string pointer() const {
        std::string p = base;
        for (const auto& t : tokens) p += "/" + escape_token(t);
        return p;
    }

    bool ignored() const { return !ignore.empty() && ignore.matches(tokens); }

    void add(json_difference::kind k, const json& e, const json& a) {
        out.push_back({pointer(), k, e, a});
    }

    void compare(const json& e, const json& a) {
        if (ignored())
            return;
        if (e.is_object() && a.is_object()) {
            for (auto it = e.begin(); it != e.end(); ++it) {
                tokens.push_back(it.key());
                if (auto f = a.find(it.key()); f == a.end()) {
                    if (!ignored())
                        add(json_difference::kind::missing, it.value(), nullptr);
                } else {
                    compare(it.value(), *f);
                }
                tokens.pop_back();
            }
            if (mode == diff_mode::exact) {
                for (auto it = a.begin(); it != a.end(); ++it) {
                    if (e.contains(it.key()))
                        continue;
                    tokens.push_back(it.key());
                    if (!ignored())
                        add(json_difference::kind::unexpected, nullptr, it.value());
                    tokens.pop_back();
                }
            }
            return;
        }
        if (e.is_array() && a.is_array()) {
            const std::size_t n = std::max(e.size(), a.size());
            for (std::size_t i = 0; i < n; ++i) {
                tokens.push_back(std::to_string(i));
                if (i >= a.size()) {
                    if (!ignored())
                        add(json_difference::kind::missing, e[i], nullptr);
                } else if (i >= e.size()) {
                    if (!ignored())
                        add(json_difference::kind::unexpected, nullptr, a[i]);
                } else {
                    compare(e[i], a[i]);
                }
                tokens.pop_back();
            }
            return;
        }
        if (e != a)
            add(json_difference::kind::changed, e, a);
    }
};

}  // namespace

core::result<diff_mode> diff_mode_from_string(std::string_view s) {
    if (s == "exact")
        return diff_mode::exact;
    if (s == "subset")
        return diff_mode::subset;
    return core::fail(core::error::invalid_argument(
        fmt::format("unknown match mode '{}': use \"exact\" or \"subset\"", s)));
}

core::result<path_filter> path_filter::make(const std::vector<std::string>& patterns) {
    path_filter f;
    for (const auto& p : patterns) {
        std::vector<std::string> tokens;
        if (!split_pointer(p, tokens)) {
            return core::fail(core::error::invalid_argument(
                fmt::format("ignore pattern '{}' is not a JSON Pointer: write \"/meta/event_id\", "
                            "\"/*/at\" or \"/**/trace_id\"",
                            p)));
        }
        f.patterns_.push_back(std::move(tokens));
        f.sources_.push_back(p);
    }
    return f;
}

path_filter::path_filter(const std::vector<std::string>& patterns) {
    auto f = make(patterns);
    if (!f)
        throw std::invalid_argument(f.error().message);
    *this = std::move(*f);
}

bool path_filter::matches(const std::vector<std::string>& tokens) const {
    for (const auto& p : patterns_) {
        if (match_from(p, 0, tokens, 0))
            return true;
    }
    return false;
}

path_filter path_filter::combined(const path_filter& other) const {
    path_filter f = *this;
    f.patterns_.insert(f.patterns_.end(), other.patterns_.begin(), other.patterns_.end());
    f.sources_.insert(f.sources_.end(), other.sources_.begin(), other.sources_.end());
    return f;
}

std::vector<json_difference> json_diff(const json& expected, const json& actual, diff_mode mode,
                                       const path_filter& ignore, const std::string& base) {
    differ d{mode, ignore, {}, base, {}};
    d.compare(expected, actual);
    return std::move(d.out);
}

std::string short_json(const json& j, std::size_t max) {
    std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() <= max || max < 10)
        return s;
    const std::size_t keep = (max - 5) / 2;
    return s.substr(0, keep) + " ... " + s.substr(s.size() - keep);
}

std::string format_differences(const std::vector<json_difference>& diffs, std::string_view indent) {
    std::string out;
    for (const auto& d : diffs) {
        const std::string where = d.pointer.empty() ? "(document)" : d.pointer;
        switch (d.what) {
            case json_difference::kind::changed:
                out += fmt::format("{}{}: expected {}, got {}\n", indent, where,
                                   short_json(d.expected), short_json(d.actual));
                break;
            case json_difference::kind::missing:
                out += fmt::format("{}{}: missing (expected {})\n", indent, where,
                                   short_json(d.expected));
                break;
            case json_difference::kind::unexpected:
                out += fmt::format("{}{}: unexpected {}\n", indent, where, short_json(d.actual));
                break;
        }
    }
    return out;
}

}  // namespace esser::emulator
