// The list of built-in formats, readers and writers: adding a format adds one line here.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "formats/format_writer.hpp"
#include "formats/hdf5/hdf5_format.hpp"
#include "formats/npy/npy_format.hpp"
#include "io/file.hpp"
#include "formats/tiff/tiff_format.hpp"
#include "formats/zarr/zarr_format.hpp"
#include "formats/format.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), text.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

}  // namespace

const std::vector<Format>& formats() {
  static const std::vector<Format> all{
      tiff_format(),
      zarr_format(),
      hdf5_format(),
      npy_format(),
  };
  return all;
}

const Format& format_named(std::string_view name) {
  for (const auto& f : formats())
    if (f.name == name) return f;
  throw Error("", "unknown format '" + std::string(name) + "'");
}

const Format& detect_format(const std::string& path) {
  struct stat st{};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  const int stat_errno = errno;
  // A path that does not exist may still name something inside a file ("f.h5:/data").
  const std::vector<std::byte> head = exists && S_ISREG(st.st_mode) ? io::read_head(path, 16) : std::vector<std::byte>{};
  for (const auto& f : formats())
    if (f.recognizes(path, head)) return f;
  if (!exists) throw Error(path, std::strerror(stat_errno));
  if (S_ISREG(st.st_mode) && head.empty()) throw Error(path, "the file is empty");
  throw Error(path, "not a recognized image file (TIFF, OME-TIFF, Zarr, HDF5, NumPy .npy)");
}

const Format& format_for_output(const std::string& path) {
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);  // "out.zarr/"
  for (const auto& format : formats())
    if (format.writer)
      for (auto suffix : format.writer->suffixes)
        if (ends_with_ignoring_case(trimmed, suffix)) return format;
  std::string known;
  for (const auto& format : formats())
    if (format.writer)
      for (auto suffix : format.writer->suffixes) known += (known.empty() ? "" : ", ") + std::string(suffix);
  throw Error(path, "unknown output format: the name must end in one of " + known);
}

std::unique_ptr<Driver> open_file(const std::string& path, const OpenOptions& options) {
  const Format& format = detect_format(path);
  return annotated({path, std::string(format.name), {}, {}}, [&] { return format.open(path, options); });
}

}  // namespace strata
