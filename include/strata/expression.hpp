#pragma once
// Delayed arithmetic and reductions over arrays. An Expression is a handle on a small tree
// whose leaves are Arrays (file-backed, lazy, with their selections) and scalars; building
// one reads nothing. Computing it is collective: each rank evaluates its share of the
// chunks of the first array on its decode threads, one chunk at a time in per-thread
// scratch, and the partial results of a reduction meet in one MPI reduction. Operands are
// never materialized. Type promotion follows NumPy 2 (docs/api.md, "Delayed arithmetic and
// reductions"). Every operator has a named function (add, subtract, ...) for bindings.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "strata/array.hpp"

namespace strata {

// A scalar operand. Built from a C++ int or double it is *weak*, as a Python int or float
// is under NumPy 2 (NEP 50): it takes the array's dtype (an integer must fit in it), except
// that a float with an integer array gives float64. Built with a dtype it is *strong* and
// promotes like an array of that dtype (a NumPy scalar such as np.float32(2)).
class Scalar {
 public:
  Scalar(int value) : value_(std::int64_t{value}) {}
  Scalar(unsigned value) : value_(std::uint64_t{value}) {}
  Scalar(long value) : value_(std::int64_t{value}) {}
  Scalar(long long value) : value_(std::int64_t{value}) {}
  Scalar(unsigned long value) : value_(std::uint64_t{value}) {}
  Scalar(unsigned long long value) : value_(std::uint64_t{value}) {}
  Scalar(double value) : value_(value) {}
  // Strong: `value` converted to `dtype` as NumPy's dtype(value) would.
  Scalar(double value, DType dtype) : value_(value), dtype_(dtype), strong_(true) {}

  bool is_float() const noexcept { return std::holds_alternative<double>(value_); }
  bool strong() const noexcept { return strong_; }
  DType dtype() const noexcept { return dtype_; }  // meaningful when strong()
  double as_double() const noexcept;
  const std::variant<std::int64_t, std::uint64_t, double>& value() const noexcept { return value_; }
  std::string to_string() const;

 private:
  std::variant<std::int64_t, std::uint64_t, double> value_;
  DType dtype_ = DType::float64;
  bool strong_ = false;
};

enum class BinaryOp : std::uint8_t { add, subtract, multiply, divide };
enum class ReduceOp : std::uint8_t { max, min, sum, mean };
std::string_view name(BinaryOp op) noexcept;
std::string_view name(ReduceOp op) noexcept;
ReduceOp parse_reduce_op(std::string_view name);  // "max", "min", "sum", "mean"

namespace detail {
struct Node;  // src/compute/node.hpp
}

class Expression {
 public:
  Expression(const Array& array);  // a leaf: the array's selection, as it is

  Shape shape() const;
  DType dtype() const;
  // The axis letters of the result: the first array's dims without the reduced axes.
  std::string dims() const;
  // The bytes of the result.
  std::uint64_t bytes() const;
  bool is_reduction() const noexcept;
  // "max((a + 1), axes Z)": the tree, for messages and reports.
  std::string to_string() const;
  const Array& first_array() const;  // the array whose chunks drive the evaluation

  // Collective over the first array's communicator (every array of an expression must have
  // been opened on the same one): computes the result into one C-order buffer on
  // options.root; other ranks return an empty Buffer. Stats: `bytes` counts the arrays read.
  Buffer gather(const ReadOptions& options = {}, ReadStats* stats = nullptr) const;
  // Collective: the whole result on every rank (a reduction: one MPI_Allreduce; element-wise:
  // gathered, then broadcast).
  Buffer replicate(const ReadOptions& options = {}, ReadStats* stats = nullptr) const;
  // Collective, element-wise expressions only: each rank computes its run of planes of the
  // result (strata/slab.hpp); nothing moves between ranks.
  Slab read_slab(const ReadOptions& options = {}, ReadStats* stats = nullptr) const;

  // Collective: writes the result to a new file at `path`, in the format its suffix names,
  // as Array::write does (atomic; options.read.root holds a reduction's result).
  WriteStats write(const std::string& path, const WriteOptions& options = {}) const;

  const std::shared_ptr<const detail::Node>& node() const noexcept { return node_; }
  explicit Expression(std::shared_ptr<const detail::Node> node) : node_(std::move(node)) {}

 private:
  std::shared_ptr<const detail::Node> node_;
};

// Element-wise, between expressions of equal shape (no broadcasting) or with a scalar.
// Integer results wrap around on overflow, as NumPy's do; divide is true division (integers
// give float64). Throws strata::Error for unequal shapes, a reduction as an operand, or a
// weak integer scalar that does not fit the array's dtype (NumPy 2's OverflowError).
Expression add(const Expression& a, const Expression& b);
Expression add(const Expression& a, const Scalar& b);
Expression add(const Scalar& a, const Expression& b);
Expression subtract(const Expression& a, const Expression& b);
Expression subtract(const Expression& a, const Scalar& b);
Expression subtract(const Scalar& a, const Expression& b);
Expression multiply(const Expression& a, const Expression& b);
Expression multiply(const Expression& a, const Scalar& b);
Expression multiply(const Scalar& a, const Expression& b);
Expression divide(const Expression& a, const Expression& b);
Expression divide(const Expression& a, const Scalar& b);
Expression divide(const Scalar& a, const Expression& b);
Expression binary(BinaryOp op, const Expression& a, const Expression& b);
Expression binary(BinaryOp op, const Expression& a, const Scalar& b);
Expression binary(BinaryOp op, const Scalar& a, const Expression& b);

inline Expression operator+(const Expression& a, const Expression& b) { return add(a, b); }
inline Expression operator+(const Expression& a, const Scalar& b) { return add(a, b); }
inline Expression operator+(const Scalar& a, const Expression& b) { return add(a, b); }
inline Expression operator-(const Expression& a, const Expression& b) { return subtract(a, b); }
inline Expression operator-(const Expression& a, const Scalar& b) { return subtract(a, b); }
inline Expression operator-(const Scalar& a, const Expression& b) { return subtract(a, b); }
inline Expression operator*(const Expression& a, const Expression& b) { return multiply(a, b); }
inline Expression operator*(const Expression& a, const Scalar& b) { return multiply(a, b); }
inline Expression operator*(const Scalar& a, const Expression& b) { return multiply(a, b); }
inline Expression operator/(const Expression& a, const Expression& b) { return divide(a, b); }
inline Expression operator/(const Expression& a, const Scalar& b) { return divide(a, b); }
inline Expression operator/(const Scalar& a, const Expression& b) { return divide(a, b); }

// Reductions over `axes` (positions in the expression's shape, any order; empty = every
// axis, giving a 0-d result of one element). The reduced axes are removed from the result.
// max and min keep the dtype (a NaN wins, as in NumPy); sum gives int64 for signed,
// uint64 for unsigned integers and the input's float type for floats (accumulated in
// float64); mean gives float64, float32 for float32 input (accumulated in float64). The
// operand must be element-wise (not itself a reduction).
Expression max(const Expression& e, const std::vector<int>& axes = {});
Expression min(const Expression& e, const std::vector<int>& axes = {});
Expression sum(const Expression& e, const std::vector<int>& axes = {});
Expression mean(const Expression& e, const std::vector<int>& axes = {});
Expression reduce(ReduceOp op, const Expression& e, const std::vector<int>& axes = {});

// The positions of the axis letters `letters` ("Z", "ZC"; any case) in `e`'s dims. Throws
// strata::Error naming a letter `e` does not have, or a letter given twice.
std::vector<int> axes_of(const Expression& e, std::string_view letters);

// NumPy's result dtypes, as the functions above use them.
DType promote(DType a, DType b);                   // np.promote_types
DType promote(DType array, const Scalar& scalar);  // NEP 50, for a weak or strong scalar
DType binary_result(BinaryOp op, DType a, DType b);  // divide: integers give float64
DType reduce_result(ReduceOp op, DType input);

}  // namespace strata
