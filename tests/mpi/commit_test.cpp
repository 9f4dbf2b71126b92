// Atomic outputs: PendingOutput (array/commit.hpp) creates the destination only once every
// rank has written, refuses an existing one unless told to replace it, and leaves nothing
// behind when abandoned; Array::write, built on it, writes what reads back as the source
// and fails alike on every rank without leaving a trace.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <signal.h>
#include <unistd.h>

#include "array/commit.hpp"
#include "formats/format_writer.hpp"
#include "io/temporary.hpp"
#include "mpi_test.hpp"
#include "strata/array.hpp"
#include "strata/error.hpp"
#include "strata/interrupt.hpp"
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
  PendingOutput pending = PendingOutput::prepare(world(), destination, false, format_for_output(destination));
  const fs::path temporary = pending.temporary();
  EXPECT_EQ(world().broadcast(pending.temporary(), 0), pending.temporary());
  EXPECT_EQ(temporary.parent_path(), dir_.path());
  EXPECT_TRUE(temporary.filename().string().starts_with(".out.zarr.strata-tmp-")) << temporary;
  // Named after rank 0's process, which holds its lock while the output is written.
  const auto owner = io::parse_temporary_name(temporary.filename().string());
  EXPECT_TRUE(owner && owner->pid == std::stol(world().broadcast(std::to_string(::getpid()), 0))) << temporary;
  EXPECT_FALSE(fs::exists(temporary));
  EXPECT_EQ(dir_.names(), Names{temporary.filename().string() + ".lock"});
  world().barrier();
  pending.abandon();
  world().barrier();
  EXPECT_EQ(dir_.names(), Names{});
}

TEST_F(Commit, CommitMovesWhatEveryRankWroteToTheDestination) {
  const std::string destination = dir_ / "out.zarr";
  PendingOutput pending = PendingOutput::prepare(world(), destination, false, format_for_output(destination));
  write_parts(pending.temporary());
  const std::uint64_t bytes = pending.commit(world());
  EXPECT_EQ(bytes, rank() == 0 ? parts_bytes() : 0u);
  expect_parts(destination);
  EXPECT_EQ(dir_.names(), Names{"out.zarr"}) << "a temporary was left behind";
}

TEST_F(Commit, ASingleFileOutputIsCommittedWhole) {
  const std::string destination = dir_ / "out.npy";
  PendingOutput pending = PendingOutput::prepare(world(), destination + "/", false, format_for_output(destination));  // trailing slash ignored
  testing::write_on_root([&] { std::ofstream(pending.temporary()) << "one file"; });
  const std::uint64_t bytes = pending.commit(world());
  EXPECT_EQ(bytes, rank() == 0 ? 8u : 0u);
  EXPECT_EQ(content_of(destination), "one file");
  EXPECT_EQ(dir_.names(), Names{"out.npy"});
}

TEST_F(Commit, AnExistingDestinationIsRefusedOnEveryRankAndKept) {
  const std::string destination = dir_ / "out.npy";
  testing::write_on_root([&] { std::ofstream(destination) << "precious"; });
  const std::string error = agreed_error([&] { PendingOutput::prepare(world(), destination, false, format_for_output(destination)); }, destination);
  EXPECT_NE(error.find("already exists"), std::string::npos) << error;
  EXPECT_EQ(content_of(destination), "precious");
  EXPECT_EQ(dir_.names(), Names{"out.npy"});
}

TEST_F(Commit, OverwriteReplacesAnExistingDestinationWhole) {
  const std::string destination = dir_ / "out.zarr";
  testing::write_on_root([&] {
    fs::create_directory(destination);
    std::ofstream(fs::path(destination) / ".zgroup") << "{\"zarr_format\": 2}";
    std::ofstream(fs::path(destination) / "stale") << "from an earlier run";
  });
  PendingOutput pending = PendingOutput::prepare(world(), destination, true, format_for_output(destination));
  write_parts(pending.temporary());
  pending.commit(world());
  expect_parts(destination);  // "stale" and ".zgroup" are gone with the old store
  EXPECT_EQ(dir_.names(), Names{"out.zarr"}) << "the old output or a temporary was left behind";
}

TEST_F(Commit, AbandonLeavesNothingBehind) {
  const std::string destination = dir_ / "out.zarr";
  PendingOutput pending = PendingOutput::prepare(world(), destination, false, format_for_output(destination));
  write_parts(pending.temporary());
  EXPECT_EQ(dir_.names().size(), 2u);  // the temporary and its lock
  world().barrier();  // every rank has looked before rank 0 removes it
  pending.abandon();
  world().barrier();
  EXPECT_EQ(dir_.names(), Names{});
}

TEST_F(Commit, AMissingFolderIsRefusedOnEveryRank) {
  const std::string destination = dir_ / "no-such-folder/out.npy";
  const std::string error = agreed_error([&] { PendingOutput::prepare(world(), destination, false, format_for_output(destination)); }, destination);
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
  EXPECT_EQ(dir_.names(), Names{});
}

TEST_F(Commit, AFailureOnAnyRankWhileWritingLeavesNothing) {
  for (int k = 0; k < ranks(); ++k) {
    SCOPED_TRACE("rank " + std::to_string(k) + " fails");
    const std::string destination = dir_ / "out.zarr";
    PendingOutput pending = PendingOutput::prepare(world(), destination, false, format_for_output(destination));
    const std::string error = agreed_error([&] {
      try {
        testing::write_on_root([&] { fs::create_directory(pending.temporary()); });
        mpi::agreed(world(), [&] {
          if (rank() == k) throw Error("", "disk full on rank " + std::to_string(k));
          std::ofstream(fs::path(pending.temporary()) / ("part-" + std::to_string(rank()))) << part_text(rank());
        });
        pending.commit(world());
      } catch (...) {
        pending.abandon();
        throw;
      }
    });
    EXPECT_EQ(error, "disk full on rank " + std::to_string(k));
    world().barrier();
    EXPECT_EQ(dir_.names(), Names{});
    world().barrier();  // every rank has looked before the next write creates its lock
  }
}

TEST_F(Commit, ErrorsNameTheDestinationNotTheTemporary) {
  const std::string destination = dir_ / "out.zarr";
  PendingOutput pending = PendingOutput::prepare(world(), destination, false, format_for_output(destination));
  const std::string temporary = pending.temporary();
  const Error chunk = pending.in_destination_terms(
      Error(ErrorContext{temporary + "/0/0/3/0/0", "zarr", "writing", ""}, "cannot write: No space left on device"));
  EXPECT_EQ(std::string(chunk.what()), destination + ": zarr: writing 0/0/3/0/0: cannot write: No space left on device");
  const Error folder = pending.in_destination_terms(Error("", "cannot create folder " + temporary + "/1/0: EIO"));
  EXPECT_EQ(std::string(folder.what()), "cannot create folder " + destination + "/1/0: EIO");
  const Error whole = pending.in_destination_terms(Error(temporary, "cannot write: EDQUOT"));
  EXPECT_EQ(std::string(whole.what()), destination + ": cannot write: EDQUOT");
  const Error elsewhere = pending.in_destination_terms(Error(temporary + "-other", "x"));
  EXPECT_EQ(elsewhere.path(), temporary + "-other");
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
  const Array a = Array::open(source.path, MPI_COMM_WORLD);
  a.select(parse_selection("Y=0:2")).write(out);
  const std::string before = content_of(out);
  const std::string error = agreed_error([&] { a.write(out); }, out);
  EXPECT_NE(error.find("already exists"), std::string::npos) << error;
  // The library names its own option, not the CLI's flag (the CLI translates).
  EXPECT_NE(error.find("WriteOptions::overwrite"), std::string::npos) << error;
  EXPECT_EQ(error.find("--force"), std::string::npos) << error;
  EXPECT_EQ(content_of(out), before);

  WriteOptions overwrite;
  overwrite.overwrite = true;
  EXPECT_NO_THROW(a.write(out, overwrite));
  EXPECT_EQ(first_difference(testing::read_npy_data(out), source.array.bytes, 8), "");
  EXPECT_EQ(dir_.names(), (Names{"npy_i64_yx_v3", "out.npy"}));
}

// Overwriting replaces only an output of the format being written: a folder or file that is
// not one is refused, even when overwriting, and kept as it was.
class ArrayOverwrite : public ArrayWrite, public ::testing::WithParamInterface<std::string> {
 protected:
  void expect_refused(const Array& a, const std::string& out, const std::string& what) {
    WriteOptions overwrite;
    overwrite.overwrite = true;
    const std::string error = agreed_error([&] { a.write(out, overwrite); }, out);
    EXPECT_NE(error.find("exists and is " + what + ", not a"), std::string::npos) << error;
    EXPECT_NE(error.find("replaces only an output of the format written"), std::string::npos) << error;
  }
};

TEST_P(ArrayOverwrite, ReplacesAnOutputOfTheFormatAndNothingElse) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_u16_czyx");
  const Array a = Array::open(source.path, MPI_COMM_WORLD);
  const std::string out = dir_ / ("out" + GetParam());
  WriteOptions overwrite;
  overwrite.overwrite = true;

  // A folder of someone else's files under the output's name.
  testing::write_on_root([&] {
    fs::create_directories(fs::path(out) / "results");
    std::ofstream(fs::path(out) / "results" / "notes.txt") << "precious";
  });
  expect_refused(a, out, "a folder");
  EXPECT_EQ(content_of(fs::path(out) / "results" / "notes.txt"), "precious");
  world().barrier();  // every rank has looked
  testing::write_on_root([&] { fs::remove_all(out); });

  // A file that is not of the format written (text, or another format's output).
  for (const std::string& other : {std::string("text"), std::string("npy")}) {
    SCOPED_TRACE(other);
    if (other == "npy") {
      testing::write_on_root([&] { fs::copy_file(source.path, out); });
    } else {
      testing::write_on_root([&] { std::ofstream(out) << "precious"; });
    }
    const std::string before = content_of(out);
    if (GetParam() != ".npy" || other != "npy") {
      expect_refused(a, out, "a file");
      EXPECT_EQ(content_of(out), before);
    }
    world().barrier();  // every rank has looked
  testing::write_on_root([&] { fs::remove_all(out); });
  }

  // An output of the format: replaced.
  EXPECT_NO_THROW(a.select(parse_selection("Z=0:1")).write(out));
  EXPECT_NO_THROW(a.write(out, overwrite));
  Buffer back;
  EXPECT_NO_THROW(back = Array::open(out, MPI_COMM_WORLD).gather());
  if (rank() == 0) {
    EXPECT_EQ(first_difference(back.bytes(), source.array.bytes, 2), "");
  }
  EXPECT_EQ(dir_.names(), (Names{"npy_u16_czyx", "out" + GetParam()}));
}

INSTANTIATE_TEST_SUITE_P(Outputs, ArrayOverwrite, ::testing::Values(".npy", ".zarr", ".h5", ".ome.tif"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param.substr(1);
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

// A temporary whose writer is gone (a killed job's) is removed by the next write beside it;
// one whose lock is held (a write in progress) is not.
TEST_F(ArrayWrite, AWriteRemovesStaleTemporariesBesideItButNotLockedOnes) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_i64_yx_v3");
  long pid_max = 4194304;
  std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  // Rank 0's host: the ranks may run on several.
  const std::string prefix = ".killed.zarr.strata-tmp-" + world().broadcast(host, 0) + "-" + std::to_string(pid_max + 1);
  const std::string stale = prefix + "-00000001", live = prefix + "-00000002";
  std::unique_ptr<io::TemporaryLock> held;  // as a live writer holds it
  testing::write_on_root([&] {
    fs::create_directories(dir_.path() / stale / "0" / "0");
    std::ofstream(dir_.path() / stale / "0" / "0" / "0") << "chunk";
    std::ofstream(dir_ / (stale + ".lock"));
    fs::create_directories(dir_.path() / live);
    held = std::make_unique<io::TemporaryLock>(dir_ / live);
  });
  EXPECT_NO_THROW(Array::open(source.path, MPI_COMM_WORLD).write(dir_ / "out.npy"));
  EXPECT_EQ(dir_.names(), (Names{live, live + ".lock", "npy_i64_yx_v3", "out.npy"}));
  world().barrier();
  held.reset();  // its writer ends without cleaning up: the lock is free, its pid is gone
  EXPECT_NO_THROW(Array::open(source.path, MPI_COMM_WORLD).write(dir_ / "out.zarr"));
  EXPECT_EQ(dir_.names(), (Names{"npy_i64_yx_v3", "out.npy", "out.zarr"}));

  // A write that is refused (its output exists) removes them too.
  world().barrier();
  testing::write_on_root([&] { std::ofstream(dir_ / stale) << "a killed .npy write"; });
  const std::string error = agreed_error([&] { Array::open(source.path, MPI_COMM_WORLD).write(dir_ / "out.npy"); });
  EXPECT_NE(error.find("already exists"), std::string::npos) << error;
  EXPECT_EQ(dir_.names(), (Names{"npy_i64_yx_v3", "out.npy", "out.zarr"}));
}

// SIGINT/SIGTERM on any rank (strata/interrupt.hpp): every rank stops at the next window with
// the same error, naming the output, and nothing is left at it or beside it.
TEST_F(ArrayWrite, AnInterruptOnAnyRankStopsEveryRankAndLeavesNothing) {
  const ReferenceFile source = testing::write_reference(dir_, "npy_u16_czyx");
  const Array a = Array::open(source.path, MPI_COMM_WORLD);
  for (const std::string suffix : {".npy", ".zarr", ".h5", ".ome.tif"}) {
    for (int k = 0; k < ranks(); ++k) {
      SCOPED_TRACE(suffix + " interrupted on rank " + std::to_string(k));
      const std::string out = dir_ / ("out" + suffix);
      if (rank() == k) request_interrupt(SIGTERM);
      const std::string error = agreed_error([&] { a.write(out); }, out);
      request_interrupt(0);
      EXPECT_EQ(error, out + ": interrupted (SIGTERM)");
      world().barrier();
      EXPECT_EQ(dir_.names(), Names{"npy_u16_czyx"});
      world().barrier();  // every rank has looked before the next write creates its lock
    }
  }
  EXPECT_NO_THROW(a.write(dir_ / "out.npy")) << "withdrawn: a later write goes through";
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
