#pragma once
// Runtime element type. Names follow NumPy ("uint16", "float32", "bool").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

enum class DType : std::uint8_t {
  uint8, uint16, uint32, uint64,
  int8, int16, int32, int64,
  float32, float64,
  float16,  // IEEE half (Zarr, NumPy, TIFF SampleFormat 3 with 16 bits); bytes only, no arithmetic here
  bool_,    // one byte, 0 or 1 (NumPy '|b1', Zarr "bool")
};

std::size_t size_of(DType t) noexcept;
std::string_view name(DType t) noexcept;
// Throws strata::Error for an unknown name.
DType parse_dtype(std::string_view name);
// The dtype for a sample format: kind 'u' unsigned, 'i' signed, 'f' float (16..64 bits),
// 'b' bool (8 bits). Throws when no dtype matches (e.g. 12-bit).
DType dtype_from(char kind, int bits);
bool is_float(DType t) noexcept;
// NumPy's array-interface typestr of the little-endian type: "|u1", "<u2", "<f4" (npy
// headers and Zarr v2 metadata); "|b1" for bool.
std::string numpy_typestr(DType t);
// A NumPy typestr read back ("<u2", ">f4", "|u1", "=i8"): the dtype, and whether its bytes are
// swapped relative to this machine. Throws strata::Error for other kinds (complex, strings, ...).
struct NumpyType {
  DType dtype;
  bool swap_bytes;
};
NumpyType parse_numpy_typestr(std::string_view typestr);

}  // namespace strata
