#pragma once
// LZF (liblzf's format; h5py's HDF5 filter 32000) decoded straight into the caller's memory.
#include <cstddef>
#include <span>

namespace strata::codecs {

// Decodes the LZF data `in` into `out`, which must be exactly its decoded size. Throws
// strata::Error (empty path, "lzf: ...") when the data is corrupt or decodes to another size.
void lzf_decompress(std::span<const std::byte> in, std::span<std::byte> out);

}  // namespace strata::codecs
