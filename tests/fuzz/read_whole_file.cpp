#include "read_whole_file.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "strata/box.hpp"
#include "strata/buffer.hpp"
#include "strata/driver.hpp"
#include "strata/dtype.hpp"
#include "strata/error.hpp"

namespace strata::fuzz {
namespace {

namespace fs = std::filesystem;

// A chunk larger than this is not decoded: a tiny input may legally describe a huge
// sparse or compressed array, and allocating it would only exercise the allocator.
constexpr std::int64_t kMaxChunkBytes = std::int64_t{64} << 20;

void read_every_chunk(const Driver& driver) {
  const DType dtype = driver.info().dtype;
  for (const ChunkRef& chunk : driver.chunks().chunks) {
    const std::int64_t count = chunk.box.count();
    if (count > kMaxChunkBytes / static_cast<std::int64_t>(size_of(dtype))) continue;
    Buffer buffer(static_cast<std::size_t>(count) * size_of(dtype));
    driver.read_chunk(chunk, chunk.box, View::contiguous(buffer.data(), dtype, chunk.box.shape()));
  }
}

}  // namespace

const fs::path& scratch_folder() {
  static const fs::path folder = [] {
    std::string name = (fs::temp_directory_path() / "strata-fuzz-XXXXXX").string();
    if (!mkdtemp(name.data())) throw std::runtime_error("cannot create a temporary folder");
    return fs::path(name);
  }();
  return folder;
}

void read_path(const fs::path& path) {
  try {
    read_every_chunk(*open_file(path.string()));
  } catch (const Error&) {
    // A refused input: what a parser must do with bad input.
  }
}

void read_whole_file(const std::uint8_t* data, std::size_t size, const std::string& file_name) {
  const fs::path path = scratch_folder() / file_name;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  read_path(path);
}

}  // namespace strata::fuzz
