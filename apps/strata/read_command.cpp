#include <unistd.h>
#include <xxhash.h>

#include <charconv>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
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

// The XXH3-64 of the whole selection in C order, on rank 0: the ranks' parts streamed
// there a plane at a time, so no rank holds more than its part and one plane.
std::string global_xxh3(const Array& array, const Part& part, const Layout& layout) {
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), &XXH3_freeState);
  XXH3_64bits_reset(state.get());
  array.gather_planes(part.view(), layout, [&](std::span<const std::byte> plane) {
    XXH3_64bits_update(state.get(), plane.data(), plane.size());
  });
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(XXH3_64bits_digest(state.get())));
  return text;
}

// The axis a dims letter names, or an error listing the array's axes.
int axis_named(char letter, const std::string& dims, const std::string& text) {
  const auto at = dims.find(letter);
  if (at == std::string::npos)
    throw Error("", "--layout " + text + ": no axis " + std::string(1, letter) + " in " + dims);
  return static_cast<int>(at);
}

// A whole number of at least `minimum` (a rank, a rank count).
int whole_number(const std::string& number, const std::string& text, int minimum) {
  std::size_t used = 0;
  int n = -1;
  try {
    n = std::stoi(number, &used);
  } catch (const std::exception&) {
  }
  if (number.empty() || used != number.size() || n < minimum)
    throw Error("", "--layout " + text + ": '" + number + "' is not a number of at least " + std::to_string(minimum));
  return n;
}

// root[:RANK], slab[:AXIS], blocks[:GRID] (AxBxC over the last axes, or Y=2,X=2), replicated.
Layout parse_layout(const std::string& text, const std::string& dims) {
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (kind == "replicated" && colon == std::string::npos) return Layout::replicated();
  if (kind == "root") return Layout::root(arg.empty() ? 0 : whole_number(arg, text, 0));
  if (kind == "slab") {
    if (arg.empty()) return Layout::slab();
    if (arg.size() != 1) throw Error("", "--layout " + text + ": the slab axis is one letter of " + dims);
    return Layout::slab(axis_named(arg[0], dims, text));
  }
  if (kind == "blocks") {
    if (arg.empty()) return Layout::blocks();
    std::vector<int> grid(dims.size(), 1);
    if (arg.find('=') != std::string::npos) {
      std::size_t at = 0;
      while (at <= arg.size()) {
        const std::size_t end = std::min(arg.find(',', at), arg.size());
        const std::string item = arg.substr(at, end - at);
        if (item.size() < 3 || item[1] != '=')
          throw Error("", "--layout " + text + ": expected AXIS=COUNT items like Y=2,X=2");
        grid[static_cast<std::size_t>(axis_named(item[0], dims, text))] = whole_number(item.substr(2), text, 1);
        at = end + 1;
      }
    } else {
      std::vector<int> counts;
      std::size_t at = 0;
      while (at <= arg.size()) {
        const std::size_t end = std::min(arg.find('x', at), arg.size());
        counts.push_back(whole_number(arg.substr(at, end - at), text, 1));
        at = end + 1;
      }
      if (counts.size() > dims.size())
        throw Error("", "--layout " + text + ": " + std::to_string(counts.size()) + " counts for the " +
                            std::to_string(dims.size()) + " axes " + dims);
      std::copy(counts.begin(), counts.end(), grid.end() - static_cast<std::ptrdiff_t>(counts.size()));
    }
    return Layout::blocks(grid);
  }
  throw Error("", "--layout " + text + ": expected root, slab[:AXIS], blocks[:GRID] or replicated");
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
  const WriteStats stats = run_write([&] { return array.write(options.output, write); });
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
  Array array = Array::open(options.path, MPI_COMM_WORLD, OpenOptions{options.level, options.allow_external});
  if (!options.select.empty()) array = array.select(parse_selection(options.select));

  strata::ReadOptions read;
  read.strategy = parse_strategy(options.strategy);
  read.threads = options.threads;
  if (!options.max_memory.empty()) read.max_memory = parse_bytes(options.max_memory);
  read.max_chunks = options.max_chunks;
  if (!options.output.empty()) return run_convert(array, options, read, rank);
  const Layout layout = parse_layout(options.layout, array.dims());
  ReadStats stats;
  const Part part = array.read(layout, read, &stats);
  const std::string checksum = options.checksum ? global_xxh3(array, part, layout) : "";
  if (rank != 0) return 0;

  const double gbps = stats.seconds > 0 ? static_cast<double>(stats.bytes) / stats.seconds / 1e9 : 0;
  if (options.json) {
    nlohmann::json out = {{"path", options.path},   {"dims", array.dims()},
                          {"shape", array.shape()}, {"dtype", std::string(name(array.dtype()))},
                          {"layout", layout.to_string()},
                          {"ranks", stats.ranks},   {"bytes", stats.bytes},
                          {"seconds", stats.seconds}, {"gbps", gbps},
                          {"peak_rss_bytes", stats.peak_rss_bytes}, {"imbalance", stats.imbalance},
                          {"bytes_moved", stats.bytes_moved}, {"bytes_not_owned", stats.bytes_not_owned},
                          {"rank_bytes_sent", stats.rank_bytes_sent},
                          {"rank_peak_rss_bytes", stats.rank_peak_rss_bytes}};
    if (options.checksum) out["xxh3"] = checksum;
    std::cout << out.dump() << std::endl;
    return 0;
  }
  std::cout << "read " << options.path << ": " << array.dims() << ' ' << format_shape(array.shape()) << ' '
            << name(array.dtype()) << ", " << format_bytes(stats.bytes) << ", layout " << layout.to_string() << '\n';
  std::printf("  %d ranks, %.3f s, %.2f GB/s, plan imbalance %.3f, peak RSS %s per rank (max)\n", stats.ranks,
              stats.seconds, gbps, stats.imbalance, format_bytes(stats.peak_rss_bytes).c_str());
  std::printf("  moved %s between ranks (decoded by a rank that does not keep them: %s)\n",
              format_bytes(stats.bytes_moved).c_str(), format_bytes(stats.bytes_not_owned).c_str());
  if (options.checksum) std::cout << "  xxh3 " << checksum << '\n';
  std::cout.flush();
  return 0;
}

}  // namespace strata::cli
