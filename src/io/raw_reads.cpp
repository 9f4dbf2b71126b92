#include "io/raw_reads.hpp"

#include "codecs/byte_order.hpp"
#include "io/chunk_io.hpp"
#include "strata/grid.hpp"

namespace strata::io {

void read_raw_region(const File& file, const ByteRange& piece, const Box& piece_box, const Shape& shape, DType dtype,
                     bool swap, const Box& region, const View& dest) {
  const std::size_t element = size_of(dtype);
  if (region == piece_box && dest.is_contiguous()) {
    const std::span<std::byte> out(dest.data, dest.bytes());
    file.read_at(out, piece.offset);
    if (swap) codecs::swap_bytes(out, element);
    return;
  }
  // The file bytes from the region's first element to its last, then the region's part.
  Index last(region.stop);
  for (auto& v : last) --v;
  const std::int64_t first = linear_index(region.start, shape);
  const auto span_bytes = static_cast<std::size_t>(linear_index(last, shape) - first + 1) * element;
  const auto offset = piece.offset + static_cast<std::uint64_t>(first - linear_index(piece_box.start, shape)) * element;
  const std::span<std::byte> bytes = scratch(Scratch::stored, span_bytes);
  file.read_at(bytes, offset);
  if (swap) codecs::swap_bytes(bytes, element);
  copy(View{bytes.data(), dtype, region.shape(), c_strides(shape, static_cast<std::int64_t>(element))}, dest);
}

}  // namespace strata::io
