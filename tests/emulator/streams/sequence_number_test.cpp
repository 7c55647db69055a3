// Covers issue 4 (sequence numbers, spec/streams-and-lambda.md §1.3, §6 item 6): numbers of
// different lengths must compare as integers, never as strings.
#include "esser/emulator/streams/sequence_number.hpp"

#include <random>

#include <catch2/catch.hpp>

using esser::emulator::compare_sequence_numbers;
using esser::emulator::sequence_number;

TEST_CASE("sequence_number formats prefix and a 20-digit counter like AWS's numbers",
          "[emulator][streams][sequence_number]") {
    CHECK(sequence_number::make(4, 24465870661).to_string() == "400000000024465870661");
    CHECK(sequence_number::make(8, 3126276362).to_string() == "800000000003126276362");
    CHECK(sequence_number::make(40, 1).to_string() == "4000000000000000000001");
    CHECK(sequence_number::make(400000000000000000ULL, 18446744073709551615ULL).to_string() ==
          "40000000000000000018446744073709551615");
    CHECK(sequence_number().to_string() == "0");
}

TEST_CASE("sequence_number parses digits only and round-trips",
          "[emulator][streams][sequence_number]") {
    for (const char* text :
         {"0", "7", "400000000024465870661", "20500000000000000910398", "2574600000000000000935255",
          "9999999999999999999999999999999999999999", "18446744073709551616",
          "10000000000000000000"}) {
        auto s = sequence_number::parse(text);
        REQUIRE(s);
        CHECK(s->to_string() == text);
    }
    CHECK(sequence_number::parse("000123")->to_string() == "123");
    for (const char* bad : {"", "-1", "+1", "1.0", "12a", " 1", "1 ", "0x10", "１"}) {
        CHECK_FALSE(sequence_number::parse(bad));
    }
    CHECK_FALSE(sequence_number::parse(std::string(58, '9')));
    CHECK(sequence_number::parse(std::string(57, '9')));
}

TEST_CASE("sequence numbers compare as integers whatever their length",
          "[emulator][streams][sequence_number]") {
    // Lexically "9..." > "4000..."; numerically it is the other way round (Alternator #7424).
    CHECK((compare_sequence_numbers("900000000000000000001", "4000000000000000000001") < 0));
    CHECK((compare_sequence_numbers("4000000000000000000001", "900000000000000000001") > 0));
    CHECK((compare_sequence_numbers("400000000024465870661", "400000000024465870661") == 0));
    CHECK((compare_sequence_numbers("00012", "12") == 0));
    CHECK((compare_sequence_numbers("abc", "12") == std::partial_ordering::unordered));
    CHECK(sequence_number::make(4, 99) < sequence_number::make(40, 1));
    CHECK(sequence_number::make(4, 5) < sequence_number::make(4, 6));
}

TEST_CASE("sequence number order matches integer order on random values",
          "[emulator][streams][sequence_number]") {
    // Reference: compare digit strings without leading zeros by length, then bytewise.
    auto reference = [](std::string a, std::string b) {
        a.erase(0, std::min(a.find_first_not_of('0'), a.size() - 1));
        b.erase(0, std::min(b.find_first_not_of('0'), b.size() - 1));
        if (a.size() != b.size())
            return a.size() < b.size() ? -1 : 1;
        return a < b ? -1 : (a > b ? 1 : 0);
    };
    std::mt19937_64 rng(7);
    auto digits = [&] {
        std::string s(1 + rng() % 40, '0');
        for (auto& c : s) c = static_cast<char>('0' + rng() % 10);
        if (rng() % 4 == 0)
            s[0] = '0';
        return s;
    };
    for (int i = 0; i < 2000; ++i) {
        const auto a = digits();
        const auto b = rng() % 8 == 0 ? a : digits();
        const auto ord = compare_sequence_numbers(a, b);
        const int expected = reference(a, b);
        INFO(a << " vs " << b);
        CHECK((ord < 0) == (expected < 0));
        CHECK((ord == 0) == (expected == 0));
        CHECK((ord > 0) == (expected > 0));
    }
}
