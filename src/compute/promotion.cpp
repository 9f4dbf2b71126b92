// NumPy's type promotion for delayed expressions (strata/expression.hpp), and the names of
// the operators. Follows NumPy 2: np.promote_types between arrays, NEP 50 for scalars.
#include <cmath>
#include <cstdio>
#include <string>

#include "strata/error.hpp"
#include "strata/expression.hpp"

namespace strata {
namespace {

bool is_unsigned(DType t) noexcept { return t <= DType::uint64; }

}  // namespace

double Scalar::as_double() const noexcept {
  return std::visit([](auto v) { return static_cast<double>(v); }, value_);
}

std::string Scalar::to_string() const {
  std::string text = std::visit(
      [](auto v) {
        if constexpr (std::is_same_v<decltype(v), double>) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.17g", v);
          return std::string(buf);
        } else {
          return std::to_string(v);
        }
      },
      value_);
  return strong_ ? std::string(name(dtype_)) + "(" + text + ")" : text;
}

std::string_view name(BinaryOp op) noexcept {
  switch (op) {
    case BinaryOp::add: return "+";
    case BinaryOp::subtract: return "-";
    case BinaryOp::multiply: return "*";
    case BinaryOp::divide: return "/";
  }
  return "?";
}

std::string_view name(ReduceOp op) noexcept {
  switch (op) {
    case ReduceOp::max: return "max";
    case ReduceOp::min: return "min";
    case ReduceOp::sum: return "sum";
    case ReduceOp::mean: return "mean";
  }
  return "?";
}

ReduceOp parse_reduce_op(std::string_view text) {
  for (ReduceOp op : {ReduceOp::max, ReduceOp::min, ReduceOp::sum, ReduceOp::mean})
    if (name(op) == text) return op;
  throw Error("", "unknown reduction '" + std::string(text) + "' (expected max, min, sum or mean)");
}

DType promote(DType a, DType b) {
  if (a == b) return a;
  const std::size_t sa = size_of(a), sb = size_of(b);
  if (is_float(a) && is_float(b)) return sa >= sb ? a : b;
  if (is_float(a) || is_float(b)) {
    const DType f = is_float(a) ? a : b;
    const DType i = is_float(a) ? b : a;
    // float32 holds every 8- and 16-bit integer exactly; wider ones need float64.
    return f == DType::float32 && size_of(i) <= 2 ? DType::float32 : DType::float64;
  }
  if (is_unsigned(a) == is_unsigned(b)) return sa >= sb ? a : b;
  const DType u = is_unsigned(a) ? a : b;
  const DType s = is_unsigned(a) ? b : a;
  if (size_of(u) < size_of(s)) return s;
  // The smallest signed type holding both; none holds uint64 and int64, so float64.
  return size_of(u) == 8 ? DType::float64 : dtype_from('i', static_cast<int>(size_of(u)) * 16);
}

DType promote(DType array, const Scalar& scalar) {
  if (scalar.strong()) return promote(array, scalar.dtype());
  // NEP 50: a Python int takes the array's dtype; a Python float keeps a float array's and
  // makes an integer array float64.
  if (scalar.is_float() && !is_float(array)) return DType::float64;
  return array;
}

DType binary_result(BinaryOp op, DType a, DType b) {
  const DType t = promote(a, b);
  return op == BinaryOp::divide && !is_float(t) ? DType::float64 : t;
}

DType reduce_result(ReduceOp op, DType input) {
  switch (op) {
    case ReduceOp::max:
    case ReduceOp::min: return input;
    case ReduceOp::sum:
      if (is_float(input)) return input;
      return is_unsigned(input) ? DType::uint64 : DType::int64;
    case ReduceOp::mean: break;
  }
  return input == DType::float32 ? DType::float32 : DType::float64;
}

}  // namespace strata
