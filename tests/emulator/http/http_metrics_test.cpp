// Issue 6: /metrics in the Prometheus text format.
#include "esser/emulator/http/http_metrics.hpp"

#include <catch2/catch.hpp>

using namespace esser::emulator;

TEST_CASE("http_metrics renders counters, a cumulative histogram and gauges",
          "[emulator][http][http_metrics]") {
    http_metrics m;
    m.connection_opened("main");
    m.connection_opened("main");
    m.connection_closed("main");
    m.connection_refused("main");
    m.request_finished("main", "DynamoDB.PutItem", 200, 0.0004);
    m.request_finished("main", "DynamoDB.PutItem", 200, 0.003);
    m.request_finished("main", "DynamoDB.PutItem", 400, 20.0);
    m.timed_out("main", "header");
    m.protocol_error("main", "body_too_large");
    const std::string t = m.render_prometheus();
    auto has = [&](const std::string& line) {
        INFO(line);
        CHECK(t.find(line + "\n") != std::string::npos);
    };
    has("# TYPE esser_http_requests_total counter");
    has("esser_http_requests_total{server=\"main\",operation=\"DynamoDB.PutItem\",status=\"200\"}"
        " 2");
    has("esser_http_requests_total{server=\"main\",operation=\"DynamoDB.PutItem\",status=\"400\"}"
        " 1");
    has("# TYPE esser_http_request_duration_seconds histogram");
    has("esser_http_request_duration_seconds_bucket{server=\"main\",operation=\"DynamoDB.PutItem\","
        "le=\"0.0001\"} 0");
    has("esser_http_request_duration_seconds_bucket{server=\"main\",operation=\"DynamoDB.PutItem\","
        "le=\"0.0005\"} 1");
    has("esser_http_request_duration_seconds_bucket{server=\"main\",operation=\"DynamoDB.PutItem\","
        "le=\"0.005\"} 2");
    has("esser_http_request_duration_seconds_bucket{server=\"main\",operation=\"DynamoDB.PutItem\","
        "le=\"10\"} 2");
    has("esser_http_request_duration_seconds_bucket{server=\"main\",operation=\"DynamoDB.PutItem\","
        "le=\"+Inf\"} 3");
    has("esser_http_request_duration_seconds_count{server=\"main\",operation=\"DynamoDB.PutItem\"}"
        " 3");
    has("esser_http_connections_open{server=\"main\"} 1");
    has("esser_http_connections_accepted_total{server=\"main\"} 2");
    has("esser_http_connections_refused_total{server=\"main\"} 1");
    has("esser_http_timeouts_total{server=\"main\",phase=\"header\"} 1");
    has("esser_http_protocol_errors_total{server=\"main\",kind=\"body_too_large\"} 1");
    CHECK(m.requests("DynamoDB.PutItem", 200) == 2);
    CHECK(m.open_connections() == 1);
}

TEST_CASE("http_metrics escapes label values", "[emulator][http][http_metrics]") {
    http_metrics m;
    m.request_finished("s", "a\"b\\c\nd", 200, 0.1);
    CHECK(m.render_prometheus().find("operation=\"a\\\"b\\\\c\\nd\"") != std::string::npos);
}
