#pragma once
// From a runtime DType to the C++ type the kernels are instantiated for.
#include <cstdint>
#include <utility>

#include <string>

#include "strata/dtype.hpp"
#include "strata/error.hpp"

namespace strata::compute {

template <typename T>
struct Tag {
  using type = T;
};

// Calls f(Tag<T>{}) for the C++ type T of `t` and returns what it returns.
template <typename F>
decltype(auto) visit(DType t, F&& f) {
  switch (t) {
    case DType::uint8: return std::forward<F>(f)(Tag<std::uint8_t>{});
    case DType::uint16: return std::forward<F>(f)(Tag<std::uint16_t>{});
    case DType::uint32: return std::forward<F>(f)(Tag<std::uint32_t>{});
    case DType::uint64: return std::forward<F>(f)(Tag<std::uint64_t>{});
    case DType::int8: return std::forward<F>(f)(Tag<std::int8_t>{});
    case DType::int16: return std::forward<F>(f)(Tag<std::int16_t>{});
    case DType::int32: return std::forward<F>(f)(Tag<std::int32_t>{});
    case DType::int64: return std::forward<F>(f)(Tag<std::int64_t>{});
    case DType::float32: return std::forward<F>(f)(Tag<float>{});
    case DType::float64: break;
    case DType::float16:
    case DType::bool_:
      throw Error("", "expressions do not compute on " + std::string(name(t)) + " arrays yet");
  }
  return std::forward<F>(f)(Tag<double>{});
}

}  // namespace strata::compute
