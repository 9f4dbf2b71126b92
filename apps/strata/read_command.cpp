#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "report.hpp"
#include "strata/strata.hpp"

namespace strata::cli {
namespace {

// "Z=64,Y=1024" -> {Z: 64, Y: 1024}.
std::map<char, std::int64_t> parse_shard(const std::string& text) {
  std::map<char, std::int64_t> shard;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    const std::string item = text.substr(at, comma - at);
    std::int64_t size = 0;
    const char* end = item.data() + item.size();
    const bool parsed = item.size() > 2 && item[1] == '=' && std::from_chars(item.data() + 2, end, size).ptr == end;
    if (!parsed || size < 1) throw Error("", "--shard '" + text + "': expected AXIS=SIZE items like Z=64,Y=1024");
    shard[item[0]] = size;
    at = comma + 1;
  }
  return shard;
}

// A progress line on a terminal's stderr, from rank 0, once a conversion has run a few
// seconds; nothing in batch jobs (stderr a file) or with --json.
std::function<void(const Progress&)> progress_line(bool json, int rank) {
  if (json || rank != 0 || !::isatty(STDERR_FILENO)) return {};
  const double start = MPI_Wtime();
  return [start, last = 0.0](const Progress& p) mutable {
    const double now = MPI_Wtime();
    const bool done = p.bytes_done >= p.bytes_total;
    if (now - start < 3 || (now - last < 0.5 && !done)) return;
    last = now;
    std::fprintf(stderr, "\rstrata: %s of %s (%.0f%%), %.1f s", format_bytes(p.bytes_done).c_str(),
                 format_bytes(p.bytes_total).c_str(), p.bytes_total ? 100.0 * p.bytes_done / p.bytes_total : 100.0,
                 now - start);
    if (done) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

int run_convert(const Array& array, const ReadOptions& options, const strata::ReadOptions& read, int rank) {
  WriteOptions write;
  write.read = read;
  write.read.progress = progress_line(options.json, rank);
  write.codec = options.compress;
  write.overwrite = options.force;
  write.levels = options.levels;
  write.zarr_format = options.zarr_format;
  if (!options.shard.empty()) write.shard = parse_shard(options.shard);
  const WriteStats stats = array.write(options.output, write);
  if (rank != 0) return 0;
  const double seconds = stats.read.seconds + stats.write_seconds;
  const double gbps = seconds > 0 ? static_cast<double>(stats.read.bytes) / seconds / 1e9 : 0;
  if (options.json) {
    nlohmann::json out = {{"path", options.path},
                          {"output", options.output},
                          {"format", stats.format},
                          {"codec", stats.codec},
                          {"dims", array.dims()},
                          {"shape", array.shape()},
                          {"dtype", std::string(name(array.dtype()))},
                          {"ranks", stats.read.ranks},
                          {"bytes", stats.read.bytes},
                          {"output_bytes", stats.output_bytes},
                          {"seconds", seconds},
                          {"read_seconds", stats.read.seconds},
                          {"write_seconds", stats.write_seconds},
                          {"gbps", gbps},
                          {"peak_rss_bytes", stats.read.peak_rss_bytes},
                          {"imbalance", stats.read.imbalance}};
    std::cout << out.dump() << std::endl;
    return 0;
  }
  std::cout << "wrote " << options.output << " (" << stats.format << ", " << stats.codec << ") from " << options.path
            << ": " << array.dims() << ' ' << format_shape(array.shape()) << ' ' << name(array.dtype()) << ", "
            << format_bytes(stats.read.bytes) << " -> " << format_bytes(stats.output_bytes) << '\n';
  std::printf("  %d ranks, %.3f s (read %.3f s, write %.3f s), %.2f GB/s, peak RSS %s per rank (max)\n",
              stats.read.ranks, seconds, stats.read.seconds, stats.write_seconds, gbps,
              format_bytes(stats.read.peak_rss_bytes).c_str());
  std::cout.flush();
  return 0;
}

}  // namespace

int run_read(const ReadOptions& options) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  Array array = Array::open(options.path, MPI_COMM_WORLD, OpenOptions{options.level});
  if (!options.select.empty()) array = array.select(parse_selection(options.select));

  strata::ReadOptions read;
  read.strategy = parse_strategy(options.strategy);
  read.threads = options.threads;
  if (!options.max_memory.empty()) read.max_memory = parse_bytes(options.max_memory);
  if (!options.output.empty()) return run_convert(array, options, read, rank);
  ReadStats stats;
  const Buffer data = array.gather(read, &stats);
  if (rank != 0) return 0;

  const double gbps = stats.seconds > 0 ? static_cast<double>(stats.bytes) / stats.seconds / 1e9 : 0;
  if (options.json) {
    nlohmann::json out = {{"path", options.path},   {"dims", array.dims()},
                          {"shape", array.shape()}, {"dtype", std::string(name(array.dtype()))},
                          {"ranks", stats.ranks},   {"bytes", stats.bytes},
                          {"seconds", stats.seconds}, {"gbps", gbps},
                          {"peak_rss_bytes", stats.peak_rss_bytes}, {"imbalance", stats.imbalance}};
    if (options.checksum) out["xxh3"] = xxh3_hex(data);
    std::cout << out.dump() << std::endl;
    return 0;
  }
  std::cout << "read " << options.path << ": " << array.dims() << ' ' << format_shape(array.shape()) << ' '
            << name(array.dtype()) << ", " << format_bytes(stats.bytes) << '\n';
  std::printf("  %d ranks, %.3f s, %.2f GB/s, plan imbalance %.3f, peak RSS %s per rank (max)\n", stats.ranks,
              stats.seconds, gbps, stats.imbalance, format_bytes(stats.peak_rss_bytes).c_str());
  if (options.checksum) std::cout << "  xxh3 " << xxh3_hex(data) << '\n';
  std::cout.flush();
  return 0;
}

}  // namespace strata::cli
