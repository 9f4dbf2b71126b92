#pragma once
// The chunk (or shard) files of one Zarr array (v2 and v3), found by their keys under the
// array's folder, which none may leave (docs/security.md): keys are made of integers,
// separators and "c" (never ".." nor absolute), so only a symbolic link could lead out, and
// one that does is refused like an OME-TIFF part outside its folder.
#include <cstdint>
#include <string>

namespace strata::zarr {

// The bytes of the regular files under `array_dir` (its key folders included), its metadata
// documents aside: what the stored chunks (or shards) take, found by listing only the files
// there are, so a sparse store of millions of chunks is summed at once. Links are not
// followed (nor counted). Throws strata::Error naming a folder that cannot be listed.
std::uint64_t stored_bytes(const std::string& array_dir);

class ChunkFiles {
 public:
  explicit ChunkFiles(std::string array_dir) : dir_(std::move(array_dir)) {}

  std::string path(const std::string& key) const { return dir_ + "/" + key; }
  // The size of the file at `key`, or -1 when there is none (a chunk never written).
  // Throws strata::Error naming the path when it is not a regular file or cannot be
  // examined, or when it or a folder of its key is a link leading out of the array.
  std::int64_t size(const std::string& key);

 private:
  std::string dir_;
  std::string checked_folder_;  // the key folder checked last (keys come in C order: runs of
                                // them share one), so each folder is lstat()ed once
};

}  // namespace strata::zarr
