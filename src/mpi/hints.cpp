#include "mpi/hints.hpp"

#include "mpi/comm.hpp"

namespace strata::mpi {

Hints::Hints(const std::vector<std::pair<std::string, std::string>>& settings) {
  check(MPI_Info_create(&info_), "MPI_Info_create");
  for (const auto& [key, value] : settings) {
    const int rc = MPI_Info_set(info_, key.c_str(), value.c_str());
    if (rc != MPI_SUCCESS) {
      MPI_Info_free(&info_);
      check(rc, "MPI_Info_set");
    }
  }
}

Hints::~Hints() {
  if (info_ != MPI_INFO_NULL) MPI_Info_free(&info_);
}

}  // namespace strata::mpi
