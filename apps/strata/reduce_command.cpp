#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "report.hpp"
#include "strata/strata.hpp"

namespace strata::cli {

int run_reduce(const ReduceOptions& reduction) {
  const ReadOptions& options = reduction.read;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  Array array = Array::open(options.path, MPI_COMM_WORLD, OpenOptions{options.level, options.allow_external});
  if (!options.select.empty()) array = array.select(parse_selection(options.select));
  const Expression input(array);
  const Expression result = reduce(parse_reduce_op(reduction.op), input, axes_of(input, reduction.axes));

  strata::ReadOptions read;
  read.strategy = parse_strategy(options.strategy);
  read.threads = options.threads;
  if (!options.max_memory.empty()) read.max_memory = parse_bytes(options.max_memory);
  read.max_chunks = options.max_chunks;
  ReadStats stats;
  WriteStats written;
  Buffer data;
  if (options.output.empty()) {
    data = result.gather(read, &stats);
  } else {
    WriteOptions write;
    write.read = read;
    write.codec = options.compress;
    write.overwrite = options.force;
    written = run_write([&] { return result.write(options.output, write); });
    stats = written.read;
  }
  if (rank != 0) return 0;

  const double gbps = stats.seconds > 0 ? static_cast<double>(stats.bytes) / stats.seconds / 1e9 : 0;
  if (options.json) {
    nlohmann::json out = {{"path", options.path},
                          {"op", reduction.op},
                          {"axes", reduction.axes},
                          {"input_dims", array.dims()},
                          {"input_shape", array.shape()},
                          {"input_dtype", std::string(name(array.dtype()))},
                          {"dims", result.dims()},
                          {"shape", result.shape()},
                          {"dtype", std::string(name(result.dtype()))},
                          {"ranks", stats.ranks},
                          {"bytes", stats.bytes},
                          {"seconds", stats.seconds},
                          {"gbps", gbps},
                          {"peak_rss_bytes", stats.peak_rss_bytes},
                          {"imbalance", stats.imbalance}};
    if (options.checksum) out["xxh3"] = xxh3_hex(data);
    if (!options.output.empty()) {
      out["output"] = options.output;
      out["format"] = written.format;
      out["codec"] = written.codec;
      out["output_bytes"] = written.output_bytes;
      out["write_seconds"] = written.write_seconds;
    }
    std::cout << out.dump() << std::endl;
    return 0;
  }
  std::cout << reduction.op << " over " << reduction.axes << " of " << options.path << ": " << array.dims() << ' '
            << format_shape(array.shape()) << ' ' << name(array.dtype()) << " -> " << result.dims() << ' '
            << format_shape(result.shape()) << ' ' << name(result.dtype()) << '\n';
  std::printf("  %d ranks, %.3f s, %.2f GB/s read, plan imbalance %.3f, peak RSS %s per rank (max)\n", stats.ranks,
              stats.seconds, gbps, stats.imbalance, format_bytes(stats.peak_rss_bytes).c_str());
  if (!options.output.empty())
    std::cout << "  wrote " << options.output << " (" << written.format << ", " << written.codec << "), "
              << format_bytes(written.output_bytes) << '\n';
  if (options.checksum) std::cout << "  xxh3 " << xxh3_hex(data) << '\n';
  std::cout.flush();
  return 0;
}

}  // namespace strata::cli
