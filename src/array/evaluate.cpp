#include "array/evaluate.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "array/memory_limit.hpp"
#include "compute/kernels.hpp"
#include "exec/parallel_for.hpp"
#include "exec/region_reader.hpp"
#include "exec/resources.hpp"
#include "model/fault.hpp"
#include "mpi/reduce.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {
namespace {

using detail::Node;

// An element-wise tree as steps, children before parents, with per-thread memory for each
// step's block. The first array met (left first) drives the evaluation.
class Evaluator {
 public:
  // Collective: each array's reader() (its selection's chunks), in the same order on every rank.
  Evaluator(const Node& tree, int workers, const ReadOptions& options)
      : options_(options), memory_(static_cast<std::size_t>(std::max(workers, 1))) {
    root_ = add(tree);
  }

  const Array& driving() const { return steps_[driving_].node->array; }
  // The driving array's reader: the table its plan indexes.
  const Driver& driving_reader() const { return *steps_[driving_].reader; }

  // The tree's values over the block of `read` (a read of the driving array's plan), C order:
  // written to `out` when given (contiguous, the block's size), else into the worker's memory.
  const std::byte* evaluate(const ChunkRead& read, int worker, std::byte* out) {
    auto& memory = memory_[static_cast<std::size_t>(worker)];
    if (memory.empty()) memory.resize(2 * steps_.size());
    return run(root_, read, memory, out);
  }

  // Frees every thread's block memory.
  void release() { memory_.clear(); }

  // What `workers` threads evaluating `part`'s reads may hold at once, at most: each its
  // steps' blocks of the largest read, and the driving array's decode scratch.
  std::uint64_t working_bytes(const RankPlan& part, int workers) const {
    std::uint64_t largest = 0;
    for (const ChunkRead& read : part.reads) largest = std::max(largest, static_cast<std::uint64_t>(read.dest.count()));
    std::uint64_t per_element = 0;
    for (const Step& s : steps_)
      if (s.node->kind != Node::Kind::scalar) per_element += 2 * size_of(s.node->dtype);
    const Step& driving = steps_[driving_];
    return clamped(static_cast<long double>(workers) * static_cast<long double>(largest) *
                       static_cast<long double>(per_element) +
                   static_cast<long double>(
                       scratch_bytes(driving.reader->chunks(), part, size_of(driving.node->dtype), workers)));
  }

 private:
  struct Step {
    const Node* node = nullptr;
    const Driver* reader = nullptr;  // an array's: node->array.reader()
    std::size_t left = 0, right = 0;
    std::unique_ptr<exec::RegionReader> region;  // an array that does not drive
    std::vector<std::byte> scalar;               // a scalar, as one element of its dtype
  };
  using Memory = std::vector<std::vector<std::byte>>;  // two blocks per step

  std::size_t add(const Node& node) {
    Step s;
    s.node = &node;
    switch (node.kind) {
      case Node::Kind::array:
        s.reader = &node.array.reader(options_);
        if (!found_driving_) {
          found_driving_ = true;
          driving_ = steps_.size();  // this step's index: an array has no children
        } else {
          s.region = std::make_unique<exec::RegionReader>(*s.reader);
        }
        break;
      case Node::Kind::scalar:
        s.scalar.resize(size_of(node.dtype));
        compute::scalar_to(node.scalar, node.dtype, s.scalar.data());
        break;
      case Node::Kind::binary:
        s.left = add(*node.left);
        s.right = add(*node.right);
        break;
      case Node::Kind::reduce:
        throw Error("", "a reduction cannot be an operand of another operation yet: compute it first");
    }
    steps_.push_back(std::move(s));
    return steps_.size() - 1;
  }

  const std::byte* run(std::size_t i, const ChunkRead& read, Memory& memory, std::byte* out) {
    const Step& s = steps_[i];
    const Node& node = *s.node;
    const auto n = static_cast<std::size_t>(read.dest.count());
    auto block = [&](std::size_t slot) {
      auto& b = memory[2 * i + slot];
      if (b.size() < n * size_of(node.dtype)) b.resize(n * size_of(node.dtype));
      return b.data();
    };
    switch (node.kind) {
      case Node::Kind::scalar: return s.scalar.data();
      case Node::Kind::array: {
        std::byte* dst = out ? out : block(0);
        const View view = View::contiguous(dst, node.dtype, read.dest.shape());
        if (i == driving_) {
          s.reader->read_chunk(s.reader->chunks().chunks[read.chunk], read.region, view);
        } else {
          // The same block in this array's coordinates: its selection moves the origin.
          Box region = read.dest;
          for (std::size_t k = 0; k < region.rank(); ++k) {
            region.start[k] += node.array.selection().start[k];
            region.stop[k] += node.array.selection().start[k];
          }
          s.region->read(region, view);
        }
        return dst;
      }
      case Node::Kind::binary: {
        const Node& l = *steps_[s.left].node;
        const Node& r = *steps_[s.right].node;
        const std::byte* a = run(s.left, read, memory, nullptr);
        const std::byte* b = run(s.right, read, memory, nullptr);
        std::byte* dst = out ? out : block(0);
        const bool a_scalar = l.kind == Node::Kind::scalar;
        const bool b_scalar = r.kind == Node::Kind::scalar;
        // Operands in the result's dtype first, as NumPy casts them to the loop's type.
        if (!a_scalar && l.dtype != node.dtype) {
          compute::convert(l.dtype, a, node.dtype, dst, n);
          a = dst;
        }
        if (!b_scalar && r.dtype != node.dtype) {
          std::byte* converted = block(1);
          compute::convert(r.dtype, b, node.dtype, converted, n);
          b = converted;
        }
        compute::apply(node.binary_op, node.dtype, a, a_scalar, b, b_scalar, dst, n);
        return dst;
      }
      case Node::Kind::reduce: break;
    }
    throw Error("", "a reduction cannot be an operand of another operation yet");
  }

  ReadOptions options_;
  std::vector<Step> steps_;
  std::size_t root_ = 0;
  std::size_t driving_ = 0;
  bool found_driving_ = false;
  std::vector<Memory> memory_;
};

int decode_threads(const mpi::Comm& comm, const ReadOptions& options) {
  return options.threads > 0 ? options.threads : exec::threads_per_rank(comm.ranks_on_node());
}

ReadStats stats_of(const mpi::Comm& comm, double start, const detail::Node& tree, const Plan& plan) {
  ReadStats stats;
  stats.seconds = comm.max(mpi::Comm::now() - start);
  stats.bytes = bytes_read(tree);
  stats.peak_rss_bytes = comm.max(exec::peak_rss_bytes());
  stats.ranks = comm.size();
  stats.imbalance = plan.imbalance();
  return stats;
}

}  // namespace

std::uint64_t bytes_read(const detail::Node& tree) {
  switch (tree.kind) {
    case Node::Kind::array: return tree.array.bytes();
    case Node::Kind::scalar: return 0;
    case Node::Kind::binary: return bytes_read(*tree.left) + bytes_read(*tree.right);
    case Node::Kind::reduce: break;
  }
  return bytes_read(*tree.left);
}

ReadStats compute_into(Placement& layout, const Node& tree, const mpi::Comm& comm, const ReadOptions& options) {
  const int threads = decode_threads(comm, options);
  Evaluator eval(tree, threads, options);
  const Array& driving = eval.driving();
  Plan plan;
  mpi::agreed(comm, [&] {
    inject_fault(FaultPhase::plan);
    plan = layout.plan(eval.driving_reader().chunks(), driving.selection(), size_of(tree.dtype), comm.size(), options);
  });
  check_memory(comm, layout.bytes_held(plan, layout.planned_rank(comm)), options, "its part of the result");
  comm.barrier();
  const double start = mpi::Comm::now();
  layout.fill(
      [&](const RankPlan& part, const std::function<View(const ChunkRead&)>& destination) {
        exec::parallel_for(part.reads.size(), threads, [&](std::size_t i, int worker) {
          const ChunkRead& read = part.reads[i];
          const View dest = destination(read);
          if (dest.is_contiguous()) {
            eval.evaluate(read, worker, dest.data);
            return;
          }
          const std::byte* block = eval.evaluate(read, worker, nullptr);
          copy(View::contiguous(const_cast<std::byte*>(block), tree.dtype, read.dest.shape()), dest);
        });
      },
      plan, layout.planned_rank(comm), comm);
  eval.release();
  return stats_of(comm, start, tree, plan);
}

Buffer compute_reduction(const Node& reduction, const mpi::Comm& comm, const ReadOptions& options, int root,
                         ReadStats* stats) {
  const Node& input = *reduction.left;
  const ReduceOp op = reduction.reduce_op;
  const int threads = decode_threads(comm, options);
  Evaluator eval(input, threads, options);
  const Array& driving = eval.driving();
  Plan plan;
  mpi::agreed(comm, [&] {
    inject_fault(FaultPhase::plan);
    plan = make_plan(eval.driving_reader().chunks(), driving.selection(), size_of(input.dtype), comm.size(),
                     options.strategy, options.cost);
  });
  const auto& reads = plan.ranks[static_cast<std::size_t>(comm.rank())].reads;

  // Where an input element lands in the output: its C-order strides on the kept axes, 0 on
  // the reduced ones.
  const DType acc = compute::accumulator(op, input.dtype);
  const std::size_t acc_size = size_of(acc);
  const auto count = static_cast<std::size_t>(element_count(reduction.shape));
  const std::vector<std::int64_t> out_strides = c_strides(reduction.shape);
  std::vector<std::int64_t> strides(input.shape.size(), 0);
  std::int64_t reduced = 1;
  for (std::size_t i = 0, kept = 0; i < input.shape.size(); ++i) {
    if (std::find(reduction.axes.begin(), reduction.axes.end(), static_cast<int>(i)) != reduction.axes.end())
      reduced *= input.shape[i];
    else
      strides[i] = out_strides[kept++];
  }

  // One partial result per decode thread; threads fold their blocks without locks.
  const int workers = std::max(1, std::min(threads, static_cast<int>(reads.size())));
  // In long double: a hostile shape's product would wrap in 64 bits.
  check_memory(comm,
               clamped(static_cast<long double>(workers + 1) * static_cast<long double>(count) *
                           static_cast<long double>(acc_size) +
                       static_cast<long double>(eval.working_bytes(plan.ranks[static_cast<std::size_t>(comm.rank())],
                                                                   workers))),
               options, "the reduction's partial results and blocks");
  comm.barrier();
  const double start = mpi::Comm::now();
  std::vector<Buffer> partial;
  mpi::agreed(comm, [&] {
    for (int w = 0; w < workers; ++w) {
      partial.emplace_back(count * acc_size);
      compute::identity(op, acc, partial.back().data(), count);
    }
    exec::parallel_for(reads.size(), workers, [&](std::size_t i, int worker) {
      const ChunkRead& read = reads[i];
      const std::byte* block = eval.evaluate(read, worker, nullptr);
      std::int64_t origin = 0;
      for (std::size_t k = 0; k < strides.size(); ++k) origin += read.dest.start[k] * strides[k];
      compute::fold(op, input.dtype, block, read.dest.shape(), acc,
                    partial[static_cast<std::size_t>(worker)].data() + origin * static_cast<std::int64_t>(acc_size),
                    strides);
    });
    eval.release();
    for (std::size_t w = 1; w < partial.size(); ++w)
      compute::combine(op, acc, partial[w].data(), partial[0].data(), count);
    partial.resize(1);
  });
  mpi::reduce(
      comm, {partial[0].data(), partial[0].size()}, acc_size,
      [&](const std::byte* in, std::byte* inout, std::size_t n) { compute::combine(op, acc, in, inout, n); }, root);

  Buffer out;
  if (root < 0 || comm.rank() == root) {
    if (acc == reduction.dtype && op != ReduceOp::mean) {
      out = std::move(partial[0]);
    } else {
      out = Buffer(count * size_of(reduction.dtype));
      compute::finish(op, acc, partial[0].data(), reduction.dtype, out.data(), count, reduced);
    }
  }
  partial.clear();
  if (stats) *stats = stats_of(comm, start, reduction, plan);
  return out;
}

}  // namespace strata
