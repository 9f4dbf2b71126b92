#include "formats/hdf5/hdf5_filters.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "codecs/blosc.hpp"
#include "codecs/deflate.hpp"
#include "codecs/fletcher32.hpp"
#include "codecs/lzf.hpp"
#include "codecs/shuffle.hpp"
#include "codecs/zstd.hpp"
#include "io/chunk_io.hpp"
#include "strata/error.hpp"

namespace strata::hdf5 {
namespace {

bool applied(unsigned filter_mask, std::size_t index) noexcept { return index >= 32 || !(filter_mask & (1u << index)); }

std::string blosc_name(const Filter& f) {
  static constexpr const char* kCompressors[] = {"blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"};
  const unsigned compressor = f.params.size() > 6 ? f.params[6] : 0;
  const unsigned shuffle = f.params.size() > 5 ? f.params[5] : 1;
  std::string name = "blosc-";
  name += compressor < std::size(kCompressors) ? kCompressors[compressor] : "compressor" + std::to_string(compressor);
  if (shuffle == 1) name += "+shuffle";
  if (shuffle == 2) name += "+bitshuffle";
  return name;
}

void decompress(const Filter& f, std::span<const std::byte> in, std::span<std::byte> out) {
  switch (f.id) {
    case kDeflate:
      codecs::inflate_zlib(in, out);
      return;
    case kZstd:
      codecs::decompress_zstd(in, out);
      return;
    case kLzf:
      codecs::lzf_decompress(in, out);
      return;
    case kBlosc:
      codecs::blosc_decode(in, out);
      return;
    default:
      throw Error("", "filter " + filter_name(f.id) + " is not a compressor strata decodes");
  }
}

}  // namespace

bool decodes(int id) noexcept {
  switch (id) {
    case kDeflate:
    case kShuffle:
    case kFletcher32:
    case kLzf:
    case kBlosc:
    case kZstd:
      return true;
    default:
      return false;
  }
}

std::string filter_name(int id) {
  switch (id) {
    case kDeflate:
      return "deflate";
    case kShuffle:
      return "shuffle";
    case kFletcher32:
      return "fletcher32";
    case kSzip:
      return "szip";
    case kNbit:
      return "nbit";
    case kScaleOffset:
      return "scaleoffset";
    case kLzf:
      return "lzf";
    case kBlosc:
      return "blosc";
    case kZstd:
      return "zstd";
    // Registered with the HDF Group but not decoded here: named so that errors say what is missing.
    case 307:
      return "bzip2";
    case 32004:
      return "lz4";
    case 32008:
      return "bitshuffle";
    case 32013:
      return "zfp";
    case 32026:
      return "blosc2";
    default:
      return "filter" + std::to_string(id);
  }
}

std::string codec_name(const Pipeline& pipeline, unsigned filter_mask) {
  std::string name;
  for (std::size_t i = 0; i < pipeline.size(); ++i) {
    if (!applied(filter_mask, i)) continue;
    if (!name.empty()) name += '+';
    name += pipeline[i].id == kBlosc ? blosc_name(pipeline[i]) : filter_name(pipeline[i].id);
  }
  return name.empty() ? "raw" : name;
}

bool any_applied(const Pipeline& pipeline, unsigned filter_mask) noexcept {
  for (std::size_t i = 0; i < pipeline.size(); ++i)
    if (applied(filter_mask, i)) return true;
  return false;
}

void decode_chunk(const Pipeline& pipeline, unsigned filter_mask, std::span<const std::byte> stored,
                  std::span<std::byte> out, std::size_t element_size) {
  // The size of the data entering each filter when it was written: known up to the first
  // compressor (shuffle keeps sizes, fletcher32 adds 4 bytes).
  std::vector<std::optional<std::size_t>> size_before(pipeline.size());
  std::optional<std::size_t> size = out.size();
  std::size_t first_applied = pipeline.size();
  for (std::size_t i = 0; i < pipeline.size(); ++i) {
    if (!applied(filter_mask, i)) continue;
    first_applied = std::min(first_applied, i);
    size_before[i] = size;
    if (pipeline[i].id == kFletcher32) {
      if (size) *size += 4;
    } else if (pipeline[i].id != kShuffle) {
      size.reset();
    }
  }

  // Undo last to first, alternating between two scratch buffers; the first filter
  // written is undone straight into `out`.
  io::Scratch next_scratch = io::Scratch::stage_a;
  std::span<const std::byte> current = stored;
  for (std::size_t i = pipeline.size(); i-- > 0;) {
    if (!applied(filter_mask, i)) continue;
    const Filter& f = pipeline[i];
    if (f.id == kFletcher32) {
      current = codecs::verify_fletcher32(current);
      continue;
    }
    const std::optional<std::size_t> target_size = f.id == kShuffle ? current.size() : size_before[i];
    if (!target_size)
      throw Error("", "filter " + filter_name(f.id) + " follows a compressor: an order strata does not decode");
    std::span<std::byte> target;
    if (i == first_applied) {
      target = out;
    } else {
      target = io::scratch(next_scratch, *target_size);
      next_scratch = next_scratch == io::Scratch::stage_a ? io::Scratch::stage_b : io::Scratch::stage_a;
    }
    if (f.id == kShuffle) {
      const std::size_t shuffle_size = !f.params.empty() && f.params[0] > 0 ? f.params[0] : element_size;
      codecs::unshuffle(current, target, shuffle_size);
    } else {
      decompress(f, current, target);
    }
    current = target;
  }
  if (current.data() == out.data() && current.size() == out.size()) return;
  if (current.size() != out.size())
    throw Error("", "chunk decodes to " + std::to_string(current.size()) + " bytes, expected " + std::to_string(out.size()));
  std::memcpy(out.data(), current.data(), out.size());
}

}  // namespace strata::hdf5
