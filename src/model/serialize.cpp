#include "model/serialize.hpp"

#include "strata/error.hpp"

namespace strata {

using nlohmann::json;

void to_json(json& j, const Box& b) { j = json{b.start, b.stop}; }
void from_json(const json& j, Box& b) {
  j.at(0).get_to(b.start);
  j.at(1).get_to(b.stop);
}

// Segments are the bulk of a chunk table: stored as one flat [offset, size, ...] array.
void to_json(json& j, const ByteRange& r) { j = json{r.offset, r.size}; }
void from_json(const json& j, ByteRange& r) {
  j.at(0).get_to(r.offset);
  j.at(1).get_to(r.size);
}

void to_json(json& j, const ChunkRef& c) {
  std::vector<std::uint64_t> flat;
  flat.reserve(c.segments.size() * 2);
  for (const auto& s : c.segments) {
    flat.push_back(s.offset);
    flat.push_back(s.size);
  }
  j = json{c.box, c.file, c.encoding, flat, c.key, c.ifd_offset, c.filter_mask};
}
void from_json(const json& j, ChunkRef& c) {
  j.at(0).get_to(c.box);
  j.at(1).get_to(c.file);
  j.at(2).get_to(c.encoding);
  j.at(4).get_to(c.key);
  j.at(5).get_to(c.ifd_offset);
  j.at(6).get_to(c.filter_mask);
  const auto& flat = j.at(3);
  c.segments.resize(flat.size() / 2);
  for (std::size_t i = 0; i < c.segments.size(); ++i)
    c.segments[i] = {flat[2 * i].get<std::uint64_t>(), flat[2 * i + 1].get<std::uint64_t>()};
}

void to_json(json& j, const ChunkTable& t) {
  j = json{{"files", t.files}, {"codecs", t.codecs}, {"chunks", t.chunks}, {"chunk_shape", t.chunk_shape},
           {"partial_block", t.partial_block}, {"fill", json::binary(t.fill)}};
}
void from_json(const json& j, ChunkTable& t) {
  j.at("files").get_to(t.files);
  j.at("codecs").get_to(t.codecs);
  j.at("chunks").get_to(t.chunks);
  j.at("chunk_shape").get_to(t.chunk_shape);
  j.at("partial_block").get_to(t.partial_block);
  t.fill = j.at("fill").get_binary();
}

void to_json(json& j, const PhysicalSize& p) { j = json{{"value", p.value}, {"unit", p.unit}}; }
void from_json(const json& j, PhysicalSize& p) {
  j.at("value").get_to(p.value);
  j.at("unit").get_to(p.unit);
}

void to_json(json& j, const ArrayInfo& a) {
  json sizes = json::object();
  for (const auto& [axis, size] : a.physical_sizes) sizes[std::string(1, axis)] = size;
  j = json{{"format", a.format},
           {"dims", a.dims},
           {"shape", a.shape},
           {"dtype", std::string(name(a.dtype))},
           {"physical_sizes", sizes},
           {"channel_names", a.channel_names},
           {"levels", a.levels},
           {"storage", a.storage},
           {"block_shape", a.block_shape},
           {"palette", a.palette}};
}
void from_json(const json& j, ArrayInfo& a) {
  j.at("format").get_to(a.format);
  j.at("dims").get_to(a.dims);
  j.at("shape").get_to(a.shape);
  a.dtype = parse_dtype(j.at("dtype").get<std::string>());
  a.physical_sizes.clear();
  for (const auto& [axis, size] : j.at("physical_sizes").items())
    a.physical_sizes[axis.at(0)] = size.get<PhysicalSize>();
  j.at("channel_names").get_to(a.channel_names);
  j.at("levels").get_to(a.levels);
  j.at("storage").get_to(a.storage);
  j.at("block_shape").get_to(a.block_shape);
  j.at("palette").get_to(a.palette);
}

std::string to_bytes(const json& j) {
  auto cbor = json::to_cbor(j);
  return std::string(reinterpret_cast<const char*>(cbor.data()), cbor.size());
}

json from_bytes(std::string_view bytes) {
  try {
    return json::from_cbor(bytes.begin(), bytes.end());
  } catch (const json::exception& e) {
    throw Error("", std::string("corrupt driver state: ") + e.what());
  }
}

}  // namespace strata
