// Where HDF5 finds the other files a dataset reads (formats/hdf5/external_files.hpp): the
// paths strata names in its refusals and checks before reading. Pure: the environment's
// prefixes are arguments.
#include "formats/hdf5/external_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace strata::hdf5 {
namespace {

using Paths = std::vector<std::string>;

TEST(Hdf5ExternalFiles, HolderFolderIsAbsolute) {
  EXPECT_EQ(holder_folder("/data/run/a.h5"), "/data/run");
  EXPECT_EQ(holder_folder("a.h5"), std::filesystem::current_path().string());
}

TEST(Hdf5ExternalFiles, VirtualSourcesAndLinkTargetsAreSearchedInHdf5sOrder) {
  EXPECT_EQ(search_paths("/d/a.h5", "src.h5", nullptr), (Paths{"/d/src.h5", "src.h5"}));
  EXPECT_EQ(search_paths("/d/a.h5", "sub/src.h5", nullptr), (Paths{"/d/sub/src.h5", "sub/src.h5"}));
  // An absolute name first as it is, then by its last component like a relative one.
  EXPECT_EQ(search_paths("/d/a.h5", "/old/place/src.h5", nullptr),
            (Paths{"/old/place/src.h5", "/d/src.h5", "src.h5"}));
  // HDF5_VDS_PREFIX / HDF5_EXT_PREFIX: each prefix, before the holder's folder; empty ones skipped.
  EXPECT_EQ(search_paths("/d/a.h5", "src.h5", "/p1::/p2/"),
            (Paths{"/p1/src.h5", "/p2/src.h5", "/d/src.h5", "src.h5"}));
}

TEST(Hdf5ExternalFiles, ExternalStorageIsReadUnderOnePrefix) {
  // strata's default: the holder's folder ("${ORIGIN}"), not the current folder.
  EXPECT_EQ(external_storage_path("/d/a.h5", "raw.bin", nullptr), "/d/raw.bin");
  EXPECT_EQ(external_storage_path("/d/a.h5", "raw.bin", ""), "/d/raw.bin");
  EXPECT_EQ(external_storage_path("/d/a.h5", "/abs/raw.bin", nullptr), "/abs/raw.bin");
  // HDF5_EXTFILE_PREFIX wins; "${ORIGIN}" in it is the holder's folder, "." the current folder.
  EXPECT_EQ(external_storage_path("/d/a.h5", "raw.bin", "/elsewhere"), "/elsewhere/raw.bin");
  EXPECT_EQ(external_storage_path("/d/a.h5", "raw.bin", "${ORIGIN}/bins"), "/d/bins/raw.bin");
  EXPECT_EQ(external_storage_path("/d/a.h5", "raw.bin", "."), "raw.bin");
}

}  // namespace
}  // namespace strata::hdf5
