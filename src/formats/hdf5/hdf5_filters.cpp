#include "formats/hdf5/hdf5_filters.hpp"

#include <cstring>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "codecs/blosc.hpp"
#include "codecs/deflate.hpp"
#include "codecs/zstd.hpp"
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

// Elements [from, n) of an unshuffle with `e`-byte elements, one byte at a time.
void unshuffle_bytes(const std::byte* in, std::byte* out, std::size_t n, std::size_t e, std::size_t from) noexcept {
  for (std::size_t i = from; i < n; ++i)
    for (std::size_t b = 0; b < e; ++b) out[i * e + b] = in[b * n + i];
}

#if defined(__SSE2__)
// Unshuffles 16 elements at a time by interleaving 16-byte pieces of the byte planes with
// SSE2 unpacks (every x86-64 CPU has SSE2): about 20x faster than byte by byte here.
// Returns how many elements it did; the caller finishes the rest.
__m128i load(const std::byte* p) noexcept { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
void store(std::byte* p, __m128i v) noexcept { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }

std::size_t unshuffle_simd(const std::byte* in, std::byte* out, std::size_t n, std::size_t e) noexcept {
  std::size_t i = 0;
  if (e == 2) {
    for (; i + 16 <= n; i += 16) {
      const __m128i b0 = load(in + i), b1 = load(in + n + i);
      store(out + 2 * i, _mm_unpacklo_epi8(b0, b1));
      store(out + 2 * i + 16, _mm_unpackhi_epi8(b0, b1));
    }
  } else if (e == 4) {
    for (; i + 16 <= n; i += 16) {
      const __m128i b0 = load(in + i), b1 = load(in + n + i), b2 = load(in + 2 * n + i), b3 = load(in + 3 * n + i);
      const __m128i lo01 = _mm_unpacklo_epi8(b0, b1), hi01 = _mm_unpackhi_epi8(b0, b1);
      const __m128i lo23 = _mm_unpacklo_epi8(b2, b3), hi23 = _mm_unpackhi_epi8(b2, b3);
      std::byte* o = out + 4 * i;
      store(o, _mm_unpacklo_epi16(lo01, lo23));
      store(o + 16, _mm_unpackhi_epi16(lo01, lo23));
      store(o + 32, _mm_unpacklo_epi16(hi01, hi23));
      store(o + 48, _mm_unpackhi_epi16(hi01, hi23));
    }
  } else if (e == 8) {
    for (; i + 16 <= n; i += 16) {
      __m128i b[8];
      for (std::size_t k = 0; k < 8; ++k) b[k] = load(in + k * n + i);
      std::byte* o = out + 8 * i;
      for (int half = 0; half < 2; ++half) {  // elements 0-7, then 8-15
        __m128i pairs[4];
        for (std::size_t k = 0; k < 4; ++k)
          pairs[k] = half ? _mm_unpackhi_epi8(b[2 * k], b[2 * k + 1]) : _mm_unpacklo_epi8(b[2 * k], b[2 * k + 1]);
        const __m128i q0 = _mm_unpacklo_epi16(pairs[0], pairs[1]), q1 = _mm_unpackhi_epi16(pairs[0], pairs[1]);
        const __m128i q2 = _mm_unpacklo_epi16(pairs[2], pairs[3]), q3 = _mm_unpackhi_epi16(pairs[2], pairs[3]);
        store(o, _mm_unpacklo_epi32(q0, q2));
        store(o + 16, _mm_unpackhi_epi32(q0, q2));
        store(o + 32, _mm_unpacklo_epi32(q1, q3));
        store(o + 48, _mm_unpackhi_epi32(q1, q3));
        o += 64;
      }
    }
  }
  return i;
}
#else
std::size_t unshuffle_simd(const std::byte*, std::byte*, std::size_t, std::size_t) noexcept { return 0; }
#endif

void expect_written(const char* codec, std::optional<std::size_t> written, std::size_t expected) {
  if (!written)
    throw Error("", std::string(codec) + ": chunk decodes to more than " + std::to_string(expected) + " bytes");
  if (*written != expected)
    throw Error("", std::string(codec) + ": chunk decodes to " + std::to_string(*written) + " bytes, expected " +
                        std::to_string(expected));
}

void decompress(const Filter& f, std::span<const std::byte> in, std::span<std::byte> out) {
  switch (f.id) {
    case kDeflate:
      expect_written("deflate", codecs::inflate_zlib(in, out), out.size());
      return;
    case kZstd:
      expect_written("zstd", codecs::decompress_zstd(in, out), out.size());
      return;
    case kLzf:
      expect_written("lzf", lzf_decompress(in, out), out.size());
      return;
    case kBlosc:
      codecs::blosc_decode(in, out);
      return;
    default:
      throw Error("", "filter " + filter_name(f.id) + " is not a compressor strata decodes");
  }
}

// Fletcher-32 of `data` minus its last 4 bytes, checked against those 4 bytes (little
// endian). HDF5 before 1.6.3 stored the checksum with its 16-bit halves byte-swapped on
// little-endian machines; HDF5 accepts both, and so does this.
void verify_fletcher32(std::span<const std::byte> data) {
  if (data.size() < 4)
    throw Error("", "fletcher32: chunk of " + std::to_string(data.size()) + " bytes has no checksum");
  const auto body = data.first(data.size() - 4);
  const auto* tail = reinterpret_cast<const unsigned char*>(data.data() + body.size());
  const std::uint32_t stored = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (std::uint32_t{tail[3]} << 24);
  const std::uint32_t sum = fletcher32(body);
  const std::uint32_t reversed = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
  if (stored != sum && stored != reversed) throw Error("", "fletcher32: checksum mismatch (corrupt chunk)");
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
  thread_local std::vector<std::byte> scratch[2];
  int next_scratch = 0;
  std::span<const std::byte> current = stored;
  for (std::size_t i = pipeline.size(); i-- > 0;) {
    if (!applied(filter_mask, i)) continue;
    const Filter& f = pipeline[i];
    if (f.id == kFletcher32) {
      verify_fletcher32(current);
      current = current.first(current.size() - 4);
      continue;
    }
    const std::optional<std::size_t> target_size = f.id == kShuffle ? current.size() : size_before[i];
    if (!target_size)
      throw Error("", "filter " + filter_name(f.id) + " follows a compressor: an order strata does not decode");
    std::span<std::byte> target;
    if (i == first_applied) {
      target = out;
    } else {
      auto& buffer = scratch[next_scratch];
      next_scratch ^= 1;
      if (buffer.size() < *target_size) buffer.resize(*target_size);
      target = {buffer.data(), *target_size};
    }
    if (f.id == kShuffle) {
      if (current.size() != target.size())
        throw Error("", "shuffle: chunk holds " + std::to_string(current.size()) + " bytes, expected " +
                            std::to_string(target.size()));
      const std::size_t shuffle_size = !f.params.empty() && f.params[0] > 0 ? f.params[0] : element_size;
      unshuffle(current, target, shuffle_size);
    } else {
      decompress(f, current, target);
    }
    current = target;
  }
  if (current.data() == out.data() && current.size() == out.size()) return;
  if (current.size() != out.size())
    throw Error("", "chunk holds " + std::to_string(current.size()) + " bytes, expected " + std::to_string(out.size()));
  std::memcpy(out.data(), current.data(), out.size());
}

void unshuffle(std::span<const std::byte> in, std::span<std::byte> out, std::size_t element_size) noexcept {
  const std::size_t n = element_size > 1 ? in.size() / element_size : 0;
  if (n)
    unshuffle_bytes(in.data(), out.data(), n, element_size, unshuffle_simd(in.data(), out.data(), n, element_size));
  const std::size_t done = n * element_size;
  std::memcpy(out.data() + done, in.data() + done, in.size() - done);
}

std::uint32_t fletcher32(std::span<const std::byte> data) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t words = data.size() / 2;
  std::uint32_t sum1 = 0, sum2 = 0;
  // 360 words is the most that can be summed before the 32-bit sums could overflow.
  while (words) {
    std::size_t n = words > 360 ? 360 : words;
    words -= n;
    do {
      sum1 += (std::uint32_t{p[0]} << 8) | p[1];
      p += 2;
      sum2 += sum1;
    } while (--n);
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (data.size() % 2) {
    sum1 += std::uint32_t{*p} << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

std::size_t lzf_decompress(std::span<const std::byte> in, std::span<std::byte> out) {
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const auto* const in_end = ip + in.size();
  auto* const out_begin = reinterpret_cast<unsigned char*>(out.data());
  auto* op = out_begin;
  auto* const out_end = out_begin + out.size();
  const auto corrupt = [] { return Error("", "lzf: corrupt chunk"); };
  const auto too_big = [&] {
    return Error("", "lzf: chunk decodes to more than " + std::to_string(out.size()) + " bytes");
  };
  while (ip < in_end) {
    const unsigned control = *ip++;
    if (control < 32) {  // a literal run of control + 1 bytes
      const std::size_t length = control + 1;
      if (length > static_cast<std::size_t>(in_end - ip)) throw corrupt();
      if (length > static_cast<std::size_t>(out_end - op)) throw too_big();
      std::memcpy(op, ip, length);
      op += length;
      ip += length;
      continue;
    }
    // A back reference: length in the top 3 bits (7: one more length byte follows), then
    // the distance's high 5 bits and one more byte.
    std::size_t length = control >> 5;
    if (length == 7) {
      if (ip >= in_end) throw corrupt();
      length += *ip++;
    }
    if (ip >= in_end) throw corrupt();
    const std::size_t distance = ((std::size_t{control} & 0x1f) << 8) + *ip++ + 1;
    length += 2;
    if (distance > static_cast<std::size_t>(op - out_begin)) throw corrupt();
    if (length > static_cast<std::size_t>(out_end - op)) throw too_big();
    const unsigned char* ref = op - distance;
    for (std::size_t k = 0; k < length; ++k) *op++ = *ref++;  // may overlap: byte by byte
  }
  return static_cast<std::size_t>(op - out_begin);
}

}  // namespace strata::hdf5
