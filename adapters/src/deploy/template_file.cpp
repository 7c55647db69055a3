#include "esser/adapters/deploy/template_file.hpp"

#include <fstream>
#include <sstream>

#include "esser/adapters/deploy/yaml_reader.hpp"
#include "esser/core/domain_file.hpp"

namespace esser::adapters {

core::result<nlohmann::json> read_template_text(std::string_view text, const std::string& source) {
    std::string_view rest = text;
    if (rest.starts_with("\xEF\xBB\xBF"))
        rest.remove_prefix(3);
    const auto first = rest.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && rest[first] == '{') {
        auto json_doc = core::parse_json_text(rest, source);
        if (json_doc)
            return json_doc;
        // YAML in flow style starts with '{' too; if it is not that either, the JSON
        // parser's message is the one that helps.
        auto yaml_doc = read_cloudformation_yaml(text);
        if (yaml_doc)
            return yaml_doc;
        return json_doc;
    }
    auto doc = read_cloudformation_yaml(text);
    if (!doc) {
        core::error e = std::move(doc).error();
        e.source = source;
        return core::fail(std::move(e));
    }
    return doc;
}

core::result<nlohmann::json> read_template_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        core::error e = core::error::not_found("cannot open " + path);
        e.source = path;
        return core::fail(std::move(e));
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) {
        core::error e = core::error::unavailable("cannot read " + path);
        e.source = path;
        return core::fail(std::move(e));
    }
    return read_template_text(buf.str(), path);
}

}  // namespace esser::adapters
