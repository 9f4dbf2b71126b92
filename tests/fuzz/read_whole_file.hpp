#pragma once
// What the whole-file targets share: the fuzz input written to a file, opened with
// open_file and every chunk read through the driver, as exec would (single-threaded).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace strata::fuzz {

// This process's private temporary folder (created on first use), so that what an input
// names (an OME-XML FileName, a Zarr chunk key) cannot reach other files.
const std::filesystem::path& scratch_folder();

// Opens `path` with open_file and reads every chunk of at most 64 MiB. strata::Error is
// swallowed (a refused input); anything else propagates.
void read_path(const std::filesystem::path& path);

// Writes `data` to `file_name` in a private temporary folder, opens it and reads every
// chunk. strata::Error (a refused file) is the expected outcome for bad input and is
// swallowed; anything else propagates, so libFuzzer reports it.
void read_whole_file(const std::uint8_t* data, std::size_t size, const std::string& file_name);

}  // namespace strata::fuzz
