// strata: the command-line tool. `read` and `reduce` run under MPI; `info` and `plan` do not need it.
#include <mpi.h>

#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "strata/strata.hpp"

namespace {

constexpr int kUsageOrInputError = 2;

// The subcommand is the first argument that is not an option.
bool runs_under_mpi(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') return std::strcmp(argv[i], "read") == 0 || std::strcmp(argv[i], "reduce") == 0;
  return false;
}

// Which copy of the program this is when a launcher started several without MPI being
// initialized (info, plan, or no subcommand at all): only the first prints errors.
int launcher_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "MV2_COMM_WORLD_RANK"})
    if (const char* value = std::getenv(name)) return std::atoi(value);
  return 0;
}

// A whole number of at least `minimum`: CLI11's NonNegativeNumber and PositiveNumber are
// double ranges whose message prints DBL_MAX in 309 digits.
CLI::Validator at_least(int minimum) {
  return CLI::Validator(
      [minimum](std::string& text) -> std::string {
        long long value = 0;
        const char* end = text.data() + text.size();
        const auto [at, error] = std::from_chars(text.data(), end, value);
        if (error != std::errc() || at != end) return "'" + text + "' is not a whole number";
        if (value < minimum) return "must be at least " + std::to_string(minimum) + ", not " + text;
        if (value > INT_MAX) return "must be at most " + std::to_string(INT_MAX) + ", not " + text;
        return "";
      },
      "INT>=" + std::to_string(minimum));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace strata::cli;
  const bool mpi = runs_under_mpi(argc, argv);
  int rank = mpi ? 0 : launcher_rank();
  if (mpi) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  }

  CLI::App app{"strata: read microscopy files (TIFF, OME-TIFF, Zarr, OME-Zarr, HDF5) as chunked arrays across MPI ranks", "strata"};
  app.require_subcommand(1);
  app.set_version_flag("--version", strata::kVersion);

  // One flag on every command that opens an input (docs/security.md).
  const auto allow_external = [](CLI::App* command, bool& value) {
    command->add_flag("--allow-external", value,
                      "Let an HDF5 dataset read other files: an external link's target, external storage files, a "
                      "virtual dataset's sources (refused by default: docs/security.md)");
  };

  InfoOptions info;
  auto* info_cmd = app.add_subcommand("info", "Print dims, shape, dtype, chunks, codec and metadata of a file");
  info_cmd->add_option("PATH", info.path, "Image file")->required();
  info_cmd->add_option("--level", info.level, "Resolution level of a multiscale image")->check(at_least(0));
  allow_external(info_cmd, info.allow_external);
  info_cmd->add_flag("--json", info.json, "Print one JSON object");

  PlanOptions plan;
  auto* plan_cmd = app.add_subcommand("plan", "Show how a read would split the chunks over N ranks");
  plan_cmd->add_option("PATH", plan.path, "Image file")->required();
  plan_cmd->add_option("--ranks,-n", plan.ranks, "Number of ranks")->required()->check(at_least(1));
  plan_cmd->add_option("--strategy", plan.strategy, "bytes (default), block or round-robin")
      ->check(CLI::IsMember({"bytes", "block", "round-robin"}));
  plan_cmd->add_option("--select", plan.select, "Selection, e.g. C=1,Z=2:5");
  plan_cmd->add_option("--level", plan.level, "Resolution level")->check(at_least(0));
  allow_external(plan_cmd, plan.allow_external);
  plan_cmd->add_flag("--json", plan.json, "Print one JSON object");

  ReadOptions read;
  auto* read_cmd = app.add_subcommand("read", "Read in parallel (under mpiexec) and gather on rank 0, or convert with -o");
  read_cmd->add_option("PATH", read.path, "Image file")->required();
  read_cmd->add_option("--select", read.select, "Selection, e.g. C=1,Z=2:5");
  read_cmd->add_option("--strategy", read.strategy, "bytes (default), block or round-robin")
      ->check(CLI::IsMember({"bytes", "block", "round-robin"}));
  read_cmd->add_option("--threads", read.threads, "Decode threads per rank (0: the CPUs the rank may use)")
      ->check(at_least(0));
  read_cmd->add_option("--level", read.level, "Resolution level")->check(at_least(0));
  allow_external(read_cmd, read.allow_external);
  read_cmd->add_option("--layout", read.layout,
                       "Where the array lands: root (default: all on rank 0), slab[:AXIS] (ranges along one axis, "
                       "e.g. slab:Y), blocks[:GRID] (a process grid, e.g. blocks:2x2 over the last axes or "
                       "blocks:Y=2,X=2) or replicated (whole on every rank, one copy per node)");
  read_cmd->add_flag("--checksum", read.checksum,
                     "Print the XXH3-64 of the array's C-order bytes (of the whole array, whatever the layout)");
  read_cmd->add_flag("--json", read.json, "Print one JSON object on rank 0");
  auto* output = read_cmd->add_option("-o,--output", read.output,
                                      "Write into a new file instead of gathering: .h5, .zarr, .npy or .ome.tif "
                                      "(every rank writes its own planes; atomic)");
  read_cmd->add_option("--compress", read.compress,
                       "Output codec: .h5 none|gzip|blosc-lz4|blosc-zstd, .zarr blosc-lz4|blosc-zstd|gzip|zstd|none, "
                       ".ome.tif none|deflate|zstd")
      ->needs(output);
  read_cmd->add_flag("--force", read.force, "Replace an existing output")->needs(output);
  read_cmd->add_option("--max-memory", read.max_memory,
                       "Bytes of the array one rank may hold (e.g. 256M, 4G; default: its share of the node's available "
                       "memory): a conversion streams its planes within it, a read larger than it is refused before "
                       "reading");
  read_cmd->add_option("--max-chunks", read.max_chunks,
                       "Chunks a read may list (default 4194304): a selection meeting more is refused before listing "
                       "them")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  read_cmd->add_option("--levels", read.levels, "Resolution levels to write (.zarr, .ome.tif): each halves Y and X by "
                                                "the mean")
      ->check(CLI::Range(1, 32))
      ->needs(output);
  read_cmd->add_option("--zarr-format", read.zarr_format, "Zarr version of a .zarr output: 2 (default) or 3")
      ->check(CLI::IsMember({2, 3}))
      ->needs(output);
  read_cmd->add_option("--shard", read.shard,
                       "Zarr v3 shards: elements per shard along axes, e.g. Z=64 (axes not named: one chunk)")
      ->needs(output);
  output->excludes("--checksum");
  output->excludes("--layout");

  ReduceOptions reduce;
  auto* reduce_cmd =
      app.add_subcommand("reduce", "Reduce over axes in parallel (under mpiexec), chunk by chunk: max, min, sum, mean");
  reduce_cmd->add_option("PATH", reduce.read.path, "Image file")->required();
  reduce_cmd->add_option("--op", reduce.op, "max, min, sum or mean")
      ->required()
      ->check(CLI::IsMember({"max", "min", "sum", "mean"}));
  reduce_cmd->add_option("--axis", reduce.axes, "Axes to reduce, as dims letters: Z (a projection), ZC, ...")
      ->required();
  reduce_cmd->add_option("--select", reduce.read.select, "Selection, e.g. C=1,Z=2:5");
  reduce_cmd->add_option("--strategy", reduce.read.strategy, "bytes (default), block or round-robin")
      ->check(CLI::IsMember({"bytes", "block", "round-robin"}));
  reduce_cmd->add_option("--threads", reduce.read.threads, "Decode threads per rank (0: the CPUs the rank may use)")
      ->check(at_least(0));
  reduce_cmd->add_option("--level", reduce.read.level, "Resolution level")->check(at_least(0));
  allow_external(reduce_cmd, reduce.read.allow_external);
  reduce_cmd->add_flag("--checksum", reduce.read.checksum, "Print the XXH3-64 of the result's C-order bytes");
  reduce_cmd->add_flag("--json", reduce.read.json, "Print one JSON object on rank 0");
  auto* reduce_output = reduce_cmd->add_option("-o,--output", reduce.read.output,
                                               "Write the result into a new file: .h5, .zarr, .npy or .ome.tif");
  reduce_cmd->add_option("--compress", reduce.read.compress, "Output codec (as for read -o)")->needs(reduce_output);
  reduce_cmd->add_flag("--force", reduce.read.force, "Replace an existing output")->needs(reduce_output);
  reduce_cmd->add_option("--max-memory", reduce.read.max_memory,
                         "Bytes one rank may hold (e.g. 256M, 4G; default: its share of the node's available memory): "
                         "a reduction whose partial results and blocks need more is refused before reading");
  reduce_cmd->add_option("--max-chunks", reduce.read.max_chunks,
                         "Chunks a reduction may list (default 4194304): a selection meeting more is refused before "
                         "listing them")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  reduce_output->excludes("--checksum");

  int status = 0;
  try {
    app.parse(argc, argv);
    if (*info_cmd) status = run_info(info);
    if (*plan_cmd) status = run_plan(plan);
    if (*read_cmd) status = run_read(read);
    if (*reduce_cmd) status = run_reduce(reduce);
  } catch (const CLI::Success& e) {  // --help, --version
    if (rank == 0) status = app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (rank == 0) std::cerr << strata::error_line(e.what()) << std::flush;
    status = kUsageOrInputError;
  } catch (strata::Error& e) {
    // Errors of a collective read are agreed: every rank holds the same one. Errors that
    // concern no file of their own (a selection, a strategy) are about the file given.
    e.add_context({*info_cmd ? info.path : *plan_cmd ? plan.path : *read_cmd ? read.path : reduce.read.path, {}, {}, {}});
    if (rank == 0) std::cerr << strata::error_line(e.what()) << std::flush;
    // A conversion stopped by SIGINT/SIGTERM ends as the shell reports a signal: 128 + N.
    status = strata::interrupt_signal() ? 128 + strata::interrupt_signal() : kUsageOrInputError;
  } catch (const std::exception& e) {
    if (rank == 0) std::cerr << strata::error_line(e.what()) << std::flush;
    status = kUsageOrInputError;
  }
  if (mpi) MPI_Finalize();
  return status;
}
