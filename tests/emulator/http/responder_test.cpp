// Issue 6: the responder contract other areas rely on for asynchronous handlers (the Lambda
// Runtime API long-poll parks one).
#include "esser/emulator/http/responder.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using namespace esser::emulator;

TEST_CASE("responder delivers the first answer only", "[emulator][http][responder]") {
    int delivered = 0;
    int status = 0;
    responder r([&](http_response res) {
        ++delivered;
        status = res.status;
    });
    responder copy = r;
    CHECK(r.send(http_response::empty(201)));
    CHECK_FALSE(copy.send(http_response::empty(500)));
    CHECK(delivered == 1);
    CHECK(status == 201);
    CHECK(copy.done());
    CHECK_FALSE(copy.cancelled());
}

TEST_CASE("responder answers 500 when its last copy is dropped unanswered",
          "[emulator][http][responder]") {
    int status = 0;
    {
        responder r([&](http_response res) { status = res.status; });
        responder copy = r;
        { responder moved = std::move(copy); }
        CHECK(status == 0);  // a copy still lives
    }
    CHECK(status == 500);
}

TEST_CASE("responder cancellation runs on_cancel once and refuses later answers",
          "[emulator][http][responder]") {
    int delivered = 0;
    responder r([&](http_response) { ++delivered; });
    int cancels = 0;
    r.on_cancel([&] { ++cancels; });
    auto cancel = r.canceller();
    cancel();
    cancel();
    CHECK(cancels == 1);
    CHECK(r.cancelled());
    CHECK_FALSE(r.send(http_response::empty(200)));
    // Registering after the fact runs at once.
    bool late = false;
    r.on_cancel([&] { late = true; });
    CHECK(late);
    CHECK(delivered == 0);
}

TEST_CASE("responder canceller does not keep a request answerable", "[emulator][http][responder]") {
    int status = 0;
    std::function<void()> cancel;
    {
        responder r([&](http_response res) { status = res.status; });
        cancel = r.canceller();
    }
    CHECK(status == 500);  // dropped, although the canceller lives
    cancel();              // harmless afterwards
}

TEST_CASE("responder answered from many threads delivers exactly once",
          "[emulator][http][responder]") {
    for (int round = 0; round < 20; ++round) {
        std::atomic<int> delivered{0};
        responder r([&](http_response) { ++delivered; });
        std::atomic<int> wins{0};
        std::vector<std::thread> ts;
        for (int i = 0; i < 4; ++i) {
            ts.emplace_back([&, i] {
                if (i == 3) {
                    r.canceller()();
                } else if (r.send(http_response::empty(200))) {
                    ++wins;
                }
            });
        }
        for (auto& t : ts) t.join();
        CHECK(wins <= 1);
        CHECK(delivered == wins);
    }
}
