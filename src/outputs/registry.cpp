// The list of output formats: adding one adds one line here.
#include <algorithm>
#include <cctype>

#include "outputs/output.hpp"
#include "strata/error.hpp"

namespace strata::outputs {
namespace {

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), text.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

}  // namespace

const std::vector<OutputFormat>& output_formats() {
  static const std::vector<OutputFormat> all{
      hdf5_output(),
      zarr_output(),
      npy_output(),
      ome_tiff_output(),
  };
  return all;
}

const OutputFormat& output_format_for(const std::string& path) {
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);  // "out.zarr/"
  for (const auto& format : output_formats())
    for (auto suffix : format.suffixes)
      if (ends_with_ignoring_case(trimmed, suffix)) return format;
  std::string known;
  for (const auto& format : output_formats())
    for (auto suffix : format.suffixes) known += (known.empty() ? "" : ", ") + std::string(suffix);
  throw Error(path, "unknown output format: the name must end in one of " + known);
}

}  // namespace strata::outputs
