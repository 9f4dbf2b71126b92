#include "strata/chunk.hpp"

namespace strata {

std::uint64_t ChunkRef::stored_bytes() const noexcept {
  std::uint64_t n = 0;
  for (const auto& s : segments) n += s.size;
  return n;
}

}  // namespace strata
