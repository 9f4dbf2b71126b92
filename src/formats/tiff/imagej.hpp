#pragma once
// ImageJ hyperstack descriptions ("ImageJ=1.53\nimages=24\nchannels=2\nslices=3\nframes=4...").
// Planes are stored C fastest, then Z, then T.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::tiff {

struct ImageJInfo {
  std::int64_t images = 1;
  std::int64_t channels = 1;
  std::int64_t slices = 1;
  std::int64_t frames = 1;
  bool hyperstack = false;
  std::optional<double> spacing;   // Z step ("spacing=")
  std::optional<double> finterval; // T step ("finterval=")
  std::string unit;                // "unit=", e.g. "micron"; "\u00B5m" kept as written
};

// nullopt when `description` is not an ImageJ description (does not start with "ImageJ=").
// Fills images from channels*slices*frames when "images=" is absent. Throws strata::Error
// when the counts contradict each other (images != channels*slices*frames and the product
// is not 1).
std::optional<ImageJInfo> parse_imagej_description(std::string_view description);

}  // namespace strata::tiff
