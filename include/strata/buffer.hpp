#pragma once
// Array memory: an owning, aligned Buffer and a non-owning strided View.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "strata/box.hpp"
#include "strata/dtype.hpp"

namespace strata {

// A non-owning view: pointer, dtype, shape and byte strides (C order when built with
// contiguous()). A View writes into the memory it points at; a ConstView only reads it (what
// a const Slab gives). A View converts to a ConstView.
template <class Byte>
struct BasicView {
  Byte* data = nullptr;
  DType dtype = DType::uint8;
  Shape shape;
  std::vector<std::int64_t> byte_strides;

  static BasicView contiguous(Byte* data, DType dtype, Shape shape);

  std::size_t rank() const noexcept { return shape.size(); }
  std::int64_t count() const noexcept { return element_count(shape); }
  std::size_t bytes() const noexcept { return count() * size_of(dtype); }
  bool is_contiguous() const noexcept;
  // The sub-view of `box`, given in this view's coordinates.
  BasicView sub(const Box& box) const;

  // The elements as T (const T through a ConstView), in C order. Throws strata::Error
  // unless T is the view's dtype (dtype_of<T> == dtype) and the view is contiguous.
  template <class T>
  std::span<std::conditional_t<std::is_const_v<Byte>, const T, T>> as() const {
    using Element = std::conditional_t<std::is_const_v<Byte>, const T, T>;
    check_element_type(dtype, dtype_of<T>);
    if (!is_contiguous()) throw_not_contiguous();
    return {reinterpret_cast<Element*>(data), static_cast<std::size_t>(count())};
  }

  operator BasicView<const std::byte>() const
    requires(!std::is_const_v<Byte>)
  {
    return {data, dtype, shape, byte_strides};
  }

 private:
  [[noreturn]] static void throw_not_contiguous();
};
using View = BasicView<std::byte>;
using ConstView = BasicView<const std::byte>;

// Owning storage for `bytes` bytes, aligned to 64 bytes; large buffers are mapped on their
// own (freeing one gives its memory back to the system), aligned to 2 MiB and advised to use
// transparent huge pages, because first-touch page faults, not reads, bound a large read
// into fresh memory.
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

  // The bytes as elements of `dtype` (what the array that filled this buffer reports, e.g.
  // Array::dtype() for what Array::gather returned), typed as T. Throws strata::Error
  // unless dtype_of<T> == dtype.
  template <class T>
  std::span<T> as(DType dtype) {
    check_element_type(dtype, dtype_of<T>);
    return {reinterpret_cast<T*>(data()), size_ / sizeof(T)};
  }
  template <class T>
  std::span<const T> as(DType dtype) const {
    check_element_type(dtype, dtype_of<T>);
    return {reinterpret_cast<const T*>(data()), size_ / sizeof(T)};
  }

 private:
  struct Free {
    std::size_t mapped;  // bytes mapped (large buffers); 0 (value-initialized): from the heap
    void operator()(std::byte* p) const noexcept;
  };
  std::unique_ptr<std::byte, Free> data_;
  std::size_t size_ = 0;
};

// Copies the elements of `src` into `dst` (same dtype and shape, any strides).
void copy(const ConstView& src, const View& dst);

}  // namespace strata
