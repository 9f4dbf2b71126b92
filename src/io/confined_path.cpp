#include "io/confined_path.hpp"

#include <iterator>
#include <filesystem>

#include "strata/error.hpp"

namespace strata::io {
namespace {

namespace fs = std::filesystem;

fs::path resolved(const fs::path& path, const std::string& referrer) {
  std::error_code ec;
  // Absolute first: weakly_canonical leaves a relative path relative when nothing of it exists.
  fs::path real = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) throw Error(referrer, "cannot resolve " + path.string() + ": " + ec.message());
  return real;
}

// Whether `path` is `folder` or below it, component by component (so "/a/bc" is not below "/a/b").
bool within(const fs::path& path, const fs::path& folder) {
  auto p = path.begin();
  for (auto f = folder.begin(); f != folder.end(); ++f, ++p) {
    if (f->empty() && std::next(f) == folder.end()) return true;  // a trailing "/" on the folder
    if (p == path.end() || *p != *f) return false;
  }
  return true;
}

}  // namespace

std::string confined_path(const std::string& folder, const std::string& name, const std::string& referrer) {
  const std::string shown = folder.empty() ? "." : folder;
  if (fs::path(name).is_absolute())
    throw Error(referrer, "names \"" + name + "\", an absolute path; strata opens only files inside the input's folder " +
                              shown + " (docs/security.md)");
  const std::string joined = folder.empty() ? name : folder + "/" + name;
  const fs::path real_folder = resolved(folder.empty() ? fs::path(".") : fs::path(folder), referrer);
  const fs::path real = resolved(joined, referrer);
  if (!within(real, real_folder)) {
    // Say where a link led: the name alone may look harmless.
    const fs::path lexical = (real_folder / name).lexically_normal();
    const std::string via = within(lexical, real_folder) ? " (through a symbolic link, to " + real.string() + ")" : "";
    throw Error(referrer, "names \"" + name + "\", outside the input's folder " + shown + via +
                              "; strata opens only files inside it (docs/security.md)");
  }
  return joined;
}

}  // namespace strata::io
