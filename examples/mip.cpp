// mip: the maximum-intensity projection of a Z stack over MPI ranks.
//
//   mpiexec -n 4 mip stack.ome.tif [--select C=1] [-o mip.npy]
//
// Each rank reads its own run of Z planes (Array::read_slab: nothing is gathered) and takes
// their maximum; MPI_Reduce_scatter then combines the partial projections so that each rank
// ends with its own band of rows (a Y-slab) of the result, and every rank writes its band into
// one .npy file. Rank 0 prints the shape and the sum of the projection.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <strata/strata.hpp>

namespace {

struct Options {
  std::string input;
  std::string select;
  std::string output;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--select" || arg == "-o") && i + 1 < argc) {
      (arg == "-o" ? o.output : o.select) = argv[++i];
    } else if (o.input.empty() && arg[0] != '-') {
      o.input = arg;
    } else {
      throw strata::Error("", "usage: mip FILE [--select SEL] [-o OUT.npy]");
    }
  }
  if (o.input.empty()) throw strata::Error("", "usage: mip FILE [--select SEL] [-o OUT.npy]");
  return o;
}

// Calls f(T{}) with the C++ type of `t`.
template <class F>
void with_element_type(strata::DType t, F&& f) {
  using strata::DType;
  switch (t) {
    case DType::uint8: return f(std::uint8_t{});
    case DType::uint16: return f(std::uint16_t{});
    case DType::uint32: return f(std::uint32_t{});
    case DType::uint64: return f(std::uint64_t{});
    case DType::int8: return f(std::int8_t{});
    case DType::int16: return f(std::int16_t{});
    case DType::int32: return f(std::int32_t{});
    case DType::int64: return f(std::int64_t{});
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
  }
}

// The rows [first[r], first[r + 1]) of the projection that rank r ends with.
std::vector<int> row_bands(std::int64_t rows, int ranks) {
  std::vector<int> first(static_cast<std::size_t>(ranks) + 1);
  for (int r = 0; r <= ranks; ++r) first[static_cast<std::size_t>(r)] = static_cast<int>(rows * r / ranks);
  return first;
}

// A .npy header for a C-order 2-D array: the same bytes on every rank.
std::string npy_header(strata::DType t, std::int64_t rows, std::int64_t columns) {
  std::string dict = "{'descr': '" + strata::numpy_typestr(t) + "', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(columns) + "), }";
  const std::size_t unpadded = 10 + dict.size() + 1;  // magic, version, length, dict, '\n'
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header = "\x93NUMPY";
  header += '\x01';
  header += '\x00';
  header += static_cast<char>(dict.size() & 0xff);
  header += static_cast<char>(dict.size() >> 8);
  return header + dict;
}

template <class T>
void project(const strata::Array& stack, const Options& options, int rank, int ranks) {
  const strata::Shape shape = stack.shape();  // ..., Z, Y, X
  const std::int64_t rows = shape[shape.size() - 2];
  const std::int64_t columns = shape[shape.size() - 1];
  const std::size_t plane = static_cast<std::size_t>(rows * columns);

  // This rank's planes: one box of the stack (the leading axes other than Z are 1 long).
  const strata::Slab slab = stack.read_slab();
  const strata::Box mine = slab.box();
  const std::span<const T> planes = slab.as<T>();
  std::vector<T> partial(plane, std::numeric_limits<T>::lowest());  // the identity of max
  for (std::size_t z = 0; z < planes.size() / plane; ++z)
    for (std::size_t i = 0; i < plane; ++i) partial[i] = std::max(partial[i], planes[z * plane + i]);
  std::printf("rank %d: Z planes [%lld, %lld)\n", rank, static_cast<long long>(mine.start[mine.rank() - 3]),
              static_cast<long long>(mine.stop[mine.rank() - 3]));

  // Maximum over the ranks, scattered as bands of rows.
  const std::vector<int> first = row_bands(rows, ranks);
  std::vector<int> counts(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r)
    counts[static_cast<std::size_t>(r)] = (first[r + 1] - first[r]) * static_cast<int>(columns);
  std::vector<T> band(static_cast<std::size_t>(counts[static_cast<std::size_t>(rank)]));
  MPI_Reduce_scatter(partial.data(), band.data(), counts.data(), strata::mpi_datatype(stack.dtype()), MPI_MAX,
                     MPI_COMM_WORLD);

  if (!options.output.empty()) {
    // Rank 0 writes the header and sizes the file; then every rank writes its band in place.
    const std::string header = npy_header(stack.dtype(), rows, columns);
    if (rank == 0) std::ofstream(options.output, std::ios::binary | std::ios::trunc) << header;
    MPI_Barrier(MPI_COMM_WORLD);
    std::fstream out(options.output, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(static_cast<std::streamoff>(header.size() + static_cast<std::size_t>(first[rank]) * columns * sizeof(T)));
    out.write(reinterpret_cast<const char*>(band.data()), static_cast<std::streamsize>(band.size() * sizeof(T)));
    // Every rank must leave alike (no rank waiting in a collective another has left).
    int wrote = out.good() ? 1 : 0, all_wrote = 0;
    MPI_Allreduce(&wrote, &all_wrote, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (!all_wrote) throw strata::Error(options.output, "cannot write the projection");
  }

  double local = 0, sum = 0;
  for (const T v : band) local += static_cast<double>(v);
  MPI_Reduce(&local, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0)
    std::printf("mip %s: %lld x %lld %s over %d ranks, sum %.17g\n", options.input.c_str(),
                static_cast<long long>(rows), static_cast<long long>(columns), std::string(name(stack.dtype())).c_str(),
                ranks, sum);
}

}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);  // strata's decode threads never call MPI
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int status = 0;
  try {
    const Options options = parse(argc, argv);
    strata::Array stack = strata::Array::open(options.input, MPI_COMM_WORLD);
    if (!options.select.empty()) stack = stack.select(strata::parse_selection(options.select));
    const std::string& dims = stack.dims();
    const strata::Shape shape = stack.shape();
    const auto z = dims.find('Z');
    if (dims.size() < 3 || dims.substr(dims.size() - 3) != "ZYX")
      throw strata::Error(options.input, "mip needs an array whose last axes are ZYX, not " + dims);
    for (std::size_t i = 0; i < z; ++i)
      if (shape[i] != 1)
        throw strata::Error(options.input, std::string("select one index of axis ") + dims[i] + " (--select " +
                                               dims[i] + "=0)");
    with_element_type(stack.dtype(), [&](auto t) { project<decltype(t)>(stack, options, rank, ranks); });
  } catch (const strata::Error& e) {
    // strata's errors are the same on every rank; the example's own checks are too.
    if (rank == 0) std::fprintf(stderr, "mip: error: %s\n", e.what());
    status = 2;
  }
  MPI_Finalize();
  return status;
}
