// OME-TIFF output (.ome.tif, .ome.tiff): a little-endian BigTIFF written directly with
// pwrite, so that every rank writes its own planes into the one file (libtiff cannot).
// ome_tiff_layout.hpp places the header and every IFD first; their sizes depend only on the
// array's description, so each rank writes its planes' IFDs itself.
//
// Steps, each agreed over all ranks so that no rank hangs:
// 1. every rank derives the same PlaneFormat; rank 0 draws the file's UUID and broadcasts
//    it, so every rank builds the same OME-XML and FileLayout;
// 2. rank 0 creates the file and writes the header; ranks holding planes open it;
// 3. with a codec, each rank encodes its strips on its threads in waves of a few MiB into
//    scratch (predictor 2 first, for integers) and packs them into the front of its slab's
//    own memory (InPlacePacker): no second copy of the slab is ever made. An exclusive prefix
//    sum of the ranks' packed totals then places each rank's data. Uncompressed, every
//    offset follows from plane_begin and nothing is exchanged;
// 4. each rank writes its data and its planes' IFDs.
// Every plane has the same Compression and Predictor: tifffile decodes all pages with
// the first page's settings.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "exec/resources.hpp"
#include "io/output_file.hpp"
#include "mpi/comm.hpp"
#include "formats/tiff/ome_tiff_layout.hpp"
#include "formats/format_writer.hpp"
#include "strata/error.hpp"
#include "strata/slab.hpp"

namespace strata {
namespace {

using ome_tiff::FileLayout;
using ome_tiff::PlaneFormat;

// A random (version 4) UUID as OME writes it: "urn:uuid:xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string random_uuid() {
  std::random_device random;
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < b.size(); i += 4) {
    const std::uint32_t word = random();
    std::memcpy(b.data() + i, &word, 4);
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  char text[48];
  std::snprintf(text, sizeof text,
                "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
                b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return text;
}

// Writes the IFDs of this rank's planes, whose strips lie back to back from `data_at` with
// sizes `strip_sizes`, in batches of a few MiB (the IFDs of many small planes add up).
void write_ifds(const io::OutputFile& file, const PlaneFormat& f, const FileLayout& layout, const Slab& slab,
                std::span<const std::uint64_t> strip_sizes, std::uint64_t data_at, const std::string& xml) {
  constexpr std::size_t kBatchBytes = std::size_t{4} << 20;
  const std::uint32_t strips = f.strips_per_plane();
  std::vector<std::uint64_t> offsets(strips);
  std::vector<std::byte> batch;
  std::uint64_t batch_at = layout.ifd_offset(static_cast<std::uint64_t>(slab.plane_begin));
  for (std::int64_t p = slab.plane_begin; p < slab.plane_end; ++p) {
    const auto sizes = strip_sizes.subspan(static_cast<std::size_t>(p - slab.plane_begin) * strips, strips);
    for (std::uint32_t k = 0; k < strips; ++k) {
      offsets[k] = data_at;
      data_at += sizes[k];
    }
    ome_tiff::append_ifd(batch, f, layout, static_cast<std::uint64_t>(p), offsets, sizes, xml);
    if (batch.size() >= kBatchBytes || p + 1 == slab.plane_end) {
      file.write_at(batch, batch_at);
      batch_at += batch.size();
      batch.clear();
    }
  }
}

// Encoding threads: the CPUs this rank may use (its affinity mask when bound, else its share
// of the node's). Collective.
void write_ome_tiff(const mpi::Comm& comm, const std::string& path, const ArrayInfo& info, Slab& slab,
                    std::string_view codec) {
  PlaneFormat format;
  std::string uuid;
  mpi::agreed(comm, [&] {
    format = ome_tiff::plane_format(info, codec);
    if (slab.shape != info.shape || slab.dtype != info.dtype ||
        slab.data.size() != static_cast<std::size_t>(slab.planes()) * format.plane_bytes())
      throw Error("", "OME-TIFF: this rank's slab does not match the array " + info.dims + " " +
                          std::string(name(info.dtype)));
    if (comm.rank() == 0) uuid = random_uuid();
  });
  uuid = comm.broadcast(uuid, 0);

  std::string xml;
  std::optional<FileLayout> layout;
  std::optional<io::OutputFile> file;
  mpi::agreed(comm, [&] {
    xml = ome_tiff::ome_xml(info, format, uuid);
    layout.emplace(format, xml.size());
    if (comm.rank() != 0) return;
    file.emplace(path, O_WRONLY | O_CREAT | O_EXCL);
    file->write_at(ome_tiff::bigtiff_header(layout->ifd_offset(0)), 0);
  });

  const int threads = format.compression == 1 ? 1 : exec::threads_per_rank(comm.ranks_on_node());
  // The slab is consumed: compressed strips are packed into its own memory.
  const std::span<std::byte> memory(slab.data.data(), slab.data.size());
  ome_tiff::InPlacePacker packer(memory);
  std::vector<std::uint64_t> strip_sizes;
  mpi::agreed(comm, [&] {
    if (slab.planes() == 0) return;
    if (!file) file.emplace(path, O_WRONLY);
    strip_sizes = format.compression == 1 ? ome_tiff::raw_strip_sizes(format, slab.planes())
                                          : ome_tiff::encode_strips(memory, format, packer, threads);
  });

  const std::uint64_t before = format.compression == 1
                                   ? static_cast<std::uint64_t>(slab.plane_begin) * format.plane_bytes()
                                   : comm.exclusive_sum(packer.size());
  const std::uint64_t data_at = layout->data_offset() + before;
  mpi::agreed(comm, [&] {
    if (!file) return;
    if (format.compression == 1) {
      file->write_at(slab.data.bytes(), data_at);
    } else {
      file->write_at(packer.in_place(), data_at);
      file->write_at(packer.spill(), data_at + packer.in_place().size());
    }
    if (slab.planes() > 0) write_ifds(*file, format, *layout, slab, strip_sizes, data_at, xml);
    file->close();
  });
}

std::int64_t ome_tiff_plane_group(const OutputSpec& spec) {
  if (spec.levels > 1) throw Error("", "pyramids (levels) are not written to .ome.tif yet");
  if (!spec.shard.empty() || spec.zarr_format != 2) throw Error("", "zarr_format and shards apply to .zarr outputs");
  return 1;
}

// Collects this rank's planes and writes them all at finish: the OME-TIFF layout places
// compressed strips by a prefix sum over the ranks' whole parts.
class OmeTiffStream final : public OutputStream {
 public:
  OmeTiffStream(const OutputSpec& spec, const std::vector<std::int64_t>& plane_bounds, int rank) : spec_(spec) {
    slab_.shape = spec.info.shape;
    slab_.dtype = spec.info.dtype;
    slab_.plane_axes = spec.plane_axes;
    slab_.plane_begin = plane_bounds[static_cast<std::size_t>(rank)];
    slab_.plane_end = plane_bounds[static_cast<std::size_t>(rank) + 1];
    slab_.data = Buffer(static_cast<std::size_t>(slab_.planes()) * slab_.plane_bytes());
  }

  void write(const mpi::Comm& comm, const PlaneWindow& window) override {
    mpi::agreed(comm, [&] {
      const View& planes = window.levels.front();
      std::memcpy(slab_.data.data() + static_cast<std::size_t>(window.plane_begin - slab_.plane_begin) * slab_.plane_bytes(),
                  planes.data, planes.bytes());
    });
  }

  void finish(const mpi::Comm& comm) override { write_ome_tiff(comm, spec_.path, spec_.info, slab_, spec_.codec); }

 private:
  OutputSpec spec_;
  Slab slab_;
};

std::unique_ptr<OutputStream> open_ome_tiff(const mpi::Comm& comm, const OutputSpec& spec,
                                            const std::vector<std::int64_t>& plane_bounds) {
  std::unique_ptr<OutputStream> stream;
  mpi::agreed(comm, [&] { stream = std::make_unique<OmeTiffStream>(spec, plane_bounds, comm.rank()); });
  return stream;
}

}  // namespace

const FormatWriter& ome_tiff_writer() {
  static const FormatWriter writer{"ome-tiff",
          {".ome.tif", ".ome.tiff"},
          {ome_tiff::kCodecs.begin(), ome_tiff::kCodecs.end()},
          ome_tiff::kCodecs[0],
          ome_tiff_plane_group, open_ome_tiff};
  return writer;
}


}  // namespace strata
