#include "formats/zarr/zarr_v3_metadata.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <set>

#include "codecs/blosc.hpp"
#include "formats/zarr/zarr_metadata.hpp"
#include "strata/error.hpp"

namespace strata::zarr {
namespace {

using nlohmann::json;

// Errors of this parser read "PATH: zarr: CAUSE".
[[noreturn]] void fail(const std::string& path, const std::string& cause) {
  throw Error(ErrorContext{path, "zarr", {}, {}}, cause);
}

const json& member(const json& object, const char* key, const std::string& path, const char* where) {
  if (!object.is_object() || !object.contains(key)) fail(path, std::string(where) + " has no \"" + key + "\"");
  return object[key];
}

Shape parse_shape(const json& j, const std::string& path, const char* what, std::int64_t min) {
  if (!j.is_array()) fail(path, std::string(what) + " is not a list of integers: " + j.dump());
  if (j.size() > 32) fail(path, std::string(what) + " has " + std::to_string(j.size()) + " axes (at most 32)");
  Shape s;
  for (const auto& v : j) {
    // Integers of JSON only; nlohmann stores large positive ones as unsigned.
    const bool ok = v.is_number_unsigned() ? v.get<std::uint64_t>() <= (std::uint64_t{1} << 62)
                                           : v.is_number_integer() && v.get<std::int64_t>() >= min;
    if (!ok || v.get<std::int64_t>() < min)
      fail(path, std::string(what) + " holds " + v.dump() + ", expected integers from " + std::to_string(min) +
                     " to 2^62");
    s.push_back(v.get<std::int64_t>());
  }
  return s;
}

std::string shape_text(const Shape& s) {
  std::string t = "(";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? "," : "") + std::to_string(s[i]);
  return t + ")";
}

DType parse_data_type(const json& j, const std::string& path) {
  static const std::pair<const char*, DType> known[] = {
      {"int8", DType::int8},     {"int16", DType::int16},   {"int32", DType::int32},     {"int64", DType::int64},
      {"uint8", DType::uint8},   {"uint16", DType::uint16}, {"uint32", DType::uint32},   {"uint64", DType::uint64},
      {"float16", DType::float16}, {"float32", DType::float32}, {"float64", DType::float64},
      {"bool", DType::bool_}};
  const char* reads = " (strata reads bool, int8-64, uint8-64, float16, float32 and float64)";
  if (j.is_object()) {
    const json name = j.value("name", json());
    fail(path, "data type " + (name.is_string() ? "'" + name.get<std::string>() + "'" : j.dump()) +
                   " is not supported" + reads);
  }
  if (!j.is_string()) fail(path, "data_type " + j.dump() + " is not a data type name");
  const std::string name = j.get<std::string>();
  for (const auto& [n, t] : known)
    if (name == n) return t;
  fail(path, "data type '" + name + "' is not supported" + reads);
}

std::string codec_name(const json& codec, const std::string& path) {
  if (codec.is_string()) return codec.get<std::string>();
  const json& name = member(codec, "name", path, "a codec");
  if (!name.is_string()) fail(path, "codec name " + name.dump() + " is not a string");
  return name.get<std::string>();
}

json codec_configuration(const json& codec) {
  if (codec.is_object() && codec.contains("configuration") && codec["configuration"].is_object())
    return codec["configuration"];
  return json::object();
}

std::vector<std::size_t> parse_order(const json& config, std::size_t rank, const std::string& path) {
  const json order = config.value("order", json());
  std::vector<std::size_t> o;
  if (order == "C") {
    for (std::size_t i = 0; i < rank; ++i) o.push_back(i);
  } else if (order == "F") {
    for (std::size_t i = rank; i-- > 0;) o.push_back(i);
  } else if (order.is_array() && order.size() == rank) {
    std::vector<bool> seen(rank, false);
    for (const auto& v : order) {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() >= static_cast<std::int64_t>(rank) ||
          seen[v.get<std::size_t>()])
        fail(path, "transpose order " + order.dump() + " is not a permutation of 0.." + std::to_string(rank - 1));
      seen[v.get<std::size_t>()] = true;
      o.push_back(v.get<std::size_t>());
    }
  } else {
    fail(path, "transpose order " + order.dump() + " is not a permutation of " + std::to_string(rank) + " axes");
  }
  return o;
}

std::string blosc_description(const json& config, const std::string& path) {
  const json cname = config.value("cname", json("lz4"));
  if (!cname.is_string()) fail(path, "blosc cname " + cname.dump() + " is not a string");
  // Each Blosc buffer names its own compressor; a libblosc without the declared one fails here
  // at open instead of at every chunk.
  if (!codecs::blosc_has_compressor(cname.get<std::string>()))
    fail(path, "blosc compressor '" + cname.get<std::string>() + "' is not available (this libblosc has " +
                   codecs::blosc_compressors() + ")");
  const json shuffle = config.value("shuffle", json("noshuffle"));
  std::string suffix;
  if (shuffle == "shuffle" || shuffle == 1)
    suffix = "+shuffle";
  else if (shuffle == "bitshuffle" || shuffle == 2)
    suffix = "+bitshuffle";
  else if (shuffle != "noshuffle" && shuffle != 0)
    fail(path, "blosc shuffle " + shuffle.dump() + " is not one of \"noshuffle\", \"shuffle\", \"bitshuffle\"");
  return "blosc-" + cname.get<std::string>() + suffix;
}


V3Codecs parse_chain(const json& list, std::size_t rank, const std::string& path, int depth, const char* what);

std::shared_ptr<const V3Sharding> parse_sharding(const json& config, std::size_t rank, const std::string& path,
                                                 int depth) {
  if (depth > 4) fail(path, "sharding_indexed nested more than 4 deep");
  auto s = std::make_shared<V3Sharding>();
  s->inner = parse_shape(member(config, "chunk_shape", path, "sharding_indexed configuration"), path,
                         "sharding_indexed chunk_shape", 1);
  if (s->inner.size() != rank)
    fail(path, "sharding_indexed chunk_shape " + shape_text(s->inner) + " has " + std::to_string(s->inner.size()) +
                   " axes, the array " + std::to_string(rank));
  s->codecs = parse_chain(member(config, "codecs", path, "sharding_indexed configuration"), rank, path, depth + 1,
                          "sharding_indexed codecs");
  const json index_codecs = config.value("index_codecs", json::array({{{"name", "bytes"}}, {{"name", "crc32c"}}}));
  s->index_codecs = parse_chain(index_codecs, 1, path, depth + 1, "sharding_indexed index_codecs");
  if (!s->index_codecs.fixed_size() || s->index_codecs.sharding || !s->index_codecs.order.empty())
    fail(path, "sharding_indexed index_codecs " + index_codecs.dump() +
                   " are not supported (strata reads indexes coded by bytes and crc32c)");
  const json location = config.value("index_location", json("end"));
  if (location != "start" && location != "end")
    fail(path, "sharding_indexed index_location " + location.dump() + " is not \"start\" or \"end\"");
  s->index_at_start = location == "start";
  return s;
}

V3Codecs parse_chain(const json& list, std::size_t rank, const std::string& path, int depth, const char* what) {
  if (!list.is_array()) fail(path, std::string(what) + " is not a list: " + list.dump());
  V3Codecs c;
  std::vector<std::string> parts;
  bool array_to_bytes = false;
  for (const auto& codec : list) {
    const std::string name = codec_name(codec, path);
    const json config = codec_configuration(codec);
    if (name == "transpose") {
      if (array_to_bytes) fail(path, "transpose after the array->bytes codec in " + std::string(what));
      const std::vector<std::size_t> o = parse_order(config, rank, path);
      // transposes compose: stored axis j of the second is axis o[j] of the first's output.
      if (c.order.empty()) {
        c.order = o;
      } else {
        std::vector<std::size_t> composed(rank);
        for (std::size_t j = 0; j < rank; ++j) composed[j] = c.order[o[j]];
        c.order = composed;
      }
      parts.push_back("transpose");
    } else if (name == "bytes" || name == "sharding_indexed") {
      if (array_to_bytes) fail(path, "two array->bytes codecs in " + std::string(what));
      array_to_bytes = true;
      if (name == "bytes") {
        const json endian = config.value("endian", json("little"));
        if (endian != "little" && endian != "big")
          fail(path, "bytes endian " + endian.dump() + " is not \"little\" or \"big\"");
        c.big_endian = endian == "big";
        parts.push_back(c.big_endian ? "bytes-be" : "bytes");
      } else {
        // Array->array codecs before sharding would reorder whole shards.
        if (!c.order.empty()) fail(path, "transpose before sharding_indexed is not supported");
        c.sharding = parse_sharding(config, rank, path, depth);
        parts.push_back("sharding[" + c.sharding->codecs.description + "]");
      }
    } else if (name == "gzip" || name == "zstd" || name == "blosc" || name == "crc32c") {
      if (!array_to_bytes) fail(path, "codec '" + name + "' before the array->bytes codec (bytes) in " + what);
      if (c.sharding)
        fail(path, "codec '" + name + "' after sharding_indexed is not supported (shards are read by offset)");
      if (name == "crc32c") {
        (c.compressor == V3Compressor::none ? c.crc32c_inner : c.crc32c_outer) += 1;
        parts.push_back("crc32c");
        continue;
      }
      if (c.compressor != V3Compressor::none)
        fail(path, "two compressors in one codec chain are not supported (" + list.dump() + ")");
      c.compressor = name == "gzip" ? V3Compressor::gzip : name == "zstd" ? V3Compressor::zstd : V3Compressor::blosc;
      parts.push_back(name == "blosc" ? blosc_description(config, path) : name);
    } else {
      fail(path, "codec '" + name + "' is not supported (strata reads bytes, transpose, gzip, zstd, blosc, crc32c "
                                    "and sharding_indexed)");
    }
  }
  if (!array_to_bytes) fail(path, std::string(what) + " has no array->bytes codec (bytes or sharding_indexed)");
  for (std::size_t i = 0; i < parts.size(); ++i) c.description += (i ? "+" : "") + parts[i];
  return c;
}

// Metadata keys of an array that strata reads or may ignore; others are extensions.
bool known_array_key(const std::string& key) {
  static const std::set<std::string> keys{"zarr_format", "node_type", "shape", "data_type", "chunk_grid",
                                          "chunk_key_encoding", "fill_value", "codecs", "attributes",
                                          "dimension_names", "storage_transformers"};
  return keys.count(key) != 0;
}

template <typename T>
std::vector<std::uint8_t> bytes_of_value(T value) {
  std::vector<std::uint8_t> b(sizeof(T));
  std::memcpy(b.data(), &value, sizeof(T));
  return b;
}

}  // namespace

std::vector<std::uint8_t> parse_v3_fill(const json& v, DType dtype, const std::string& path) {
  if (dtype == DType::bool_) {
    if (v.is_boolean()) return {static_cast<std::uint8_t>(v.get<bool>() ? 1 : 0)};
    if (v.is_number_integer() && (v.get<std::int64_t>() == 0 || v.get<std::int64_t>() == 1))
      return {static_cast<std::uint8_t>(v.get<std::int64_t>())};
    fail(path, "fill_value " + v.dump() + " is not true or false (data type bool)");
  }
  if (v.is_boolean()) fail(path, "fill_value " + v.dump() + " for data type " + std::string(name(dtype)));
  if (v.is_null()) fail(path, "fill_value is null (Zarr v3 requires one)");
  if (v.is_string() && v.get<std::string>().starts_with("0x")) {
    // Raw bits of a float, most significant digit first: "0x7fc00000".
    const std::string digits = v.get<std::string>().substr(2);
    if (!is_float(dtype) || digits.size() != 2 * size_of(dtype) ||
        !std::all_of(digits.begin(), digits.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); }))
      fail(path, "fill_value " + v.dump() + " is not the " + std::to_string(2 * size_of(dtype)) +
                     "-digit hex form of a " + std::string(name(dtype)));
    const std::uint64_t bits = std::stoull(digits, nullptr, 16);
    if (dtype == DType::float16) return bytes_of_value(static_cast<std::uint16_t>(bits));
    if (dtype == DType::float32) return bytes_of_value(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
    return bytes_of_value(std::bit_cast<double>(bits));
  }
  if (v.is_string() && !is_float(dtype))
    fail(path, "fill_value " + v.dump() + " for data type " + std::string(name(dtype)) + " is not an integer");
  if (v.is_string() && v != "NaN" && v != "Infinity" && v != "-Infinity")
    fail(path, "fill_value " + v.dump() + " is not a number, \"NaN\", \"Infinity\", \"-Infinity\" or hex bits");
  try {
    return parse_fill_value(v, dtype, path);
  } catch (Error& e) {
    e.add_context(ErrorContext{path, "zarr", {}, {}});
    throw;
  }
}

std::string V3ArrayMeta::chunk_key(const Index& position) const {
  std::string key = v2_keys ? "" : "c";
  if (position.empty()) return v2_keys ? "0" : key;
  for (std::size_t i = 0; i < position.size(); ++i) {
    if (i || !v2_keys) key += separator;
    key += std::to_string(position[i]);
  }
  return key;
}

Shape V3ArrayMeta::leaf_chunk() const {
  Shape s = chunks;
  for (const V3Codecs* c = &codecs; c->sharding; c = &c->sharding->codecs) s = c->sharding->inner;
  return s;
}

const V3Codecs& V3ArrayMeta::leaf_codecs() const {
  const V3Codecs* c = &codecs;
  while (c->sharding) c = &c->sharding->codecs;
  return *c;
}

V3ArrayMeta parse_v3_array(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "zarr.json is not a JSON object");
  const json format = j.value("zarr_format", json());
  if (format != 3) fail(path, "zarr_format " + format.dump() + " in zarr.json (expected 3)");
  const json node_type = j.value("node_type", json());
  if (node_type != "array") fail(path, "node_type " + node_type.dump() + " is not an array");
  for (const auto& [key, value] : j.items()) {
    if (known_array_key(key)) continue;
    // Extensions: ignorable only when they say so.
    if (value.is_object() && value.contains("must_understand") && value["must_understand"] == false) continue;
    fail(path, "extension '" + key + "' is not supported (it does not say \"must_understand\": false)");
  }
  const json transformers = j.value("storage_transformers", json::array());
  if (!transformers.is_array() || !transformers.empty())
    fail(path, "storage_transformers " + transformers.dump() + " are not supported");

  V3ArrayMeta m;
  m.dtype = parse_data_type(member(j, "data_type", path, "zarr.json"), path);
  m.data_type = j["data_type"].get<std::string>();
  m.shape = parse_shape(member(j, "shape", path, "zarr.json"), path, "shape", 0);

  const json& grid = member(j, "chunk_grid", path, "zarr.json");
  const json grid_name = grid.is_object() ? grid.value("name", json()) : grid;
  if (grid_name != "regular") fail(path, "chunk_grid " + grid_name.dump() + " is not supported (strata reads \"regular\")");
  const json& grid_config = member(grid, "configuration", path, "chunk_grid");
  m.chunks = parse_shape(member(grid_config, "chunk_shape", path, "chunk_grid configuration"), path,
                         "chunk_grid chunk_shape", 1);
  if (m.chunks.size() != m.shape.size())
    fail(path, "chunk_shape " + shape_text(m.chunks) + " has " + std::to_string(m.chunks.size()) +
                   " axes but shape " + shape_text(m.shape) + " has " + std::to_string(m.shape.size()));

  const json encoding = j.value("chunk_key_encoding", json{{"name", "default"}});
  const json encoding_name = encoding.is_object() ? encoding.value("name", json()) : encoding;
  if (encoding_name != "default" && encoding_name != "v2")
    fail(path, "chunk_key_encoding " + encoding_name.dump() + " is not supported (strata reads \"default\" and \"v2\")");
  m.v2_keys = encoding_name == "v2";
  const json separator = codec_configuration(encoding).value("separator", json(m.v2_keys ? "." : "/"));
  if (separator != "/" && separator != ".")
    fail(path, "chunk_key_encoding separator " + separator.dump() + " is not \"/\" or \".\"");
  m.separator = separator.get<std::string>()[0];

  m.codecs = parse_chain(member(j, "codecs", path, "zarr.json"), m.shape.size(), path, 0, "codecs");

  // Shards must be whole numbers of inner chunks, at every level.
  Shape outer = m.chunks;
  for (const V3Codecs* c = &m.codecs; c->sharding; c = &c->sharding->codecs) {
    const Shape& inner = c->sharding->inner;
    for (std::size_t i = 0; i < inner.size(); ++i)
      if (outer[i] % inner[i] != 0)
        fail(path, "sharding_indexed chunk_shape " + shape_text(inner) + " does not divide the shard shape " +
                       shape_text(outer));
    outer = inner;
  }

  // Sizes that would overflow or allocate absurdly.
  const std::size_t item = size_of(m.dtype);
  long double elements = 1, leaf = static_cast<long double>(item), leaves_per_chunk = 1;
  const Shape leaf_shape = m.leaf_chunk();
  for (std::size_t i = 0; i < m.shape.size(); ++i) {
    elements *= static_cast<long double>(m.shape[i]);
    leaf *= static_cast<long double>(leaf_shape[i]);
    leaves_per_chunk *= static_cast<long double>((m.chunks[i] + leaf_shape[i] - 1) / leaf_shape[i]);
  }
  if (elements * static_cast<long double>(item) >= 9.2e18L)
    fail(path, "shape " + shape_text(m.shape) + " is too large (more than 2^63 bytes)");
  if (leaf > static_cast<long double>(max_chunk_bytes))
    fail(path, "chunks of " + shape_text(leaf_shape) + " elements are too large (more than 16 GiB decoded)");
  // The array may have any number of chunks (a read lists only those it meets), but a
  // shard's index is read whole.
  if (leaves_per_chunk > static_cast<long double>(max_v3_chunks))
    fail(path, "shards of " + shape_text(m.chunks) + " in inner chunks of " + shape_text(leaf_shape) +
                   " hold more than " + std::to_string(max_v3_chunks) + " chunks");

  m.fill = parse_v3_fill(member(j, "fill_value", path, "zarr.json"), m.dtype, path);
  return m;
}

}  // namespace strata::zarr
