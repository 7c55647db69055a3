#pragma once
// A small command-line toolkit for esser-local's subcommands: each subcommand describes itself
// once (command_spec) and gets parsing, error messages and a man-page style --help from that
// one description, so every subcommand teaches the same way.
//
//   --name value, --name=value, and flags (--require-auth); -h / --help anywhere.
//   Errors are values with the message a user sees: "unknown option --prot (did you mean
//   --port?)", "--clock must be one of: real, manual (got 'fake')", "--port needs a value".

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "esser/core/expected.hpp"

namespace esser::emulator::cli {

struct option_spec {
    std::string name;                  // "port" for --port
    std::string value_name;            // "N", "FILE"; empty for a flag that takes no value
    std::string default_text;          // shown in --help ("8000"); empty: no default line
    std::string help;                  // what it does, in sentences
    std::vector<std::string> choices;  // a closed set of values, checked by parse()
};

struct example {
    std::string comment;  // "Serve on any free port and print it"
    std::string command;  // "esser-local serve --port 0"
};

struct command_spec {
    std::string program = "esser-local";
    std::string name;                   // "serve"; empty for the top-level command
    std::string summary;                // one line, for the command list
    std::vector<std::string> synopsis;  // usage lines without the program name
    std::string description;            // paragraphs separated by blank lines
    std::vector<option_spec> options;   // --help is implied
    std::vector<example> examples;
    std::string exit_status;  // the EXIT STATUS section, lines "N  meaning"
    std::string see_also;
    // Options that may be given more than once (--redact A --redact B); get_all() has them all.
    std::vector<std::string> repeatable;
};

class parsed_args {
public:
    bool help = false;  // -h or --help was given
    std::vector<std::string> positionals;

    bool has(std::string_view name) const;
    // The value given for --name, or nullopt (flags have the value "").
    std::optional<std::string> get(std::string_view name) const;
    std::string value_or(std::string_view name, std::string fallback) const;
    // Every value given for --name, in order (get() has the last one).
    std::vector<std::string> get_all(std::string_view name) const;

    void set(std::string name, std::string value);

private:
    std::map<std::string, std::string, std::less<>> values_;
    std::map<std::string, std::vector<std::string>, std::less<>> all_values_;
};

struct usage_error {
    std::string message;  // one line, without the program name
};

// Parses `args` (the words after the subcommand name) against `spec`. Positionals are kept in
// order; "--" ends option parsing.
core::expected<parsed_args, usage_error> parse(const command_spec& spec,
                                               std::span<const std::string> args);

// The --help text: NAME, SYNOPSIS, DESCRIPTION, OPTIONS (with defaults and choices),
// EXAMPLES, EXIT STATUS, SEE ALSO; wrapped at 80 columns.
std::string render_help(const command_spec& spec);

// The closest option name to `word` within a small edit distance, for "did you mean".
std::optional<std::string> suggest(std::string_view word, const command_spec& spec);

}  // namespace esser::emulator::cli
