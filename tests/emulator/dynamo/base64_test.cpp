// Issue 3: B and BS values are canonical base64 on the wire (spec/dynamodb-api.md §2.1).
#include "esser/emulator/dynamo/base64.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;

TEST_CASE("base64 round-trips every length and byte value", "[emulator][dynamo][base64]") {
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        CAPTURE(i);
        const std::string text = base64_encode(bytes);
        CHECK(text.size() % 4 == 0);
        auto back = base64_decode(text);
        REQUIRE(back.has_value());
        CHECK(*back == bytes);
        bytes.push_back(static_cast<char>((i * 37 + 11) & 0xFF));
    }
    CHECK(base64_encode("b") == "Yg==");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 decoding rejects non-canonical text", "[emulator][dynamo][base64]") {
    CHECK_FALSE(base64_decode("Yg=").has_value());       // length
    CHECK_FALSE(base64_decode("Yh==").has_value());      // unused bits set
    CHECK_FALSE(base64_decode("Zm9=").has_value());      // unused bits set (2 bytes)
    CHECK_FALSE(base64_decode("Y!==").has_value());      // alphabet
    CHECK_FALSE(base64_decode("Y===").has_value());      // too much padding
    CHECK_FALSE(base64_decode("Yg==Yg==").has_value());  // padding in the middle
    CHECK_FALSE(base64_decode("Zm9v YmFy").has_value());
    CHECK(base64_decode("").value() == "");
}

TEST_CASE("base64_valid agrees with base64_decode", "[emulator][dynamo][base64]") {
    for (std::string t : {"", "Yg==", "Yh==", "Zm9v", "Zm9=", "Zm8=", "Y!==", "Y===", "Yg==Yg==",
                          "abc", "AAAA", "////", "+/+/"}) {
        CAPTURE(t);
        CHECK(base64_valid(t) == base64_decode(t).has_value());
    }
}
