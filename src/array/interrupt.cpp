#include "strata/interrupt.hpp"

#include <atomic>

namespace strata {
namespace {

// Lock-free, so that a signal handler may store it.
std::atomic<int> requested{0};
static_assert(std::atomic<int>::is_always_lock_free);

}  // namespace

void request_interrupt(int signal) noexcept { requested.store(signal, std::memory_order_relaxed); }

int interrupt_signal() noexcept { return requested.load(std::memory_order_relaxed); }

}  // namespace strata
