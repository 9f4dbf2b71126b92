#include "formats/hdf5/hdf5_format.hpp"

#include <cstring>
#include <optional>

#include "codecs/byte_order.hpp"
#include "formats/hdf5/api/dataset.hpp"
#include "formats/hdf5/api/dataspace.hpp"
#include "formats/hdf5/api/datatype.hpp"
#include "formats/hdf5/api/file.hpp"
#include "formats/hdf5/hdf5_dataset.hpp"
#include "formats/lazy_chunk_table.hpp"
#include "io/chunk_io.hpp"
#include "io/file.hpp"
#include "io/raw_reads.hpp"
#include "model/serialize.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {
namespace {

namespace api = hdf5::api;
using hdf5::Access;
using hdf5::Dataset;
using nlohmann::json;

// A chunked dataset's table is listed when asked for, only the chunks a read needs
// (chunks_for); other layouts' few pieces come whole with the description.
class Hdf5Driver final : public Driver {
 public:
  // `table`: the description's pieces, or rank 0's listing (save_for); none: a chunked
  // dataset's chunks, listed on first use.
  Hdf5Driver(Dataset dataset, std::optional<ChunkTable> table)
      : d_(std::move(dataset)),
        table_(table ? LazyChunkTable(std::move(*table))
                     : LazyChunkTable([this] { return chunks_for(Box::whole(d_.info.shape)); })),
        file_(d_.data_file) {}

  ~Hdf5Driver() override {
    if (library_.file) {
      auto lock = api::hdf5_lock();
      library_.dataset.reset();
      library_.file.reset();
    }
  }

  const ArrayInfo& info() const override { return d_.info; }
  const ChunkTable& chunks() const override { return table_.get(); }

  ChunkTable chunks_for(const Box& box) const override {
    if (!chunked()) return Driver::chunks_for(box);
    ChunkTable table{{d_.data_file}, {}, {}, d_.chunk_shape, d_.fill, {}};
    auto lock = api::hdf5_lock();
    hdf5::list_chunks(library_dataset(), d_, box, table);
    return table;
  }
  std::uint64_t chunk_count(const Box& box) const override {
    if (!chunked()) return Driver::chunk_count(box);
    const std::optional<Box> positions = ChunkGrid{d_.info.shape, d_.chunk_shape}.meeting(box);
    return positions ? static_cast<std::uint64_t>(positions->count()) : 0;
  }
  ChunkSummary summary() const override {
    if (!chunked()) return Driver::summary();
    auto lock = api::hdf5_lock();
    return {static_cast<std::uint64_t>(ChunkGrid{d_.info.shape, d_.chunk_shape}.count()),
            api::dataset_storage_size(library_dataset()), d_.chunk_shape, {d_.data_file},
            {hdf5::codec_name(d_.pipeline, 0)}};
  }

  // A chunked dataset's state carries no chunks (restored drivers list them if asked).
  std::string save() const override {
    if (!chunked()) return to_bytes(json{{"dataset", d_}, {"chunks", chunks()}});
    return to_bytes(json{{"dataset", d_}});
  }
  std::string save_for(const Box& box) const override {
    if (!chunked()) return save();
    return to_bytes(json{{"dataset", d_}, {"chunks", chunks_for(box)}});
  }

 private:
  void decode(const ChunkRef& chunk, const Box& region, const View& dest) const override {
    switch (d_.access) {
      case Access::contiguous:
        read_contiguous(chunk, region, dest);
        return;
      case Access::chunks_by_address:
      case Access::chunks_by_lookup:
        read_chunked(chunk, region, dest);
        return;
      case Access::in_state:
        read_in_state(region, dest);
        return;
      case Access::library:
        read_with_library(region, dest);
        return;
    }
  }

  // The dataset opened with the library; call with hdf5_lock() held.
  hid_t library_dataset() const {
    if (!library_.dataset) {
      library_.file = api::file_open_readonly(d_.file);
      library_.dataset = api::dataset_open(library_.file.get(), d_.name, d_.file);
    }
    return library_.dataset.get();
  }

  void swap_if_big_endian(std::span<std::byte> bytes) const {
    if (d_.swap_bytes) codecs::swap_bytes(bytes, size_of(d_.info.dtype));
  }

  void read_contiguous(const ChunkRef& chunk, const Box& region, const View& dest) const {
    io::read_raw_region(file_, chunk.segments.front(), chunk.box, d_.info.shape, d_.info.dtype, d_.swap_bytes, region,
                        dest);
  }

  void read_chunked(const ChunkRef& chunk, const Box& region, const View& dest) const {
    const ChunkGrid grid{d_.info.shape, d_.chunk_shape};  // edge chunks are stored whole
    io::decode_into(dest, region, grid.full_box(grid.position(chunk.box.start)), {}, [&](std::span<std::byte> decoded) {
      const std::uint64_t stored_size = chunk.segments.front().size;
      unsigned filter_mask = chunk.filter_mask;
      const bool filtered = hdf5::any_applied(d_.pipeline, filter_mask);
      if (!filtered && stored_size != decoded.size())
        throw Error("", "unfiltered chunk has " + std::to_string(stored_size) + " bytes, expected " +
                            std::to_string(decoded.size()));
      // Unfiltered bytes are the elements: read them straight into place.
      const std::span<std::byte> stored = filtered ? io::scratch(io::Scratch::stored, stored_size) : decoded;
      if (d_.access == Access::chunks_by_address)
        file_.read_at(stored, chunk.segments.front().offset);
      else
        filter_mask = read_raw_chunk(chunk, stored);
      if (hdf5::any_applied(d_.pipeline, filter_mask)) {
        hdf5::decode_chunk(d_.pipeline, filter_mask, stored, decoded, size_of(d_.info.dtype));
      } else if (stored.data() != decoded.data()) {  // every filter was skipped for this chunk
        if (stored.size() != decoded.size())
          throw Error("", "unfiltered chunk has " + std::to_string(stored.size()) + " bytes, expected " +
                              std::to_string(decoded.size()));
        std::memcpy(decoded.data(), stored.data(), decoded.size());
      }
      swap_if_big_endian(decoded);
    });
  }

  // The stored (still filtered) bytes of a chunk HDF5 looks up itself; returns its filter mask.
  unsigned read_raw_chunk(const ChunkRef& chunk, std::span<std::byte> out) const {
    const std::vector<hsize_t> offset(chunk.box.start.begin(), chunk.box.start.end());
    auto lock = api::hdf5_lock();
    const hid_t dataset = library_dataset();
    const std::uint64_t size = api::dataset_chunk_storage_size(dataset, offset, d_.file);
    if (size != out.size())
      throw Error("",
                  "chunk has " + std::to_string(size) + " stored bytes, the table says " + std::to_string(out.size()));
    return api::dataset_read_chunk(dataset, offset, out, d_.file);
  }

  void read_in_state(const Box& region, const View& dest) const {
    // The state's bytes are never written through this view.
    auto* data = const_cast<std::byte*>(reinterpret_cast<const std::byte*>(d_.data.data()));
    copy(View::contiguous(data, d_.info.dtype, d_.info.shape).sub(region), dest);
  }

  void read_with_library(const Box& region, const View& dest) const {
    const bool into_dest = dest.is_contiguous();
    const std::span<std::byte> out =
        into_dest ? std::span<std::byte>(dest.data, dest.bytes()) : io::scratch(io::Scratch::decoded, dest.bytes());
    const std::size_t rank = region.rank();
    std::vector<hsize_t> start(region.start.begin(), region.start.end()), count(rank);
    for (std::size_t i = 0; i < rank; ++i) count[i] = static_cast<hsize_t>(region.stop[i] - region.start[i]);
    bool raw_enum = false;
    {
      auto lock = api::hdf5_lock();
      const hid_t dataset = library_dataset();
      const api::Id file_space = api::dataset_space(dataset, d_.file);
      api::dataspace_select_box(file_space.get(), start, count, d_.file);
      const api::Id memory_space = api::dataspace_create(count, d_.file);
      const api::Id file_type = api::dataset_type(dataset, d_.file);
      // Enums convert to nothing but enums: read their bytes as they are.
      raw_enum = api::type_class(file_type.get(), d_.file) == H5T_ENUM;
      const hid_t memory_type = raw_enum ? file_type.get() : api::little_endian_type(d_.info.dtype);
      api::dataset_read(dataset, memory_type, memory_space.get(), file_space.get(), out.data(), d_.file);
    }
    if (raw_enum) swap_if_big_endian(out);
    if (!into_dest) copy(View::contiguous(out.data(), d_.info.dtype, region.shape()), dest);
  }

  bool chunked() const { return !d_.chunk_shape.empty(); }

  Dataset d_;
  LazyChunkTable table_;
  io::File file_;  // pread: contiguous data, chunks by address (in d_.data_file)
  struct LibraryHandles {
    api::Id file;
    api::Id dataset;
  };
  mutable LibraryHandles library_;  // opened on first use, under the HDF5 lock
};

std::unique_ptr<Driver> open_hdf5(const std::string& path, const OpenOptions& options) {
  if (options.level != 0)
    throw Error(path,
                "HDF5 datasets have one resolution level; level " + std::to_string(options.level) + " was asked for");
  auto [dataset, table] = hdf5::describe(path, options.allow_external);
  const bool chunked = !dataset.chunk_shape.empty();
  return std::make_unique<Hdf5Driver>(std::move(dataset), chunked ? std::nullopt : std::optional(std::move(table)));
}

std::unique_ptr<Driver> restore_hdf5(std::string_view saved) {
  const json state = from_bytes(saved);
  try {
    std::optional<ChunkTable> table;
    if (state.contains("chunks")) table = state.at("chunks").get<ChunkTable>();
    return std::make_unique<Hdf5Driver>(state.at("dataset").get<Dataset>(), std::move(table));
  } catch (const json::exception& e) {
    throw Error("", std::string("corrupt hdf5 driver state: ") + e.what());
  }
}

bool recognizes_hdf5(const std::string& path, std::span<const std::byte> head) {
  static constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  if (head.size() >= sizeof kSignature && std::memcmp(head.data(), kSignature, sizeof kSignature) == 0) return true;
  // "FILE:/dataset", or a file with a user block before the superblock.
  const auto where = hdf5::split_location(path);
  return where && hdf5::has_hdf5_signature(where->file);
}

}  // namespace

const Format& hdf5_format() {
  static const Format format{"hdf5", &recognizes_hdf5, &open_hdf5, &restore_hdf5, &hdf5_writer()};
  return format;
}

}  // namespace strata
