// Whole Zarr v3 store: the input is a zarr.json document, a NUL byte, then the bytes of the
// array's first chunk, or of its first shard when it is sharded. Both are written into a
// store folder, which is opened and every chunk read (read_path): shard indexes at the start
// or end, little or big endian, with or without crc32c, nested, with offsets and lengths
// the fuzzer chooses, then each inner chunk through its codec chain (transpose, bytes,
// gzip, zstd, Blosc, crc32c). The other chunks are missing, so they read as the fill value.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr_v3_metadata.hpp"
#include "read_whole_file.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace {

namespace fs = std::filesystem;

// Metadata whose grid has more chunks than this is left out: reading every missing chunk
// as its fill value would only slow the fuzzer down (max_listed_chunks bounds one listing).
constexpr std::int64_t kMaxChunks = 4096;

void write(const fs::path& path, const std::uint8_t* data, std::size_t size) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using nlohmann::json;
  const std::uint8_t* end = data + size;
  const std::uint8_t* nul = std::find(data, end, std::uint8_t{0});
  if (nul == end) return 0;
  const json doc = json::parse(data, nul, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;  // not JSON: read_json refuses it before any parser sees it
  std::string key;
  try {
    const strata::zarr::V3ArrayMeta meta = strata::zarr::parse_v3_array(doc, "fuzz/zarr.json");
    std::int64_t chunks = 1;
    for (const std::int64_t n : strata::ChunkGrid{meta.shape, meta.leaf_chunk()}.extent()) {
      if (n > kMaxChunks / chunks) return 0;
      chunks *= std::max<std::int64_t>(n, 1);
    }
    key = meta.chunk_key(strata::Index(meta.shape.size(), 0));
  } catch (const strata::Error&) {
    return 0;  // refused metadata: fuzz_zarr_v3_metadata's ground
  } catch (const json::exception&) {
    return 0;
  }
  const fs::path store = strata::fuzz::scratch_folder() / "store.zarr";
  fs::remove_all(store);
  write(store / "zarr.json", data, static_cast<std::size_t>(nul - data));
  write(store / key, nul + 1, static_cast<std::size_t>(end - nul - 1));
  strata::fuzz::read_path(store);
  return 0;
}
