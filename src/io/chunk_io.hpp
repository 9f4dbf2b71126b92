#pragma once
// What every format does around decoding one chunk, done once: the fill value of chunks
// not stored, per-thread scratch memory, and "decode straight into the destination, or
// into scratch and copy the part asked for". Driver::read_chunk (chunk_io.cpp) adds the
// region-fits-chunk check and the error context on top.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "strata/buffer.hpp"

namespace strata::io {

// Writes `value` (one element's bytes; empty: zeros) into every element of `dest`.
void fill(const View& dest, std::span<const std::uint8_t> value);

// A buffer of `bytes` owned by the calling thread, reused across calls: decode threads
// handle chunk after chunk, and fresh allocations would pay page faults every time.
// Buffers with different `slot`s are distinct (a decoder may need several at once):
// the stored bytes, the decoded chunk, and two for the stages of a multi-step decode (an
// HDF5 filter pipeline, TIFF predictor rows), and the bytes of an io::ReadAhead.
enum class Scratch : std::size_t { stored, decoded, stage_a, stage_b, read_ahead, count };
std::span<std::byte> scratch(Scratch slot, std::size_t bytes);

// Decodes one stored chunk whose decoded elements cover `full` (the unclipped chunk) and
// puts its part `region` into `dest`. `decode(out)` must fill out (full's bytes) exactly.
// `decoded_strides` are the byte strides of the decoded elements, empty for C order.
// Straight into dest when it is the whole chunk, C order and contiguous; else through
// scratch and one strided copy.
void decode_into(const View& dest, const Box& region, const Box& full, const std::vector<std::int64_t>& decoded_strides,
                 const std::function<void(std::span<std::byte>)>& decode);

}  // namespace strata::io
