#include "mpi/comm.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <new>
#include <utility>

#include "strata/error.hpp"

namespace strata::mpi {
namespace {

// An error travels between ranks as its five fields, each ended by a NUL.
std::string encode(const std::exception_ptr& failure) {
  Error error("", "unknown failure");
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    error = e;
  } catch (const std::bad_alloc&) {
    error = Error("", "out of memory");
  } catch (const std::exception& e) {
    error = Error("", e.what());
  } catch (...) {
  }
  const ErrorContext& c = error.context();
  std::string text;
  for (const std::string* field : {&c.path, &c.format, &c.action, &c.chunk, &error.cause()}) text += *field + '\0';
  return text;
}

Error decode(const std::string& text) {
  std::string fields[5];
  std::size_t at = 0;
  for (auto& field : fields) {
    const std::size_t nul = std::min(text.find('\0', at), text.size());
    field = text.substr(at, nul - at);
    at = std::min(nul + 1, text.size());
  }
  return Error(ErrorContext{fields[0], fields[1], fields[2], fields[3]}, fields[4]);
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

Comm Comm::adopt(MPI_Comm comm) {
  Comm owner(comm);
  owner.owned_ = true;
  check(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  return owner;
}

Comm Comm::duplicate(MPI_Comm comm) {
  MPI_Comm dup = MPI_COMM_NULL;
  check(MPI_Comm_dup(comm, &dup), "MPI_Comm_dup");
  return adopt(dup);
}

Comm::Comm(Comm&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)), owned_(std::exchange(other.owned_, false)),
      rank_(other.rank_), size_(other.size_) {}

Comm::~Comm() {
  if (!owned_ || comm_ == MPI_COMM_NULL) return;
  // An application may keep an Array past MPI_Finalize (a global, or one destroyed after
  // main's finalize): MPI is gone and took the communicator with it; freeing it now would
  // be an error that turns a successful run into a failed one.
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Comm_free(&comm_);
}

double Comm::now() noexcept { return MPI_Wtime(); }

void Comm::agree(std::exception_ptr local) const {
  int mine = local ? rank_ : INT_MAX;
  int first = INT_MAX;
  check(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm_), "MPI_Allreduce");
  if (first == INT_MAX) return;
  std::string text = rank_ == first ? encode(local) : std::string();
  throw decode(broadcast(std::move(text), first));
}

// Byte runs travel as their length, then the bytes in pieces of at most 1 GiB: MPI counts are int.
constexpr std::uint64_t kPiece = std::uint64_t{1} << 30;

std::string Comm::broadcast(std::string bytes, int root) const {
  std::uint64_t n = bytes.size();
  check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_), "MPI_Bcast");
  bytes.resize(n);
  for (std::uint64_t off = 0; off < n; off += kPiece) {
    int count = static_cast<int>(std::min(kPiece, n - off));
    check(MPI_Bcast(bytes.data() + off, count, MPI_BYTE, root, comm_), "MPI_Bcast");
  }
  return bytes;
}

void Comm::send(std::span<const std::byte> bytes, int to) const {
  std::uint64_t n = bytes.size();
  check(MPI_Send(&n, 1, MPI_UINT64_T, to, 0, comm_), "MPI_Send");
  for (std::uint64_t off = 0; off < n; off += kPiece)
    check(MPI_Send(bytes.data() + off, static_cast<int>(std::min(kPiece, n - off)), MPI_BYTE, to, 0, comm_),
          "MPI_Send");
}

std::vector<std::byte> Comm::receive(int from) const {
  std::uint64_t n = 0;
  check(MPI_Recv(&n, 1, MPI_UINT64_T, from, 0, comm_, MPI_STATUS_IGNORE), "MPI_Recv");
  std::vector<std::byte> bytes(n);
  for (std::uint64_t off = 0; off < n; off += kPiece)
    check(MPI_Recv(bytes.data() + off, static_cast<int>(std::min(kPiece, n - off)), MPI_BYTE, from, 0, comm_,
                   MPI_STATUS_IGNORE),
          "MPI_Recv");
  return bytes;
}

std::uint64_t Comm::max(std::uint64_t value) const {
  std::uint64_t out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_UINT64_T, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

std::uint64_t Comm::sum(std::uint64_t value) const {
  std::uint64_t out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Allreduce");
  return out;
}

std::uint64_t Comm::exclusive_sum(std::uint64_t value) const {
  std::uint64_t below = 0;
  check(MPI_Exscan(&value, &below, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Exscan");
  return rank_ == 0 ? 0 : below;  // MPI leaves rank 0's result undefined
}

std::vector<std::uint64_t> Comm::all_gather(std::uint64_t value) const {
  std::vector<std::uint64_t> out(static_cast<std::size_t>(size_));
  check(MPI_Allgather(&value, 1, MPI_UINT64_T, out.data(), 1, MPI_UINT64_T, comm_), "MPI_Allgather");
  return out;
}

double Comm::max(double value) const {
  double out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

int Comm::ranks_on_node() const { return split_node().size(); }

Comm Comm::split_node() const {
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  return adopt(node);
}

void Comm::abort(int status) const noexcept {
  MPI_Abort(comm_, status);
  std::abort();  // MPI_Abort does not return; an implementation that did must not go on
}

void Comm::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

}  // namespace strata::mpi
