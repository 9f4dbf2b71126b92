// Writing outputs (array/output.hpp). Array::write is a conversion streamed window by window:
// each rank walks its own planes (strata/stream.hpp) while its decode threads fill the next
// window, derives the window's pyramid levels, and hands all of it to the output format's
// stream; then the output is committed atomically (array/commit.hpp). A rank holds two
// windows and their levels, never its whole share, so an array larger than the job's memory
// converts.
#include <string.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "array/commit.hpp"
#include "array/output.hpp"
#include "exec/parallel_for.hpp"
#include "exec/resources.hpp"
#include "formats/format_writer.hpp"
#include "model/fault.hpp"
#include "model/pyramid.hpp"
#include "mpi/comm.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "model/interrupted.hpp"
#include "strata/interrupt.hpp"
#include "strata/stream.hpp"

namespace strata {
namespace {

std::string codec_for(const FormatWriter& format, const std::string& asked, const std::string& path) {
  if (asked.empty()) return std::string(format.default_codec);
  for (auto codec : format.codecs)
    if (codec == asked) return asked;
  std::string known;
  for (auto codec : format.codecs) known += (known.empty() ? "" : ", ") + std::string(codec);
  throw Error(path, "the " + std::string(format.name) + " output cannot compress with '" + asked + "' (choose " +
                        known + ")");
}

OutputSpec output_spec(ArrayInfo info, std::vector<std::int64_t> origin, const FormatWriter& format,
                       const std::string& path, const WriteOptions& options) {
  OutputSpec spec;
  info.format = std::string(format.name);
  spec.plane_axes = plane_axes(info.dims, info.shape.size());
  spec.codec = codec_for(format, options.codec, path);
  spec.origin = std::move(origin);
  if (options.levels < 1 || options.levels > 32)
    throw Error(path, "levels must be between 1 and 32, not " + std::to_string(options.levels));
  spec.levels = options.levels;
  if (options.zarr_format != 2 && options.zarr_format != 3)
    throw Error(path, "zarr_format must be 2 or 3, not " + std::to_string(options.zarr_format));
  spec.zarr_format = options.zarr_format;
  if (!options.shard.empty()) {
    spec.shard.assign(info.dims.size(), 0);
    for (const auto& [axis, size] : options.shard) {
      const auto at = info.dims.find(axis);
      if (at == std::string::npos)
        throw Error(path, std::string("shard axis '") + axis + "' is not one of the dims " + info.dims);
      if (size < 1) throw Error(path, std::string("shard size along ") + axis + " must be at least 1");
      spec.shard[at] = size;
    }
  }
  spec.info = std::move(info);
  return spec;
}

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
      exec::parallel_for(static_cast<std::size_t>(planes), threads,
                         [&](std::size_t p, int) { downsample_plane(plane_of(from, p), plane_of(to, p)); });
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

// A file's planes, read as they are written.
class StreamSource final : public PlaneSource {
 public:
  explicit StreamSource(PlaneStream stream) : stream_(std::move(stream)) {}
  const std::vector<std::int64_t>& plane_bounds() const override { return stream_.plane_bounds(); }
  std::int64_t max_window_planes() const override { return stream_.max_window_planes(); }
  bool next() override { return stream_.next(); }
  const View& window() const override { return stream_.window(); }
  std::int64_t plane_begin() const override { return stream_.plane_begin(); }
  std::int64_t plane_end() const override { return stream_.plane_end(); }
  double wait_seconds() const override { return stream_.wait_seconds(); }

 private:
  PlaneStream stream_;
};

class SlabSource final : public PlaneSource {
 public:
  SlabSource(const mpi::Comm& comm, Slab slab) : slab_(std::move(slab)) {
    const std::vector<std::uint64_t> ends = comm.all_gather(static_cast<std::uint64_t>(slab_.plane_end));
    bounds_.push_back(0);
    for (std::uint64_t end : ends) bounds_.push_back(static_cast<std::int64_t>(end));
    max_planes_ = static_cast<std::int64_t>(comm.max(static_cast<std::uint64_t>(slab_.planes())));
    Shape shape(slab_.shape.end() - slab_.plane_axes, slab_.shape.end());
    shape.insert(shape.begin(), slab_.planes());
    view_ = View::contiguous(slab_.data.data(), slab_.dtype, std::move(shape));
  }
  const std::vector<std::int64_t>& plane_bounds() const override { return bounds_; }
  std::int64_t max_window_planes() const override { return max_planes_; }
  bool next() override { return !std::exchange(done_, true); }
  const View& window() const override { return view_; }
  std::int64_t plane_begin() const override { return slab_.plane_begin; }
  std::int64_t plane_end() const override { return slab_.plane_end; }
  double wait_seconds() const override { return 0; }

 private:
  Slab slab_;
  std::vector<std::int64_t> bounds_;
  std::int64_t max_planes_ = 0;
  View view_;
  bool done_ = false;
};

// Bytes of planes one window may hold: a rank holds two windows (one decoding ahead), the
// current one's pyramid levels (at most a third more) and the writer's scratch.
std::uint64_t window_bytes(const ReadOptions& read) { return read.max_memory ? read.max_memory / 3 : 0; }

// Each group of planes (a shard) must be written by one rank.
void check_groups(const std::vector<std::int64_t>& bounds, const OutputSpec& spec, std::int64_t group,
                  const std::string& path) {
  if (group <= 1) return;
  const std::size_t lead = spec.info.shape.size() - static_cast<std::size_t>(spec.plane_axes);
  const std::int64_t inner = lead ? spec.info.shape[lead - 1] : 1;
  const std::int64_t planes = plane_count(spec.info.shape, spec.plane_axes);
  for (std::int64_t b : bounds)
    if (b != planes && (b % inner) % group != 0)
      throw Error(path, "the ranks' parts split the output's groups of " + std::to_string(group) +
                            " planes (shards): write it from a file or without shards");
}

}  // namespace

std::unique_ptr<PlaneSource> slab_source(const mpi::Comm& comm, Slab slab) {
  return std::make_unique<SlabSource>(comm, std::move(slab));
}

ArrayInfo selected_info(const ArrayInfo& file, const Box& selection) {
  ArrayInfo info = file;
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

WriteStats write_output(const mpi::Comm& comm, const std::string& path, const WriteOptions& options, ArrayInfo info,
                        std::vector<std::int64_t> origin, const SourceFactory& make_source) {
  // Every rank decides the same: a bad name, codec or option fails everywhere, before any reading.
  const Format& found = format_for_output(path);
  const FormatWriter& format = *found.writer;
  OutputSpec spec = output_spec(std::move(info), std::move(origin), format, path, options);
  const ErrorContext writing{path, std::string(format.name), "writing", {}};
  const std::int64_t group = annotated({path, std::string(format.name), {}, {}}, [&] { return format.plane_group(spec); });
  WriteStats stats;
  stats.format = format.name;
  stats.codec = spec.codec;
  PendingOutput pending = PendingOutput::prepare(comm, path, options.overwrite, found);
  std::unique_ptr<OutputStream> output;
  try {
    comm.barrier();
    const double start = mpi::Comm::now();
    std::unique_ptr<PlaneSource> source = make_source(group, &stats.read);
    check_groups(source->plane_bounds(), spec, group, path);
    spec.path = pending.temporary();
    spec.destination = pending.destination();
    annotated(writing, [&] { output = format.open(comm, spec, source->plane_bounds()); });
    std::optional<LevelBuffers> levels;
    mpi::agreed(comm, [&] { levels.emplace(spec, source->max_window_planes()); });
    const int threads =
        options.read.threads > 0 ? options.read.threads : exec::threads_per_rank(comm.ranks_on_node());
    while (source->next()) {
      PlaneWindow window;
      mpi::agreed(comm, [&] {
        // Between windows, where every rank is: an interrupt on any rank stops them all.
        if (const int signal = interrupt_signal()) throw Error(path, "interrupted (" + signal_name(signal) + ")");
        pending.touch();
        annotated(writing, [&] {
          inject_fault(FaultPhase::write);
          window = levels->window(source->window(), source->plane_begin(), source->plane_end(), threads);
        });
      });
      annotated(writing, [&] { output->write(comm, window); });
    }
    annotated(writing, [&] { output->finish(comm); });
    output.reset();
    stats.output_bytes = annotated({path, {}, {}, {}}, [&] { return pending.commit(comm); });
    const double seconds = mpi::Comm::now() - start;
    if (source->wait_seconds() > 0 || stats.read.seconds == 0) stats.read.seconds = comm.max(source->wait_seconds());
    stats.write_seconds = comm.max(seconds - source->wait_seconds());
    stats.read.bytes = static_cast<std::uint64_t>(element_count(spec.info.shape)) * size_of(spec.info.dtype);
    stats.read.ranks = comm.size();
    stats.read.peak_rss_bytes = comm.max(exec::peak_rss_bytes());
  } catch (const UnagreedFailure& e) {
    pending.abort(comm, e);
  } catch (const Error& e) {
    // Agreed: every rank is here. The stream lets go of the temporary first.
    if (output) {
      try {
        output->abandon(comm, e);
      } catch (const UnagreedFailure& failure) {
        pending.abort(comm, failure);
      }
    }
    // Interrupted inside a window's reads (a chunk's read asked): the output is what stopped.
    // Only the interrupted rank knows; every rank is here, so they agree on the signal.
    if (const int signal = static_cast<int>(comm.max(static_cast<std::uint64_t>(interrupt_signal()))))
      throw Error(path, "interrupted (" + signal_name(signal) + ")");
    // The writer's errors name the hidden temporary; the user knows the output. Leaving
    // abandons it (PendingOutput's destructor).
    throw pending.in_destination_terms(e);
  }
  return stats;
}

WriteStats Array::write(const std::string& path, const WriteOptions& options) const {
  return write_output(*state().comm, path, options, selected_info(info(), selection_), selection_.start,
                      [&](std::int64_t group, ReadStats*) -> std::unique_ptr<PlaneSource> {
                        StreamOptions streaming;
                        streaming.read = options.read;
                        streaming.window_bytes = window_bytes(options.read);
                        streaming.plane_group = group;
                        PlaneStream stream = planes(streaming);
                        const std::uint64_t plane_bytes =
                            bytes() / static_cast<std::uint64_t>(std::max<std::int64_t>(
                                          plane_count(shape(), stream.plane_axes()), 1));
                        const std::uint64_t window =
                            static_cast<std::uint64_t>(stream.max_window_planes()) * plane_bytes;
                        if (options.read.max_memory && window > streaming.window_bytes)
                          throw Error(path, "max_memory " + std::to_string(options.read.max_memory) +
                                                " bytes cannot hold " + std::to_string(stream.max_window_planes()) +
                                                " planes that must be written together (twice, plus their levels)");
                        return std::make_unique<StreamSource>(std::move(stream));
                      });
}

}  // namespace strata
