#include "adapters/support/esser_local_process.hpp"

namespace esser::testing {

esser_local_process esser_local_process::start(const std::vector<std::string>& flags,
                                               const std::vector<std::string>& extra_env) {
    std::vector<std::string> argv{ESSER_LOCAL_PATH, "serve", "--port", "0", "--log-level", "warn"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    // The banner's first line: "esser-local <version> listening on <url>".
    const std::string marker = " listening on ";
    std::string line;
    esser_local_process p;
    p.process = server_process::start(
        argv,
        [&](const std::string& l) {
            return l.rfind("esser-local ", 0) == 0 && l.find(marker) != std::string::npos;
        },
        std::chrono::seconds(20), line, extra_env);
    p.url = line.substr(line.find(marker) + marker.size());
    return p;
}

}  // namespace esser::testing
