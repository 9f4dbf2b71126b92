#include "mpi/gather.hpp"

#include <vector>

#include "mpi/datatypes.hpp"

namespace strata::mpi {

void gather_pieces(const Comm& comm, const Plan& plan, std::span<const std::byte> local, std::byte* out,
                 int root) {
  constexpr int kTag = 7301;
  const Shape shape = plan.selection.shape();
  if (comm.rank() != root) {
    if (local.empty()) return;
    Datatype type = bytes_type(local.size());
    type.commit();
    check(MPI_Send(local.data(), 1, type.get(), root, kTag, comm.get()), "MPI_Send");
    return;
  }
  std::vector<Datatype> types;
  std::vector<MPI_Request> requests;
  for (int r = 0; r < comm.size(); ++r) {
    const auto& reads = plan.ranks[r].reads;
    if (r == root || reads.empty()) continue;
    std::vector<Box> regions;
    regions.reserve(reads.size());
    for (const auto& read : reads) regions.push_back(read.dest);
    types.push_back(regions_type(regions, shape, plan.element_size));
    types.back().commit();
    requests.emplace_back();
    check(MPI_Irecv(out, 1, types.back().get(), r, kTag, comm.get(), &requests.back()), "MPI_Irecv");
  }
  check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
}

}  // namespace strata::mpi
