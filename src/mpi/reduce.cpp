#include "mpi/reduce.hpp"

#include <algorithm>
#include <cstdint>

#include "model/fault.hpp"

namespace strata::mpi {
namespace {

// The combine of the reduction in progress. MPI calls user operations on the thread that
// called the collective, and strata calls MPI from one thread only (MPI_THREAD_FUNNELED).
const Combine* current = nullptr;

void trampoline(void* in, void* inout, int* len, MPI_Datatype*) {
  (*current)(static_cast<const std::byte*>(in), static_cast<std::byte*>(inout), static_cast<std::size_t>(*len));
}

// Frees what it holds, also when a collective throws.
struct Resources {
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Op op = MPI_OP_NULL;
  ~Resources() {
    if (op != MPI_OP_NULL) MPI_Op_free(&op);
    if (type != MPI_DATATYPE_NULL) MPI_Type_free(&type);
    current = nullptr;
  }
};

// MPI counts are int: pieces of at most 2^30 bytes.
constexpr std::size_t kPieceBytes = std::size_t{1} << 30;

}  // namespace

void reduce(const Comm& comm, std::span<std::byte> data, std::size_t element_size, const Combine& combine, int root) {
  Resources r;
  agreed(comm, [&] {
    inject_fault(FaultPhase::exchange);
    check(MPI_Type_contiguous(static_cast<int>(element_size), MPI_BYTE, &r.type), "MPI_Type_contiguous");
    check(MPI_Type_commit(&r.type), "MPI_Type_commit");
    check(MPI_Op_create(&trampoline, 1, &r.op), "MPI_Op_create");
  });
  current = &combine;
  const std::size_t count = data.size() / element_size;
  const std::size_t piece = std::max<std::size_t>(1, kPieceBytes / element_size);
  for (std::size_t at = 0; at < count; at += piece) {
    const int n = static_cast<int>(std::min(piece, count - at));
    std::byte* p = data.data() + at * element_size;
    if (root < 0)
      check(MPI_Allreduce(MPI_IN_PLACE, p, n, r.type, r.op, comm.get()), "MPI_Allreduce");
    else if (comm.rank() == root)
      check(MPI_Reduce(MPI_IN_PLACE, p, n, r.type, r.op, root, comm.get()), "MPI_Reduce");
    else
      check(MPI_Reduce(p, nullptr, n, r.type, r.op, root, comm.get()), "MPI_Reduce");
  }
}

void broadcast(const Comm& comm, std::span<std::byte> data, int root) {
  for (std::size_t at = 0; at < data.size(); at += kPieceBytes) {
    const int n = static_cast<int>(std::min(kPieceBytes, data.size() - at));
    check(MPI_Bcast(data.data() + at, n, MPI_BYTE, root, comm.get()), "MPI_Bcast");
  }
}

}  // namespace strata::mpi
