#pragma once
// HDF5's byte shuffle (filter 2), done (for the .h5 output's precompressed chunks) and undone. Blosc shuffles inside its own buffers and needs
// nothing from here.
#include <cstddef>
#include <span>

namespace strata::codecs {

// `in` holds byte 0 of every `element_size`-byte element, then byte 1, ...; writes the
// elements into `out`, which must be as large as `in` and must not overlap it. Bytes
// beyond the last whole element are copied as they are. Throws strata::Error (empty path,
// "shuffle: ...") when the sizes differ.
void unshuffle(std::span<const std::byte> in, std::span<std::byte> out, std::size_t element_size);
// The inverse: `in` holds elements; writes byte 0 of each, then byte 1, ... into `out`, as
// HDF5's shuffle filter stores them. Same sizes and errors as unshuffle.
void shuffle(std::span<const std::byte> in, std::span<std::byte> out, std::size_t element_size);

}  // namespace strata::codecs
