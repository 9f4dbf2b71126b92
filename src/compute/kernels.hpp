#pragma once
// The arithmetic of delayed expressions on contiguous runs of elements, type-erased over
// DType: conversion, the element-wise operators, and the reductions' fold (a block into an
// accumulator of the output's shape), combine (two accumulators) and finish (accumulator to
// output dtype). Pure functions: no files, no MPI.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "strata/box.hpp"
#include "strata/expression.hpp"

namespace strata::compute {

// out[i] = in[i] converted as NumPy's astype (C++ conversion; floats to integers truncate).
void convert(DType from, const std::byte* in, DType to, std::byte* out, std::size_t count);

// `scalar` as one element of `to`, written to `out`.
void scalar_to(const Scalar& scalar, DType to, std::byte* out);

// out[i] = a[i] op b[i], all of dtype `t`; a scalar operand (a_scalar/b_scalar) is one element
// used for every i. Integers wrap around; divide on integers is C++'s truncating division
// (true division converts integers to float64 first, see binary_result).
void apply(BinaryOp op, DType t, const std::byte* a, bool a_scalar, const std::byte* b, bool b_scalar, std::byte* out,
           std::size_t count);

// The dtype partial results of `op` over `input` are kept in: the input's for max/min, int64,
// uint64 or float64 for sum, float64 for mean.
DType accumulator(ReduceOp op, DType input);
// Sets `count` accumulator elements to op's identity (max: the lowest value, -inf for floats).
void identity(ReduceOp op, DType acc, std::byte* data, std::size_t count);
// Folds `block` (contiguous, C order, of `block_shape` and dtype `input`) into the accumulator
// at `acc`: block element at position p goes to acc element Σ p[i]·acc_strides[i], where the
// strides (in elements) are 0 on the reduced axes. `acc` points at the block's origin.
void fold(ReduceOp op, DType input, const std::byte* block, const Shape& block_shape, DType acc_type, std::byte* acc,
          const std::vector<std::int64_t>& acc_strides);
// inout[i] = op(inout[i], in[i]) on accumulators (sum and mean add).
void combine(ReduceOp op, DType acc, const std::byte* in, std::byte* inout, std::size_t count);
// The output from the accumulator: mean divides by `reduced` (the elements folded into each);
// all convert to `out_type`.
void finish(ReduceOp op, DType acc, const std::byte* in, DType out_type, std::byte* out, std::size_t count,
            std::int64_t reduced);

}  // namespace strata::compute
