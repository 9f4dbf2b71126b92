// strata::Expression: building the tree (shapes, dtypes and axes checked here, so that a bad
// expression fails where it is written) and computing it (array/evaluate.hpp).
#include "strata/expression.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "array/evaluate.hpp"
#include "array/output.hpp"
#include "compute/kernels.hpp"
#include "compute/node.hpp"
#include "mpi/reduce.hpp"
#include "strata/error.hpp"

namespace strata {
namespace {

using detail::Node;

std::string shape_text(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

void refuse_reduction(const Expression& e) {
  if (e.is_reduction())
    throw Error("", "a reduction (" + e.to_string() + ") cannot be an operand of another operation yet");
}

// A scalar operand of an array of dtype `array` in a result of dtype `result`: NEP 50
// checks that a weak integer fits the array's integer dtype, a strong one its own dtype.
std::shared_ptr<const Node> scalar_node(const Scalar& s, DType array, DType result) {
  std::array<std::byte, 8> probe{};
  if (s.strong())
    compute::scalar_to(s, s.dtype(), probe.data());
  else if (!s.is_float() && !is_float(array))
    compute::scalar_to(s, array, probe.data());
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::scalar;
  node->scalar = s;
  node->dtype = result;
  return node;
}

std::shared_ptr<const Node> binary_node(BinaryOp op, DType dtype, const Node& shaped,
                                        std::shared_ptr<const Node> left, std::shared_ptr<const Node> right) {
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::binary;
  node->binary_op = op;
  node->dtype = dtype;
  node->shape = shaped.shape;
  node->dims = shaped.dims;
  node->left = std::move(left);
  node->right = std::move(right);
  return node;
}

DType scalar_result(BinaryOp op, DType array, const Scalar& s) {
  const DType t = promote(array, s);
  return op == BinaryOp::divide && !is_float(t) ? DType::float64 : t;
}

std::string text_of(const Node& node) {
  switch (node.kind) {
    case Node::Kind::array: return std::string(name(node.dtype)) + shape_text(node.shape);
    case Node::Kind::scalar: return node.scalar.to_string();
    case Node::Kind::binary:
      return "(" + text_of(*node.left) + " " + std::string(name(node.binary_op)) + " " + text_of(*node.right) + ")";
    case Node::Kind::reduce: break;
  }
  std::string axes;
  for (int a : node.axes) axes += node.left->dims.empty() ? std::to_string(a) : std::string(1, node.left->dims[a]);
  return std::string(name(node.reduce_op)) + "(" + text_of(*node.left) + ", axes " + axes + ")";
}

const Node& first_array_of(const Node& node) {
  if (node.kind == Node::Kind::array) return node;
  if (node.kind == Node::Kind::binary && node.left->kind == Node::Kind::scalar) return first_array_of(*node.right);
  return first_array_of(*node.left);
}

// The first array's communicator (strata's duplicate, which returns MPI errors), not owned.
mpi::Comm comm_of(const Expression& e) { return mpi::Comm(e.first_array().comm()); }

void check_root(const Expression& e, int root) {
  const int ranks = comm_of(e).size();
  if (root < 0 || root >= ranks)
    throw Error("", "the root rank " + std::to_string(root) + " is not a rank of the communicator (0 to " +
                        std::to_string(ranks - 1) + ")");
}

}  // namespace

Expression::Expression(const Array& array) {
  if (array.dtype() == DType::bool_ || array.dtype() == DType::float16)
    throw Error("", "expressions do not compute on " + std::string(name(array.dtype())) + " arrays yet");
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::array;
  node->array = array;
  node->dtype = array.dtype();
  node->shape = array.shape();
  node->dims = array.dims();
  node_ = std::move(node);
}

Shape Expression::shape() const { return node_->shape; }
DType Expression::dtype() const { return node_->dtype; }
std::string Expression::dims() const { return node_->dims; }
std::uint64_t Expression::bytes() const {
  return static_cast<std::uint64_t>(element_count(node_->shape)) * size_of(node_->dtype);
}
bool Expression::is_reduction() const noexcept { return node_->kind == Node::Kind::reduce; }
std::string Expression::to_string() const { return text_of(*node_); }
const Array& Expression::first_array() const { return first_array_of(*node_).array; }

Buffer Expression::gather(const ReadOptions& options, ReadStats* stats) const {
  check_root(*this, options.root);
  const mpi::Comm comm = comm_of(*this);
  if (is_reduction()) return compute_reduction(*node_, comm, options, options.root, stats);
  RootPlacement layout(dtype(), shape(), options.root);
  const ReadStats s = compute_into(layout, *node_, comm, options);
  if (stats) *stats = s;
  return layout.take();
}

Buffer Expression::replicate(const ReadOptions& options, ReadStats* stats) const {
  const mpi::Comm comm = comm_of(*this);
  if (is_reduction()) return compute_reduction(*node_, comm, options, -1, stats);
  ReadOptions at_zero = options;
  at_zero.root = 0;
  Buffer out = gather(at_zero, stats);
  if (comm.rank() != 0) out = Buffer(bytes());
  mpi::broadcast(comm, {out.data(), out.size()}, 0);
  return out;
}

Slab Expression::read_slab(const ReadOptions& options, ReadStats* stats) const {
  if (is_reduction())
    throw Error("", "a reduction's result (" + to_string() + ") is computed on one rank or on every rank: use "
                    "gather or replicate");
  SlabPlacement layout(dtype(), shape(), plane_axes(dims(), shape().size()));
  const ReadStats s = compute_into(layout, *node_, comm_of(*this), options);
  if (stats) *stats = s;
  return layout.take();
}

WriteStats Expression::write(const std::string& path, const WriteOptions& options) const {
  const Array& first = first_array();
  ArrayInfo info = selected_info(first.info(), first.selection());
  for (char letter : info.dims)
    if (dims().find(letter) == std::string::npos) info.physical_sizes.erase(letter);
  if (dims().find('C') == std::string::npos) info.channel_names.clear();
  info.dims = dims();
  info.shape = shape();
  info.dtype = dtype();
  const Box& selection = first.selection();
  if (!is_reduction())
    return write_output(comm_of(*this), path, options, info, selection.start,
                        [&](std::int64_t, ReadStats* stats) {
                          return slab_source(comm_of(*this), read_slab(options.read, stats));
                        });
  // A reduction's result is on the root: its slab holds every plane, the others none. Its
  // origin is the selection's, less the reduced axes.
  check_root(*this, options.read.root);
  std::vector<std::int64_t> origin;
  for (char letter : dims()) origin.push_back(selection.start[first.dims().find(letter)]);
  return write_output(comm_of(*this), path, options, info, origin, [&](std::int64_t, ReadStats* stats) {
    Slab slab;
    slab.shape = shape();
    slab.dtype = dtype();
    slab.plane_axes = plane_axes(dims(), shape().size());
    const std::int64_t planes = plane_count(slab.shape, slab.plane_axes);
    const int rank = comm_of(*this).rank();
    slab.plane_begin = rank <= options.read.root ? 0 : planes;
    slab.plane_end = rank < options.read.root ? 0 : planes;
    slab.data = gather(options.read, stats);
    return slab_source(comm_of(*this), std::move(slab));
  });
}

Expression binary(BinaryOp op, const Expression& a, const Expression& b) {
  refuse_reduction(a);
  refuse_reduction(b);
  if (a.shape() != b.shape())
    throw Error("", "operands of " + std::string(name(op)) + " have different shapes: " + shape_text(a.shape()) +
                        " and " + shape_text(b.shape()) + " (element-wise operations need equal shapes)");
  return Expression(binary_node(op, binary_result(op, a.dtype(), b.dtype()), *a.node(), a.node(), b.node()));
}

Expression binary(BinaryOp op, const Expression& a, const Scalar& b) {
  refuse_reduction(a);
  const DType t = scalar_result(op, a.dtype(), b);
  return Expression(binary_node(op, t, *a.node(), a.node(), scalar_node(b, a.dtype(), t)));
}

Expression binary(BinaryOp op, const Scalar& a, const Expression& b) {
  refuse_reduction(b);
  const DType t = scalar_result(op, b.dtype(), a);
  return Expression(binary_node(op, t, *b.node(), scalar_node(a, b.dtype(), t), b.node()));
}

Expression add(const Expression& a, const Expression& b) { return binary(BinaryOp::add, a, b); }
Expression add(const Expression& a, const Scalar& b) { return binary(BinaryOp::add, a, b); }
Expression add(const Scalar& a, const Expression& b) { return binary(BinaryOp::add, a, b); }
Expression subtract(const Expression& a, const Expression& b) { return binary(BinaryOp::subtract, a, b); }
Expression subtract(const Expression& a, const Scalar& b) { return binary(BinaryOp::subtract, a, b); }
Expression subtract(const Scalar& a, const Expression& b) { return binary(BinaryOp::subtract, a, b); }
Expression multiply(const Expression& a, const Expression& b) { return binary(BinaryOp::multiply, a, b); }
Expression multiply(const Expression& a, const Scalar& b) { return binary(BinaryOp::multiply, a, b); }
Expression multiply(const Scalar& a, const Expression& b) { return binary(BinaryOp::multiply, a, b); }
Expression divide(const Expression& a, const Expression& b) { return binary(BinaryOp::divide, a, b); }
Expression divide(const Expression& a, const Scalar& b) { return binary(BinaryOp::divide, a, b); }
Expression divide(const Scalar& a, const Expression& b) { return binary(BinaryOp::divide, a, b); }

Expression reduce(ReduceOp op, const Expression& e, const std::vector<int>& axes) {
  refuse_reduction(e);
  const Shape in = e.shape();
  const int rank = static_cast<int>(in.size());
  std::vector<int> sorted = axes;
  if (sorted.empty())
    for (int i = 0; i < rank; ++i) sorted.push_back(i);
  for (int& a : sorted) {
    if (a < -rank || a >= rank)
      throw Error("", "axis " + std::to_string(a) + " is out of range for an array of " + std::to_string(rank) +
                          " dimensions");
    if (a < 0) a += rank;  // as in NumPy: -1 is the last axis
  }
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw Error("", "an axis is given twice to " + std::string(name(op)));
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::reduce;
  node->reduce_op = op;
  node->dtype = reduce_result(op, e.dtype());
  const std::string dims = e.dims();
  for (int i = 0; i < rank; ++i) {
    if (std::binary_search(sorted.begin(), sorted.end(), i)) continue;
    node->shape.push_back(in[static_cast<std::size_t>(i)]);
    if (static_cast<std::size_t>(i) < dims.size()) node->dims += dims[static_cast<std::size_t>(i)];
  }
  node->axes = std::move(sorted);
  node->left = e.node();
  return Expression(std::move(node));
}

Expression max(const Expression& e, const std::vector<int>& axes) { return reduce(ReduceOp::max, e, axes); }
Expression min(const Expression& e, const std::vector<int>& axes) { return reduce(ReduceOp::min, e, axes); }
Expression sum(const Expression& e, const std::vector<int>& axes) { return reduce(ReduceOp::sum, e, axes); }
Expression mean(const Expression& e, const std::vector<int>& axes) { return reduce(ReduceOp::mean, e, axes); }

std::vector<int> axes_of(const Expression& e, std::string_view letters) {
  const std::string dims = e.dims();
  std::vector<int> axes;
  for (char given : letters) {
    const auto letter = static_cast<char>(std::toupper(static_cast<unsigned char>(given)));  // as selections
    const auto at = dims.find(letter);
    if (at == std::string::npos)
      throw Error("", "no axis '" + std::string(1, letter) + "' in dims " + dims);
    if (std::find(axes.begin(), axes.end(), static_cast<int>(at)) != axes.end())
      throw Error("", "axis '" + std::string(1, letter) + "' is given twice");
    axes.push_back(static_cast<int>(at));
  }
  return axes;
}

}  // namespace strata
