#include "io/chunk_io.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "model/fault.hpp"
#include "model/interrupted.hpp"
#include "strata/driver.hpp"
#include "strata/error.hpp"
#include "strata/grid.hpp"

namespace strata {
namespace {

// How errors name a chunk: its grid position when the chunks form one grid, else its box;
// then where it is stored (a Zarr key, a TIFF page), so the user can find it.
std::string chunk_name(const ChunkTable& table, const ChunkRef& chunk) {
  std::string name = table.chunk_shape.size() == chunk.box.rank()
                         ? index_text(ChunkGrid{{}, table.chunk_shape}.position(chunk.box.start))
                         : chunk.box.to_string();
  if (!chunk.key.empty()) name += " (key " + chunk.key + ")";
  if (chunk.ifd_offset != 0) name += " (IFD at offset " + std::to_string(chunk.ifd_offset) + ")";
  return name;
}

// Calls fn(first element, count, byte stride) for every innermost row of `v`.
template <typename Fn>
void for_each_row(const View& v, std::size_t dim, std::byte* base, Fn& fn) {
  if (v.rank() == 0) {
    fn(base, std::int64_t{1}, std::int64_t{0});
    return;
  }
  if (dim + 1 == v.rank()) {
    fn(base, v.shape[dim], v.byte_strides[dim]);
    return;
  }
  for (std::int64_t i = 0; i < v.shape[dim]; ++i) for_each_row(v, dim + 1, base + i * v.byte_strides[dim], fn);
}

}  // namespace

void Driver::read_chunk(const ChunkRef& chunk, const Box& region, const View& dest) const {
  const ChunkTable& table = chunks();
  const ArrayInfo& array = info();
  const ErrorContext context{chunk.file < table.files.size() ? table.files[chunk.file] : std::string(), array.format,
                             "reading chunk", chunk_name(table, chunk)};
  annotated(context, [&] {
    inject_fault(FaultPhase::read);
    stop_if_interrupted();
    if (region.rank() != chunk.box.rank() || !chunk.box.contains(region) || dest.shape != region.shape() ||
        dest.dtype != array.dtype)
      throw Error("", "region " + region.to_string() + " into a " + std::string(name(dest.dtype)) + " view of shape " +
                          Box::whole(dest.shape).to_string() + " does not fit the " +
                          std::string(name(array.dtype)) + " chunk");
    if (chunk.stored())
      decode(chunk, region, dest);
    else
      io::fill(dest, table.fill);
  });
}

const io::File* Driver::shared_file(std::uint32_t) const { return nullptr; }

ChunkTable Driver::chunks_for(const Box& box) const {
  const ChunkTable& table = chunks();
  ChunkTable selected{table.files, table.codecs, {}, table.chunk_shape, table.fill, table.partial_block};
  for (const ChunkRef& c : table.chunks)
    if (intersect(c.box, box)) selected.chunks.push_back(c);
  return selected;
}

std::uint64_t Driver::chunk_count(const Box& box) const {
  const auto& all = chunks().chunks;
  return static_cast<std::uint64_t>(
      std::count_if(all.begin(), all.end(), [&](const ChunkRef& c) { return intersect(c.box, box).has_value(); }));
}

std::string Driver::save_for(const Box&) const { return save(); }

ChunkSummary Driver::summary() const {
  const ChunkTable& table = chunks();
  ChunkSummary s{table.chunks.size(), 0, table.chunk_shape, table.files, table.codecs};
  for (const ChunkRef& c : table.chunks) s.stored_bytes += c.stored_bytes();
  if (s.chunk_shape.empty() && !table.chunks.empty()) s.chunk_shape = table.chunks.front().box.shape();
  return s;
}

namespace io {

void fill(const View& dest, std::span<const std::uint8_t> value) {
  if (dest.count() == 0) return;
  const bool zero = std::all_of(value.begin(), value.end(), [](std::uint8_t b) { return b == 0; });
  const auto item = static_cast<std::int64_t>(size_of(dest.dtype));
  if (!zero && value.size() != static_cast<std::size_t>(item))
    throw Error("", "a fill value of " + std::to_string(value.size()) + " bytes for " + std::to_string(item) +
                        "-byte elements");
  auto fill_row = [&](std::byte* row, std::int64_t n, std::int64_t stride) {
    if (zero && stride == item) {
      std::memset(row, 0, static_cast<std::size_t>(n * item));
      return;
    }
    for (std::int64_t i = 0; i < n; ++i) {
      if (zero)
        std::memset(row + i * stride, 0, static_cast<std::size_t>(item));
      else
        std::memcpy(row + i * stride, value.data(), value.size());
    }
  };
  for_each_row(dest, 0, dest.data, fill_row);
}

std::span<std::byte> scratch(Scratch slot, std::size_t bytes) {
  // Not zeroed: a decoder overwrites what it uses, and pages never touched cost no memory (a
  // hostile edge chunk claiming gigabytes fails its decode without faulting them in).
  struct Buffer {
    std::unique_ptr<std::byte[]> data;
    std::size_t size = 0;
  };
  thread_local std::array<Buffer, static_cast<std::size_t>(Scratch::count)> buffers;
  Buffer& buffer = buffers[static_cast<std::size_t>(slot)];
  if (buffer.size < bytes) {
    buffer.data.reset();  // before the new one: never both at once
    buffer.size = 0;
    buffer.data = std::make_unique_for_overwrite<std::byte[]>(bytes);
    buffer.size = bytes;
  }
  return {buffer.data.get(), bytes};
}

void decode_into(const View& dest, const Box& region, const Box& full, const std::vector<std::int64_t>& decoded_strides,
                 const std::function<void(std::span<std::byte>)>& decode) {
  const std::size_t element = size_of(dest.dtype);
  const Shape full_shape = full.shape();
  const std::vector<std::int64_t> c_order = c_strides(full_shape, static_cast<std::int64_t>(element));
  const std::vector<std::int64_t>& strides = decoded_strides.empty() ? c_order : decoded_strides;
  if (region == full && strides == c_order && dest.is_contiguous()) {
    decode({dest.data, dest.bytes()});
    return;
  }
  const std::span<std::byte> decoded = scratch(Scratch::decoded, static_cast<std::size_t>(full.count()) * element);
  decode(decoded);
  copy(View{decoded.data(), dest.dtype, full_shape, strides}.sub(region.relative_to(full.start)), dest);
}

}  // namespace io
}  // namespace strata
