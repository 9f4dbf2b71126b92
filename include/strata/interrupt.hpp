#pragma once
// Stopping a conversion from a signal handler. strata installs no signal handler itself: an
// application (the CLI does, for SIGINT and SIGTERM) calls request_interrupt from its own.
// A conversion in progress (Array::write, Expression::write) then stops at its next window:
// every rank throws the same strata::Error, "OUT: interrupted (SIGTERM)", and the output's
// temporary is removed, so nothing is left at OUT or beside it.
namespace strata {

// Async-signal-safe. Asks the conversions of this process to stop; `signal` names why (the
// message). Sticky: a conversion started later stops at its first window, until
// request_interrupt(0) withdraws the request.
void request_interrupt(int signal) noexcept;

// The signal given to request_interrupt, or 0 when none was.
int interrupt_signal() noexcept;

}  // namespace strata
