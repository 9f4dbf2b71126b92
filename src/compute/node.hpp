#pragma once
// The tree behind strata::Expression (strata/expression.hpp): immutable nodes shared by
// the expressions built on them. Each node knows its result's dtype, shape and dims.
#include <memory>
#include <string>
#include <vector>

#include "strata/array.hpp"
#include "strata/expression.hpp"

namespace strata::detail {

struct Node {
  enum class Kind : std::uint8_t { array, scalar, binary, reduce };
  Kind kind = Kind::array;
  DType dtype = DType::uint8;
  Shape shape;       // empty for a scalar
  std::string dims;  // one letter per axis of shape

  Array array;                  // kind array
  Scalar scalar{0};             // kind scalar: the value, converted to `dtype` when evaluated
  BinaryOp binary_op = BinaryOp::add;
  ReduceOp reduce_op = ReduceOp::max;
  std::shared_ptr<const Node> left, right;  // binary: both; reduce: left
  std::vector<int> axes;                    // reduce: the reduced axes of left, ascending
};

}  // namespace strata::detail
