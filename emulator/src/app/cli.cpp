#include "esser/emulator/app/cli.hpp"

#include <algorithm>
#include <sstream>

namespace esser::emulator::cli {

bool parsed_args::has(std::string_view name) const {
    return values_.find(name) != values_.end();
}

std::optional<std::string> parsed_args::get(std::string_view name) const {
    auto it = values_.find(name);
    if (it == values_.end())
        return std::nullopt;
    return it->second;
}

std::string parsed_args::value_or(std::string_view name, std::string fallback) const {
    auto v = get(name);
    return v ? *v : std::move(fallback);
}

std::vector<std::string> parsed_args::get_all(std::string_view name) const {
    auto it = all_values_.find(name);
    return it == all_values_.end() ? std::vector<std::string>{} : it->second;
}

void parsed_args::set(std::string name, std::string value) {
    all_values_[name].push_back(value);
    values_[std::move(name)] = std::move(value);
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            cur[j] = std::min(
                {prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

const option_spec* find_option(const command_spec& spec, std::string_view name) {
    for (const auto& o : spec.options)
        if (o.name == name)
            return &o;
    return nullptr;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty())
            out += sep;
        out += i;
    }
    return out;
}

// Wraps `text` at `width` columns with `indent` spaces; blank lines separate paragraphs and
// lines starting with a space are kept as they are (preformatted).
std::string wrap(std::string_view text, std::size_t indent, std::size_t width = 80) {
    std::string out;
    const std::string pad(indent, ' ');
    std::istringstream lines{std::string(text)};
    std::string line;
    std::string para;
    auto flush = [&] {
        if (para.empty())
            return;
        std::istringstream words(para);
        std::string word, current;
        while (words >> word) {
            if (!current.empty() && indent + current.size() + 1 + word.size() > width) {
                out += pad + current + "\n";
                current.clear();
            }
            current += (current.empty() ? "" : " ") + word;
        }
        if (!current.empty())
            out += pad + current + "\n";
        para.clear();
    };
    while (std::getline(lines, line)) {
        if (line.empty()) {
            flush();
            out += "\n";
        } else if (line[0] == ' ') {
            flush();
            out += pad + line + "\n";
        } else {
            para += (para.empty() ? "" : " ") + line;
        }
    }
    flush();
    return out;
}

}  // namespace

std::optional<std::string> suggest(std::string_view word, const command_spec& spec) {
    std::optional<std::string> best;
    std::size_t best_d = 3;  // at most two edits away
    for (const auto& o : spec.options) {
        const std::size_t d = edit_distance(word, o.name);
        if (d < best_d) {
            best_d = d;
            best = o.name;
        }
    }
    return best;
}

core::expected<parsed_args, usage_error> parse(const command_spec& spec,
                                               std::span<const std::string> args) {
    using core::unexpected;
    parsed_args out;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_done || a.size() < 2 || a[0] != '-') {
            out.positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        if (a == "-h" || a == "--help") {
            out.help = true;
            continue;
        }
        if (a.rfind("--", 0) != 0) {
            return unexpected(
                usage_error{"unknown option " + a + " (options are spelled --name; see --help)"});
        }
        std::string name = a.substr(2);
        std::optional<std::string> value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        }
        const option_spec* o = find_option(spec, name);
        if (!o) {
            std::string msg = "unknown option --" + name;
            if (auto s = suggest(name, spec))
                msg += " (did you mean --" + *s + "?)";
            return unexpected(usage_error{msg});
        }
        if (out.has(name) && std::find(spec.repeatable.begin(), spec.repeatable.end(), name) ==
                                 spec.repeatable.end())
            return unexpected(usage_error{"--" + name + " is given twice"});
        if (o->value_name.empty()) {
            if (value)
                return unexpected(usage_error{"--" + name + " takes no value"});
            out.set(name, "");
            continue;
        }
        if (!value) {
            if (i + 1 >= args.size())
                return unexpected(
                    usage_error{"--" + name + " needs a value (" + o->value_name + ")"});
            value = args[++i];
        }
        if (!o->choices.empty() &&
            std::find(o->choices.begin(), o->choices.end(), *value) == o->choices.end()) {
            return unexpected(usage_error{"--" + name + " must be one of: " +
                                          join(o->choices, ", ") + " (got '" + *value + "')"});
        }
        out.set(name, *value);
    }
    return out;
}

std::string render_help(const command_spec& spec) {
    const std::string full = spec.name.empty() ? spec.program : spec.program + " " + spec.name;
    std::string out;
    out += "NAME\n    " + full + " - " + spec.summary + "\n\nSYNOPSIS\n";
    for (const auto& s : spec.synopsis) {
        // A line starting with a space continues the previous one under it.
        if (!s.empty() && s[0] == ' ') {
            out += "    " + std::string(spec.program.size(), ' ') + s + "\n";
        } else {
            out += "    " + spec.program + " " + s + "\n";
        }
    }
    if (!spec.description.empty())
        out += "\nDESCRIPTION\n" + wrap(spec.description, 4);
    out += "\nOPTIONS\n";
    std::vector<option_spec> options = spec.options;
    options.push_back({"help", "", "", "Print this help and exit.", {}});
    for (const auto& o : options) {
        out += "    --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name) + "\n";
        std::string text = o.help;
        if (!o.choices.empty())
            text += " One of: " + join(o.choices, ", ") + ".";
        if (!o.default_text.empty())
            text += " Default: " + o.default_text + ".";
        out += wrap(text, 8);
    }
    if (!spec.examples.empty()) {
        out += "\nEXAMPLES\n";
        for (const auto& e : spec.examples) {
            out += wrap(e.comment + ":", 4);
            out += "        " + e.command + "\n\n";
        }
        out.pop_back();
    }
    if (!spec.exit_status.empty()) {
        out += "\nEXIT STATUS\n";
        std::istringstream lines(spec.exit_status);
        std::string line;
        while (std::getline(lines, line)) out += "    " + line + "\n";
    }
    if (!spec.see_also.empty())
        out += "\nSEE ALSO\n" + wrap(spec.see_also, 4);
    return out;
}

}  // namespace esser::emulator::cli
