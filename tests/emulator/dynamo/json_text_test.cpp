// Issue 6 (Query of 100 events over HTTP): json_text::padded_string copies plain ASCII text 16
// bytes at a time, reading up to 15 bytes past the text. It must write exactly what string()
// (and so nlohmann's dump()) writes for every string: plain, escaped, control characters, DEL,
// valid and invalid UTF-8, at every length around the 16-byte blocks, and a special byte at
// every position of a block.
#include "esser/emulator/dynamo/json_text.hpp"

#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace {

using esser::emulator::json_text;

std::string dumped(const std::string& s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// padded_string(s) with s inside a larger buffer whose following bytes are `filler`, after an
// existing prefix of the output.
std::string padded(const std::string& s, char filler) {
    std::string source = s + std::string(16, filler);
    std::string out = "prefix";
    {
        json_text text(out);
        text.padded_string(std::string_view(source.data(), s.size()));
        text.raw('|');
    }
    return out;
}

std::string plain(const std::string& s) {
    std::string out = "prefix";
    {
        json_text text(out);
        text.string(s);
        text.raw('|');
    }
    return out;
}

}  // namespace

TEST_CASE("padded_string writes what string() and dump() write", "[emulator][dynamo][json_text]") {
    std::vector<std::string> cases;
    for (std::size_t n = 0; n <= 50; ++n) {
        std::string s;
        for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + i % 26));
        cases.push_back(s);
        // A byte that needs care at every position.
        for (std::size_t at = 0; at < n; ++at) {
            for (char c : {'"', '\\', '\n', '\x01', '\x1f', '\x7f', '\xc3'}) {
                std::string t = s;
                t[at] = c;
                cases.push_back(t);
            }
        }
    }
    cases.push_back(
        "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad and some more text");
    cases.push_back("bad \xc3 byte \xed\xa0\x80 surrogate, long enough for two blocks");
    cases.push_back(std::string(1, '\0') + "nul first");
    cases.push_back("0123456789abcdef0123456789abcdef");  // exactly two blocks
    for (const auto& s : cases) {
        for (char filler : {'\0', '"', 'x', '\x80'}) {
            INFO("string: " << nlohmann::json(s).dump(-1, ' ', true,
                                                      nlohmann::json::error_handler_t::replace));
            const std::string a = padded(s, filler);
            CHECK(a == plain(s));
            CHECK(a == "prefix" + dumped(s) + "|");
        }
    }
}

TEST_CASE("padded_string writes random strings as dump() does", "[emulator][dynamo][json_text]") {
    std::mt19937 rng(7);
    const std::string alphabet = std::string("abcXYZ09 /{}:,\"\\\t\n\r\b\f\x01\x1f\x7f") +
                                 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff";
    for (int k = 0; k < 2000; ++k) {
        std::string s;
        const auto n = std::uniform_int_distribution<int>(0, 70)(rng);
        const bool ascii = k % 2 == 0;  // half plain ASCII: the fast path's whole run
        for (int i = 0; i < n; ++i) {
            s.push_back(ascii
                            ? static_cast<char>(std::uniform_int_distribution<int>(0x20, 0x7e)(rng))
                            : alphabet[std::uniform_int_distribution<std::size_t>(
                                  0, alphabet.size() - 1)(rng)]);
        }
        CHECK(padded(s, 'x') == "prefix" + dumped(s) + "|");
    }
}
