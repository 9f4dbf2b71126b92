#include "formats/hdf5/hdf5_format.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "codecs/byte_order.hpp"
#include "formats/hdf5/hdf5_api.hpp"
#include "formats/hdf5/hdf5_dataset.hpp"
#include "io/raw_reads.hpp"
#include "model/serialize.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

using hdf5::Access;
using hdf5::Dataset;
using nlohmann::json;

// Per-thread buffers reused across chunks: decode threads never share them.
std::span<std::byte> thread_buffer(std::vector<std::byte>& buffer, std::size_t bytes) {
  if (buffer.size() < bytes) buffer.resize(bytes);
  return {buffer.data(), bytes};
}

// C-order byte strides of an array of `shape`.
std::vector<std::int64_t> c_strides(const Shape& shape, std::size_t element_size) {
  std::vector<std::int64_t> strides(shape.size());
  auto stride = static_cast<std::int64_t>(element_size);
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

// Writes `value` (one element's bytes) into every element of `dest`.
void fill(const View& dest, std::span<const std::uint8_t> value, std::size_t axis = 0, std::byte* base = nullptr) {
  if (!base) base = dest.data;
  if (axis + 1 >= dest.rank()) {
    const std::int64_t n = dest.rank() ? dest.shape[axis] : 1;
    const std::int64_t stride = dest.rank() ? dest.byte_strides[axis] : 0;
    for (std::int64_t i = 0; i < n; ++i) std::memcpy(base + i * stride, value.data(), value.size());
    return;
  }
  for (std::int64_t i = 0; i < dest.shape[axis]; ++i) fill(dest, value, axis + 1, base + i * dest.byte_strides[axis]);
}

class Hdf5Driver final : public Driver {
 public:
  Hdf5Driver(Dataset dataset, ChunkTable table) : d_(std::move(dataset)), table_(std::move(table)) {}

  ~Hdf5Driver() override {
    if (fd_ >= 0) ::close(fd_);
    if (library_.file) {
      auto lock = hdf5::hdf5_lock();
      library_.dataset.reset();
      library_.file.reset();
    }
  }

  const ArrayInfo& info() const override { return d_.info; }
  const ChunkTable& chunks() const override { return table_; }

  void read_chunk(const ChunkRef& chunk, const Box& region, const View& dest) const override {
    try {
      if (!chunk.box.contains(region) || dest.shape != region.shape() || dest.dtype != d_.info.dtype)
        throw Error("", "region " + region.to_string() + " (" + std::string(name(dest.dtype)) +
                            ") does not fit chunk " + chunk.box.to_string() + " (" + std::string(name(d_.info.dtype)) +
                            ")");
      if (chunk.segments.empty()) {
        fill(dest, d_.fill);
        return;
      }
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
    } catch (const Error& e) {
      throw Error(d_.file, "reading " + d_.name + " chunk " + chunk.box.to_string() + ": " + e.cause());
    }
  }

  std::string save() const override { return to_bytes(json{{"dataset", d_}, {"chunks", table_}}); }

 private:
  int file_descriptor() const {
    std::call_once(fd_once_, [this] {
      const int fd = ::open(d_.file.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw Error("", std::string("cannot open: ") + std::strerror(errno));
      fd_ = fd;
    });
    return fd_;
  }

  // The dataset opened with the library; call with hdf5_lock() held.
  hid_t library_dataset() const {
    if (!library_.dataset) {
      library_.file = hdf5::open_file_readonly(d_.file);
      library_.dataset = hdf5::Id(hdf5::check(H5Dopen2(library_.file.get(), d_.name.c_str(), H5P_DEFAULT), "",
                                              ("cannot open dataset " + d_.name).c_str()));
    }
    return library_.dataset.get();
  }

  void swap_if_big_endian(std::span<std::byte> bytes) const {
    if (d_.swap_bytes) codecs::swap_bytes(bytes, size_of(d_.info.dtype));
  }

  void read_contiguous(const ChunkRef& chunk, const Box& region, const View& dest) const {
    read_raw_region(file_descriptor(), chunk.segments.front(), chunk.box, d_.info.shape, d_.info.dtype, d_.swap_bytes,
                    region, dest);
  }

  void read_chunked(const ChunkRef& chunk, const Box& region, const View& dest) const {
    const std::size_t element = size_of(d_.info.dtype);
    const Box whole{chunk.box.start, [&] {
                      std::vector<std::int64_t> stop(chunk.box.start);
                      for (std::size_t i = 0; i < stop.size(); ++i) stop[i] += d_.chunk_shape[i];
                      return stop;
                    }()};
    const auto chunk_bytes = static_cast<std::size_t>(element_count(d_.chunk_shape)) * element;
    // A whole (not clipped) chunk into contiguous memory is decoded straight into it.
    const bool direct = region == whole && dest.is_contiguous();
    thread_local std::vector<std::byte> stored_buffer, decoded_buffer;
    const std::span<std::byte> decoded =
        direct ? std::span<std::byte>(dest.data, dest.bytes()) : thread_buffer(decoded_buffer, chunk_bytes);

    const std::uint64_t stored_size = chunk.segments.front().size;
    unsigned filter_mask = static_cast<unsigned>(chunk.locator);
    const bool filtered = hdf5::any_applied(d_.pipeline, filter_mask);
    if (!filtered && stored_size != chunk_bytes)
      throw Error("", "unfiltered chunk has " + std::to_string(stored_size) + " bytes, expected " +
                          std::to_string(chunk_bytes));
    const std::span<std::byte> stored = filtered ? thread_buffer(stored_buffer, stored_size) : decoded;
    if (d_.access == Access::chunks_by_address) {
      pread_all(file_descriptor(), stored, chunk.segments.front().offset);
    } else {
      filter_mask = read_raw_chunk(chunk, stored);
    }
    if (hdf5::any_applied(d_.pipeline, filter_mask)) {
      hdf5::decode_chunk(d_.pipeline, filter_mask, stored, decoded, element);
    } else if (stored.data() != decoded.data()) {  // every filter was skipped for this chunk
      if (stored.size() != decoded.size())
        throw Error("", "unfiltered chunk has " + std::to_string(stored.size()) + " bytes, expected " +
                            std::to_string(decoded.size()));
      std::memcpy(decoded.data(), stored.data(), decoded.size());
    }
    swap_if_big_endian(decoded);
    if (!direct)
      copy(View::contiguous(decoded.data(), d_.info.dtype, d_.chunk_shape).sub(region.relative_to(whole.start)), dest);
  }

  // The stored (still filtered) bytes of a chunk HDF5 looks up itself; returns its filter mask.
  unsigned read_raw_chunk(const ChunkRef& chunk, std::span<std::byte> out) const {
    std::vector<hsize_t> offset(chunk.box.start.begin(), chunk.box.start.end());
    auto lock = hdf5::hdf5_lock();
    const hid_t dataset = library_dataset();
    hsize_t size = 0;
    hdf5::check(H5Dget_chunk_storage_size(dataset, offset.data(), &size), "", "cannot look up the chunk");
    if (size != out.size())
      throw Error("",
                  "chunk has " + std::to_string(size) + " stored bytes, the table says " + std::to_string(out.size()));
    std::uint32_t filter_mask = 0;
    hdf5::check(H5Dread_chunk(dataset, H5P_DEFAULT, offset.data(), &filter_mask, out.data()), "",
                "cannot read the chunk");
    return filter_mask;
  }

  void read_in_state(const Box& region, const View& dest) const {
    const std::size_t element = size_of(d_.info.dtype);
    // The state's bytes are never written through this view.
    auto* data = const_cast<std::byte*>(reinterpret_cast<const std::byte*>(d_.data.data()));
    copy(View{data, d_.info.dtype, d_.info.shape, c_strides(d_.info.shape, element)}.sub(region), dest);
  }

  void read_with_library(const Box& region, const View& dest) const {
    const bool into_dest = dest.is_contiguous();
    thread_local std::vector<std::byte> buffer;
    const std::span<std::byte> out =
        into_dest ? std::span<std::byte>(dest.data, dest.bytes()) : thread_buffer(buffer, dest.bytes());
    const std::size_t rank = region.rank();
    std::vector<hsize_t> start(region.start.begin(), region.start.end()), count(rank);
    for (std::size_t i = 0; i < rank; ++i) count[i] = static_cast<hsize_t>(region.stop[i] - region.start[i]);
    bool raw_enum = false;
    {
      auto lock = hdf5::hdf5_lock();
      const hid_t dataset = library_dataset();
      hdf5::Id file_space(hdf5::check(H5Dget_space(dataset), "", "cannot read the dataspace"));
      hdf5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
                  "", "cannot select the region");
      hdf5::Id memory_space(hdf5::check(H5Screate_simple(static_cast<int>(rank), count.data(), nullptr), "",
                                        "cannot describe the region"));
      hdf5::Id file_type(hdf5::check(H5Dget_type(dataset), "", "cannot read the element type"));
      // Enums convert to nothing but enums: read their bytes as they are.
      raw_enum = H5Tget_class(file_type.get()) == H5T_ENUM;
      const hid_t memory_type = raw_enum ? file_type.get() : hdf5::little_endian_type(d_.info.dtype);
      hdf5::check(H5Dread(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, out.data()), "",
                  "cannot read");
    }
    if (raw_enum) swap_if_big_endian(out);
    if (!into_dest) copy(View::contiguous(out.data(), d_.info.dtype, region.shape()), dest);
  }

  Dataset d_;
  ChunkTable table_;
  mutable std::once_flag fd_once_;
  mutable int fd_ = -1;
  struct LibraryHandles {
    hdf5::Id file;
    hdf5::Id dataset;
  };
  mutable LibraryHandles library_;  // opened on first use, under the HDF5 lock
};

std::unique_ptr<Driver> open_hdf5(const std::string& path, const OpenOptions& options) {
  if (options.level != 0)
    throw Error(path,
                "HDF5 datasets have one resolution level; level " + std::to_string(options.level) + " was asked for");
  auto [dataset, table] = hdf5::describe(path);
  return std::make_unique<Hdf5Driver>(std::move(dataset), std::move(table));
}

std::unique_ptr<Driver> restore_hdf5(std::string_view saved) {
  const json state = from_bytes(saved);
  try {
    return std::make_unique<Hdf5Driver>(state.at("dataset").get<Dataset>(), state.at("chunks").get<ChunkTable>());
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
