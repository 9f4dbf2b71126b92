// OME-TIFF output (.ome.tif, .ome.tiff): a little-endian BigTIFF written directly with
// pwrite, so that every rank writes its own planes into the one file (libtiff cannot).
// ome_tiff_layout.hpp places the header and every IFD first; their sizes depend only on the
// array's description, so each rank writes its planes' IFDs itself.
//
// Steps, each agreed over all ranks so that no rank hangs:
// 1. every rank derives the same PlaneFormat; rank 0 draws the file's UUID and broadcasts
//    it, so every rank builds the same OME-XML and FileLayout;
// 2. rank 0 creates the file and writes the header; the other ranks then open it;
// 3. for each window (every rank the same number, in lockstep), each rank encodes the
//    window's strips at every level on its threads in waves of a few MiB into scratch
//    (predictor 2 first, for integers) and packs them into the front of the window's own
//    memory (InPlacePacker): no copy of the window is made. An exclusive prefix sum of the
//    ranks' packed totals places each rank's data after the previous round's total (the
//    sum); uncompressed data is placed the same way, as it is;
// 4. each rank writes the window's data and its planes' IFDs, then forgets both: memory
//    stays at one window and its scratch, however many planes a rank has.
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

std::int64_t ome_tiff_plane_group(const OutputSpec& spec) {
  if (!spec.shard.empty() || spec.zarr_format != 2) throw Error("", "zarr_format and shards apply to .zarr outputs");
  return 1;
}

// One rank's planes, window by window: each window's strips at every level are encoded and
// written at once, then their IFDs; a rank holds only the window it is given and the
// encoding scratch (encode_strips packs into the window's own memory).
class OmeTiffStream final : public OutputStream {
 public:
  // Collective.
  OmeTiffStream(const mpi::Comm& comm, const OutputSpec& spec) : levels_(spec.levels) {
    PlaneFormat format;
    std::string uuid;
    mpi::agreed(comm, [&] {
      format = ome_tiff::plane_format(spec.info, spec.codec);
      if (comm.rank() == 0) uuid = random_uuid();
    });
    uuid = comm.broadcast(uuid, 0);
    mpi::agreed(comm, [&] {
      xml_ = ome_tiff::ome_xml(spec.info, format, uuid, spec.origin);
      layout_.emplace(format, xml_.size(), spec.levels);
      if (comm.rank() != 0) return;
      file_.emplace(spec.path, O_WRONLY | O_CREAT | O_EXCL);
      file_->write_at(ome_tiff::bigtiff_header(layout_->ifd_offset(0)), 0);
    });
    // Opened once rank 0 has created it (the agreement above orders the two).
    mpi::agreed(comm, [&] {
      if (!file_) file_.emplace(spec.path, O_WRONLY);
    });
    data_at_ = layout_->data_offset();
    threads_ = format.compression == 1 ? 1 : exec::threads_per_rank(comm.ranks_on_node());
  }

  void write(const mpi::Comm& comm, const PlaneWindow& window) override {
    std::vector<Level> levels(window.planes() > 0 ? static_cast<std::size_t>(levels_) : 0);
    std::uint64_t bytes = 0;
    mpi::agreed(comm, [&] {
      for (int k = 0; k < static_cast<int>(levels.size()); ++k) {
        const PlaneFormat& f = layout_->format(k);
        const View& view = window.levels.at(static_cast<std::size_t>(k));
        if (view.bytes() != static_cast<std::size_t>(window.planes()) * f.plane_bytes())
          throw Error("", "OME-TIFF: a window's level " + std::to_string(k) + " does not match the array");
        Level& level = levels[static_cast<std::size_t>(k)];
        const std::span<std::byte> memory(view.data, view.bytes());
        if (f.compression == 1) {
          level.stored = {memory};
          level.strip_sizes = ome_tiff::raw_strip_sizes(f, window.planes());
        } else {
          ome_tiff::InPlacePacker packer(memory);
          level.strip_sizes = ome_tiff::encode_strips(memory, f, packer, threads_);
          level.spill.assign(packer.spill().begin(), packer.spill().end());
          level.stored = {packer.in_place(), level.spill};
        }
        for (const auto& part : level.stored) bytes += part.size();
      }
    });
    // Windows are written in lockstep: this rank's data follows the lower ranks' in this round.
    std::uint64_t at = data_at_ + comm.exclusive_sum(bytes);
    data_at_ += comm.sum(bytes);
    mpi::agreed(comm, [&] {
      for (int k = 0; k < static_cast<int>(levels.size()); ++k) {
        const Level& level = levels[static_cast<std::size_t>(k)];
        write_ifds(window, k, level.strip_sizes, at);
        for (const auto& part : level.stored) {
          file_->write_at(part, at);
          at += part.size();
        }
      }
    });
  }

  void finish(const mpi::Comm& comm) override {
    mpi::agreed(comm, [&] { file_->close(); });
  }

 private:
  // Writes the IFDs of the window's planes at `level`, whose strips lie back to back from
  // `data_at` with sizes `strip_sizes`: they are consecutive in the file, one write.
  void write_ifds(const PlaneWindow& window, int level, std::span<const std::uint64_t> strip_sizes,
                  std::uint64_t data_at) const {
    const std::uint32_t strips = layout_->format(level).strips_per_plane();
    std::vector<std::uint64_t> offsets(strips);
    std::vector<std::byte> batch;
    for (std::int64_t p = window.plane_begin; p < window.plane_end; ++p) {
      const auto sizes = strip_sizes.subspan(static_cast<std::size_t>(p - window.plane_begin) * strips, strips);
      for (std::uint32_t k = 0; k < strips; ++k) {
        offsets[k] = data_at;
        data_at += sizes[k];
      }
      ome_tiff::append_ifd(batch, *layout_, static_cast<std::uint64_t>(p), level, offsets, sizes, xml_);
    }
    file_->write_at(batch, layout_->ifd_offset(static_cast<std::uint64_t>(window.plane_begin), level));
  }

  // One level of a window as stored: its bytes in order (the window's own memory, and what
  // did not fit back into it), and the stored size of each of its strips.
  struct Level {
    std::vector<std::span<const std::byte>> stored;
    std::vector<std::byte> spill;
    std::vector<std::uint64_t> strip_sizes;
  };

  int levels_;
  std::string xml_;
  std::optional<FileLayout> layout_;
  std::optional<io::OutputFile> file_;
  std::uint64_t data_at_ = 0;  // where the next round of windows begins
  int threads_ = 1;
};

std::unique_ptr<OutputStream> open_ome_tiff(const mpi::Comm& comm, const OutputSpec& spec,
                                            const std::vector<std::int64_t>&) {
  return std::make_unique<OmeTiffStream>(comm, spec);
}

}  // namespace

const FormatWriter& ome_tiff_writer() {
  static const FormatWriter writer{"ome-tiff", "TIFF file",
          {".ome.tif", ".ome.tiff"},
          {ome_tiff::kCodecs.begin(), ome_tiff::kCodecs.end()},
          ome_tiff::kCodecs[0],
          ome_tiff_plane_group, open_ome_tiff};
  return writer;
}


}  // namespace strata
