#include "mpi/exchange.hpp"

#include "model/fault.hpp"
#include "mpi/datatypes.hpp"

namespace strata::mpi {
namespace {

// One datatype per peer: the views of `transfers` to or from it, in order; MPI_BYTE (with a
// count of 0) for peers with none.
std::vector<Datatype> per_peer(int ranks, const std::vector<Transfer>& transfers, std::vector<int>& counts) {
  std::vector<std::vector<View>> views(static_cast<std::size_t>(ranks));
  for (const auto& t : transfers)
    if (t.where.count() > 0) views[static_cast<std::size_t>(t.peer)].push_back(t.where);
  std::vector<Datatype> types(static_cast<std::size_t>(ranks));
  counts.assign(static_cast<std::size_t>(ranks), 0);
  for (int r = 0; r < ranks; ++r) {
    if (views[r].empty()) continue;
    types[r] = views_type(views[r]);
    types[r].commit();
    counts[r] = 1;
  }
  return types;
}

}  // namespace

std::uint64_t exchange(const Comm& comm, const std::vector<Transfer>& sends, const std::vector<Transfer>& receives) {
  std::vector<int> send_counts, receive_counts;
  std::vector<Datatype> send_types, receive_types;
  // Building the datatypes may fail on one rank (memory, MPI's limits): agreed before the collective.
  agreed(comm, [&] {
    inject_fault(FaultPhase::exchange);
    send_types = per_peer(comm.size(), sends, send_counts);
    receive_types = per_peer(comm.size(), receives, receive_counts);
  });
  std::vector<MPI_Datatype> st, rt;
  for (int r = 0; r < comm.size(); ++r) {
    st.push_back(send_counts[r] ? send_types[r].get() : MPI_BYTE);
    rt.push_back(receive_counts[r] ? receive_types[r].get() : MPI_BYTE);
  }
  // Every displacement is in the datatypes (absolute addresses from MPI_BOTTOM).
  const std::vector<int> zero(static_cast<std::size_t>(comm.size()), 0);
  check(MPI_Alltoallw(MPI_BOTTOM, send_counts.data(), zero.data(), st.data(), MPI_BOTTOM, receive_counts.data(),
                      zero.data(), rt.data(), comm.get()),
        "MPI_Alltoallw");
  std::uint64_t sent = 0;
  for (const auto& t : sends)
    if (t.peer != comm.rank()) sent += t.where.bytes();
  return sent;
}

}  // namespace strata::mpi
