#include "formats/zarr/zarr_metadata.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "codecs/blosc.hpp"
#include "model/half.hpp"
#include "strata/error.hpp"

namespace strata::zarr {
namespace {

using nlohmann::json;

// NumPy typestr: byte order ('<' '>' '|' '='), kind, item size in bytes, e.g. "<u2".
NumpyType parse_typestr(const json& j, const std::string& path) {
  if (!j.is_string()) throw Error(path, "unsupported dtype " + j.dump() + ": strata reads plain numeric dtypes");
  return annotated({path, {}, {}, {}}, [&] { return parse_numpy_typestr(j.get<std::string>()); });
}

Shape parse_extent(const json& zarray, const char* key, const std::string& path, std::int64_t min) {
  const json& j = zarray.at(key);
  if (!j.is_array()) throw Error(path, std::string("\"") + key + "\" is not a list of integers");
  Shape s;
  for (const auto& v : j) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < min)
      throw Error(path, std::string("\"") + key + "\" holds " + v.dump() + ", expected an integer >= " + std::to_string(min));
    s.push_back(v.get<std::int64_t>());
  }
  return s;
}

// The fill value as a number: integers stay exact (uint64 included), the rest is double.
using Number = std::variant<std::int64_t, std::uint64_t, double>;

Number parse_fill_number(const json& v, DType dtype, const std::string& path) {
  auto invalid = [&] { return Error(path, "invalid fill_value " + v.dump() + " for dtype " + std::string(name(dtype))); };
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) return v.get<double>();
  if (!v.is_string()) throw invalid();
  // Strings: the non-finite floats of the spec, and numbers some writers store as text.
  const std::string s = v.get<std::string>();
  if (is_float(dtype)) {
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  const char* first = s.data();
  const char* last = s.data() + s.size();
  std::int64_t i = 0;
  if (auto [end, ec] = std::from_chars(first, last, i); ec == std::errc() && end == last) return i;
  std::uint64_t u = 0;
  if (auto [end, ec] = std::from_chars(first, last, u); ec == std::errc() && end == last) return u;
  double d = 0;
  if (auto [end, ec] = std::from_chars(first, last, d); ec == std::errc() && end == last) return d;
  throw invalid();
}

template <typename T>
T element_value(const Number& n) {
  return std::visit([](auto x) { return static_cast<T>(x); }, n);
}

template <typename T>
std::vector<std::uint8_t> element_bytes(const Number& n, DType dtype, const std::string& path, const json& v) {
  T value{};
  if constexpr (std::is_floating_point_v<T>) {
    value = element_value<T>(n);
  } else {
    // Integers must fit exactly: a fill value that changes on conversion is an error.
    const bool fits = std::visit(
        [](auto x) {
          using X = decltype(x);
          if constexpr (std::is_floating_point_v<X>)
            return std::trunc(x) == x && x >= static_cast<double>(std::numeric_limits<T>::min()) &&
                   x <= static_cast<double>(std::numeric_limits<T>::max());
          else
            return std::in_range<T>(x);
        },
        n);
    if (!fits) throw Error(path, "fill_value " + v.dump() + " does not fit dtype " + std::string(name(dtype)));
    value = element_value<T>(n);
  }
  std::vector<std::uint8_t> bytes(sizeof(T));
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

std::vector<std::uint8_t> parse_fill(const json& v, DType dtype, const std::string& path) {
  // null: the writer declared no fill value; missing chunks then read as zeros.
  if (v.is_null()) return std::vector<std::uint8_t>(size_of(dtype), 0);
  if (dtype == DType::bool_) {
    if (v.is_boolean()) return {static_cast<std::uint8_t>(v.get<bool>() ? 1 : 0)};
    if (v.is_number_integer() && (v.get<std::int64_t>() == 0 || v.get<std::int64_t>() == 1))
      return {static_cast<std::uint8_t>(v.get<std::int64_t>())};
    throw Error(path, "fill_value " + v.dump() + " is not true or false (dtype bool)");
  }
  const Number n = parse_fill_number(v, dtype, path);
  switch (dtype) {
    case DType::uint8: return element_bytes<std::uint8_t>(n, dtype, path, v);
    case DType::uint16: return element_bytes<std::uint16_t>(n, dtype, path, v);
    case DType::uint32: return element_bytes<std::uint32_t>(n, dtype, path, v);
    case DType::uint64: return element_bytes<std::uint64_t>(n, dtype, path, v);
    case DType::int8: return element_bytes<std::int8_t>(n, dtype, path, v);
    case DType::int16: return element_bytes<std::int16_t>(n, dtype, path, v);
    case DType::int32: return element_bytes<std::int32_t>(n, dtype, path, v);
    case DType::int64: return element_bytes<std::int64_t>(n, dtype, path, v);
    case DType::float32: return element_bytes<float>(n, dtype, path, v);
    case DType::float64: return element_bytes<double>(n, dtype, path, v);
    case DType::float16: {
      const std::uint16_t bits = half_bits(static_cast<float>(element_value<double>(n)));
      return {static_cast<std::uint8_t>(bits & 0xff), static_cast<std::uint8_t>(bits >> 8)};
    }
    case DType::bool_: break;  // handled above
  }
  throw Error(path, "unsupported dtype for fill_value");
}

std::string blosc_codec_name(const json& c, const std::string& path) {
  const std::string cname = c.value("cname", std::string("lz4"));
  // Each chunk's Blosc header names its own compressor; checking the declared one here
  // turns a library built without it into an error at open instead of at every chunk.
  if (!codecs::blosc_has_compressor(cname))
    throw Error(path, "blosc compressor '" + cname + "' is not available (this libblosc has " +
                          codecs::blosc_compressors() + ")");
  const int shuffle = c.value("shuffle", 1);
  const char* suffix = shuffle == 1 ? "+shuffle" : shuffle == 2 ? "+bitshuffle" : shuffle == -1 ? "+autoshuffle" : "";
  return "blosc-" + cname + suffix;
}

void parse_compressor(const json& c, ArrayMeta& m, const std::string& path) {
  if (c.is_null()) {
    m.compressor = Compressor::none;
    m.codec = "raw";
    return;
  }
  if (!c.is_object() || !c.contains("id") || !c["id"].is_string())
    throw Error(path, "invalid compressor " + c.dump());
  const std::string id = c["id"].get<std::string>();
  if (id == "blosc") {
    m.compressor = Compressor::blosc;
    m.codec = blosc_codec_name(c, path);
  } else if (id == "zlib" || id == "gzip" || id == "zstd") {
    m.compressor = id == "zlib" ? Compressor::zlib : id == "gzip" ? Compressor::gzip : Compressor::zstd;
    m.codec = id;
  } else {
    throw Error(path, "compressor '" + id + "' is not supported (strata reads blosc, zlib, gzip, zstd or none)");
  }
}

void check_no_filters(const json& filters, const std::string& path) {
  if (filters.is_null() || (filters.is_array() && filters.empty())) return;
  std::string ids;
  for (const auto& f : filters) {
    if (!ids.empty()) ids += ", ";
    ids += f.is_object() && f.contains("id") ? f["id"].get<std::string>() : f.dump();
  }
  throw Error(path, "filter '" + ids + "' is not supported (strata reads Zarr arrays without filters)");
}

}  // namespace

std::vector<std::uint8_t> parse_fill_value(const json& value, DType dtype, const std::string& path) {
  return parse_fill(value, dtype, path);
}

long double ArrayMeta::chunk_bytes() const noexcept {
  return static_cast<long double>(size_of(dtype)) * element_count_wide(chunks);
}

std::string ArrayMeta::chunk_key(const std::vector<std::int64_t>& index) const {
  if (index.empty()) return "0";
  std::string key;
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (i) key += separator;
    key += std::to_string(index[i]);
  }
  return key;
}

ArrayMeta parse_zarray(const json& zarray, const std::string& path) {
  if (!zarray.is_object()) throw Error(path, "not a JSON object");
  for (const char* key : {"shape", "chunks", "dtype"})
    if (!zarray.contains(key)) throw Error(path, std::string("missing \"") + key + "\"");
  if (zarray.contains("zarr_format") && zarray["zarr_format"] != 2)
    throw Error(path, "zarr_format " + zarray["zarr_format"].dump() + " is not supported (strata reads Zarr v2)");
  ArrayMeta m;
  m.shape = parse_extent(zarray, "shape", path, 0);
  m.chunks = parse_extent(zarray, "chunks", path, 1);
  if (m.chunks.size() != m.shape.size())
    throw Error(path, "\"chunks\" has " + std::to_string(m.chunks.size()) + " axes but \"shape\" has " +
                          std::to_string(m.shape.size()));
  const NumpyType t = parse_typestr(zarray["dtype"], path);
  m.dtype = t.dtype;
  m.swap_bytes = t.swap_bytes;

  // No array of 2^63 bytes or more can exist (numpy's limit too). Chunks of any size are valid
  // while they are missing (read as the fill value): a stored one is refused when read.
  if (static_cast<long double>(size_of(m.dtype)) * element_count_wide(m.shape) >= 9.2e18L) throw Error(path, "shape " + zarray["shape"].dump() + " is too large (more than 2^63 bytes)");

  const json order = zarray.value("order", json("C"));
  if (order != "C" && order != "F") throw Error(path, "invalid order " + order.dump() + " (expected \"C\" or \"F\")");
  m.fortran_order = order == "F";

  parse_compressor(zarray.value("compressor", json()), m, path);
  check_no_filters(zarray.value("filters", json()), path);
  m.fill = parse_fill(zarray.value("fill_value", json()), m.dtype, path);

  const json separator = zarray.value("dimension_separator", json("."));
  if (separator != "." && separator != "/")
    throw Error(path, "invalid dimension_separator " + separator.dump() + " (expected \".\" or \"/\")");
  m.separator = separator.get<std::string>()[0];
  return m;
}

void to_json(nlohmann::json& j, const ArrayMeta& m) {
  j = json{{"shape", m.shape},
           {"chunks", m.chunks},
           {"dtype", std::string(name(m.dtype))},
           {"swap_bytes", m.swap_bytes},
           {"fortran_order", m.fortran_order},
           {"compressor", static_cast<int>(m.compressor)},
           {"codec", m.codec},
           {"fill", m.fill},
           {"separator", std::string(1, m.separator)}};
}

void from_json(const nlohmann::json& j, ArrayMeta& m) {
  j.at("shape").get_to(m.shape);
  j.at("chunks").get_to(m.chunks);
  m.dtype = parse_dtype(j.at("dtype").get<std::string>());
  j.at("swap_bytes").get_to(m.swap_bytes);
  j.at("fortran_order").get_to(m.fortran_order);
  m.compressor = static_cast<Compressor>(j.at("compressor").get<int>());
  j.at("codec").get_to(m.codec);
  j.at("fill").get_to(m.fill);
  m.separator = j.at("separator").get<std::string>().at(0);
}

}  // namespace strata::zarr
