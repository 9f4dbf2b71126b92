#include "strata/part.hpp"

namespace strata {

Part::Part(Box box, DType dtype, Buffer data)
    : box_(std::move(box)), dtype_(dtype), owned_(std::move(data)), data_(owned_.data()) {}

Part::Part(Box box, DType dtype, std::byte* data, std::shared_ptr<void> keep)
    : box_(std::move(box)), dtype_(dtype), data_(data), keep_(std::move(keep)) {}

std::size_t Part::size() const noexcept {
  return data_ ? static_cast<std::size_t>(box_.count()) * size_of(dtype_) : 0;  // a default Part: nothing
}

Buffer Part::take() {
  Buffer out = std::move(owned_);
  *this = Part();
  return out;
}

}  // namespace strata
