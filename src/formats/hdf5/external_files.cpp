#include "formats/hdf5/external_files.hpp"

#include <filesystem>
#include <string_view>

#include "formats/hdf5/api/library.hpp"

namespace strata::hdf5 {
namespace {

namespace fs = std::filesystem;

// `prefix`/`name` as HDF5 joins them (H5_combine_path): an absolute name or an empty
// prefix leaves the name alone.
std::string joined(const std::string& prefix, const std::string& name) {
  if (prefix.empty() || fs::path(name).is_absolute()) return name;
  return prefix.back() == '/' ? prefix + name : prefix + "/" + name;
}

}  // namespace

std::string holder_folder(const std::string& holder) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(holder, ec);
  return (ec ? fs::path(holder) : absolute).parent_path().string();
}

std::vector<std::string> search_paths(const std::string& holder, const std::string& name, const char* env_prefixes) {
  std::vector<std::string> paths;
  std::string relative = name;
  if (fs::path(name).is_absolute()) {
    paths.push_back(name);
    relative = fs::path(name).filename().string();
  }
  if (env_prefixes) {
    std::string_view rest = env_prefixes;
    while (!rest.empty()) {
      const std::size_t colon = rest.find(':');
      const std::string prefix(rest.substr(0, colon));
      if (!prefix.empty()) paths.push_back(joined(prefix, relative));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  paths.push_back(joined(holder_folder(holder), relative));
  paths.push_back(relative);
  return paths;
}

std::string external_storage_path(const std::string& holder, const std::string& name, const char* env_prefix) {
  std::string prefix = env_prefix && *env_prefix ? env_prefix : api::kHolderFolder;
  if (prefix == ".") prefix.clear();
  if (const std::string_view origin = api::kHolderFolder; prefix.starts_with(origin))
    prefix = holder_folder(holder) + prefix.substr(origin.size());
  return joined(prefix, name);
}

}  // namespace strata::hdf5
