// Array::write: a conversion streamed window by window. Each rank walks its own planes
// (strata/stream.hpp) while its decode threads fill the next window, derives the window's
// pyramid levels, and hands all of it to the output format's stream; then the output is
// committed atomically (array/commit.hpp). A rank holds two windows and their levels, never
// its whole share, so an array larger than the job's memory converts.
#include <algorithm>

#include "array/commit.hpp"
#include "exec/parallel_for.hpp"
#include "exec/resources.hpp"
#include "formats/format_writer.hpp"
#include "model/pyramid.hpp"
#include "mpi/comm.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/stream.hpp"

namespace strata {
namespace {

// What the output holds: the file's metadata for the selected part.
ArrayInfo output_info(const ArrayInfo& file, const Box& selection, std::string_view format) {
  ArrayInfo info = file;
  info.format = std::string(format);
  info.shape = selection.shape();
  // The source's storage is not the output's: OutputSpec says what is written.
  info.levels.clear();
  info.storage.clear();
  info.block_shape.clear();
  info.palette = false;
  const auto c = file.dims.find('C');
  if (c != std::string::npos && file.channel_names.size() == static_cast<std::size_t>(file.shape[c]))
    info.channel_names.assign(file.channel_names.begin() + selection.start[c],
                              file.channel_names.begin() + selection.stop[c]);
  return info;
}

std::string codec_for(const FormatWriter& format, const std::string& asked, const std::string& path) {
  if (asked.empty()) return std::string(format.default_codec);
  for (auto codec : format.codecs)
    if (codec == asked) return asked;
  std::string known;
  for (auto codec : format.codecs) known += (known.empty() ? "" : ", ") + std::string(codec);
  throw Error(path, "the " + std::string(format.name) + " output cannot compress with '" + asked + "' (choose " +
                        known + ")");
}

OutputSpec output_spec(const Array& array, const FormatWriter& format, const std::string& path,
                       const WriteOptions& options) {
  OutputSpec spec;
  spec.info = output_info(array.info(), array.selection(), format.name);
  spec.plane_axes = plane_axes(array.dims(), array.shape().size());
  spec.codec = codec_for(format, options.codec, path);
  spec.origin = array.selection().start;
  if (options.levels < 1 || options.levels > 32)
    throw Error(path, "levels must be between 1 and 32, not " + std::to_string(options.levels));
  spec.levels = options.levels;
  if (options.zarr_format != 2 && options.zarr_format != 3)
    throw Error(path, "zarr_format must be 2 or 3, not " + std::to_string(options.zarr_format));
  spec.zarr_format = options.zarr_format;
  if (!options.shard.empty()) {
    spec.shard.assign(array.dims().size(), 0);
    for (const auto& [axis, size] : options.shard) {
      const auto at = array.dims().find(axis);
      if (at == std::string::npos)
        throw Error(path, std::string("shard axis '") + axis + "' is not one of the dims " + array.dims());
      if (size < 1) throw Error(path, std::string("shard size along ") + axis + " must be at least 1");
      spec.shard[at] = size;
    }
  }
  return spec;
}

// Bytes of planes one window may hold: a rank holds two windows (one decoding ahead), the
// current one's pyramid levels (at most a third more) and the writer's scratch.
std::uint64_t window_bytes(const ReadOptions& read) { return read.max_memory ? read.max_memory / 3 : 0; }

// The window's levels 1.. from level 0, plane by plane on the rank's threads.
class LevelBuffers {
 public:
  LevelBuffers(const OutputSpec& spec, std::int64_t max_planes) : spec_(spec) {
    for (int k = 1; k < spec.levels; ++k) {
      const Shape plane = plane_shape(k);
      memory_.emplace_back(static_cast<std::size_t>(max_planes * element_count(plane)) * size_of(spec.info.dtype));
    }
  }

  PlaneWindow window(const View& level0, std::int64_t begin, std::int64_t end, int threads) {
    PlaneWindow w{begin, end, {level0}};
    const std::int64_t planes = end - begin;
    for (int k = 1; k < spec_.levels; ++k) {
      Shape shape = plane_shape(k);
      shape.insert(shape.begin(), planes);
      w.levels.push_back(View::contiguous(memory_[static_cast<std::size_t>(k - 1)].data(), level0.dtype, shape));
      const View& from = w.levels[static_cast<std::size_t>(k - 1)];
      const View& to = w.levels.back();
      exec::parallel_for(static_cast<std::size_t>(planes), threads, [&](std::size_t p, int) {
        downsample_plane(plane_of(from, p), plane_of(to, p));
      });
    }
    return w;
  }

 private:
  Shape plane_shape(int level) const {
    const Shape shape = level_shape(spec_.info.shape, spec_.plane_axes, level);
    return Shape(shape.end() - spec_.plane_axes, shape.end());
  }
  static View plane_of(const View& planes, std::size_t p) {
    Shape plane(planes.shape.begin() + 1, planes.shape.end());
    const std::size_t bytes = static_cast<std::size_t>(element_count(plane)) * size_of(planes.dtype);
    return View::contiguous(planes.data + p * bytes, planes.dtype, plane);
  }

  const OutputSpec& spec_;
  std::vector<Buffer> memory_;
};

}  // namespace

WriteStats Array::write(const std::string& path, const WriteOptions& options) const {
  const mpi::Comm& comm = *state_->comm;
  // Every rank decides the same: a bad name, codec or option fails everywhere, before any reading.
  const FormatWriter& format = *format_for_output(path).writer;
  OutputSpec spec = output_spec(*this, format, path, options);
  const std::int64_t group = annotated({path, std::string(format.name), {}, {}}, [&] { return format.plane_group(spec); });
  WriteStats stats;
  stats.format = format.name;
  stats.codec = spec.codec;
  StreamOptions streaming;
  streaming.read = options.read;
  streaming.window_bytes = window_bytes(options.read);
  streaming.plane_group = group;
  PlaneStream stream = planes(streaming);
  if (options.read.max_memory &&
      static_cast<std::uint64_t>(stream.max_window_planes()) * size_of(dtype()) *
              static_cast<std::uint64_t>(element_count(Shape(shape().end() - stream.plane_axes(), shape().end()))) >
          streaming.window_bytes)
    throw Error(path, "max_memory " + std::to_string(options.read.max_memory) +
                          " bytes cannot hold " + std::to_string(stream.max_window_planes()) +
                          " planes that must be written together (twice, plus their levels)");

  auto pending = PendingOutput::prepare(comm, path, options.overwrite);
  try {
    comm.barrier();
    const double start = mpi::Comm::now();
    spec.path = pending.temporary();
    const ErrorContext writing{path, std::string(format.name), "writing", {}};
    std::unique_ptr<OutputStream> output;
    annotated(writing, [&] { output = format.open(comm, spec, stream.plane_bounds()); });
    std::optional<LevelBuffers> levels;
    mpi::agreed(comm, [&] { levels.emplace(spec, stream.max_window_planes()); });
    const int threads =
        options.read.threads > 0 ? options.read.threads : exec::threads_per_rank(comm.ranks_on_node());
    while (stream.next()) {
      PlaneWindow window;
      mpi::agreed(comm, [&] {
        window = levels->window(stream.window(), stream.plane_begin(), stream.plane_end(), threads);
      });
      annotated(writing, [&] { output->write(comm, window); });
    }
    annotated(writing, [&] { output->finish(comm); });
    output.reset();
    stats.output_bytes = pending.commit(comm);
    const double seconds = mpi::Comm::now() - start;
    stats.read.seconds = comm.max(stream.wait_seconds());
    stats.write_seconds = comm.max(seconds - stream.wait_seconds());
    stats.read.bytes = bytes();
    stats.read.ranks = comm.size();
    stats.read.peak_rss_bytes = comm.max(exec::peak_rss_bytes());
  } catch (...) {
    pending.abandon(comm);
    throw;
  }
  return stats;
}

}  // namespace strata
