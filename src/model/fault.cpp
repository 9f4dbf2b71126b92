#include "model/fault.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include "strata/error.hpp"

namespace strata {
namespace {

constexpr std::array<std::string_view, 7> kPhases{"open", "plan", "read", "exchange", "write", "commit", "close"};

struct Fault {
  std::string text;  // STRATA_FAULT as given
  bool valid = false;
  long rank = 0;
  std::size_t phase = 0;
  std::uint64_t pass = 0;
  std::array<std::atomic<std::uint64_t>, kPhases.size()> passes{};  // this rank's passes so far
};

Fault fault;

// The rank the launcher gave this process (the same numbering as MPI_COMM_WORLD), without MPI:
// this layer knows none.
long launcher_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "MV2_COMM_WORLD_RANK"})
    if (const char* value = std::getenv(name)) return std::atol(value);
  return 0;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [at, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && at == text.data() + text.size();
}

// Reads STRATA_FAULT once, while the library loads (before any thread exists).
bool arm() {
  const char* value = std::getenv("STRATA_FAULT");
  if (!value || !*value) return false;
  fault.text = value;
  std::string_view text = fault.text;
  const auto first = text.find(':');
  if (first == std::string_view::npos || !parse_number(text.substr(0, first), fault.rank)) return true;
  std::string_view rest = text.substr(first + 1);
  const auto second = rest.find(':');
  const std::string_view phase = rest.substr(0, second);
  if (second != std::string_view::npos && !parse_number(rest.substr(second + 1), fault.pass)) return true;
  for (std::size_t i = 0; i < kPhases.size(); ++i)
    if (kPhases[i] == phase) fault.phase = i, fault.valid = true;
  // Only the named rank pays for counting; a malformed value fails every rank alike.
  return !fault.valid || fault.rank == launcher_rank();
}

}  // namespace

namespace detail {

bool fault_armed = arm();

void inject_fault_slow(FaultPhase phase) {
  if (!fault.valid)
    throw Error("", "STRATA_FAULT='" + fault.text + "' is not RANK:PHASE[:N] with PHASE one of open, plan, read, "
                                                    "exchange, write, commit, close");
  const auto i = static_cast<std::size_t>(phase);
  if (i != fault.phase) return;
  if (fault.passes[i].fetch_add(1) != fault.pass) return;
  throw Error("", "injected fault in " + std::string(kPhases[i]) + " on rank " + std::to_string(fault.rank));
}

}  // namespace detail
}  // namespace strata
