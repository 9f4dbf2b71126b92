#include "strata/dtype.hpp"

#include <array>
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

constexpr std::array<DTypeFacts, 10> kFacts{{
    {DType::uint8, "uint8", 1, 'u'},     {DType::uint16, "uint16", 2, 'u'},
    {DType::uint32, "uint32", 4, 'u'},   {DType::uint64, "uint64", 8, 'u'},
    {DType::int8, "int8", 1, 'i'},       {DType::int16, "int16", 2, 'i'},
    {DType::int32, "int32", 4, 'i'},     {DType::int64, "int64", 8, 'i'},
    {DType::float32, "float32", 4, 'f'}, {DType::float64, "float64", 8, 'f'},
}};

const DTypeFacts& facts(DType t) noexcept { return kFacts[static_cast<std::size_t>(t)]; }

}  // namespace

std::size_t size_of(DType t) noexcept { return facts(t).size; }
std::string_view name(DType t) noexcept { return facts(t).name; }
bool is_float(DType t) noexcept { return facts(t).kind == 'f'; }

DType parse_dtype(std::string_view text) {
  for (const auto& f : kFacts)
    if (f.name == text) return f.type;
  throw Error("", "unknown dtype '" + std::string(text) + "'");
}

DType dtype_from(char kind, int bits) {
  for (const auto& f : kFacts)
    if (f.kind == kind && static_cast<int>(f.size) * 8 == bits) return f.type;
  const char* kind_name = kind == 'u' ? "unsigned" : kind == 'i' ? "signed" : "float";
  throw Error("", "unsupported sample type: " + std::to_string(bits) + "-bit " + kind_name);
}

}  // namespace strata
