#include "mpi_test.hpp"

#include <mpi.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "strata/error.hpp"

namespace strata::testing {

namespace fs = std::filesystem;

const mpi::Comm& world() {
  static const mpi::Comm comm(MPI_COMM_WORLD);
  return comm;
}

std::vector<long long> all_gather(long long value) {
  std::vector<long long> out(static_cast<std::size_t>(world().size()));
  mpi::check(MPI_Allgather(&value, 1, MPI_LONG_LONG, out.data(), 1, MPI_LONG_LONG, world().get()), "MPI_Allgather");
  return out;
}

void MpiTest::TearDown() {
  const auto failed = all_gather(HasFailure() ? 1 : 0);
  std::string others;
  for (int r = 0; r < world().size(); ++r)
    if (failed[static_cast<std::size_t>(r)] && r != world().rank()) others += (others.empty() ? "" : ", ") + std::to_string(r);
  if (!others.empty() && !HasFailure()) ADD_FAILURE() << "failed on rank(s) " << others;
}

SharedDir::SharedDir() {
  std::string name;
  mpi::agreed(world(), [&] {
    if (world().rank() != 0) return;
    const char* shared = std::getenv("STRATA_TEST_SHARED_TMPDIR");
    const fs::path base = shared && *shared ? fs::path(shared) : fs::temp_directory_path();
    name = (base / "strata-mpi-test-XXXXXX").string();
    if (!mkdtemp(name.data())) throw Error(name, "cannot create the test folder");
  });
  path_ = world().broadcast(name, 0);
}

SharedDir::~SharedDir() {
  world().barrier();
  if (world().rank() == 0) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

ReferenceFile write_reference(const SharedDir& dir, const std::string& name) {
  const fs::path folder = dir.path() / name;
  ReferenceFile file = reference_case(name).make(folder);
  write_on_root([&] {
    fs::create_directories(folder);
    file.write();
  });
  return file;
}

ReferenceFile write_reference_with_bad_last_chunk(const SharedDir& dir, const std::string& name) {
  ReferenceFile file = write_reference(dir, name);
  write_on_root([&] {
    std::vector<fs::path> chunks;
    for (const auto& entry : fs::recursive_directory_iterator(file.file))
      if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') chunks.push_back(entry.path());
    std::sort(chunks.begin(), chunks.end());
    std::ofstream(chunks.back(), std::ios::binary | std::ios::trunc) << "not zlib data at all";
  });
  return file;
}

std::string trimmed_selection(const std::string& dims, const Shape& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (shape[i] >= 3)
      text += (text.empty() ? "" : ",") + std::string(1, dims[i]) + "=1:" + std::to_string(shape[i] - 1);
  return text;
}

std::string index_selection(const std::string& dims, const Shape& shape) {
  std::string text;
  for (std::size_t i = 0; i + 1 < shape.size(); ++i)
    if (shape[i] >= 2) {
      text = std::string(1, dims[i]) + "=" + std::to_string(shape[i] - 1) + ",";
      break;
    }
  return text + dims.back() + "=:" + std::to_string(std::min<std::int64_t>(5, shape.back()));
}

std::vector<std::string> SharedDir::names() const {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(path_)) out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace strata::testing
