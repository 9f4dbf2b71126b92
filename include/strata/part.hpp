#pragma once
// One rank's part of an array read in a layout (strata/layout.hpp): its box of the file and
// the memory holding that box's elements in C order. The memory is either the part's own
// Buffer or, in the replicated layout, a node's shared window, kept alive by the part.
#include <cstddef>
#include <memory>
#include <span>

#include "strata/box.hpp"
#include "strata/buffer.hpp"
#include "strata/dtype.hpp"

namespace strata {

class Part {
 public:
  Part() = default;
  Part(Box box, DType dtype, Buffer data);
  // Memory owned elsewhere (a shared window), kept alive as long as `keep`.
  Part(Box box, DType dtype, std::byte* data, std::shared_ptr<void> keep);

  // In the file's coordinates (not the selection's); empty when this rank holds nothing.
  const Box& box() const noexcept { return box_; }
  Shape shape() const { return box_.shape(); }
  DType dtype() const noexcept { return dtype_; }
  std::byte* data() noexcept { return data_; }
  const std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept;  // bytes
  std::span<const std::byte> bytes() const noexcept { return {data_, size()}; }
  View view() const { return View::contiguous(data_, dtype_, shape()); }
  // True in the replicated layout: the node's ranks see the same bytes; writing to them
  // changes every rank's copy.
  bool shared() const noexcept { return keep_ != nullptr; }
  // The part's own buffer (empty for a shared part), leaving this part empty.
  Buffer take();

 private:
  Box box_;
  DType dtype_ = DType::uint8;
  Buffer owned_;
  std::byte* data_ = nullptr;
  // Releasing a shared window is collective over the node's ranks: every rank of a node
  // drops its replicated part at the same point of its program.
  std::shared_ptr<void> keep_;
};

}  // namespace strata
