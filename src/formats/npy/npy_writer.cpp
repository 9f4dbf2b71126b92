// NumPy .npy (format 1.0, or 2.0 when the header needs it): rank 0 writes the header and
// sizes the file; every rank then pwrites each window of its planes at its own offset: a run
// of planes is one contiguous byte range of the C-order array, so nothing is gathered.
#include <limits>
#include <optional>
#include <string>

#include "mpi/comm.hpp"
#include "formats/format_writer.hpp"
#include "io/output_file.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

constexpr std::size_t kAlignment = 64;  // NumPy pads the header so the data is 64-byte aligned

std::string npy_header(DType dtype, const Shape& shape) {
  std::string dict = "{'descr': '" + numpy_typestr(dtype) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) dict += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dict += ',';  // a Python 1-tuple
  dict += "), }";
  // magic (6) + version (2) + length (2 in 1.0, 4 in 2.0) + dict + padding + '\n'
  const bool v2 = 10 + dict.size() + 1 > std::numeric_limits<std::uint16_t>::max();
  const std::size_t prefix = v2 ? 12 : 10;
  const std::size_t total = (prefix + dict.size() + 1 + kAlignment - 1) / kAlignment * kAlignment;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  std::string header = "\x93NUMPY";
  header += static_cast<char>(v2 ? 2 : 1);
  header += '\0';
  const std::size_t length = dict.size();
  for (std::size_t i = 0; i < (v2 ? 4u : 2u); ++i) header += static_cast<char>((length >> (8 * i)) & 0xff);
  return header + dict;
}

// No pyramid or shards: a .npy holds one array.
std::int64_t npy_plane_group(const OutputSpec& spec) {
  if (spec.levels > 1) throw Error("", "a .npy holds one array: write a pyramid (levels) to .zarr or .ome.tif");
  if (!spec.shard.empty() || spec.zarr_format != 2) throw Error("", "zarr_format and shards apply to .zarr outputs");
  return 1;
}

class NpyStream final : public OutputStream {
 public:
  NpyStream(const mpi::Comm& comm, const OutputSpec& spec) {
    const std::string header = npy_header(spec.info.dtype, spec.info.shape);
    data_offset_ = header.size();
    plane_bytes_ = static_cast<std::uint64_t>(
                       element_count(Shape(spec.info.shape.end() - spec.plane_axes, spec.info.shape.end()))) *
                   size_of(spec.info.dtype);
    mpi::agreed(comm, [&] {
      if (comm.rank() != 0) return;
      io::OutputFile file(spec.path, O_WRONLY | O_CREAT | O_EXCL);
      file.write_at(std::as_bytes(std::span(header)), 0);
      file.resize(header.size() + spec.info.decoded_bytes());
      file.close();
    });
    mpi::agreed(comm, [&] { file_.emplace(spec.path, O_WRONLY); });
  }

  // The planes are one contiguous byte range of the C-order array: one pwrite.
  void write(const mpi::Comm& comm, const PlaneWindow& window) override {
    mpi::agreed(comm, [&] {
      const View& planes = window.levels.front();
      file_->write_at(std::span<const std::byte>(planes.data, planes.bytes()),
                      data_offset_ + static_cast<std::uint64_t>(window.plane_begin) * plane_bytes_);
    });
  }

  void finish(const mpi::Comm& comm) override {
    mpi::agreed(comm, [&] { file_->close(); });
  }

 private:
  std::optional<io::OutputFile> file_;
  std::uint64_t data_offset_ = 0;
  std::uint64_t plane_bytes_ = 0;
};

std::unique_ptr<OutputStream> open_npy(const mpi::Comm& comm, const OutputSpec& spec,
                                       const std::vector<std::int64_t>&) {
  return std::make_unique<NpyStream>(comm, spec);
}

}  // namespace

const FormatWriter& npy_writer() {
  static const FormatWriter writer{"npy", "NumPy .npy file", {".npy"}, {"none"}, "none", npy_plane_group, open_npy};
  return writer;
}

}  // namespace strata
