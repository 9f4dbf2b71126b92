#pragma once
// Array memory: an owning, aligned Buffer and a non-owning strided View.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "strata/box.hpp"
#include "strata/dtype.hpp"

namespace strata {

// A non-owning view: pointer, dtype, shape and byte strides (C order when built with
// View::contiguous). Writes through a View land in the memory it points at.
struct View {
  std::byte* data = nullptr;
  DType dtype = DType::uint8;
  Shape shape;
  std::vector<std::int64_t> byte_strides;

  static View contiguous(std::byte* data, DType dtype, Shape shape);

  std::size_t rank() const noexcept { return shape.size(); }
  std::int64_t count() const noexcept { return element_count(shape); }
  std::size_t bytes() const noexcept { return count() * size_of(dtype); }
  bool is_contiguous() const noexcept;
  // The sub-view of `box`, given in this view's coordinates.
  View sub(const Box& box) const;
};

// Owning storage for `bytes` bytes, aligned to 64 bytes; large buffers are aligned to
// 2 MiB and advised to use transparent huge pages, because first-touch page faults, not
// reads, bound a large read into fresh memory.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t bytes);
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;

  std::byte* data() noexcept { return data_.get(); }
  const std::byte* data() const noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::span<const std::byte> bytes() const noexcept { return {data_.get(), size_}; }

 private:
  struct Free { void operator()(std::byte* p) const noexcept; };
  std::unique_ptr<std::byte, Free> data_;
  std::size_t size_ = 0;
};

// Copies the elements of `src` into `dst` (same dtype and shape, any strides).
void copy(const View& src, const View& dst);

}  // namespace strata
