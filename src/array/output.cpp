#include "array/output.hpp"

#include "array/commit.hpp"
#include "exec/resources.hpp"
#include "formats/format_writer.hpp"
#include "strata/error.hpp"

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

}  // namespace

ArrayInfo selected_info(const ArrayInfo& file, const Box& selection) {
  ArrayInfo info = file;
  info.shape = selection.shape();
  const auto c = file.dims.find('C');
  if (c != std::string::npos && file.channel_names.size() == static_cast<std::size_t>(file.shape[c]))
    info.channel_names.assign(file.channel_names.begin() + selection.start[c],
                              file.channel_names.begin() + selection.stop[c]);
  return info;
}

WriteStats write_output(const mpi::Comm& comm, const std::string& path, const WriteOptions& options, ArrayInfo info,
                        const std::function<Slab(ReadStats*)>& compute) {
  // Every rank decides the same: a bad name or codec fails everywhere, before any reading.
  const FormatWriter& format = *format_for_output(path).writer;
  WriteStats stats;
  stats.format = format.name;
  stats.codec = codec_for(format, options.codec, path);
  info.format = std::string(format.name);
  auto pending = PendingOutput::prepare(comm, path, options.overwrite);
  try {
    Slab slab = compute(&stats.read);
    const double start = mpi::Comm::now();
    annotated({path, std::string(format.name), "writing", {}},
              [&] { format.write(comm, pending.temporary(), info, slab, stats.codec); });
    stats.output_bytes = pending.commit(comm);
    stats.write_seconds = comm.max(mpi::Comm::now() - start);
    stats.read.peak_rss_bytes = comm.max(exec::peak_rss_bytes());
  } catch (...) {
    pending.abandon(comm);
    throw;
  }
  return stats;
}

}  // namespace strata
