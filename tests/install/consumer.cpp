// The smallest application: built with nothing but `pkg-config --cflags --libs strata`.
// Gathers a file on rank 0 and prints its shape, dtype and element sum.
#include <mpi.h>

#include <cstdio>
#include <numeric>

#include <strata/strata.hpp>

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);  // strata's decode threads never call MPI
  int status = 0;
  try {
    const strata::Array array = strata::Array::open(argv[1], MPI_COMM_WORLD);
    const strata::Buffer data = array.gather();
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
      const auto values = data.as<std::uint16_t>(array.dtype());
      std::printf("%s %s sum %llu\n", array.dims().c_str(), std::string(name(array.dtype())).c_str(),
                  static_cast<unsigned long long>(std::accumulate(values.begin(), values.end(), 0ull)));
    }
  } catch (const strata::Error& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    status = 2;
  }
  MPI_Finalize();
  return status;
}
