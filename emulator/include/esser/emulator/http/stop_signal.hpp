#pragma once

// Waiting for SIGINT/SIGTERM without including Asio in the caller (esser-local serve).

namespace esser::emulator {

// Blocks the calling thread until SIGINT or SIGTERM arrives and returns its number. While it
// waits the signals are caught (the process does not die); once it returns the default
// disposition is back, so a second Ctrl-C during a slow shutdown ends the process.
int wait_for_stop_signal();

}  // namespace esser::emulator
