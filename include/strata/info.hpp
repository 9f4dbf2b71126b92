#pragma once
// What a file holds, as a reader reports it: dims, shape, dtype and the metadata a
// microscopist looks for (physical sizes, channel names).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "strata/box.hpp"
#include "strata/dtype.hpp"

namespace strata {

struct PhysicalSize {
  double value = 0;
  std::string unit;  // as the file states it, e.g. "µm"; empty when unstated
  friend bool operator==(const PhysicalSize&, const PhysicalSize&) = default;
};

struct ArrayInfo {
  std::string format;                         // "ome-tiff", "imagej-tiff", "tiff", ...
  std::string dims;                           // one letter per axis, e.g. "TCZYX"
  Shape shape;
  DType dtype = DType::uint8;
  std::map<char, PhysicalSize> physical_sizes;  // by axis letter
  std::vector<std::string> channel_names;
  std::uint64_t decoded_bytes() const noexcept { return element_count(shape) * size_of(dtype); }
  friend bool operator==(const ArrayInfo&, const ArrayInfo&) = default;
};

}  // namespace strata
