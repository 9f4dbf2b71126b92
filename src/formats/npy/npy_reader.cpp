#include "formats/npy/npy_format.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "formats/npy/npy_header.hpp"
#include "io/file.hpp"
#include "io/raw_reads.hpp"
#include "model/serialize.hpp"
#include "strata/dims.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {
namespace {

using nlohmann::json;
constexpr std::string_view kMagic = "\x93NUMPY";

struct NpyHeader {
  NumpyType type{};
  Shape shape;
  std::uint64_t data_offset = 0;
};

// The prefix (magic, version, header length) and the header dict (npy_header.hpp).
NpyHeader parse_header(const io::File& file) {
  const std::string& path = file.path();
  std::byte prefix[12];
  file.read_at(prefix, 0);
  if (std::memcmp(prefix, kMagic.data(), kMagic.size()) != 0) throw Error(path, "not a NumPy .npy file");
  const auto major = static_cast<unsigned>(prefix[6]);
  if (major < 1 || major > 3) throw Error(path, ".npy format version " + std::to_string(major) + " is not supported");
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  std::uint64_t length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) length |= static_cast<std::uint64_t>(prefix[8 + i]) << (8 * i);
  if (length > (std::uint64_t{1} << 24)) throw Error(path, "the .npy header is implausibly long");
  std::string text(length, '\0');
  file.read_at(std::as_writable_bytes(std::span(text)), 8 + length_bytes);

  // Format 1 and 2 headers may hold Python 2's longs (3L), which NumPy filters out.
  const npy::HeaderDict dict = annotated({path, {}, {}, {}}, [&] { return npy::parse_header_dict(text, major <= 2); });
  if (dict.fortran_order) throw Error(path, "Fortran-order .npy arrays are not supported (save with order C)");
  NpyHeader h;
  // A type string without a byte order ('u2') is NumPy's native order.
  const bool has_order = !dict.descr.empty() && std::string_view("<>|=").find(dict.descr[0]) != std::string_view::npos;
  h.type = annotated({path, {}, {}, {}}, [&] { return parse_numpy_typestr(has_order ? dict.descr : "=" + dict.descr); });
  h.shape = dict.shape;
  h.data_offset = 8 + length_bytes + length;
  return h;
}

class NpyDriver final : public Driver {
 public:
  NpyDriver(ArrayInfo info, ChunkTable table, bool swap)
      : info_(std::move(info)), table_(std::move(table)), swap_(swap), file_(table_.files.at(0)) {}

  const ArrayInfo& info() const override { return info_; }
  const ChunkTable& chunks() const override { return table_; }
  std::string save() const override { return to_bytes(json{{"info", info_}, {"chunks", table_}, {"swap", swap_}}); }

 private:
  void decode(const ChunkRef& chunk, const Box& region, const View& dest) const override {
    io::read_raw_region(file_, chunk.segments.front(), chunk.box, info_.shape, info_.dtype, swap_, region, dest);
  }

  ArrayInfo info_;
  ChunkTable table_;
  bool swap_;
  io::File file_;
};

std::unique_ptr<Driver> open_npy(const std::string& path, const OpenOptions& options) {
  if (options.level != 0) throw Error(path, "a .npy file has one resolution level, not " + std::to_string(options.level));
  const NpyHeader h = parse_header(io::File(path));

  ArrayInfo info;
  info.format = "npy";
  info.dims = default_dims(h.shape.size());
  info.shape = h.shape;
  info.dtype = h.type.dtype;
  info.storage = "contiguous";
  const std::uint64_t file_bytes = std::filesystem::file_size(path);
  if (h.data_offset + info.decoded_bytes() > file_bytes)
    throw Error(path, "the file holds " + std::to_string(file_bytes - std::min(file_bytes, h.data_offset)) +
                          " bytes of data, the header promises " + std::to_string(info.decoded_bytes()) + " (truncated?)");
  if (element_count(h.shape) == 0) throw Error(path, "the array is empty (shape " + Box::whole(h.shape).to_string() + ")");

  // One piece per plane (or the whole array when it has fewer than three axes): a grid of
  // chunks one element deep on the leading axes.
  ChunkTable table;
  table.files = {path};
  table.codecs = {"raw"};
  table.partial_block.assign(h.shape.size(), 1);  // raw rows: any box reads at its own cost
  const std::size_t lead = h.shape.size() > 2 ? h.shape.size() - 2 : 0;
  table.chunk_shape = h.shape;
  std::fill(table.chunk_shape.begin(), table.chunk_shape.begin() + static_cast<std::ptrdiff_t>(lead), 1);
  const ChunkGrid grid{h.shape, table.chunk_shape};
  const std::uint64_t plane_bytes = static_cast<std::uint64_t>(element_count(table.chunk_shape)) * size_of(info.dtype);
  const Box positions = Box::whole(grid.extent());
  Index at = positions.start;
  std::uint64_t offset = h.data_offset;
  do {
    ChunkRef c;
    c.box = grid.box(at);
    c.segments = {{offset, plane_bytes}};
    offset += plane_bytes;
    table.chunks.push_back(std::move(c));
  } while (next_in(at, positions));
  return std::make_unique<NpyDriver>(std::move(info), std::move(table), h.type.swap_bytes);
}

std::unique_ptr<Driver> restore_npy(std::string_view saved) {
  const json state = from_bytes(saved);
  try {
    return std::make_unique<NpyDriver>(state.at("info").get<ArrayInfo>(), state.at("chunks").get<ChunkTable>(),
                                       state.at("swap").get<bool>());
  } catch (const json::exception& e) {
    throw Error("", std::string("corrupt npy driver state: ") + e.what());
  }
}

bool recognizes_npy(const std::string&, std::span<const std::byte> head) {
  return head.size() >= kMagic.size() && std::memcmp(head.data(), kMagic.data(), kMagic.size()) == 0;
}

}  // namespace

const Format& npy_format() {
  static const Format format{"npy", &recognizes_npy, &open_npy, &restore_npy, &npy_writer()};
  return format;
}

}  // namespace strata
