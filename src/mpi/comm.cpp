#include "mpi/comm.hpp"

#include <climits>

#include "strata/error.hpp"

namespace strata::mpi {
namespace {

// An error travels between ranks as "path\0cause".
std::string encode(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    return e.path() + '\0' + e.cause();
  } catch (const std::exception& e) {
    return std::string(1, '\0') + e.what();
  } catch (...) {
    return std::string(1, '\0') + "unknown failure";
  }
}

Error decode(const std::string& text) {
  auto nul = text.find('\0');
  return Error(text.substr(0, nul), text.substr(nul + 1));
}

}  // namespace

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw Error("", std::string(what) + ": " + std::string(text, len));
}

Comm::Comm(MPI_Comm comm) : comm_(comm) {
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

void Comm::agree(std::exception_ptr local) const {
  int mine = local ? rank_ : INT_MAX;
  int first = INT_MAX;
  check(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm_), "MPI_Allreduce");
  if (first == INT_MAX) return;
  std::string text = rank_ == first ? encode(local) : std::string();
  throw decode(broadcast(std::move(text), first));
}

std::string Comm::broadcast(std::string bytes, int root) const {
  // Two steps: the length, then the bytes (in 1 GiB pieces: MPI counts are int).
  std::uint64_t n = bytes.size();
  check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_), "MPI_Bcast");
  bytes.resize(n);
  constexpr std::uint64_t kPiece = std::uint64_t{1} << 30;
  for (std::uint64_t off = 0; off < n; off += kPiece) {
    int count = static_cast<int>(std::min(kPiece, n - off));
    check(MPI_Bcast(bytes.data() + off, count, MPI_BYTE, root, comm_), "MPI_Bcast");
  }
  return bytes;
}

std::uint64_t Comm::max(std::uint64_t value) const {
  std::uint64_t out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_UINT64_T, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

std::uint64_t Comm::exclusive_sum(std::uint64_t value) const {
  std::uint64_t below = 0;
  check(MPI_Exscan(&value, &below, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Exscan");
  return rank_ == 0 ? 0 : below;  // MPI leaves rank 0's result undefined
}

double Comm::max(double value) const {
  double out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

int Comm::ranks_on_node() const {
  MPI_Comm node;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  int n = 1;
  MPI_Comm_size(node, &n);
  MPI_Comm_free(&node);
  return n;
}

void Comm::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

}  // namespace strata::mpi
