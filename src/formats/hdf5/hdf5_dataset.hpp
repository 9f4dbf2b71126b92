#pragma once
// What rank 0 learns from an HDF5 file with the library: which dataset a path names, its
// dims, dtype, layout, filter pipeline and fill value, and its chunk table. Everything
// here is plain data that travels to the other ranks, which then read without walking.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "formats/hdf5/api/library.hpp"
#include "formats/hdf5/hdf5_filters.hpp"
#include "strata/chunk.hpp"
#include "strata/info.hpp"

namespace strata::hdf5 {

// A path spec: "FILE" or "FILE:/path/to/object".
struct Location {
  std::string file;
  std::string object;  // "/path/to/object"; empty when the spec names the file alone
};
// Splits `spec` at the first ":/" whose prefix is an existing regular file (or takes the
// whole spec as the file when it exists). nullopt when neither names a file.
std::optional<Location> split_location(const std::string& spec);
// Whether `file` starts with the HDF5 superblock signature at offset 0, 512, 1024, ...
// (the places HDF5 looks, allowing a user block).
bool has_hdf5_signature(const std::string& file);

// How a dataset's chunks are read.
enum class Access {
  contiguous,         // pread the bytes of one contiguous dataset
  chunks_by_address,  // pread a chunk's stored bytes at its address, decode them here
  chunks_by_lookup,   // HDF5 finds a chunk and reads its stored bytes (under the lock), decode here
  in_state,           // compact: the few bytes travel in the driver state
  library,            // H5Dread under the lock: filters, types or storage strata does not decode
};

// Marks a stored segment whose address strata does not know or need (HDF5 finds it).
inline constexpr std::uint64_t kNoAddress = ~std::uint64_t{0};

struct Dataset {
  std::string file;       // the file the user named (the library opens `name` from it)
  std::string data_file;  // the file holding the dataset's bytes: `file`, or the file an
                          // external link led to, as HDF5 found it
  std::string name;       // "/path/to/dataset"
  ArrayInfo info;
  Access access = Access::contiguous;
  Shape chunk_shape;               // chunked: HDF5's chunk dims (edge chunks are stored whole)
  Pipeline pipeline;               // chunked: the filters, in write order
  bool swap_bytes = false;         // the file's elements are big-endian
  std::vector<std::uint8_t> fill;  // one element, little-endian: never-written chunks
  std::vector<std::uint8_t> data;  // in_state: every element, C order, little-endian
};

// Opens the file `spec` names (rank 0), picks the dataset (the one named, or the file's
// or group's only image dataset), and describes it with its chunk table. Throws
// strata::Error naming the file: missing dataset, several candidates (listed), element
// types or filters strata cannot read; a chunked dataset's table holds no chunks yet
// (list_chunks); a dataset that reads other files (an external
// link, external storage, a virtual dataset's sources) unless `allow_external`, naming
// them, and with it when one of them is missing or too short (HDF5 would read zeros or
// the fill value there).
std::pair<Dataset, ChunkTable> describe(const std::string& spec, bool allow_external);

// Appends to `table` the chunks of the chunked dataset `d` meeting `region` (array
// coordinates), in C order: HDF5 finds each by its coordinates, so a region of a few chunks
// of a dataset of millions costs a few lookups. `dataset`: `d` opened with the library;
// call with hdf5_lock() held. Throws strata::Error naming the file.
void list_chunks(hid_t dataset, const Dataset& d, const Box& region, ChunkTable& table);

// Whether listing chunk addresses is cheap enough for `chunk_count` chunks: HDF5 1.10
// finds the i-th chunk by walking the index from its start, so listing n costs O(n^2).
bool lists_addresses(std::uint64_t chunk_count) noexcept;

void to_json(nlohmann::json& j, const Dataset& d);
void from_json(const nlohmann::json& j, Dataset& d);

}  // namespace strata::hdf5
