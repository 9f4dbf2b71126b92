#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "report.hpp"
#include "strata/strata.hpp"

namespace strata::cli {

int run_info(const InfoOptions& options) {
  const auto driver = open_file(options.path, OpenOptions{options.level, options.allow_external});
  const ArrayInfo& info = driver->info();
  const ChunkSummary chunks = driver->summary();
  // Every level's shape, level 0 first; a single-level image has its own shape only.
  const std::vector<Shape> levels = info.levels.empty() ? std::vector<Shape>{info.shape} : info.levels;

  if (options.json) {
    nlohmann::json sizes = nlohmann::json::object();
    for (const auto& [axis, size] : info.physical_sizes)
      sizes[std::string(1, axis)] = {{"value", size.value}, {"unit", size.unit}};
    nlohmann::json out = {{"path", options.path},         {"format", info.format},
                          {"dims", info.dims},            {"shape", info.shape},
                          {"dtype", std::string(name(info.dtype))},
                          {"chunks", chunks.count},      {"chunk_shape", chunks.chunk_shape},
                          {"codecs", chunks.codecs},
                          {"stored_bytes", chunks.stored_bytes},       {"decoded_bytes", info.decoded_bytes()},
                          {"physical_sizes", sizes},      {"channel_names", info.channel_names},
                          {"files", chunks.files},        {"level", options.level},
                          {"levels", nlohmann::json::array()}, {"storage", info.storage},
                          {"block_shape", info.block_shape}, {"palette", info.palette}};
    for (const Shape& shape : levels) out["levels"].push_back({{"shape", shape}});
    std::cout << out.dump() << '\n';
    return 0;
  }
  std::cout << options.path << '\n'
            << "  format    " << info.format << '\n'
            << "  dims      " << info.dims << '\n'
            << "  shape     " << format_shape(info.shape) << '\n'
            << "  dtype     " << name(info.dtype) << '\n'
            << "  chunks    " << chunks.count;
  if (chunks.count != 0) std::cout << " of " << format_shape(chunks.chunk_shape);
  std::cout << '\n' << "  codec     ";
  for (std::size_t i = 0; i < chunks.codecs.size(); ++i) std::cout << (i ? ", " : "") << chunks.codecs[i];
  std::cout << '\n';
  if (!info.storage.empty()) {
    std::cout << "  storage   " << info.storage;
    if (!info.block_shape.empty()) std::cout << " of " << format_shape(info.block_shape);
    std::cout << '\n';
  }
  std::cout << "  levels    " << info.level_count();
  for (std::size_t i = 0; i < info.levels.size() && info.levels.size() > 1; ++i)
    std::cout << (i ? ", " : ": ") << format_shape(info.levels[i])
              << (static_cast<int>(i) == options.level ? " (open)" : "");
  std::cout << '\n';
  if (info.palette) std::cout << "  palette   values are colour-map indices (the map is not applied)\n";
  std::cout << "  on disk   " << format_bytes(chunks.stored_bytes) << '\n'
            << "  decoded   " << format_bytes(info.decoded_bytes()) << '\n';
  if (!info.physical_sizes.empty()) {
    std::cout << "  pixel     ";
    bool first = true;
    for (const char axis : info.dims) {  // in the array's axis order
      const auto size = info.physical_sizes.find(axis);
      if (size == info.physical_sizes.end()) continue;
      std::cout << (first ? "" : ", ") << axis << '=' << size->second.value << (size->second.unit.empty() ? "" : " ")
                << size->second.unit;
      first = false;
    }
    std::cout << '\n';
  }
  if (!info.channel_names.empty()) {
    std::cout << "  channels  ";
    for (std::size_t i = 0; i < info.channel_names.size(); ++i)
      std::cout << (i ? ", " : "") << (info.channel_names[i].empty() ? "(unnamed)" : info.channel_names[i]);
    std::cout << '\n';
  }
  if (chunks.files.size() > 1) std::cout << "  files     " << chunks.files.size() << '\n';
  return 0;
}

}  // namespace strata::cli
