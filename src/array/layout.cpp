#include "array/layout.hpp"

#include "exec/execute.hpp"
#include "exec/resources.hpp"
#include "mpi/gather.hpp"
#include "plan/slab_plan.hpp"

namespace strata {

Plan RootLayout::plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
                      const ReadOptions& options) {
  return make_plan(table, selection, element_size, ranks, options.strategy, options.cost);
}

void RootLayout::allocate(const Plan& plan, int rank) {
  is_root_ = rank == root_;
  if (is_root_)
    whole_ = Buffer(static_cast<std::size_t>(element_count(shape_)) * size_of(dtype_));
  else
    local_ = Buffer(plan.ranks[rank].decoded_bytes);
}

View RootLayout::destination(const ChunkRead& read) {
  if (is_root_) return View::contiguous(whole_.data(), dtype_, shape_).sub(read.dest);
  return View::contiguous(local_.data() + read.local_offset, dtype_, read.region.shape());
}

void RootLayout::exchange(const mpi::Comm& comm, const Plan& plan) {
  mpi::gather_pieces(comm, plan, local_.bytes(), whole_.data(), root_);
  local_ = Buffer();
}

SlabLayout::SlabLayout(DType dtype, Shape shape, int plane_axes) {
  slab_.shape = std::move(shape);
  slab_.dtype = dtype;
  slab_.plane_axes = plane_axes;
}

Plan SlabLayout::plan(const ChunkTable& table, const Box& selection, std::size_t element_size, int ranks,
                      const ReadOptions& options) {
  SlabPlan slabs = make_slab_plan(table, selection, element_size, slab_.plane_axes, ranks, options.cost);
  plane_bounds_ = std::move(slabs.plane_bounds);
  return std::move(slabs.plan);
}

void SlabLayout::allocate(const Plan&, int rank) {
  slab_.plane_begin = plane_bounds_[rank];
  slab_.plane_end = plane_bounds_[rank + 1];
  slab_.data = Buffer(static_cast<std::size_t>(slab_.planes()) * slab_.plane_bytes());
}

View SlabLayout::destination(const ChunkRead& read) { return slab_.view(read.dest); }

ReadStats run_layout(Layout& layout, const Driver& driver, const Box& selection, const mpi::Comm& comm,
                     const ReadOptions& options) {
  const Plan plan = layout.plan(driver.chunks(), selection, size_of(driver.info().dtype), comm.size(), options);
  const int threads = options.threads > 0 ? options.threads : exec::threads_per_rank(comm.ranks_on_node());

  comm.barrier();
  const double start = mpi::Comm::now();
  mpi::agreed(comm, [&] {
    layout.allocate(plan, comm.rank());
    exec::execute(driver, plan.ranks[comm.rank()], [&](const ChunkRead& r) { return layout.destination(r); },
                  threads);
  });
  layout.exchange(comm, plan);

  ReadStats stats;
  stats.seconds = comm.max(mpi::Comm::now() - start);
  stats.bytes = static_cast<std::uint64_t>(selection.count()) * size_of(driver.info().dtype);
  stats.peak_rss_bytes = comm.max(exec::peak_rss_bytes());
  stats.ranks = comm.size();
  stats.imbalance = plan.imbalance();
  return stats;
}

}  // namespace strata
