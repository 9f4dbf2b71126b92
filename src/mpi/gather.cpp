#include "mpi/gather.hpp"

#include <cstring>
#include <exception>
#include <vector>

#include "model/fault.hpp"
#include "strata/grid.hpp"

namespace strata::mpi {

namespace {
constexpr int kRoundTag = 7301;
}

RoundGather::~RoundGather() {
  // Never throws: the root received every posted send before the round that followed.
  MPI_Waitall(2, sending_, MPI_STATUSES_IGNORE);
}

void RoundGather::reuse(int slot) { check(MPI_Wait(&sending_[slot], MPI_STATUS_IGNORE), "MPI_Wait"); }

void RoundGather::send(int slot, std::span<const std::byte> bytes) {
  reuse(slot);
  types_[slot] = bytes_type(bytes.size());
  types_[slot].commit();
  check(MPI_Isend(bytes.data(), 1, types_[slot].get(), root_, kRoundTag, comm_.get(), &sending_[slot]), "MPI_Isend");
}

void RoundGather::prepare(const std::vector<std::size_t>& first, const std::vector<std::size_t>& last) {
  round_.clear();
  for (int r = 0; r < comm_.size(); ++r) {
    if (r == root_ || first[r] == last[r]) continue;
    const auto& reads = plan_.ranks[r].reads;
    std::vector<View> regions;
    regions.reserve(last[r] - first[r]);
    for (std::size_t i = first[r]; i < last[r]; ++i) regions.push_back(out_.sub(reads[i].dest));
    round_.emplace_back(r, views_type(regions));
    round_.back().second.commit();
  }
}

void RoundGather::receive() {
  std::vector<MPI_Request> requests;
  for (const auto& [r, type] : round_) {
    requests.emplace_back();
    check(MPI_Irecv(MPI_BOTTOM, 1, type.get(), r, kRoundTag, comm_.get(), &requests.back()), "MPI_Irecv");
  }
  check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
  round_.clear();
}

void gather_planes(const Comm& comm, const View& mine, const std::vector<Box>& boxes, const Shape& shape,
                   int plane_axes, int root, const std::function<void(std::span<const std::byte>)>& consume) {
  constexpr int kTag = 7302;
  const std::size_t lead = shape.size() - static_cast<std::size_t>(plane_axes);
  const Box& root_box = boxes[static_cast<std::size_t>(root)];
  const Box& my_box = boxes[static_cast<std::size_t>(comm.rank())];
  Buffer plane;
  View plane_view;
  std::exception_ptr failure;
  Box at = Box::whole(shape);  // the current plane: one index on each leading axis
  for (std::size_t i = 0; i < lead; ++i) at.stop[i] = 1;
  // A rank's piece of a plane has the same shape and strides in every plane it meets: its
  // datatype (the root's for each sender, a sender's for its piece) is built once, here,
  // where a failure is agreed before any message.
  std::vector<Datatype> types(static_cast<std::size_t>(comm.size()));
  agreed(comm, [&] {
    inject_fault(FaultPhase::exchange);
    if (comm.rank() == root) {
      plane = Buffer(static_cast<std::size_t>(element_count(at.shape())) * size_of(mine.dtype));
      plane_view = View::contiguous(plane.data(), mine.dtype, at.shape());
    }
    for (int r = 0; r < comm.size(); ++r) {
      if (r == root || (comm.rank() != root && r != comm.rank())) continue;
      Box box = boxes[static_cast<std::size_t>(r)];
      for (std::size_t i = 0; i < lead; ++i) box.start[i] = 0, box.stop[i] = std::min<std::int64_t>(box.stop[i] - box.start[i], 1);
      const auto piece = intersect(at, box);
      if (!piece) continue;
      const View in = comm.rank() == root ? plane_view.sub(piece->relative_to(at.start))
                                          : mine.sub(Box{Index(shape.size(), 0), piece->shape()});
      types[static_cast<std::size_t>(r)] = layout_type(in);
      types[static_cast<std::size_t>(r)].commit();
    }
  });
  Index lead_at(lead, 0);
  const Box lead_box{Index(lead, 0), Shape(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(lead))};
  do {
    for (std::size_t i = 0; i < lead; ++i) at.start[i] = lead_at[i], at.stop[i] = lead_at[i] + 1;
    const bool root_alone = root_box.contains(at);
    if (comm.rank() == root) {
      if (!root_alone) std::memset(plane.data(), 0, plane.size());
      for (int r = 0; r < comm.size(); ++r) {
        if (root_alone && r != root) continue;
        const auto piece = intersect(at, boxes[static_cast<std::size_t>(r)]);
        if (!piece) continue;
        const View into = plane_view.sub(piece->relative_to(at.start));
        if (r == root) {
          copy(mine.sub(piece->relative_to(my_box.start)), into);
          continue;
        }
        check(MPI_Recv(into.data, 1, types[static_cast<std::size_t>(r)].get(), r, kTag, comm.get(), MPI_STATUS_IGNORE),
              "MPI_Recv");
      }
      // A failing consumer must not leave the senders waiting: the planes keep coming and
      // the failure is agreed at the end.
      if (!failure) {
        try {
          consume(plane.bytes());
        } catch (...) {
          failure = std::current_exception();
        }
      }
    } else if (!root_alone) {
      if (const auto piece = intersect(at, my_box)) {
        const View from = mine.sub(piece->relative_to(my_box.start));
        check(MPI_Send(from.data, 1, types[static_cast<std::size_t>(comm.rank())].get(), root, kTag, comm.get()),
              "MPI_Send");
      }
    }
  } while (next_in(lead_at, lead_box));
  comm.agree(failure);
}

}  // namespace strata::mpi
