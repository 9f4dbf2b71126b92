#pragma once
// Stopping a conversion from a signal handler. strata installs no signal handler itself: an
// application (the CLI does, for SIGINT and SIGTERM) calls request_interrupt from its own.
// Work in progress then stops at its next chunk read (each decode thread asks before every
// chunk), on every rank, with one strata::Error: a read or reduction says "FILE: ...:
// interrupted (SIGTERM)"; a conversion (Array::write, Expression::write) stops at its next
// chunk or window with "OUT: interrupted (SIGTERM)" and removes the output's temporary, so
// nothing is left at OUT or beside it.
namespace strata {

// Async-signal-safe. Asks the reads and conversions of this process to stop; `signal` names
// why (the message). Sticky: one started later stops at its first chunk, until
// request_interrupt(0) withdraws the request.
void request_interrupt(int signal) noexcept;

// The signal given to request_interrupt, or 0 when none was.
int interrupt_signal() noexcept;

}  // namespace strata
