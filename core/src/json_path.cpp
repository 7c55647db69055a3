#include "json_path.hpp"

namespace esser::core::detail {

using nlohmann::json;

std::optional<tokens> split_pointer(std::string_view p) {
    tokens out;
    if (p.empty())
        return out;
    if (p.front() != '/')
        return std::nullopt;
    std::string cur;
    for (std::size_t i = 1; i <= p.size(); ++i) {
        if (i == p.size() || p[i] == '/') {
            out.push_back(std::move(cur));
            cur.clear();
            continue;
        }
        if (p[i] == '~') {
            if (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))
                return std::nullopt;
            cur.push_back(p[i + 1] == '0' ? '~' : '/');
            ++i;
            continue;
        }
        cur.push_back(p[i]);
    }
    return out;
}

std::string join_pointer(const tokens& t) {
    std::string out;
    for (const auto& tok : t) {
        out.push_back('/');
        for (char c : tok) {
            if (c == '~') {
                out += "~0";
            } else if (c == '/') {
                out += "~1";
            } else {
                out.push_back(c);
            }
        }
    }
    return out;
}

bool array_index(std::string_view token, std::size_t& out) noexcept {
    if (token.empty() || token.size() > 18)
        return false;
    if (token.size() > 1 && token[0] == '0')
        return false;
    std::size_t v = 0;
    for (char c : token) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + static_cast<std::size_t>(c - '0');
    }
    out = v;
    return true;
}

const json* find(const json& root, const tokens& t) noexcept {
    const json* cur = &root;
    for (const auto& tok : t) {
        if (cur->is_object()) {
            auto it = cur->find(tok);
            if (it == cur->end())
                return nullptr;
            cur = &*it;
        } else if (cur->is_array()) {
            std::size_t i;
            if (!array_index(tok, i) || i >= cur->size())
                return nullptr;
            cur = &(*cur)[i];
        } else {
            return nullptr;
        }
    }
    return cur;
}

json* find_or_create(json& root, const tokens& t, std::string& why) {
    json* cur = &root;
    for (const auto& tok : t) {
        if (cur->is_null())
            *cur = json::object();
        if (cur->is_object()) {
            cur = &(*cur)[tok];
        } else if (cur->is_array()) {
            std::size_t i;
            if (tok == "-") {
                cur->push_back(nullptr);
                cur = &cur->back();
            } else if (array_index(tok, i) && i < cur->size()) {
                cur = &(*cur)[i];
            } else {
                why = "'" + tok + "' is not an index of the array on the way";
                return nullptr;
            }
        } else {
            why = std::string("the path crosses a ") + cur->type_name() + " at '" + tok + "'";
            return nullptr;
        }
    }
    return cur;
}

bool erase(json& root, const tokens& t) {
    if (t.empty())
        return false;
    tokens parent_tokens(t.begin(), t.end() - 1);
    const json* parent_c = find(root, parent_tokens);
    if (!parent_c)
        return false;
    json& parent = const_cast<json&>(*parent_c);
    if (parent.is_object())
        return parent.erase(t.back()) > 0;
    if (parent.is_array()) {
        std::size_t i;
        if (!array_index(t.back(), i) || i >= parent.size())
            return false;
        parent.erase(i);
        return true;
    }
    return false;
}

}  // namespace esser::core::detail
