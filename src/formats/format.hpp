#pragma once
// The format registry (internal): how strata recognizes, opens and restores each format it
// knows. Applications open files through strata::Array::open or strata::open_file
// (strata/driver.hpp) and never see this.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/driver.hpp"

namespace strata {

struct FormatWriter;  // how a format writes (formats/format_writer.hpp)

// A format: its signature test, its reader, and optionally its writer. Adding a format is
// one folder in src/formats and one line in the registry (src/formats/registry.cpp).
struct Format {
  std::string_view name;  // "tiff", "zarr", "hdf5", "npy"
  // True when `path` (whose first bytes are `head`, empty for a directory) is this format.
  bool (*recognizes)(const std::string& path, std::span<const std::byte> head);
  std::unique_ptr<Driver> (*open)(const std::string& path, const OpenOptions& options);
  std::unique_ptr<Driver> (*restore)(std::string_view saved);
  const FormatWriter* writer = nullptr;  // null for a format strata only reads
};

// The registered formats, in the order they are tried.
const std::vector<Format>& formats();
const Format& format_named(std::string_view name);
// The format open_file would use for `path`. Throws strata::Error naming the file when it
// is missing, unreadable or of no known format.
const Format& detect_format(const std::string& path);

}  // namespace strata
