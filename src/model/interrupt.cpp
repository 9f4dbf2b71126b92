#include "strata/interrupt.hpp"

#include <string.h>

#include <atomic>

#include "model/interrupted.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

// Lock-free, so that a signal handler may store it.
std::atomic<int> requested{0};
static_assert(std::atomic<int>::is_always_lock_free);

}  // namespace

void request_interrupt(int signal) noexcept { requested.store(signal, std::memory_order_relaxed); }

int interrupt_signal() noexcept { return requested.load(std::memory_order_relaxed); }

std::string signal_name(int signal) {
  const char* abbreviation = ::sigabbrev_np(signal);
  return abbreviation ? std::string("SIG") + abbreviation : "signal " + std::to_string(signal);
}

void stop_if_interrupted() {
  if (const int signal = interrupt_signal()) throw Error("", "interrupted (" + signal_name(signal) + ")");
}

}  // namespace strata
