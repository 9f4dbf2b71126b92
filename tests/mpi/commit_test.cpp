// Atomic outputs: PendingOutput (array/commit.hpp) creates the destination only once every
// rank has written, refuses an existing one unless told to replace it, and leaves nothing
// behind when abandoned; Array::write, built on it, writes what reads back as the source
// and fails alike on every rank without leaving a trace.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "array/commit.hpp"
#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/selection.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::first_difference;
using testing::ReferenceFile;
using testing::SharedDir;
using testing::world;
using Names = std::vector<std::string>;

std::string content_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string part_text(int rank) { return "written by rank " + std::to_string(rank) + "\n"; }

// The error `action` throws on this rank, expected the same on every rank; "(no error)" when
// it throws none.
template <typename Action>
std::string agreed_error(Action&& action, const std::string& path = "") {
  std::string what = "(no error)";
  try {
    action();
  } catch (const Error& e) {
    what = e.what();
    if (!path.empty()) {
      EXPECT_EQ(e.path(), path) << e.what();
    }
  }
  EXPECT_EQ(world().broadcast(what, 0), what) << "ranks disagree";
  return what;
}

class Commit : public testing::MpiTest {
 protected:
  // The writer of a folder output: rank 0 creates the folder, then every rank its own file.
  void write_parts(const std::string& folder) {
    testing::write_on_root([&] { fs::create_directory(folder); });
    mpi::agreed(world(), [&] { std::ofstream(fs::path(folder) / ("part-" + std::to_string(rank()))) << part_text(rank()); });
  }
  void expect_parts(const std::string& folder) {
    Names want;
    for (int r = 0; r < ranks(); ++r) {
      want.push_back("part-" + std::to_string(r));
      EXPECT_EQ(content_of(fs::path(folder) / want.back()), part_text(r));
    }
    std::sort(want.begin(), want.end());
    Names got;
    for (const auto& entry : fs::directory_iterator(folder)) got.push_back(entry.path().filename().string());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
  }
  std::uint64_t parts_bytes() const {
    std::uint64_t n = 0;
    for (int r = 0; r < ranks(); ++r) n += part_text(r).size();
    return n;
  }

  SharedDir dir_;
};

TEST_F(Commit, PrepareNamesAHiddenTemporaryBesideTheDestinationOnEveryRank) {
  const std::string destination = dir_ / "out.zarr";
  PendingOutput pending = PendingOutput::prepare(world(), destination, false);
  const fs::path temporary = pending.temporary();
  EXPECT_EQ(world().broadcast(pending.temporary(), 0), pending.temporary());
  EXPECT_EQ(temporary.parent_path(), dir_.path());
  EXPECT_EQ(temporary.filename().string().front(), '.');
  EXPECT_NE(temporary.filename().string().find("out.zarr"), std::string::npos);
  EXPECT_FALSE(fs::exists(temporary));
  pending.abandon(world());
  world().barrier();
  EXPECT_EQ(dir_.names(), Names{});
}

TEST_F(Commit, CommitMovesWhatEveryRankWroteToTheDestination) {
  const std::string destination = dir_ / "out.zarr";
  PendingOutput pending = PendingOutput::prepare(world(), destination, false);
  write_parts(pending.temporary());
  const std::uint64_t bytes = pending.commit(world());
  EXPECT_EQ(bytes, rank() == 0 ? parts_bytes() : 0u);
  expect_parts(destination);
  EXPECT_EQ(dir_.names(), Names{"out.zarr"}) << "a temporary was left behind";
}

TEST_F(Commit, ASingleFileOutputIsCommittedWhole) {
  const std::string destination = dir_ / "out.npy";
  PendingOutput pending = PendingOutput::prepare(world(), destination + "/", false);  // trailing slash ignored
  testing::write_on_root([&] { std::ofstream(pending.temporary()) << "one file"; });
  const std::uint64_t bytes = pending.commit(world());
  EXPECT_EQ(bytes, rank() == 0 ? 8u : 0u);
  EXPECT_EQ(content_of(destination), "one file");
  EXPECT_EQ(dir_.names(), Names{"out.npy"});
}

TEST_F(Commit, AnExistingDestinationIsRefusedOnEveryRankAndKept) {
  const std::string destination = dir_ / "out.npy";
  testing::write_on_root([&] { std::ofstream(destination) << "precious"; });
  const std::string error = agreed_error([&] { PendingOutput::prepare(world(), destination, false); }, destination);
  EXPECT_NE(error.find("already exists"), std::string::npos) << error;
  EXPECT_EQ(content_of(destination), "precious");
  EXPECT_EQ(dir_.names(), Names{"out.npy"});
}

TEST_F(Commit, OverwriteReplacesAnExistingDestinationWhole) {
  const std::string destination = dir_ / "out.zarr";
  testing::write_on_root([&] {
    fs::create_directory(destination);
    std::ofstream(fs::path(destination) / "stale") << "from an earlier run";
  });
  PendingOutput pending = PendingOutput::prepare(world(), destination, true);
  write_parts(pending.temporary());
  pending.commit(world());
  expect_parts(destination);  // "stale" is gone with the old folder
  EXPECT_EQ(dir_.names(), Names{"out.zarr"}) << "the old output or a temporary was left behind";
}

TEST_F(Commit, AbandonLeavesNothingBehind) {
  const std::string destination = dir_ / "out.zarr";
  PendingOutput pending = PendingOutput::prepare(world(), destination, false);
  write_parts(pending.temporary());
  EXPECT_EQ(dir_.names().size(), 1u);
  world().barrier();  // every rank has looked before rank 0 removes it
  pending.abandon(world());
  world().barrier();
  EXPECT_EQ(dir_.names(), Names{});
}

TEST_F(Commit, AMissingFolderIsRefusedOnEveryRank) {
  const std::string destination = dir_ / "no-such-folder/out.npy";
  const std::string error = agreed_error([&] { PendingOutput::prepare(world(), destination, false); }, destination);
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
  EXPECT_EQ(dir_.names(), Names{});
}

TEST_F(Commit, AFailureOnAnyRankWhileWritingLeavesNothing) {
  for (int k = 0; k < ranks(); ++k) {
    SCOPED_TRACE("rank " + std::to_string(k) + " fails");
    const std::string destination = dir_ / "out.zarr";
    PendingOutput pending = PendingOutput::prepare(world(), destination, false);
    const std::string error = agreed_error([&] {
      try {
        testing::write_on_root([&] { fs::create_directory(pending.temporary()); });
        mpi::agreed(world(), [&] {
          if (rank() == k) throw Error("", "disk full on rank " + std::to_string(k));
          std::ofstream(fs::path(pending.temporary()) / ("part-" + std::to_string(rank()))) << part_text(rank());
        });
        pending.commit(world());
      } catch (...) {
        pending.abandon(world());
        throw;
      }
    });
    EXPECT_EQ(error, "disk full on rank " + std::to_string(k));
    world().barrier();
    EXPECT_EQ(dir_.names(), Names{});
  }
}

// ---- Array::write ----------------------------------------------------------------------------

class ArrayWrite : public testing::MpiTest {
 protected:
  SharedDir dir_;
};

TEST_F(ArrayWrite, NpyOutputHoldsTheSourceBytesBehindANumpyHeader) {
  const ReferenceFile source = testing::write_reference(dir_, "zarr_u16_edge_chunks");
  const std::string out = dir_ / "out.npy";
  WriteStats stats;
  EXPECT_NO_THROW(stats = Array::open(source.path, MPI_COMM_WORLD).write(out));
  EXPECT_EQ(stats.format, "npy");
  std::string header;
  const std::vector<std::byte> data = testing::read_npy_data(out, &header);
  EXPECT_EQ(first_difference(data, source.array.bytes, 2), "");
  EXPECT_NE(header.find("'descr': '<u2'"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': (7, 33, 35)"), std::string::npos) << header;
  EXPECT_EQ(dir_.names(), (Names{"out.npy", "zarr_u16_edge_chunks"}));
}

TEST_F(ArrayWrite, ASelectionIsWrittenAsItsOwnArray) {
  const ReferenceFile source = testing::write_reference(dir_, "tiff_u16_strips");
  const std::string out = dir_ / "part.npy";
  const Selection sel = parse_selection("Z=1:4,Y=2:20");
  Array::open(source.path, MPI_COMM_WORLD).select(sel).write(out);
  const std::vector<std::byte> data = testing::read_npy_data(out);
  EXPECT_EQ(first_difference(data, source.array.slice(resolve(sel, source.dims, source.array.shape)), 2), "");
}

// Every output format reads back (through strata) as the array written.
class ArrayWriteFormats : public ArrayWrite, public ::testing::WithParamInterface<std::string> {};

TEST_P(ArrayWriteFormats, OutputReadsBackAsTheSource) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_u16_czyx");
  const std::string out = dir_ / ("out" + GetParam());
  EXPECT_NO_THROW(Array::open(source.path, MPI_COMM_WORLD).write(out));
  ReadOptions options;
  options.root = ranks() - 1;
  Buffer back;
  EXPECT_NO_THROW(back = Array::open(out, MPI_COMM_WORLD).gather(options));
  if (rank() == options.root) {
    EXPECT_EQ(first_difference(back.bytes(), source.array.bytes, 2), "");
  }
  EXPECT_EQ(dir_.names(), (Names{"npy_u16_czyx", "out" + GetParam()})) << "a temporary was left behind";
}

INSTANTIATE_TEST_SUITE_P(Outputs, ArrayWriteFormats, ::testing::Values(".npy", ".zarr", ".h5", ".ome.tif"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param.substr(1);
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

// Compressed outputs streamed in windows of a few planes (each rank several windows, some
// ranks empty ones): .h5 chunks compressed on every rank and stored by rank 0, .ome.tif
// strips placed per window, with a pyramid whose levels strata finds again.
struct CompressedCase {
  std::string suffix, codec;
  int levels;
};

class ArrayWriteCompressed : public ArrayWrite, public ::testing::WithParamInterface<CompressedCase> {};

TEST_P(ArrayWriteCompressed, StreamedOutputReadsBackAsTheSource) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_u16_czyx");
  const std::string out = dir_ / ("out" + GetParam().suffix);
  WriteOptions write;
  write.codec = GetParam().codec;
  write.levels = GetParam().levels;
  write.read.max_memory = 3 * 2 * source.array.shape.back() * source.array.shape[source.array.shape.size() - 2] * 2;
  EXPECT_NO_THROW(Array::open(source.path, MPI_COMM_WORLD).write(out, write));
  ReadOptions options;
  options.root = ranks() - 1;
  Buffer back;
  EXPECT_NO_THROW(back = Array::open(out, MPI_COMM_WORLD).gather(options));
  if (rank() == options.root) {
    EXPECT_EQ(first_difference(back.bytes(), source.array.bytes, 2), "");
  }
  EXPECT_EQ(Array::open(out, MPI_COMM_WORLD).info().level_count(), static_cast<std::size_t>(GetParam().levels));
}

INSTANTIATE_TEST_SUITE_P(Outputs, ArrayWriteCompressed,
                         ::testing::Values(CompressedCase{".h5", "gzip", 1}, CompressedCase{".h5", "blosc-lz4", 1},
                                           CompressedCase{".ome.tif", "deflate", 3},
                                           CompressedCase{".ome.tif", "none", 2}),
                         [](const ::testing::TestParamInfo<CompressedCase>& p) {
                           std::string name = p.param.suffix.substr(1) + "_" + p.param.codec + "_" +
                                              std::to_string(p.param.levels);
                           std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return name;
                         });

TEST_F(ArrayWrite, AnExistingOutputIsRefusedUnlessOverwriting) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_i64_yx_v3");
  const std::string out = dir_ / "out.npy";
  testing::write_on_root([&] { std::ofstream(out) << "precious"; });
  const Array a = Array::open(source.path, MPI_COMM_WORLD);
  const std::string error = agreed_error([&] { a.write(out); }, out);
  EXPECT_NE(error.find("already exists"), std::string::npos) << error;
  // The library names its own option, not the CLI's flag (the CLI translates).
  EXPECT_NE(error.find("WriteOptions::overwrite"), std::string::npos) << error;
  EXPECT_EQ(error.find("--force"), std::string::npos) << error;
  EXPECT_EQ(content_of(out), "precious");

  WriteOptions overwrite;
  overwrite.overwrite = true;
  EXPECT_NO_THROW(a.write(out, overwrite));
  EXPECT_EQ(first_difference(testing::read_npy_data(out), source.array.bytes, 8), "");
  EXPECT_EQ(dir_.names(), (Names{"npy_i64_yx_v3", "out.npy"}));
}

TEST_F(ArrayWrite, AMissingFolderFailsEveryRankAlikeAndCreatesNothing) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_i64_yx_v3");
  const std::string out = dir_ / "missing/out.npy";
  const std::string error = agreed_error([&] { Array::open(source.path, MPI_COMM_WORLD).write(out); }, out);
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
  EXPECT_EQ(dir_.names(), Names{"npy_i64_yx_v3"});
}

TEST_F(ArrayWrite, AnUnknownSuffixFailsEveryRankAlikeAndCreatesNothing) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_i64_yx_v3");
  const std::string out = dir_ / "out.xyz";
  const std::string error = agreed_error([&] { Array::open(source.path, MPI_COMM_WORLD).write(out); }, out);
  EXPECT_NE(error.find("unknown output format"), std::string::npos) << error;
  EXPECT_EQ(dir_.names(), Names{"npy_i64_yx_v3"});
}

TEST_F(ArrayWrite, AnUnknownCodecFailsEveryRankAlikeAndCreatesNothing) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_i64_yx_v3");
  WriteOptions options;
  options.codec = "no-such-codec";
  const std::string error = agreed_error([&] { Array::open(source.path, MPI_COMM_WORLD).write(dir_ / "out.zarr", options); });
  EXPECT_NE(error, "(no error)");
  EXPECT_EQ(dir_.names(), Names{"npy_i64_yx_v3"});
}

}  // namespace
}  // namespace strata
