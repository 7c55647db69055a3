#include "image_json.hpp"

namespace esser::emulator::streams_detail {

namespace {
constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    for (std::size_t i = 0; i < n; i += 3) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) |
                                (i + 1 < n ? std::uint32_t{p[i + 1]} << 8 : 0) |
                                (i + 2 < n ? std::uint32_t{p[i + 2]} : 0);
        out.push_back(b64_alphabet[(v >> 18) & 63]);
        out.push_back(b64_alphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=');
        out.push_back(i + 2 < n ? b64_alphabet[v & 63] : '=');
    }
    return out;
}

nlohmann::json value_json(const attribute_value& v) {
    using nlohmann::json;
    switch (v.type()) {
        case value_type::S:
            return json{{"S", v.as_s()}};
        case value_type::N:
            return json{{"N", v.as_n().to_string()}};
        case value_type::B:
            return json{{"B", base64(v.as_b())}};
        case value_type::BOOL:
            return json{{"BOOL", v.as_bool()}};
        case value_type::NUL:
            return json{{"NULL", true}};
        case value_type::M:
            return json{{"M", image_to_json(v.as_m())}};
        case value_type::L: {
            json list = json::array();
            for (const auto& e : v.as_l()) list.push_back(value_json(e));
            return json{{"L", std::move(list)}};
        }
        case value_type::SS:
            return json{{"SS", v.as_ss()}};
        case value_type::NS: {
            json set = json::array();
            for (const auto& n : v.as_ns()) set.push_back(n.to_string());
            return json{{"NS", std::move(set)}};
        }
        case value_type::BS: {
            json set = json::array();
            for (const auto& b : v.as_bs()) set.push_back(base64(b));
            return json{{"BS", std::move(set)}};
        }
    }
    return json{{"NULL", true}};
}
}  // namespace

nlohmann::json image_to_json(const attribute_map& image) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, value] : image) out[name] = value_json(value);
    return out;
}

}  // namespace esser::emulator::streams_detail
