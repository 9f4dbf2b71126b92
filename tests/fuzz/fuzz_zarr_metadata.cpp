// Zarr v2 metadata: the input, if it is JSON at all, is read both as a `.zarray` (parse_zarray,
// then the chunk grid and the last chunk's key) and as the image group's `.zattrs` with its
// first NGFF multiscale (describe_image). The keys of the two never clash, so one document
// can drive both.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/zarr/ome_zarr.hpp"
#include "formats/zarr/zarr_metadata.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace {

using nlohmann::json;

// Returns the array's rank, which describe_image needs.
std::size_t read_as_zarray(const json& doc) {
  const strata::zarr::ArrayMeta meta = strata::zarr::parse_zarray(doc, "fuzz/.zarray");
  (void)meta.chunk_bytes();
  std::vector<std::int64_t> last;
  for (const std::int64_t n : strata::ChunkGrid{meta.shape, meta.chunks}.extent()) last.push_back(n - 1);
  (void)meta.chunk_key(last);
  return meta.shape.size();
}

void read_as_zattrs(const json& doc, std::size_t rank) {
  strata::zarr::ImageLocation location;
  location.group_attrs = doc;
  const json* all = doc.is_object() && doc.contains("multiscales") ? &doc["multiscales"] : nullptr;
  if (all && all->is_array() && !all->empty() && (*all)[0].is_object()) location.multiscale = (*all)[0];
  (void)strata::zarr::describe_image(location, rank);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const json doc = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;  // not JSON: read_json refuses it before any parser sees it
  std::size_t rank = 5;  // TCZYX when the document is no valid .zarray
  try {
    rank = read_as_zarray(doc);
  } catch (const strata::Error&) {
    // Refused metadata, as it must be.
  } catch (const json::exception&) {
    // A value of the wrong JSON type: open_zarr turns these into strata::Error.
  }
  try {
    read_as_zattrs(doc, rank);
  } catch (const strata::Error&) {
  } catch (const json::exception&) {
  }
  return 0;
}
