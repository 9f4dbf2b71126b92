// NumPy .npy (format 1.0, or 2.0 when the header needs it): rank 0 writes the header and
// sizes the file; every rank then pwrites its slab at its own offset. The slab layout makes
// each rank's part one contiguous byte range, so this is one write per rank and no gather.
#include <limits>
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

void write_npy(const mpi::Comm& comm, const std::string& path, const ArrayInfo& info, Slab& slab,
               std::string_view) {
  const std::string header = npy_header(info.dtype, info.shape);
  mpi::agreed(comm, [&] {
    if (comm.rank() != 0) return;
    io::OutputFile file(path, O_WRONLY | O_CREAT | O_EXCL);
    file.write_at(std::as_bytes(std::span(header)), 0);
    file.resize(header.size() + info.decoded_bytes());
    file.close();
  });
  mpi::agreed(comm, [&] {
    if (slab.data.size() == 0) return;
    io::OutputFile file(path, O_WRONLY);
    file.write_at(std::span<const std::byte>(slab.data.data(), slab.data.size()),
                  header.size() + static_cast<std::uint64_t>(slab.plane_begin) * slab.plane_bytes());
    file.close();
  });
}

}  // namespace

const FormatWriter& npy_writer() {
  static const FormatWriter writer{"npy", {".npy"}, {"none"}, "none", write_npy};
  return writer;
}

}  // namespace strata
