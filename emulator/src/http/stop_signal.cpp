#include "esser/emulator/http/stop_signal.hpp"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace esser::emulator {

int wait_for_stop_signal() {
    boost::asio::io_context ioc(1);
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    int received = 0;
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (!ec)
            received = sig;
    });
    ioc.run();
    // Destroying the signal_set restores the default disposition (Asio resets a signal to
    // SIG_DFL when its last registration goes), so a second Ctrl-C ends the process.
    return received;
}

}  // namespace esser::emulator
