#include "strata/dtype.hpp"

#include <array>
#include <bit>
#include <charconv>
#include <string>

#include "strata/error.hpp"

namespace strata {
namespace {

struct DTypeFacts {
  DType type;
  std::string_view name;
  std::size_t size;
  char kind;
};

constexpr std::array<DTypeFacts, 12> kFacts{{
    {DType::uint8, "uint8", 1, 'u'},     {DType::uint16, "uint16", 2, 'u'},
    {DType::uint32, "uint32", 4, 'u'},   {DType::uint64, "uint64", 8, 'u'},
    {DType::int8, "int8", 1, 'i'},       {DType::int16, "int16", 2, 'i'},
    {DType::int32, "int32", 4, 'i'},     {DType::int64, "int64", 8, 'i'},
    {DType::float32, "float32", 4, 'f'}, {DType::float64, "float64", 8, 'f'},
    {DType::float16, "float16", 2, 'f'}, {DType::bool_, "bool", 1, 'b'},
}};

const DTypeFacts& facts(DType t) noexcept { return kFacts[static_cast<std::size_t>(t)]; }

}  // namespace

std::size_t size_of(DType t) noexcept { return facts(t).size; }
std::string_view name(DType t) noexcept { return facts(t).name; }

void check_element_type(DType actual, DType wanted) {
  if (actual != wanted)
    throw Error("", "the elements are " + std::string(name(actual)) + ", not " + std::string(name(wanted)) +
                        " (typed access needs the array's own dtype)");
}
bool is_float(DType t) noexcept { return facts(t).kind == 'f'; }

DType parse_dtype(std::string_view text) {
  for (const auto& f : kFacts)
    if (f.name == text) return f.type;
  throw Error("", "unknown dtype '" + std::string(text) + "'");
}

DType dtype_from(char kind, int bits) {
  for (const auto& f : kFacts)
    if (f.kind == kind && static_cast<int>(f.size) * 8 == bits) return f.type;
  const char* kind_name = kind == 'u' ? "unsigned" : kind == 'i' ? "signed" : kind == 'b' ? "bool" : "float";
  throw Error("", "unsupported sample type: " + std::to_string(bits) + "-bit " + kind_name);
}

NumpyType parse_numpy_typestr(std::string_view s) {
  auto unsupported = [&] {
    return Error("", "unsupported dtype '" + std::string(s) +
                         "': strata reads bool, unsigned and signed integers of 8 to 64 bits and floats of 16 to 64 bits");
  };
  int bytes = 0;
  if (s.size() < 3 || std::string_view("<>|=").find(s[0]) == std::string_view::npos) throw unsupported();
  auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), bytes);
  if (ec != std::errc() || end != s.data() + s.size()) throw unsupported();
  const char kind = s[1];
  if (kind != 'u' && kind != 'i' && kind != 'f' && kind != 'b') throw unsupported();
  NumpyType t{};
  try {
    t.dtype = dtype_from(kind, bytes * 8);
  } catch (const Error&) {
    throw unsupported();
  }
  if (s[0] == '|' && bytes != 1)
    throw Error("", "dtype '" + std::string(s) + "' has no byte order but " + std::to_string(bytes) + " bytes");
  const bool stored_little = s[0] == '<' || (s[0] == '=' && std::endian::native == std::endian::little);
  t.swap_bytes = bytes > 1 && s[0] != '|' && stored_little != (std::endian::native == std::endian::little);
  return t;
}

std::string numpy_typestr(DType t) {
  return std::string(1, size_of(t) == 1 ? '|' : '<') + facts(t).kind + std::to_string(size_of(t));
}

}  // namespace strata
