#pragma once
// Names that one file gives for another (an OME-TIFF's parts and companion file, an
// OME-Zarr image's levels, a Zarr array's chunk keys) are followed only inside the folder
// the input lies in, so that a file cannot make strata read (and copy into an output) any
// file the user can read. The policy, and HDF5's references to other files, are in
// docs/security.md.
#include <string>

namespace strata::io {

// `folder`/`name`, when that lies inside `folder` (or is `folder`) once every symbolic link
// on the way is resolved (what exists resolved as the kernel would, the rest normalized:
// std::filesystem::weakly_canonical on both sides). The path is returned as joined, so
// messages name it as the user sees it. Throws strata::Error(referrer, …) quoting `name`
// when it is absolute, when `..` leads above `folder`, or when a link resolves outside it.
std::string confined_path(const std::string& folder, const std::string& name, const std::string& referrer);

}  // namespace strata::io
