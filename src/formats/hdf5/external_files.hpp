#pragma once
// Where HDF5 finds the other files a dataset reads: the target of an external link, the
// files of external storage (H5Pset_external) and the sources of a virtual dataset. Pure
// path arithmetic (the environment's prefixes are arguments), so that strata names in its
// messages, and checks, the very files HDF5 will read. The policy: docs/security.md.
#include <string>
#include <vector>

namespace strata::hdf5 {

// The folder HDF5 resolves references of the file `holder` against (its "extpath"): the
// absolute folder of `holder` as it was opened.
std::string holder_folder(const std::string& holder);

// The paths HDF5 tries, in order, for a source file `name` of a virtual dataset (or an
// external link's target) in `holder`, the first that opens winning (HDF5 1.10's
// H5F_prefix_open_file): an absolute `name` as it is, then (for any name, an absolute one
// by its last component) under each prefix of `env_prefixes` (HDF5_VDS_PREFIX or
// HDF5_EXT_PREFIX, ':'-separated; null when unset), in the holder's folder, and as given
// (relative to the current folder).
std::vector<std::string> search_paths(const std::string& holder, const std::string& name, const char* env_prefixes);

// The path HDF5 reads an external storage file `name` of a dataset in `holder` at: `name`
// under the prefix HDF5_EXTFILE_PREFIX (`env_prefix`) when set and not empty, else under
// the holder's folder (strata opens datasets with the prefix "${ORIGIN}"); "${ORIGIN}" at
// the start of a prefix is the holder's folder, "." is the current folder; an absolute
// `name` is itself.
std::string external_storage_path(const std::string& holder, const std::string& name, const char* env_prefix);

}  // namespace strata::hdf5
