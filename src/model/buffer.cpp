#include "strata/buffer.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {
namespace {

constexpr std::size_t kSmallAlignment = 64;
constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// Copies an N-d block; `dim` is the current axis, `run` the bytes of the contiguous
// trailing block both views share (copied with one memcpy).
void copy_axes(const std::byte* src, std::byte* dst, const ConstView& s, const View& d, std::size_t dim,
               std::size_t last_dim, std::size_t run) {
  if (dim == last_dim) {
    std::memcpy(dst, src, run);
    return;
  }
  for (std::int64_t i = 0; i < s.shape[dim]; ++i)
    copy_axes(src + i * s.byte_strides[dim], dst + i * d.byte_strides[dim], s, d, dim + 1, last_dim, run);
}

}  // namespace

template <class Byte>
BasicView<Byte> BasicView<Byte>::contiguous(Byte* data, DType dtype, Shape shape) {
  std::vector<std::int64_t> strides = c_strides(shape, static_cast<std::int64_t>(size_of(dtype)));
  return BasicView{data, dtype, std::move(shape), std::move(strides)};
}

template <class Byte>
bool BasicView<Byte>::is_contiguous() const noexcept {
  std::int64_t stride = static_cast<std::int64_t>(size_of(dtype));
  for (std::size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && byte_strides[i] != stride) return false;
    stride *= shape[i];
  }
  return true;
}

template <class Byte>
BasicView<Byte> BasicView<Byte>::sub(const Box& box) const {
  BasicView v = *this;
  for (std::size_t i = 0; i < rank(); ++i) v.data += box.start[i] * byte_strides[i];
  v.shape = box.shape();
  return v;
}

template <class Byte>
void BasicView<Byte>::throw_not_contiguous() {
  throw Error("", "typed access to a strided view (as<T> needs C-order elements; copy() them first)");
}

template struct BasicView<std::byte>;
template struct BasicView<const std::byte>;

Buffer::Buffer(std::size_t bytes) : size_(bytes) {
  if (bytes == 0) return;
  if (bytes < kHugePage) {
    void* p = std::aligned_alloc(kSmallAlignment, round_up(bytes, kSmallAlignment));
    if (!p) throw Error("", "out of memory allocating " + std::to_string(bytes) + " bytes");
    data_.reset(static_cast<std::byte*>(p));
    return;
  }
  // Large buffers are mapped, not taken from the heap: malloc keeps freed memory below its
  // (growing) mmap threshold resident for reuse, and a dropped result must give it back.
  // Over-map by one huge page and trim, so the buffer starts on a 2 MiB boundary.
  const std::size_t length = round_up(bytes, kHugePage);
  void* p = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw Error("", "out of memory allocating " + std::to_string(bytes) + " bytes");
  auto* start = static_cast<std::byte*>(p);
  auto* aligned = reinterpret_cast<std::byte*>(round_up(reinterpret_cast<std::uintptr_t>(start), kHugePage));
  if (aligned > start) munmap(start, static_cast<std::size_t>(aligned - start));
  if (const std::size_t tail = static_cast<std::size_t>(start + length + kHugePage - (aligned + length)); tail > 0)
    munmap(aligned + length, tail);
  madvise(aligned, length, MADV_HUGEPAGE);
  data_ = std::unique_ptr<std::byte, Free>(aligned, Free{length});
}

void Buffer::Free::operator()(std::byte* p) const noexcept {
  if (mapped > 0)
    munmap(p, mapped);
  else
    std::free(p);
}

void copy(const ConstView& src, const View& dst) {
  if (src.dtype != dst.dtype || src.shape != dst.shape)
    throw Error("", "copy between views of different dtype or shape");
  if (src.count() == 0) return;
  // Fold trailing axes that are contiguous in both views into one memcpy run.
  std::size_t run = size_of(src.dtype);
  std::size_t last = src.rank();
  while (last > 0 && src.byte_strides[last - 1] == static_cast<std::int64_t>(run) &&
         dst.byte_strides[last - 1] == static_cast<std::int64_t>(run)) {
    run *= src.shape[last - 1];
    --last;
  }
  if (last == src.rank()) {
    // Innermost axis strided in one of the views: copy element by element.
    const std::size_t elem = size_of(src.dtype);
    ConstView s = src;
    View d = dst;
    s.shape.push_back(1);
    d.shape.push_back(1);
    s.byte_strides.push_back(static_cast<std::int64_t>(elem));
    d.byte_strides.push_back(static_cast<std::int64_t>(elem));
    copy_axes(s.data, d.data, s, d, 0, src.rank(), elem);
    return;
  }
  copy_axes(src.data, dst.data, src, dst, 0, last, run);
}

}  // namespace strata
