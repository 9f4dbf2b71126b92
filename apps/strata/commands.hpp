#pragma once
// The CLI's subcommands. Each fills its options from CLI11 and runs on the public API.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "strata/array.hpp"

namespace strata::cli {

struct InfoOptions {
  std::string path;
  int level = 0;
  bool allow_external = false;  // HDF5 datasets may read other files (OpenOptions::allow_external)
  bool json = false;
};

struct PlanOptions {
  std::string path;
  int ranks = 1;
  std::string strategy = "bytes";
  std::string select;
  int level = 0;
  bool allow_external = false;
  bool json = false;
};

struct ReadOptions {
  std::string path;
  std::string select;
  std::string strategy = "bytes";
  std::string layout = "root";  // root | slab[:AXIS] | blocks[:GRID] | replicated
  int threads = 0;
  int level = 0;
  bool allow_external = false;
  bool checksum = false;
  bool json = false;
  std::string output;    // -o: convert into this file instead of gathering
  std::string compress;  // the output's codec; empty = the format's default
  bool force = false;    // replace an existing output
  std::string max_memory;   // bytes of the array a rank may hold: "256M", "2G", "1500000"
  std::uint64_t max_chunks = 0;  // chunks a read may list; 0: ReadOptions' default
  int levels = 1;           // pyramid levels of the output
  int zarr_format = 2;      // .zarr outputs
  std::string shard;        // Zarr v3 shards: "Z=64" or "Z=64,Y=1024"
};

// reduce takes read's options (its -o writes the result) and the reduction.
struct ReduceOptions {
  ReadOptions read;
  std::string op;    // max, min, sum, mean
  std::string axes;  // dims letters, e.g. "Z" or "ZC"
};

// Each returns the process exit status; errors are thrown as strata::Error.
int run_info(const InfoOptions& options);
int run_plan(const PlanOptions& options);
int run_read(const ReadOptions& options);      // collective over MPI_COMM_WORLD
int run_reduce(const ReduceOptions& options);  // collective over MPI_COMM_WORLD

// Runs `write` (a conversion) so that SIGINT and SIGTERM stop it cleanly on every rank
// (strata/interrupt.hpp), and with its errors in the CLI's terms (--force).
WriteStats run_write(const std::function<WriteStats()>& write);

}  // namespace strata::cli
