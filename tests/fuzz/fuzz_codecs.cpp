// Chunk data: the decoders of src/codecs fed hostile bytes. The input is a 4-byte header
// (codec, decoded size as uint16 little endian, a parameter) and the payload; HDF5 filter
// pipelines as the HDF5 driver undoes them are chunk data too. A decoder
// must fill a destination of exactly the decoded size or throw strata::Error; where strata
// also encodes (zlib, gzip, zstd, Blosc, shuffle, predictor 2, crc32c), the payload is
// encoded and decoded back and must come back unchanged. The TIFF-internal transforms
// (predictors, packed bits) have preconditions their callers check, so they get parameters
// that satisfy them and are fuzzed on the bytes alone.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "codecs/blosc.hpp"
#include "codecs/crc32c.hpp"
#include "codecs/deflate.hpp"
#include "codecs/fletcher32.hpp"
#include "codecs/gzip.hpp"
#include "codecs/lzf.hpp"
#include "codecs/packed_bits.hpp"
#include "codecs/predictor.hpp"
#include "codecs/shuffle.hpp"
#include "codecs/zstd.hpp"
#include "formats/hdf5/hdf5_filters.hpp"
#include "strata/error.hpp"

namespace {

using Bytes = std::vector<std::byte>;
using strata::codecs::BloscOptions;
namespace codecs = strata::codecs;

// A round trip that does not give back its input is a finding: abort, so libFuzzer keeps it.
void require(bool ok) {
  if (!ok) std::abort();
}

// Encodes `data` with `encode` into a buffer of `bound` bytes, decodes it back with `decode`.
template <typename Encode, typename Decode>
void round_trip(std::span<const std::byte> data, std::size_t bound, Encode encode, Decode decode) {
  Bytes packed(bound);
  packed.resize(encode(data, std::span<std::byte>(packed)));
  Bytes back(data.size());
  decode(std::span<const std::byte>(packed), std::span<std::byte>(back));
  require(std::equal(back.begin(), back.end(), data.begin(), data.end()));
}

// Every encoder strata has, at a low level (the fuzzer wants speed); Blosc's options from
// `parameter`.
void round_trip_encoders(std::span<const std::byte> data, std::uint8_t parameter) {
  const int level = 1 + parameter % 3;
  round_trip(data, codecs::zlib_compress_bound(data.size()),
             [&](auto in, auto out) { return codecs::deflate_zlib(in, out, level); }, codecs::inflate_zlib);
  round_trip(data, codecs::gzip_compress_bound(data.size()),
             [&](auto in, auto out) { return codecs::deflate_gzip(in, out, level); }, codecs::inflate_gzip);
  round_trip(data, codecs::zstd_compress_bound(data.size()),
             [&](auto in, auto out) { return codecs::compress_zstd(in, out, level); }, codecs::decompress_zstd);
  BloscOptions options;
  options.cname = (parameter & 1) ? "zstd" : "lz4";
  options.clevel = parameter % 10;
  options.shuffle = (parameter >> 4) % 3;
  options.typesize = std::size_t{1} << ((parameter >> 6) & 3);
  round_trip(data, codecs::blosc_encode_bound(data.size()),
             [&](auto in, auto out) { return codecs::blosc_encode(in, out, options); }, codecs::blosc_decode);
}

void round_trip_shuffle(std::span<const std::byte> data, std::size_t element_size) {
  Bytes shuffled(data.size()), back(data.size());
  codecs::shuffle(data, shuffled, element_size);
  codecs::unshuffle(shuffled, back, element_size);
  require(std::equal(back.begin(), back.end(), data.begin(), data.end()));
}

void round_trip_crc32c(std::span<const std::byte> data) {
  Bytes framed(data.begin(), data.end());
  const std::uint32_t crc = codecs::crc32c(data);
  for (int k = 0; k < 4; ++k) framed.push_back(static_cast<std::byte>(crc >> (8 * k)));
  const std::span<const std::byte> back = codecs::verify_crc32c(framed);
  require(std::equal(back.begin(), back.end(), data.begin(), data.end()));
}

// Predictor 2 undone after it was applied; predictor 3 only run (strata never writes it).
void predictors(std::span<const std::byte> data, std::uint8_t parameter) {
  const std::size_t sample_bytes = std::size_t{1} << (parameter & 3);  // 1, 2, 4, 8
  const std::size_t samples = 1 + ((parameter >> 2) & 3);              // samples per pixel
  const std::size_t pixels = 1 + (parameter >> 4);                     // pixels per row
  const std::size_t row_bytes = sample_bytes * samples * pixels;
  Bytes rows(data.begin(), data.end());
  rows.resize(rows.size() / row_bytes * row_bytes);
  Bytes original = rows;
  codecs::apply_horizontal_predictor(rows, row_bytes, sample_bytes, samples);
  codecs::undo_horizontal_predictor(rows, row_bytes, sample_bytes, samples);
  require(rows == original);
  Bytes scratch(row_bytes);
  codecs::undo_float_predictor(rows, row_bytes, sample_bytes, samples, scratch);
}

// Packed 9- to 15-bit samples: as many whole rows as the data holds.
void packed_bits(std::span<const std::byte> data, std::uint8_t parameter) {
  const unsigned bits = 9 + parameter % 7;
  const std::size_t row_samples = 1 + (parameter >> 3);
  const std::size_t rows = data.size() / codecs::packed_row_bytes(row_samples, bits);
  Bytes out(rows * row_samples * 2);
  codecs::unpack_to_uint16(data, out, row_samples, bits);
}

// An HDF5 filter pipeline of up to two stages (deflate, shuffle, Fletcher-32, LZF, Blosc,
// zstd) picked by `parameter`, some stages skipped by the chunk's filter mask, undone on the
// stored bytes: what the HDF5 driver does with a chunk read with pread.
void hdf5_pipeline(std::span<const std::byte> stored, std::span<std::byte> out, std::uint8_t parameter,
                   std::size_t element_size) {
  using namespace strata::hdf5;
  constexpr FilterId ids[] = {kDeflate, kShuffle, kFletcher32, kLzf, kBlosc, kZstd};
  Pipeline pipeline;
  for (const unsigned pick : {parameter & 7u, (parameter >> 3) & 7u})
    if (pick < std::size(ids)) pipeline.push_back(Filter{ids[pick], {static_cast<unsigned>(element_size)}});
  decode_chunk(pipeline, parameter >> 6, stored, out, element_size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::uint8_t codec = data[0];
  const std::size_t decoded = data[1] | (std::size_t{data[2]} << 8);
  const std::uint8_t parameter = data[3];
  const std::span<const std::byte> payload(reinterpret_cast<const std::byte*>(data) + 4, size - 4);
  Bytes out(decoded);
  try {
    switch (codec % 15) {
      case 0: codecs::inflate_zlib(payload, out); break;
      case 1: (void)codecs::inflate_zlib_prefix(payload, out); break;
      case 2: codecs::inflate_gzip(payload, out); break;
      case 3: codecs::decompress_zstd(payload, out); break;
      case 4: (void)codecs::decompress_zstd_prefix(payload, out); break;
      case 5: codecs::blosc_decode(payload, out); break;
      case 6: codecs::lzf_decompress(payload, out); break;
      case 7: (void)codecs::verify_crc32c(payload); break;
      case 8: (void)codecs::verify_fletcher32(payload); break;
      case 9: {
        Bytes shuffled(payload.size());
        codecs::unshuffle(payload, shuffled, 1 + parameter % 16);
        break;
      }
      case 10: predictors(payload, parameter); break;
      case 11: packed_bits(payload, parameter); break;
      case 12: round_trip_encoders(payload, parameter); break;
      case 13:
        round_trip_shuffle(payload, 1 + parameter % 16);
        round_trip_crc32c(payload);
        break;
      case 14: hdf5_pipeline(payload, out, parameter, 1 + (codec / 15) % 8); break;
    }
  } catch (const strata::Error&) {
    // Refused data, as it must be. Round trips never get here: they must succeed.
    const int kind = codec % 15;
    if (kind == 12 || kind == 13) std::abort();
  }
  return 0;
}
