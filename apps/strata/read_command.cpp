#include <xxhash.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "report.hpp"
#include "strata/strata.hpp"

namespace strata::cli {
namespace {

std::string xxh3_hex(const Buffer& data) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(data.data(), data.size())));
  return text;
}

// The library names its own option (WriteOptions::overwrite); here that option is --force.
Error in_cli_terms(const Error& e) {
  constexpr std::string_view kOption = "WriteOptions::overwrite";
  std::string cause = e.cause();
  if (const auto at = cause.find(kOption); at != std::string::npos) cause.replace(at, kOption.size(), "--force");
  return Error(e.context(), std::move(cause));
}

int run_convert(const Array& array, const ReadOptions& options, const strata::ReadOptions& read, int rank) {
  WriteOptions write;
  write.read = read;
  write.codec = options.compress;
  write.overwrite = options.force;
  WriteStats stats;
  try {
    stats = array.write(options.output, write);
  } catch (const Error& e) {
    throw in_cli_terms(e);
  }
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
