#pragma once
// MPI-IO hints (an owned MPI_Info) for libraries that open files through MPI-IO (parallel
// HDF5). Here so that MPI stays in src/mpi.
#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

namespace strata::mpi {

class Hints {
 public:
  // Throws strata::Error when MPI cannot create or set the info object.
  explicit Hints(const std::vector<std::pair<std::string, std::string>>& settings);
  ~Hints();
  Hints(const Hints&) = delete;
  Hints& operator=(const Hints&) = delete;
  MPI_Info get() const noexcept { return info_; }

 private:
  MPI_Info info_ = MPI_INFO_NULL;
};

}  // namespace strata::mpi
