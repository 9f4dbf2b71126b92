#pragma once
// Durability of outputs: what a rank wrote, and a folder's entries, flushed to disk before
// an output is renamed into place (array/commit.hpp), so that an output that exists after a
// power loss is complete. Costs: docs/benchmarks.md.
#include <string>

namespace strata::io {

// Flushes `path` to disk: a file (fsync), or for a folder every file in it at once (syncfs:
// the file system's dirty data, one call instead of one per chunk file). Any fd of a file
// flushes this node's pages of it, whoever wrote them. Errors name `path`.
void flush_to_disk(const std::string& path);

// Makes `folder`'s entries durable (a rename into it). File systems that cannot sync a
// folder say EINVAL or EROFS: their renames are as durable as they get. Errors name `output`,
// the output whose rename it is.
void flush_folder(const std::string& folder, const std::string& output);

}  // namespace strata::io
