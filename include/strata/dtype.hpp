#pragma once
// Runtime element type. Names follow NumPy ("uint16", "float32", "bool").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace strata {

enum class DType : std::uint8_t {
  uint8, uint16, uint32, uint64,
  int8, int16, int32, int64,
  float32, float64,
  float16,  // IEEE half (Zarr, NumPy, TIFF SampleFormat 3 with 16 bits); bytes only, no arithmetic here
  bool_,    // one byte, 0 or 1 (NumPy '|b1', Zarr "bool")
};

std::size_t size_of(DType t) noexcept;

// The DType of a C++ element type, for typed access (View::as, Buffer::as, Slab::as):
// dtype_of<std::uint16_t> is DType::uint16. Other types have none (a compile error).
template <class T>
struct DTypeOf;
template <> struct DTypeOf<std::uint8_t> { static constexpr DType value = DType::uint8; };
template <> struct DTypeOf<std::uint16_t> { static constexpr DType value = DType::uint16; };
template <> struct DTypeOf<std::uint32_t> { static constexpr DType value = DType::uint32; };
template <> struct DTypeOf<std::uint64_t> { static constexpr DType value = DType::uint64; };
template <> struct DTypeOf<std::int8_t> { static constexpr DType value = DType::int8; };
template <> struct DTypeOf<std::int16_t> { static constexpr DType value = DType::int16; };
template <> struct DTypeOf<std::int32_t> { static constexpr DType value = DType::int32; };
template <> struct DTypeOf<std::int64_t> { static constexpr DType value = DType::int64; };
template <> struct DTypeOf<float> { static constexpr DType value = DType::float32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::float64; };
template <class T>
inline constexpr DType dtype_of = DTypeOf<std::remove_cv_t<T>>::value;

// Throws strata::Error unless elements of dtype `actual` may be used as `wanted` (the two
// are equal): the check behind every typed access.
void check_element_type(DType actual, DType wanted);
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
