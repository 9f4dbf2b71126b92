// What read -o and reduce -o share: how a conversion runs under the CLI.
#include <signal.h>

#include "commands.hpp"
#include "strata/strata.hpp"

namespace strata::cli {
namespace {

// The first SIGINT or SIGTERM asks the conversion to stop at its next window (every rank
// then abandons the output: strata/interrupt.hpp); a second one ends the process at once.
// Async-signal-safe: an atomic store, or signal() and raise().
extern "C" void on_stop_signal(int signal) {
  if (interrupt_signal() == 0) {
    request_interrupt(signal);
    return;
  }
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

// Installs on_stop_signal for SIGINT and SIGTERM while it lives; reads and gathers keep the
// default (they have nothing to clean up).
class StopOnSignals {
 public:
  StopOnSignals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // library calls go on; the flag is checked between windows
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopOnSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace

WriteStats run_write(const std::function<WriteStats()>& write) {
  const StopOnSignals stop;
  try {
    return write();
  } catch (const Error& e) {
    // The library names its own option (WriteOptions::overwrite); here that option is --force.
    constexpr std::string_view kOption = "WriteOptions::overwrite";
    std::string cause = e.cause();
    if (const auto at = cause.find(kOption); at != std::string::npos) cause.replace(at, kOption.size(), "--force");
    throw Error(e.context(), std::move(cause));
  }
}

}  // namespace strata::cli
