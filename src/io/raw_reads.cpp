#include "io/raw_reads.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "codecs/byte_order.hpp"

#include "strata/error.hpp"

namespace strata {

void pread_all(int fd, std::span<std::byte> out, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("", std::string("cannot read: ") + std::strerror(errno));
    if (n == 0)
      throw Error("", "the file ends inside bytes " + std::to_string(offset) + "-" +
                          std::to_string(offset + out.size()) + " (truncated?)");
    done += static_cast<std::size_t>(n);
  }
}

namespace {

std::int64_t linear_index(const std::vector<std::int64_t>& at, const Shape& shape) {
  std::int64_t index = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) index = index * shape[i] + at[i];
  return index;
}

}  // namespace

void read_raw_region(int fd, const ByteRange& piece, const Box& piece_box, const Shape& shape, DType dtype,
                     bool swap, const Box& region, const View& dest) {
  const std::size_t element = size_of(dtype);
  if (region == piece_box && dest.is_contiguous()) {
    const std::span<std::byte> out(dest.data, dest.bytes());
    pread_all(fd, out, piece.offset);
    if (swap) codecs::swap_bytes(out, element);
    return;
  }
  // The file bytes from the region's first element to its last, then the region's part.
  std::vector<std::int64_t> last(region.stop);
  for (auto& v : last) --v;
  const std::int64_t first = linear_index(region.start, shape);
  const auto span_bytes = static_cast<std::size_t>(linear_index(last, shape) - first + 1) * element;
  const auto offset = piece.offset + static_cast<std::uint64_t>(first - linear_index(piece_box.start, shape)) * element;
  thread_local std::vector<std::byte> buffer;
  if (buffer.size() < span_bytes) buffer.resize(span_bytes);
  const std::span<std::byte> bytes(buffer.data(), span_bytes);
  pread_all(fd, bytes, offset);
  if (swap) codecs::swap_bytes(bytes, element);
  std::vector<std::int64_t> strides(shape.size());
  auto stride = static_cast<std::int64_t>(element);
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  copy(View{bytes.data(), dtype, region.shape(), strides}, dest);
}

}  // namespace strata
