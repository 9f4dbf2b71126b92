#include "codecs/lzf.hpp"

#include <cstring>
#include <optional>

#include "codecs/decoded_size.hpp"
#include "strata/error.hpp"

namespace strata::codecs {
namespace {

// The decoded size of `in` written into `out`, or nullopt when it holds more.
std::optional<std::size_t> lzf_decode_whole(std::span<const std::byte> in, std::span<std::byte> out) {
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const auto* const in_end = ip + in.size();
  auto* const out_begin = reinterpret_cast<unsigned char*>(out.data());
  auto* op = out_begin;
  auto* const out_end = out_begin + out.size();
  const auto corrupt = [] { return Error("", "lzf: corrupt chunk"); };
  while (ip < in_end) {
    const unsigned control = *ip++;
    if (control < 32) {  // a literal run of control + 1 bytes
      const std::size_t length = control + 1;
      if (length > static_cast<std::size_t>(in_end - ip)) throw corrupt();
      if (length > static_cast<std::size_t>(out_end - op)) return std::nullopt;
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
    if (length > static_cast<std::size_t>(out_end - op)) return std::nullopt;
    const unsigned char* ref = op - distance;
    for (std::size_t k = 0; k < length; ++k) *op++ = *ref++;  // may overlap: byte by byte
  }
  return static_cast<std::size_t>(op - out_begin);
}

}  // namespace

void lzf_decompress(std::span<const std::byte> in, std::span<std::byte> out) {
  check_decoded_size("lzf", lzf_decode_whole(in, out), out.size());
}

}  // namespace strata::codecs
