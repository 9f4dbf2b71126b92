// An Array that outlives MPI_Finalize (a global, or one destroyed after main finalized) must
// not turn a successful run into a failed one: its communicator went with MPI, and freeing it
// afterwards is an MPI error that makes the job exit non-zero. Passes when every rank exits 0.
#include <mpi.h>

#include <cstdio>
#include <string>

#include "strata/array.hpp"
#include "support/reference_files.hpp"

int main(int argc, char** argv) {
  strata::testing::TempDir dir;  // removed last
  strata::Array array;           // destroyed after MPI_Finalize
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  // Rank 0's file, named to every rank.
  std::string path = dir / "stack.npy";
  if (rank == 0) strata::testing::write_npy(path, strata::testing::RefArray::pattern({3, 4, 5}, strata::DType::uint16));
  int length = static_cast<int>(path.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
  path.resize(static_cast<std::size_t>(length));
  MPI_Bcast(path.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);

  array = strata::Array::open(path, MPI_COMM_WORLD);
  const strata::Buffer data = array.gather();
  const bool ok = rank != 0 || data.size() == 3 * 4 * 5 * 2;
  if (!ok) std::fprintf(stderr, "finalize_test: gathered %zu bytes\n", data.size());
  MPI_Finalize();
  return ok ? 0 : 1;
}
