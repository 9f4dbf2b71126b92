// Zarr v3 metadata: the input, if it is JSON at all, is read as an array's zarr.json
// (parse_v3_array: data type, fill value in every form, chunk grid and key encoding, the codec
// chain with nested sharding), then the chunk grid's last key and the leaf chunk are derived.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr_v3_metadata.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using nlohmann::json;
  const json doc = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;  // not JSON: read_json refuses it before any parser sees it
  try {
    const strata::zarr::V3ArrayMeta meta = strata::zarr::parse_v3_array(doc, "fuzz/zarr.json");
    std::vector<std::int64_t> last;
    for (const std::int64_t n : strata::ChunkGrid{meta.shape, meta.chunks}.extent()) last.push_back(n - 1);
    (void)meta.chunk_key(last);
    (void)meta.leaf_chunk();
    (void)meta.leaf_codecs();
  } catch (const strata::Error&) {
    // Refused metadata, as it must be.
  } catch (const json::exception&) {
    // A value of the wrong JSON type: the reader turns these into strata::Error.
  }
  return 0;
}
