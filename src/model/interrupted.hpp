#pragma once
// Where work in progress stops for strata::request_interrupt (include/strata/interrupt.hpp).
#include <string>

namespace strata {

// "SIGTERM"; "signal N" for a number without a name.
std::string signal_name(int signal);

// Throws strata::Error("interrupted (SIGTERM)") once an interrupt was requested. Every chunk
// read asks (Driver::read_chunk), so a read or a conversion stops within a chunk per thread;
// the read's agreement carries the error to every rank.
void stop_if_interrupted();

}  // namespace strata
