#include "compute/kernels.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "compute/dispatch.hpp"
#include "strata/error.hpp"

namespace strata::compute {
namespace {

// Integer arithmetic in uint64, so that overflow wraps around (as in NumPy) instead of being
// undefined, whatever the width: uint16 · uint16 would otherwise overflow int.
template <typename T, typename Op>
T wrapping(T a, T b, Op op) {
  return static_cast<T>(op(static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b)));
}

template <typename T>
T add(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return wrapping(a, b, [](std::uint64_t x, std::uint64_t y) { return x + y; });
  else
    return a + b;
}

template <typename T>
T subtract(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return wrapping(a, b, [](std::uint64_t x, std::uint64_t y) { return x - y; });
  else
    return a - b;
}

template <typename T>
T multiply(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return wrapping(a, b, [](std::uint64_t x, std::uint64_t y) { return x * y; });
  else
    return a * b;
}

// Integer division only where a caller asks for it on integers (true division never does):
// NumPy's floor_divide gives 0 for a zero divisor, and the one overflowing quotient wraps.
template <typename T>
T divide(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>)
      if (b == -1) return subtract<T>(0, a);
    return static_cast<T>(a / b);
  } else {
    return a / b;
  }
}

// A NaN wins, as in NumPy's maximum and minimum (`v != v` is false for integers).
template <typename T>
T larger(T a, T v) {
  return (v > a || v != v) ? v : a;
}
template <typename T>
T smaller(T a, T v) {
  return (v < a || v != v) ? v : a;
}

template <typename T, typename Op>
void run(const T* a, bool a_scalar, const T* b, bool b_scalar, T* out, std::size_t n, Op op) {
  if (!a_scalar && !b_scalar) {
    for (std::size_t i = 0; i < n; ++i) out[i] = op(a[i], b[i]);
  } else if (a_scalar && !b_scalar) {
    const T x = *a;
    for (std::size_t i = 0; i < n; ++i) out[i] = op(x, b[i]);
  } else if (!a_scalar) {
    const T y = *b;
    for (std::size_t i = 0; i < n; ++i) out[i] = op(a[i], y);
  } else {
    const T v = op(*a, *b);
    for (std::size_t i = 0; i < n; ++i) out[i] = v;
  }
}

// One accumulation step of `op`: the accumulator and the next value.
template <typename Acc, typename In>
Acc step(ReduceOp op, Acc a, In v) {
  switch (op) {
    case ReduceOp::max: return larger<Acc>(a, static_cast<Acc>(v));
    case ReduceOp::min: return smaller<Acc>(a, static_cast<Acc>(v));
    case ReduceOp::sum:
    case ReduceOp::mean: break;
  }
  return add<Acc>(a, static_cast<Acc>(v));
}

// The rows of a C-order block, each folded into the accumulator; the innermost loop is
// written per case (reduced or kept last axis) so that the compiler vectorizes it.
template <ReduceOp Op, typename In, typename Acc>
void fold_rows(const In*& in, const Shape& shape, std::size_t dim, Acc* acc, const std::vector<std::int64_t>& strides) {
  if (dim + 1 < shape.size()) {
    for (std::int64_t i = 0; i < shape[dim]; ++i) fold_rows<Op>(in, shape, dim + 1, acc + i * strides[dim], strides);
    return;
  }
  const std::int64_t n = shape.empty() ? 1 : shape[dim];
  const std::int64_t s = shape.empty() ? 0 : strides[dim];
  if (s == 0) {
    Acc r = *acc;
    for (std::int64_t j = 0; j < n; ++j) r = step<Acc>(Op, r, in[j]);
    *acc = r;
  } else if (s == 1) {
    for (std::int64_t j = 0; j < n; ++j) acc[j] = step<Acc>(Op, acc[j], in[j]);
  } else {
    for (std::int64_t j = 0; j < n; ++j) acc[j * s] = step<Acc>(Op, acc[j * s], in[j]);
  }
  in += n;
}

template <ReduceOp Op>
void fold_as(DType input, const std::byte* block, const Shape& shape, DType acc_type, std::byte* acc,
             const std::vector<std::int64_t>& strides) {
  visit(input, [&](auto in_tag) {
    using In = typename decltype(in_tag)::type;
    visit(acc_type, [&](auto acc_tag) {
      using Acc = typename decltype(acc_tag)::type;
      const In* in = reinterpret_cast<const In*>(block);
      fold_rows<Op, In, Acc>(in, shape, 0, reinterpret_cast<Acc*>(acc), strides);
    });
  });
}

}  // namespace

void convert(DType from, const std::byte* in, DType to, std::byte* out, std::size_t count) {
  visit(from, [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    visit(to, [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      const From* src = reinterpret_cast<const From*>(in);
      To* dst = reinterpret_cast<To*>(out);
      for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<To>(src[i]);
    });
  });
}

void scalar_to(const Scalar& scalar, DType to, std::byte* out) {
  visit(to, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T value{};
    if constexpr (std::is_floating_point_v<T>) {
      value = static_cast<T>(scalar.as_double());
    } else {
      const auto refuse = [&] {
        return Error("", "the scalar " + scalar.to_string() + " does not fit in " + std::string(name(to)));
      };
      const auto& v = scalar.value();
      if (const auto* i = std::get_if<std::int64_t>(&v)) {
        if (!std::in_range<T>(*i)) throw refuse();
        value = static_cast<T>(*i);
      } else if (const auto* u = std::get_if<std::uint64_t>(&v)) {
        if (!std::in_range<T>(*u)) throw refuse();
        value = static_cast<T>(*u);
      } else {
        // A strong float scalar of an integer dtype truncates, as np.int32(2.5) does.
        const double d = std::trunc(std::get<double>(v));
        if (!(d >= static_cast<double>(std::numeric_limits<T>::lowest()) &&
              d <= static_cast<double>(std::numeric_limits<T>::max())))
          throw refuse();
        value = static_cast<T>(d);
      }
    }
    *reinterpret_cast<T*>(out) = value;
  });
}

void apply(BinaryOp op, DType t, const std::byte* a, bool a_scalar, const std::byte* b, bool b_scalar, std::byte* out,
           std::size_t count) {
  visit(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* x = reinterpret_cast<const T*>(a);
    const T* y = reinterpret_cast<const T*>(b);
    T* o = reinterpret_cast<T*>(out);
    switch (op) {
      case BinaryOp::add: return run(x, a_scalar, y, b_scalar, o, count, add<T>);
      case BinaryOp::subtract: return run(x, a_scalar, y, b_scalar, o, count, subtract<T>);
      case BinaryOp::multiply: return run(x, a_scalar, y, b_scalar, o, count, multiply<T>);
      case BinaryOp::divide: return run(x, a_scalar, y, b_scalar, o, count, divide<T>);
    }
  });
}

DType accumulator(ReduceOp op, DType input) {
  switch (op) {
    case ReduceOp::max:
    case ReduceOp::min: return input;
    case ReduceOp::sum:
      if (is_float(input)) return DType::float64;
      return input <= DType::uint64 ? DType::uint64 : DType::int64;
    case ReduceOp::mean: break;
  }
  return DType::float64;
}

void identity(ReduceOp op, DType acc, std::byte* data, std::size_t count) {
  visit(acc, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using limits = std::numeric_limits<T>;
    T value{0};
    if (op == ReduceOp::max) value = limits::has_infinity ? -limits::infinity() : limits::lowest();
    if (op == ReduceOp::min) value = limits::has_infinity ? limits::infinity() : limits::max();
    T* out = reinterpret_cast<T*>(data);
    for (std::size_t i = 0; i < count; ++i) out[i] = value;
  });
}

void fold(ReduceOp op, DType input, const std::byte* block, const Shape& block_shape, DType acc_type, std::byte* acc,
          const std::vector<std::int64_t>& acc_strides) {
  if (element_count(block_shape) == 0) return;
  switch (op) {
    case ReduceOp::max: return fold_as<ReduceOp::max>(input, block, block_shape, acc_type, acc, acc_strides);
    case ReduceOp::min: return fold_as<ReduceOp::min>(input, block, block_shape, acc_type, acc, acc_strides);
    case ReduceOp::sum:
    case ReduceOp::mean: break;
  }
  fold_as<ReduceOp::sum>(input, block, block_shape, acc_type, acc, acc_strides);
}

void combine(ReduceOp op, DType acc, const std::byte* in, std::byte* inout, std::size_t count) {
  visit(acc, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* x = reinterpret_cast<const T*>(in);
    T* y = reinterpret_cast<T*>(inout);
    for (std::size_t i = 0; i < count; ++i) y[i] = step<T>(op, y[i], x[i]);
  });
}

void finish(ReduceOp op, DType acc, const std::byte* in, DType out_type, std::byte* out, std::size_t count,
            std::int64_t reduced) {
  if (op != ReduceOp::mean) return convert(acc, in, out_type, out, count);
  visit(out_type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const double* sums = reinterpret_cast<const double*>(in);
    T* o = reinterpret_cast<T*>(out);
    for (std::size_t i = 0; i < count; ++i) o[i] = static_cast<T>(sums[i] / static_cast<double>(reduced));
  });
}

}  // namespace strata::compute
