#pragma once
// A scripted Lambda Runtime API (spec/streams-and-lambda.md §5.2) on 127.0.0.1 for runtime tests:
// /next hands out queued invocations in order (HTTP 500 once the queue is empty, which a runtime
// must treat as fatal); posts are recorded and answered with 202 unless a status is scripted for
// that request id. Independent of esser-local's Runtime API server, so the runtime is checked
// against the documented wire contract, not against our own emulator only.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/support/test_http_server.hpp"

namespace esser::testing {

struct queued_invocation {
    std::string request_id;
    std::string payload;
    std::optional<std::string> deadline_ms = std::string("4102444800000");  // 2100-01-01
    std::string trace_id =
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    std::string function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
};

struct recorded_post {
    std::string target;
    std::string error_type;  // Lambda-Runtime-Function-Error-Type, empty when absent
    std::string body;
};

class fake_runtime_api {
public:
    fake_runtime_api()
        : server_([this](const adapters::http_request& r) { return on_request(r); }) {}

    void enqueue(queued_invocation q) {
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(q));
    }

    // Answer posts about `request_id` with `status` (e.g. 413, 500).
    void script_post_status(std::string request_id, int status) {
        std::lock_guard lock(mu_);
        post_status_[std::move(request_id)] = status;
    }

    std::vector<recorded_post> posts() const {
        std::lock_guard lock(mu_);
        return posts_;
    }

    // "127.0.0.1:<port>", as AWS_LAMBDA_RUNTIME_API.
    std::string address() const { return "127.0.0.1:" + std::to_string(server_.port()); }

private:
    test_reply on_request(const adapters::http_request& r) {
        std::lock_guard lock(mu_);
        test_reply rep;
        rep.crc32 = false;
        if (r.method == "GET" && r.target == "/2018-06-01/runtime/invocation/next") {
            if (next_ >= queue_.size()) {
                rep.status = 500;
                rep.body = R"({"errorMessage":"no more invocations","errorType":"Test.Exhausted"})";
                return rep;
            }
            const queued_invocation& q = queue_[next_++];
            rep.status = 200;
            if (!q.request_id.empty())
                rep.headers.add("Lambda-Runtime-Aws-Request-Id", q.request_id);
            if (q.deadline_ms)
                rep.headers.add("Lambda-Runtime-Deadline-Ms", *q.deadline_ms);
            rep.headers.add("Lambda-Runtime-Invoked-Function-Arn", q.function_arn);
            rep.headers.add("Lambda-Runtime-Trace-Id", q.trace_id);
            rep.body = q.payload;
            return rep;
        }
        if (r.method != "POST") {
            rep.status = 405;
            return rep;
        }
        recorded_post p;
        p.target = r.target;
        if (const std::string* t = r.headers.find("Lambda-Runtime-Function-Error-Type"))
            p.error_type = *t;
        p.body = r.body;
        posts_.push_back(p);
        rep.status = 202;
        for (const auto& [id, status] : post_status_) {
            if (r.target.find("/invocation/" + id + "/") != std::string::npos)
                rep.status = status;
        }
        rep.body = R"({"status":"OK"})";
        return rep;
    }

    mutable std::mutex mu_;
    std::vector<queued_invocation> queue_;
    std::size_t next_ = 0;
    std::map<std::string, int> post_status_;
    std::vector<recorded_post> posts_;
    test_http_server server_;  // last: stops before the state it uses goes away
};

}  // namespace esser::testing
