// Uses a few public APIs of esser::core and esser::adapters through the installed headers and
// libraries; exits non-zero (with a message) if any of them misbehaves.
#include <cstdio>

#include "esser/adapters/http/url.hpp"
#include "esser/core/clock.hpp"

int main() {
    auto t = esser::core::parse_rfc3339("2026-01-02T03:04:05.678Z");
    if (!t) {
        std::fprintf(stderr, "consumer: parse_rfc3339 failed: %s\n", t.error().message.c_str());
        return 1;
    }
    esser::core::manual_clock clock(*t);
    clock.advance(std::chrono::seconds(2));
    const auto text = esser::core::format_rfc3339_ms(clock.now());
    if (text != "2026-01-02T03:04:07.678Z") {
        std::fprintf(stderr, "consumer: manual_clock gave %s\n", text.c_str());
        return 1;
    }
    auto endpoint = esser::adapters::url::parse("http://127.0.0.1:8000");
    if (!endpoint || endpoint->port != 8000) {
        std::fprintf(stderr, "consumer: url::parse failed\n");
        return 1;
    }
    std::printf("consumer: esser::core and esser::adapters work from the installed package\n");
    return 0;
}
