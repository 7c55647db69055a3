// esser-test-runtime: a small custom runtime for the Lambda tests (issue 5), speaking the
// Lambda Runtime API 2018-06-01 the way a real `bootstrap` does: loop on GET
// /runtime/invocation/next, answer with POST .../response or .../error. Plain POSIX sockets and
// a keep-alive connection, so it depends on nothing of esser's.
//
// Init behaviour (argv):
//   --init-error          POST /runtime/init/error, then wait to be killed
//   --exit-at-init N      exit with status N before the first /next
//   --print-init TEXT     print TEXT on stdout during init
//   --garbage-at-init     send bytes that are not HTTP to the Runtime API, then wait
// Invocation behaviour: the event's "action" field:
//   (none) / "echo"  respond {"echo": event, "pid", "request_id", "deadline_ms", "function_arn",
//                    "trace_id", "client_context", "env": {...}, "invocations": n}
//   "error"          POST .../error {"errorMessage":"boom","errorType":"TestError",...}
//   "exit"           _exit(event.code)
//   "kill"           SIGKILL itself (a crash)
//   "hang"           never answers
//   "print"          print event.lines to stdout and event.errlines to stderr, then echo
//   "raw"            respond event.body as is (need not be JSON)
//   "big"            respond event.size bytes of JSON string
//   "probe"          misuse the API (unknown id, init error after init, /next while busy) and
//                    respond the statuses; then respond a second time and print that status
//   "garbage"        send non-HTTP bytes on a fresh connection, then hang
//   "sleep"          sleep event.ms, then echo
//   "respond-exit"   echo, then exit(0) before the next /next (dies between invocations)

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using nlohmann::json;

struct reply {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
};

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

class client {
public:
    explicit client(std::string authority) {
        const auto colon = authority.rfind(':');
        host_ = authority.substr(0, colon);
        port_ = std::atoi(authority.c_str() + colon + 1);
    }

    reply request(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& extra_headers = {}) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (fd_ < 0 && !connect_now())
                break;
            std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + host_ +
                              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
                              extra_headers + "\r\n" + body;
            reply r;
            if (send_all(req) && read_reply(r))
                return r;
            close_now();  // a kept-alive connection the server closed: retry once
        }
        std::fprintf(stderr, "test-runtime: %s %s failed\n", method.c_str(), path.c_str());
        std::exit(70);
    }

    // Writes raw bytes on a fresh connection (garbage).
    void send_raw(const std::string& bytes) {
        client other(host_ + ":" + std::to_string(port_));
        if (other.connect_now())
            other.send_all(bytes);
        other.leak();
    }

private:
    bool connect_now() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port_));
        ::inet_pton(AF_INET, host_.c_str(), &a.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close_now();
            return false;
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return true;
    }

    void close_now() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
        buf_.clear();
    }

    void leak() { fd_ = -1; }  // keep the garbage connection open until we die

    bool send_all(const std::string& s) {
        std::size_t off = 0;
        while (off < s.size()) {
            const ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }

    bool fill() {
        char tmp[65536];
        for (;;) {
            const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            buf_.append(tmp, static_cast<std::size_t>(n));
            return true;
        }
    }

    bool read_reply(reply& r) {
        std::size_t end;
        while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
            if (!fill())
                return false;
        const std::string head = buf_.substr(0, end);
        buf_.erase(0, end + 4);
        std::size_t line_end = head.find("\r\n");
        const std::string status_line = head.substr(0, line_end);
        r.status = std::atoi(status_line.c_str() + status_line.find(' ') + 1);
        std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
            auto next = head.find("\r\n", pos);
            if (next == std::string::npos)
                next = head.size();
            const std::string line = head.substr(pos, next - pos);
            const auto colon = line.find(':');
            if (colon != std::string::npos) {
                std::string v = line.substr(colon + 1);
                while (!v.empty() && v.front() == ' ') v.erase(0, 1);
                r.headers[lower(line.substr(0, colon))] = v;
            }
            pos = next + 2;
        }
        const std::size_t length = std::strtoul(r.headers["content-length"].c_str(), nullptr, 10);
        while (buf_.size() < length)
            if (!fill())
                return false;
        r.body = buf_.substr(0, length);
        buf_.erase(0, length);
        if (lower(r.headers["connection"]) == "close")
            close_now();
        return true;
    }

    std::string host_;
    int port_ = 0;
    int fd_ = -1;
    std::string buf_;
};

const char* env_or(const char* name, const char* fallback = "") {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}

json environment_snapshot() {
    json env = json::object();
    for (const char* name : {"_HANDLER",
                             "AWS_REGION",
                             "AWS_DEFAULT_REGION",
                             "AWS_LAMBDA_FUNCTION_NAME",
                             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                             "AWS_LAMBDA_FUNCTION_VERSION",
                             "AWS_LAMBDA_INITIALIZATION_TYPE",
                             "AWS_LAMBDA_LOG_GROUP_NAME",
                             "AWS_LAMBDA_LOG_STREAM_NAME",
                             "AWS_ACCESS_KEY_ID",
                             "AWS_SECRET_ACCESS_KEY",
                             "AWS_SESSION_TOKEN",
                             "AWS_LAMBDA_RUNTIME_API",
                             "LAMBDA_TASK_ROOT",
                             "LAMBDA_RUNTIME_DIR",
                             "AWS_EXECUTION_ENV",
                             "LANG",
                             "TZ",
                             "PATH",
                             "AWS_ENDPOINT_URL",
                             "USER_VAR",
                             "HOME"}) {
        if (const char* v = std::getenv(name))
            env[name] = v;
    }
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd))
        env["cwd"] = cwd;
    return env;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string api = env_or("AWS_LAMBDA_RUNTIME_API");
    if (api.empty()) {
        std::fprintf(stderr, "test-runtime: AWS_LAMBDA_RUNTIME_API is not set\n");
        return 64;
    }
    client c(api);
    const std::string base = "/2018-06-01/runtime";

    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--init-error") {
            c.request(
                "POST", base + "/init/error",
                R"({"errorMessage":"cannot load handler","errorType":"Runtime.TestInitError"})",
                "Lambda-Runtime-Function-Error-Type: Runtime.TestInitError\r\n");
            for (;;) ::pause();
        } else if (a == "--exit-at-init" && i + 1 < argc) {
            std::fprintf(stderr, "test-runtime: exiting at init\n");
            std::fflush(stderr);
            ::_exit(std::atoi(argv[++i]));
        } else if (a == "--print-init" && i + 1 < argc) {
            std::printf("%s\n", argv[++i]);
            std::fflush(stdout);
        } else if (a == "--garbage-at-init") {
            c.send_raw("\x01\x02 this is not HTTP at all \r\n\r\n");
            for (;;) ::pause();
        }
    }

    int invocations = 0;
    for (;;) {
        reply next = c.request("GET", base + "/invocation/next");
        if (next.status != 200) {
            std::fprintf(stderr, "test-runtime: /next answered %d: %s\n", next.status,
                         next.body.c_str());
            return 71;
        }
        ++invocations;
        const std::string id = next.headers["lambda-runtime-aws-request-id"];
        json event = json::parse(next.body, nullptr, false);
        const std::string action =
            event.is_object() ? event.value("action", std::string("echo")) : std::string("echo");
        const std::string respond = base + "/invocation/" + id + "/response";

        auto echo = [&] {
            json out = {{"echo", event.is_discarded() ? json(next.body) : event},
                        {"pid", ::getpid()},
                        {"request_id", id},
                        {"deadline_ms", next.headers["lambda-runtime-deadline-ms"]},
                        {"function_arn", next.headers["lambda-runtime-invoked-function-arn"]},
                        {"trace_id", next.headers["lambda-runtime-trace-id"]},
                        {"client_context", next.headers["lambda-runtime-client-context"]},
                        {"env", environment_snapshot()},
                        {"invocations", invocations}};
            c.request("POST", respond, out.dump());
        };

        if (action == "error") {
            c.request("POST", base + "/invocation/" + id + "/error",
                      R"({"errorMessage":"boom","errorType":"TestError","stackTrace":["at test"]})",
                      "Lambda-Runtime-Function-Error-Type: TestError\r\n");
        } else if (action == "exit") {
            std::printf("exiting with %d\n", event.value("code", 0));
            std::fflush(stdout);
            ::_exit(event.value("code", 0));
        } else if (action == "kill") {
            ::kill(::getpid(), SIGKILL);
        } else if (action == "hang") {
            for (;;) ::pause();
        } else if (action == "print") {
            for (const auto& l : event.value("lines", json::array()))
                std::printf("%s\n", l.get<std::string>().c_str());
            for (const auto& l : event.value("errlines", json::array()))
                std::fprintf(stderr, "%s\n", l.get<std::string>().c_str());
            std::fflush(stdout);
            std::fflush(stderr);
            echo();
        } else if (action == "raw") {
            c.request("POST", respond, event.value("body", std::string()));
        } else if (action == "big") {
            const std::size_t n = event.value("size", std::size_t(0));
            c.request("POST", respond, "\"" + std::string(n > 2 ? n - 2 : 0, 'x') + "\"");
        } else if (action == "probe") {
            json out;
            out["bogus_id"] =
                c.request("POST", base + "/invocation/not-a-request/response", "1").status;
            out["init_error_after_init"] =
                c.request("POST", base + "/init/error", R"({"errorMessage":"late"})").status;
            out["next_while_busy"] = c.request("GET", base + "/invocation/next").status;
            out["first_response"] = c.request("POST", respond, out.dump()).status;
            const int second = c.request("POST", respond, "2").status;
            std::printf("second response answered %d\n", second);
            std::fflush(stdout);
        } else if (action == "garbage") {
            c.send_raw("GARBAGE\x7f\x01\r\n\r\n");
            for (;;) ::pause();
        } else if (action == "respond-exit") {
            echo();
            ::_exit(0);
        } else if (action == "sleep") {
            std::this_thread::sleep_for(std::chrono::milliseconds(event.value("ms", 0)));
            echo();
        } else {
            echo();
        }
    }
}
