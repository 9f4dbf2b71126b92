#pragma once
// What the whole-file targets share: the fuzz input written to a file, opened with
// open_file and every chunk read through the driver, as exec would (single-threaded).
#include <cstddef>
#include <cstdint>
#include <string>

namespace strata::fuzz {

// Writes `data` to `file_name` in a private temporary folder, opens it and reads every
// chunk. strata::Error (a refused file) is the expected outcome for bad input and is
// swallowed; anything else propagates, so libFuzzer reports it.
void read_whole_file(const std::uint8_t* data, std::size_t size, const std::string& file_name);

}  // namespace strata::fuzz
