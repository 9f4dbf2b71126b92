// The TIFF driver against files written here, at test time, by libtiff: every sample is a
// function of its coordinates, so each read is checked element by element. The driver
// contract (tiling, reads into any view from many threads, refusals, save/restore) is
// checked for every format in formats/driver_conformance_test.cpp.
#include "formats/tiff/tiff_format.hpp"

#include <gtest/gtest.h>
#include <tiffio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

#include "formats/tiff/tiff_chunks.hpp"
#include "formats/tiff/tiff_reader.hpp"
#include "formats/tiff/tiff_series.hpp"
#include "formats/tiff/tiff_structure.hpp"
#include "strata/buffer.hpp"
#include "strata/error.hpp"
#include "support/driver_fixtures.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::read_all;
using testing::read_box;

// ---- values that name their coordinates ------------------------------------------------

std::uint64_t pattern(std::int64_t page, std::int64_t y, std::int64_t x, std::int64_t s) {
  return static_cast<std::uint64_t>(page * 7919 + y * 131 + x * 17 + s * 3 + 5);
}

void store(std::byte* p, DType t, std::uint64_t v) {
  auto put = [p](auto value) { std::memcpy(p, &value, sizeof value); };
  const double real = static_cast<double>(v % 100000) * 0.25 - 300.0;
  switch (t) {
    case DType::uint8: put(static_cast<std::uint8_t>(v)); break;
    case DType::uint16: put(static_cast<std::uint16_t>(v)); break;
    case DType::uint32: put(static_cast<std::uint32_t>(v)); break;
    case DType::uint64: put(v * 0x9E3779B97F4A7C15ull); break;  // uses all 64 bits
    case DType::int8: put(static_cast<std::int8_t>(v)); break;
    case DType::int16: put(static_cast<std::int16_t>(v)); break;
    case DType::int32: put(static_cast<std::int32_t>(-static_cast<std::int64_t>(v))); break;
    case DType::int64: put(-static_cast<std::int64_t>(v * 0x9E3779B97F4A7C15ull >> 1)); break;
    case DType::float32: put(static_cast<float>(real)); break;
    case DType::float64: put(real / 3.0); break;
    case DType::float16:
    case DType::bool_: ADD_FAILURE() << "no TIFF sample type"; break;
  }
}

DType dtype_of(std::uint16_t bits, std::uint16_t sample_format) {
  return dtype_from(sample_format == SAMPLEFORMAT_INT ? 'i' : sample_format == SAMPLEFORMAT_IEEEFP ? 'f' : 'u', bits);
}

// ---- writing TIFFs with libtiff ------------------------------------------------------------

struct TiffSpec {
  std::string name;
  std::uint32_t width = 37;
  std::uint32_t length = 23;
  std::uint16_t samples = 1;
  std::uint16_t planar = PLANARCONFIG_CONTIG;
  std::uint16_t bits = 16;
  std::uint16_t sample_format = SAMPLEFORMAT_UINT;
  std::uint16_t compression = COMPRESSION_NONE;
  std::uint16_t predictor = PREDICTOR_NONE;
  std::uint16_t fill_order = FILLORDER_MSB2LSB;
  bool palette = false;    // PhotometricInterpretation=3 with a colour map
  bool jpeg_ycbcr = false; // JPEG of YCbCr subsampled 2x2, converted from RGB by libtiff
  std::uint32_t rows_per_strip = 5;
  std::uint32_t tile = 0;  // tile width and length; 0 writes strips
  bool big_endian = false;
  bool bigtiff = false;
  int pages = 3;
  std::string description;                            // on the first page
  std::function<std::uint32_t(int)> subfile_type;     // NewSubfileType per page
  std::function<std::uint64_t(int, std::int64_t, std::int64_t, std::int64_t)> value = pattern;

  // Packed 9- to 15-bit samples are held as uint16 in memory and packed when written.
  bool packed() const { return bits % 8 != 0; }
  DType dtype() const { return dtype_of(packed() ? 16 : bits, sample_format); }
  std::size_t sample_bytes() const { return (bits + 7u) / 8u; }
};

// The pattern cut to `bits` bits, for packed samples.
std::function<std::uint64_t(int, std::int64_t, std::int64_t, std::int64_t)> masked_pattern(unsigned bits) {
  return [bits](int page, std::int64_t y, std::int64_t x, std::int64_t s) {
    return pattern(page, y, x, s) & ((1u << bits) - 1);
  };
}

// Rows of uint16 samples packed as TIFF stores BitsPerSample=bits: a bit stream per row,
// most significant bit first, padded to a whole byte.
std::vector<std::byte> pack_rows(const std::byte* samples, std::size_t rows, std::size_t row_samples, unsigned bits) {
  std::vector<std::byte> out;
  for (std::size_t r = 0; r < rows; ++r) {
    std::uint32_t pending = 0;
    unsigned held = 0;
    for (std::size_t i = 0; i < row_samples; ++i) {
      std::uint16_t v;
      std::memcpy(&v, samples + (r * row_samples + i) * 2, 2);
      pending = (pending << bits) | v;
      held += bits;
      for (; held >= 8; held -= 8) out.push_back(static_cast<std::byte>(pending >> (held - 8)));
      pending &= (1u << held) - 1;
    }
    if (held) out.push_back(static_cast<std::byte>(pending << (8 - held)));
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const TiffSpec& s) { return os << s.name; }

// One page's samples as the TIFF stores them before coding: per sample plane when planar
// separate, interleaved otherwise.
std::vector<std::byte> page_samples(const TiffSpec& s, int page, std::uint16_t plane) {
  const std::size_t per_pixel = s.planar == PLANARCONFIG_SEPARATE ? 1 : s.samples;
  std::vector<std::byte> data(std::size_t{s.width} * s.length * per_pixel * s.sample_bytes());
  std::byte* p = data.data();
  for (std::int64_t y = 0; y < s.length; ++y)
    for (std::int64_t x = 0; x < s.width; ++x)
      for (std::size_t k = 0; k < per_pixel; ++k, p += s.sample_bytes())
        store(p, s.dtype(), s.value(page, y, x, per_pixel == 1 && s.samples > 1 ? plane : k));
  return data;
}

void write_page(TIFF* tif, const TiffSpec& s, int page) {
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, s.width);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, s.length);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, s.bits);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, s.samples);
  TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, s.sample_format);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, s.planar);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
               s.palette ? PHOTOMETRIC_PALETTE : s.samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
  if (s.palette) {
    std::vector<std::uint16_t> map(std::size_t{1} << s.bits);
    for (std::size_t i = 0; i < map.size(); ++i) map[i] = static_cast<std::uint16_t>(i * 65535 / (map.size() - 1));
    TIFFSetField(tif, TIFFTAG_COLORMAP, map.data(), map.data(), map.data());
  }
  if (s.samples == 2 || s.samples > 3) {
    std::vector<std::uint16_t> extra(s.samples - (s.samples >= 3 ? 3 : 1), EXTRASAMPLE_UNSPECIFIED);
    TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, static_cast<std::uint16_t>(extra.size()), extra.data());
  }
  TIFFSetField(tif, TIFFTAG_COMPRESSION, s.compression);
  if (s.compression == COMPRESSION_WEBP) TIFFSetField(tif, TIFFTAG_WEBP_LOSSLESS, 1);
  if (s.jpeg_ycbcr) {
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR);
    TIFFSetField(tif, TIFFTAG_YCBCRSUBSAMPLING, 2, 2);
    TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
  }
  if (s.predictor != PREDICTOR_NONE) TIFFSetField(tif, TIFFTAG_PREDICTOR, s.predictor);
  TIFFSetField(tif, TIFFTAG_FILLORDER, s.fill_order);
  if (s.subfile_type) TIFFSetField(tif, TIFFTAG_SUBFILETYPE, s.subfile_type(page));
  if (page == 0 && !s.description.empty()) TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, s.description.c_str());
  if (s.tile) {
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, s.tile);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, s.tile);
  } else {
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, s.rows_per_strip);
  }

  const std::uint16_t planes = s.planar == PLANARCONFIG_SEPARATE ? s.samples : 1;
  const std::size_t pixel = (planes > 1 ? 1 : s.samples) * s.sample_bytes();
  for (std::uint16_t plane = 0; plane < planes; ++plane) {
    const std::vector<std::byte> data = page_samples(s, page, plane);
    if (!s.tile) {
      const std::size_t row = s.width * pixel;
      for (std::uint32_t y = 0; y < s.length; y += s.rows_per_strip) {
        const std::uint32_t rows = std::min(s.rows_per_strip, s.length - y);
        std::vector<std::byte> strip(data.begin() + y * row, data.begin() + (y + rows) * row);
        if (s.packed()) strip = pack_rows(strip.data(), rows, row / 2, s.bits);
        ASSERT_GE(TIFFWriteEncodedStrip(tif, TIFFComputeStrip(tif, y, plane), strip.data(),
                                        static_cast<tmsize_t>(strip.size())), 0);
      }
      continue;
    }
    std::vector<std::byte> tile(std::size_t{s.tile} * s.tile * pixel);
    for (std::uint32_t ty = 0; ty < s.length; ty += s.tile)
      for (std::uint32_t tx = 0; tx < s.width; tx += s.tile) {
        std::fill(tile.begin(), tile.end(), std::byte{0});
        for (std::uint32_t r = 0; r < s.tile && ty + r < s.length; ++r)
          std::memcpy(tile.data() + r * s.tile * pixel, data.data() + ((ty + r) * s.width + tx) * pixel,
                      std::min(s.tile, s.width - tx) * pixel);
        const std::vector<std::byte> stored =
            s.packed() ? pack_rows(tile.data(), s.tile, s.tile * pixel / 2, s.bits) : tile;
        ASSERT_GE(TIFFWriteEncodedTile(tif, TIFFComputeTile(tif, tx, ty, 0, plane), const_cast<std::byte*>(stored.data()),
                                       static_cast<tmsize_t>(stored.size())), 0);
      }
  }
  ASSERT_TRUE(TIFFWriteDirectory(tif));
}

void write_tiff(const fs::path& path, const TiffSpec& s) {
  std::string mode = std::string("w") + (s.big_endian ? "b" : "l") + (s.bigtiff ? "8" : "");
  TIFF* tif = TIFFOpen(path.c_str(), mode.c_str());
  ASSERT_NE(tif, nullptr) << path;
  for (int page = 0; page < s.pages; ++page) write_page(tif, s, page);
  TIFFClose(tif);
}

// ---- what reading through the driver must return ---------------------------------------

// The expected array: element (t, c, z, y, x[, s]) is value(page_of(t, c, z), y, x, s).
std::vector<std::byte> expected_array(const Shape& shape, DType dtype,
                                      const std::function<std::uint64_t(std::int64_t, std::int64_t, std::int64_t, std::int64_t)>& value,
                                      const std::function<int(std::int64_t, std::int64_t, std::int64_t)>& page_of) {
  const std::int64_t samples = shape.size() == 6 ? shape[5] : 1;
  std::vector<std::byte> out(static_cast<std::size_t>(element_count(shape)) * size_of(dtype));
  std::byte* p = out.data();
  for (std::int64_t t = 0; t < shape[0]; ++t)
    for (std::int64_t c = 0; c < shape[1]; ++c)
      for (std::int64_t z = 0; z < shape[2]; ++z) {
        const int page = page_of(t, c, z);
        for (std::int64_t y = 0; y < shape[3]; ++y)
          for (std::int64_t x = 0; x < shape[4]; ++x)
            for (std::int64_t s = 0; s < samples; ++s, p += size_of(dtype))
              if (page >= 0) store(p, dtype, value(page, y, x, s));
              else std::memset(p, 0, size_of(dtype));
      }
  return out;
}

std::vector<std::byte> slice(const std::vector<std::byte>& array, const Shape& shape, DType dtype, const Box& box) {
  std::vector<std::byte> out(static_cast<std::size_t>(box.count()) * size_of(dtype));
  copy(View::contiguous(const_cast<std::byte*>(array.data()), dtype, shape).sub(box),
       View::contiguous(out.data(), dtype, box.shape()));
  return out;
}

// Index of the first differing element, for readable failures.
std::string first_difference(std::span<const std::byte> a, std::span<const std::byte> b, DType t) {
  if (a.size() != b.size()) return "sizes differ: " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return "first difference at element " + std::to_string(i / size_of(t));
  return "";
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(test->test_suite_name()) + "_" + test->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() / ("strata_tiff_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path path(const std::string& name) const { return dir_ / name; }

  fs::path dir_;
};

std::unique_ptr<Driver> open_tiff(const fs::path& path) { return tiff_format().open(path.string(), {}); }

// The error opening `path` raises; empty when it opens.
std::string open_error(const fs::path& path) {
  try {
    open_tiff(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), path.string()) << e.what();
    return e.cause();
  }
  return "";
}

// strata's IFD walker reads every page of `file`, each SubIFD and the first page's text and
// resolution as libtiff alone reads them (tiff_structure.cpp hands libtiff only the pages it
// would repair, so this compares the walker wherever it reads a page itself).
void expect_walker_matches_libtiff(const fs::path& file) {
  SCOPED_TRACE(file.string());
  const tiff::TiffStructure s = tiff::read_tiff_structure(file.string());
  TIFF* tif = TIFFOpen(file.c_str(), "rc");
  ASSERT_NE(tif, nullptr);
  char* text = nullptr;
  EXPECT_EQ(s.description, TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &text) && text ? text : "");
  float xres = 0;
  EXPECT_EQ(s.x_resolution, TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres) ? xres : 0.0f);
  EXPECT_EQ(s.big_endian, TIFFIsBigEndian(tif) != 0);
  EXPECT_EQ(s.pages.size(), TIFFNumberOfDirectories(tif));
  TIFFClose(tif);
  for (std::size_t i = 0; i < s.pages.size(); ++i) {
    const tiff::TiffPage& page = s.pages[i];
    EXPECT_TRUE(page == tiff::read_tiff_page_with_libtiff(file.string(), page.ifd_offset)) << "IFD " << i;
    for (std::size_t k = 0; k < page.subifds.size(); ++k) {
      std::optional<tiff::TiffPage> walked;
      try {
        walked = tiff::read_subifd_pages(s, i, k + 1).back();
      } catch (const Error&) {
        // a damaged SubIFD: libtiff must refuse it too
      }
      try {
        const tiff::TiffPage by_libtiff = tiff::read_tiff_page_with_libtiff(file.string(), page.subifds[k]);
        EXPECT_TRUE(walked && *walked == by_libtiff) << "IFD " << i << " SubIFD " << k;
      } catch (const Error& e) {
        EXPECT_FALSE(walked) << "IFD " << i << " SubIFD " << k << ": libtiff refuses it: " << e.what();
      }
    }
  }
}

// ---- layouts, codecs and sample types -----------------------------------------------------

class TiffVariant : public TempDir, public ::testing::WithParamInterface<TiffSpec> {};

TEST_P(TiffVariant, ReadsEverySampleAndAnySelection) {
  const TiffSpec& spec = GetParam();
  const fs::path file = path("image.tif");
  write_tiff(file, spec);
  auto d = open_tiff(file);

  Shape shape{1, 1, spec.pages, spec.length, spec.width};
  if (spec.samples > 1) shape.push_back(spec.samples);
  EXPECT_EQ(d->info().format, "tiff");
  EXPECT_EQ(d->info().dims, spec.samples > 1 ? "TCZYXS" : "TCZYX");
  EXPECT_EQ(d->info().shape, shape);
  EXPECT_EQ(d->info().dtype, spec.dtype());
  const std::size_t planes = spec.planar == PLANARCONFIG_SEPARATE ? spec.samples : 1;
  EXPECT_EQ(d->chunks().chunks.size(), spec.pages * planes);

  const auto expected = expected_array(shape, spec.dtype(), spec.value,
                                       [](auto, auto, std::int64_t z) { return static_cast<int>(z); });
  EXPECT_EQ(first_difference(read_all(*d).bytes(), expected, spec.dtype()), "");

  // Selections that cut strips, tiles, rows and samples, landing in strided destinations.
  std::vector<Box> selections;
  Box inner = Box::whole(shape);
  inner.start[2] = spec.pages - 1;
  inner.start[3] = 3, inner.stop[3] = spec.length - 4;
  inner.start[4] = 5, inner.stop[4] = spec.width - 2;
  selections.push_back(inner);
  Box one_row = Box::whole(shape);
  one_row.start[3] = spec.length / 2, one_row.stop[3] = one_row.start[3] + 1;
  selections.push_back(one_row);
  if (spec.samples > 1) {
    Box one_sample = Box::whole(shape);
    one_sample.start[5] = 1, one_sample.stop[5] = 2;
    one_sample.start[4] = 1;
    selections.push_back(one_sample);
  }
  for (const Box& sel : selections)
    EXPECT_EQ(first_difference(read_box(*d, sel).bytes(), slice(expected, shape, spec.dtype(), sel), spec.dtype()), "")
        << "selection " << sel.to_string();
}

TiffSpec variant(std::string name, std::function<void(TiffSpec&)> change) {
  TiffSpec s;
  s.name = std::move(name);
  change(s);
  return s;
}

TEST_P(TiffVariant, IfdWalkerReadsThePagesAsLibtiffDoes) {
  write_tiff(path("image.tif"), GetParam());
  expect_walker_matches_libtiff(path("image.tif"));
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, TiffVariant,
    ::testing::Values(
        variant("none_uint16", [](TiffSpec&) {}),
        variant("none_uint16_big_endian", [](TiffSpec& s) { s.big_endian = true; }),
        variant("none_one_strip", [](TiffSpec& s) { s.rows_per_strip = 1000; }),
        variant("none_fill_order_2", [](TiffSpec& s) { s.fill_order = FILLORDER_LSB2MSB; }),
        variant("none_int8", [](TiffSpec& s) { s.bits = 8, s.sample_format = SAMPLEFORMAT_INT; }),
        variant("none_rgb_uint8", [](TiffSpec& s) { s.bits = 8, s.samples = 3; }),
        variant("none_planar_separate_big_endian",
                [](TiffSpec& s) { s.samples = 3, s.planar = PLANARCONFIG_SEPARATE, s.big_endian = true; }),
        variant("none_tiled_edges", [](TiffSpec& s) { s.tile = 16; }),
        variant("none_tiled_planar_separate",
                [](TiffSpec& s) { s.tile = 16, s.samples = 2, s.planar = PLANARCONFIG_SEPARATE; }),
        variant("bigtiff_uint64", [](TiffSpec& s) { s.bigtiff = true, s.bits = 64; }),
        variant("bigtiff_int64_big_endian",
                [](TiffSpec& s) { s.bigtiff = true, s.bits = 64, s.sample_format = SAMPLEFORMAT_INT, s.big_endian = true; }),
        variant("deflate_uint16", [](TiffSpec& s) { s.compression = COMPRESSION_ADOBE_DEFLATE; }),
        variant("deflate_predictor_big_endian",
                [](TiffSpec& s) { s.compression = COMPRESSION_DEFLATE, s.predictor = PREDICTOR_HORIZONTAL, s.big_endian = true; }),
        variant("deflate_predictor_rgb_uint16",
                [](TiffSpec& s) { s.compression = COMPRESSION_ADOBE_DEFLATE, s.predictor = PREDICTOR_HORIZONTAL, s.samples = 3; }),
        variant("deflate_predictor_int32",
                [](TiffSpec& s) { s.compression = COMPRESSION_ADOBE_DEFLATE, s.predictor = PREDICTOR_HORIZONTAL, s.bits = 32, s.sample_format = SAMPLEFORMAT_INT; }),
        variant("deflate_float_predictor_float32",
                [](TiffSpec& s) { s.compression = COMPRESSION_ADOBE_DEFLATE, s.predictor = PREDICTOR_FLOATINGPOINT, s.bits = 32, s.sample_format = SAMPLEFORMAT_IEEEFP; }),
        variant("deflate_fill_order_2", [](TiffSpec& s) { s.compression = COMPRESSION_ADOBE_DEFLATE, s.fill_order = FILLORDER_LSB2MSB; }),
        variant("deflate_tiled_predictor",
                [](TiffSpec& s) { s.compression = COMPRESSION_ADOBE_DEFLATE, s.predictor = PREDICTOR_HORIZONTAL, s.tile = 16; }),
        variant("zstd_predictor_uint8", [](TiffSpec& s) { s.compression = COMPRESSION_ZSTD, s.predictor = PREDICTOR_HORIZONTAL, s.bits = 8; }),
        variant("zstd_float_predictor_tiled_rgb",
                [](TiffSpec& s) { s.compression = COMPRESSION_ZSTD, s.predictor = PREDICTOR_FLOATINGPOINT, s.bits = 32, s.sample_format = SAMPLEFORMAT_IEEEFP, s.samples = 3, s.tile = 16; }),
        variant("lzw_uint16", [](TiffSpec& s) { s.compression = COMPRESSION_LZW; }),
        variant("lzw_predictor_float64_big_endian",
                [](TiffSpec& s) { s.compression = COMPRESSION_LZW, s.predictor = PREDICTOR_HORIZONTAL, s.bits = 64, s.sample_format = SAMPLEFORMAT_IEEEFP, s.big_endian = true; }),
        variant("lzw_tiled_planar_separate",
                [](TiffSpec& s) { s.compression = COMPRESSION_LZW, s.tile = 16, s.samples = 3, s.planar = PLANARCONFIG_SEPARATE; }),
        variant("packbits_int16", [](TiffSpec& s) { s.compression = COMPRESSION_PACKBITS, s.sample_format = SAMPLEFORMAT_INT; }),
        variant("lzma_uint32", [](TiffSpec& s) { s.compression = COMPRESSION_LZMA, s.bits = 32; }),
        // Packed 12-bit (and 10-, 14-bit) samples read as uint16: rows of 37 samples end mid-byte.
        variant("packed12_strips", [](TiffSpec& s) { s.bits = 12, s.value = masked_pattern(12); }),
        variant("packed12_big_endian_one_strip",
                [](TiffSpec& s) { s.bits = 12, s.value = masked_pattern(12), s.big_endian = true, s.rows_per_strip = 1000; }),
        variant("packed12_fill_order_2",
                [](TiffSpec& s) { s.bits = 12, s.value = masked_pattern(12), s.fill_order = FILLORDER_LSB2MSB; }),
        variant("packed12_deflate_tiled",
                [](TiffSpec& s) { s.bits = 12, s.value = masked_pattern(12), s.compression = COMPRESSION_ADOBE_DEFLATE, s.tile = 16; }),
        variant("packed12_lzw_rgb",
                [](TiffSpec& s) { s.bits = 12, s.value = masked_pattern(12), s.compression = COMPRESSION_LZW, s.samples = 3; }),
        variant("packed10_zstd_separate",
                [](TiffSpec& s) { s.bits = 10, s.value = masked_pattern(10), s.compression = COMPRESSION_ZSTD, s.samples = 3, s.planar = PLANARCONFIG_SEPARATE; }),
        variant("packed14_tiled_edges", [](TiffSpec& s) { s.bits = 14, s.value = masked_pattern(14), s.tile = 16; }),
        variant("palette_uint8_read_as_indices", [](TiffSpec& s) { s.bits = 8, s.palette = true; }),
        variant("webp_lossless_rgb_uint8",
                [](TiffSpec& s) { s.compression = COMPRESSION_WEBP, s.bits = 8, s.samples = 3, s.rows_per_strip = 8; })),
    [](const ::testing::TestParamInfo<TiffSpec>& param) { return param.param.name; });

// libtiff 4.5 writes big-endian floating-point-predictor data from byte-swapped values (its
// own reader then returns them swapped), so the pattern cannot be the oracle here: the
// driver must decode exactly what libtiff's reader decodes.
using LibtiffOracle = TempDir;

TEST_F(LibtiffOracle, BigEndianFloatPredictorDecodesAsLibtiffDoes) {
  TiffSpec spec;
  spec.pages = 1;
  spec.compression = COMPRESSION_ADOBE_DEFLATE;
  spec.predictor = PREDICTOR_FLOATINGPOINT;
  spec.bits = 64;
  spec.sample_format = SAMPLEFORMAT_IEEEFP;
  spec.big_endian = true;
  write_tiff(path("be.tif"), spec);

  TIFF* tif = TIFFOpen(path("be.tif").c_str(), "r");
  ASSERT_NE(tif, nullptr);
  std::vector<std::byte> by_libtiff(std::size_t{spec.width} * spec.length * 8);
  for (std::uint32_t strip = 0, offset = 0; strip < TIFFNumberOfStrips(tif); ++strip) {
    const tmsize_t got = TIFFReadEncodedStrip(tif, strip, by_libtiff.data() + offset, -1);
    ASSERT_GT(got, 0);
    offset += static_cast<std::uint32_t>(got);
  }
  TIFFClose(tif);
  EXPECT_EQ(first_difference(read_all(*open_tiff(path("be.tif"))).bytes(), by_libtiff, DType::float64), "");
}

// JPEG is lossy: its pixels are libtiff's (libjpeg's) decoding, so libtiff is the oracle.
// strata reads JPEG through libtiff like any other codec it does not decode itself, and
// has libtiff turn YCbCr into RGB, upsampled.
std::vector<std::byte> decoded_by_libtiff(const fs::path& file, bool ycbcr_to_rgb) {
  TIFF* tif = TIFFOpen(file.c_str(), "r");
  EXPECT_NE(tif, nullptr);
  if (ycbcr_to_rgb) TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
  std::uint32_t width = 0, length = 0;
  std::uint16_t samples = 1;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &length);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
  const std::size_t pixel = samples, row = std::size_t{width} * pixel;
  std::vector<std::byte> image(row * length);
  if (TIFFIsTiled(tif)) {
    std::uint32_t tw = 0, tl = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &tl);
    std::vector<std::byte> tile(std::size_t{tw} * tl * pixel);
    for (std::uint32_t ty = 0; ty < length; ty += tl)
      for (std::uint32_t tx = 0; tx < width; tx += tw) {
        EXPECT_GT(TIFFReadEncodedTile(tif, TIFFComputeTile(tif, tx, ty, 0, 0), tile.data(),
                                      static_cast<tmsize_t>(tile.size())), 0);
        for (std::uint32_t r = 0; r < tl && ty + r < length; ++r)
          std::memcpy(image.data() + (ty + r) * row + tx * pixel, tile.data() + r * tw * pixel,
                      std::min(tw, width - tx) * pixel);
      }
  } else {
    std::size_t offset = 0;
    for (std::uint32_t strip = 0; strip < TIFFNumberOfStrips(tif); ++strip) {
      const tmsize_t got = TIFFReadEncodedStrip(tif, strip, image.data() + offset, -1);
      EXPECT_GT(got, 0);
      offset += static_cast<std::size_t>(got);
    }
  }
  TIFFClose(tif);
  return image;
}

TEST_F(LibtiffOracle, JpegReadsAsLibtiffDecodesIt) {
  TiffSpec gray;
  gray.pages = 2;
  gray.bits = 8;
  gray.compression = COMPRESSION_JPEG;
  gray.rows_per_strip = 8;
  TiffSpec ycbcr = gray;
  ycbcr.pages = 1;
  ycbcr.samples = 3;
  ycbcr.tile = 16;
  ycbcr.jpeg_ycbcr = true;
  for (const auto& [name, spec] : {std::pair{"gray.tif", gray}, std::pair{"ycbcr.tif", ycbcr}}) {
    write_tiff(path(name), spec);
    auto d = open_tiff(path(name));
    EXPECT_EQ(d->chunks().codecs, std::vector<std::string>{"jpeg"}) << name;
    const Buffer all = read_all(*d);
    const std::vector<std::byte> page0 = decoded_by_libtiff(path(name), spec.jpeg_ycbcr);
    EXPECT_EQ(first_difference(std::span(all.bytes()).first(page0.size()), page0, DType::uint8), "") << name;
    // One row across the tiles or strips, into a strided destination.
    Box row = Box::whole(d->info().shape);
    row.stop[2] = 1;
    row.start[3] = 9, row.stop[3] = 10;
    const std::size_t row_bytes = spec.width * spec.samples;
    EXPECT_EQ(first_difference(read_box(*d, row).bytes(),
                               std::span(page0).subspan(9 * row_bytes, row_bytes), DType::uint8), "") << name;
  }
}

// ---- the chunk table -------------------------------------------------------------------------

using TiffChunkTable = TempDir;

TEST_F(TiffChunkTable, OneChunkPerPageWithItsIfdOffsetAndStrips) {
  TiffSpec spec;
  spec.compression = COMPRESSION_ADOBE_DEFLATE;
  spec.predictor = PREDICTOR_HORIZONTAL;
  write_tiff(path("a.tif"), spec);
  auto d = open_tiff(path("a.tif"));
  const ChunkTable& table = d->chunks();
  EXPECT_EQ(table.files, std::vector<std::string>{path("a.tif").string()});
  EXPECT_EQ(table.codecs, std::vector<std::string>{"deflate+predictor"});

  TIFF* tif = TIFFOpen(path("a.tif").c_str(), "r");
  ASSERT_NE(tif, nullptr);
  for (int page = 0; page < spec.pages; ++page, TIFFReadDirectory(tif)) {
    const ChunkRef& chunk = table.chunks[page];
    EXPECT_EQ(chunk.box, (Box{{0, 0, page, 0, 0}, {1, 1, page + 1, spec.length, spec.width}}));
    EXPECT_EQ(chunk.ifd_offset, TIFFCurrentDirOffset(tif));
    ASSERT_EQ(chunk.segments.size(), TIFFNumberOfStrips(tif));
    for (std::uint32_t s = 0; s < TIFFNumberOfStrips(tif); ++s)
      EXPECT_EQ(chunk.segments[s], (ByteRange{TIFFGetStrileOffset(tif, s), TIFFGetStrileByteCount(tif, s)}));
  }
  TIFFClose(tif);
}

TEST_F(TiffChunkTable, UncompressedStripsBackToBackMergeIntoOneSegment) {
  TiffSpec spec;
  spec.rows_per_strip = 1;
  write_tiff(path("a.tif"), spec);
  auto d = open_tiff(path("a.tif"));
  for (const ChunkRef& chunk : d->chunks().chunks) {
    ASSERT_EQ(chunk.segments.size(), 1u);
    EXPECT_EQ(chunk.segments[0].size, std::uint64_t{spec.width} * spec.length * 2);
  }
}

// Planes larger than the limit become bands: of rows for uncompressed strips, of whole
// strips or tile rows otherwise; every band still decodes right.
TEST_F(TiffChunkTable, LargePlanesSplitIntoBands) {
  struct Case {
    std::string name;
    std::function<void(TiffSpec&)> change;
    std::int64_t band_rows;  // with a limit of 5 image rows' bytes
  };
  const std::vector<Case> cases{
      {"rows", [](TiffSpec& s) { s.rows_per_strip = 7; }, 5},
      {"strips", [](TiffSpec& s) { s.compression = COMPRESSION_ADOBE_DEFLATE, s.rows_per_strip = 2; }, 4},
      {"tiles", [](TiffSpec& s) { s.compression = COMPRESSION_LZW, s.tile = 16, s.length = 40; }, 16},
      {"separate", [](TiffSpec& s) { s.samples = 2, s.planar = PLANARCONFIG_SEPARATE, s.rows_per_strip = 3, s.compression = COMPRESSION_PACKBITS; }, 3},
  };
  for (const Case& c : cases) {
    TiffSpec spec;
    c.change(spec);
    const fs::path file = path(c.name + ".tif");
    write_tiff(file, spec);
    const tiff::TiffSeries series = tiff::read_tiff_series(file.string());
    const std::uint64_t limit = 5ull * spec.width * 2;
    tiff::TiffChunks chunks = tiff::build_chunk_table(series, limit);
    const std::size_t planes = spec.planar == PLANARCONFIG_SEPARATE ? spec.samples : 1;
    const std::size_t bands = (spec.length + c.band_rows - 1) / c.band_rows;
    ASSERT_EQ(chunks.table.chunks.size(), spec.pages * bands * planes) << c.name;
    for (std::size_t i = 1; i < chunks.table.chunks.size(); ++i)  // C order of box starts
      EXPECT_LT(chunks.table.chunks[i - 1].box.start, chunks.table.chunks[i].box.start) << c.name;
    for (const ChunkRef& chunk : chunks.table.chunks)
      EXPECT_LE(chunk.box.shape()[3], c.band_rows) << c.name;

    tiff::TiffReader reader(chunks.table.files, chunks.encodings);
    const Shape& shape = series.info.shape;
    std::vector<std::byte> out(element_count(shape) * 2);
    const View all = View::contiguous(out.data(), series.info.dtype, shape);
    for (const ChunkRef& chunk : chunks.table.chunks) reader.read(chunk, chunk.box, all.sub(chunk.box));
    const auto expected = expected_array(shape, series.info.dtype, pattern,
                                         [](auto, auto, std::int64_t z) { return static_cast<int>(z); });
    EXPECT_EQ(first_difference(out, expected, series.info.dtype), "") << c.name;
  }
}

// ---- which pages form the series ------------------------------------------------------------

using TiffSeriesLayout = TempDir;

TEST_F(TiffSeriesLayout, ReducedResolutionPagesAreSkipped) {
  TiffSpec spec;
  spec.pages = 3;
  spec.subfile_type = [](int page) { return page == 1 ? FILETYPE_REDUCEDIMAGE : 0u; };
  write_tiff(path("a.tif"), spec);
  auto d = open_tiff(path("a.tif"));
  EXPECT_EQ(d->info().shape, (Shape{1, 1, 2, spec.length, spec.width}));
  const auto expected = expected_array(d->info().shape, spec.dtype(), pattern,
                                       [](auto, auto, std::int64_t z) { return z == 0 ? 0 : 2; });
  EXPECT_EQ(first_difference(read_all(*d).bytes(), expected, spec.dtype()), "");
}

TEST_F(TiffSeriesLayout, PagesThatDifferAreRefused) {
  TIFF* tif = TIFFOpen(path("a.tif").c_str(), "w");
  ASSERT_NE(tif, nullptr);
  TiffSpec first, second;
  second.width = 40;
  write_page(tif, first, 0);
  write_page(tif, second, 1);
  TIFFClose(tif);
  EXPECT_NE(open_error(path("a.tif")).find("must match"), std::string::npos);
}

TEST_F(TiffSeriesLayout, ImageJHyperstackIsChannelsFastestThenSlicesThenFrames) {
  TiffSpec spec;
  spec.pages = 24;
  spec.description = "ImageJ=1.53t\nimages=24\nchannels=2\nslices=3\nframes=4\nhyperstack=true\n"
                     "spacing=2.5\nunit=micron\nfinterval=0.5\n";
  write_tiff(path("ij.tif"), spec);
  auto d = open_tiff(path("ij.tif"));
  EXPECT_EQ(d->info().format, "imagej-tiff");
  EXPECT_EQ(d->info().shape, (Shape{4, 2, 3, spec.length, spec.width}));
  EXPECT_EQ(d->info().physical_sizes.at('Z'), (PhysicalSize{2.5, "\u00b5m"}));
  EXPECT_EQ(d->info().physical_sizes.at('T'), (PhysicalSize{0.5, "s"}));
  const auto expected = expected_array(d->info().shape, spec.dtype(), pattern, [](std::int64_t t, std::int64_t c, std::int64_t z) {
    return static_cast<int>((t * 3 + z) * 2 + c);
  });
  EXPECT_EQ(first_difference(read_all(*d).bytes(), expected, spec.dtype()), "");
}

// ImageJ writes stacks above 4 GiB with one IFD; the other planes follow the first.
TEST_F(TiffSeriesLayout, ImageJPlanesStoredAfterASingleIfd) {
  TiffSpec spec;
  spec.pages = 6;
  const std::size_t plane_bytes = std::size_t{spec.width} * spec.length * 2;
  std::vector<std::byte> planes;
  for (int page = 0; page < spec.pages; ++page) {
    auto data = page_samples(spec, page, 0);
    planes.insert(planes.end(), data.begin(), data.end());
  }
  TIFF* tif = TIFFOpen(path("ij.tif").c_str(), "w");
  ASSERT_NE(tif, nullptr);
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, spec.width);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, spec.length);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, spec.length);
  TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, "ImageJ=1.53t\nimages=6\nslices=3\nframes=2\n");
  // One raw strip holding every plane: the StripByteCounts covers more than the first.
  ASSERT_EQ(TIFFWriteRawStrip(tif, 0, planes.data(), static_cast<tmsize_t>(planes.size())),
            static_cast<tmsize_t>(planes.size()));
  TIFFWriteDirectory(tif);
  TIFFClose(tif);
  ASSERT_EQ(planes.size(), 6 * plane_bytes);

  auto d = open_tiff(path("ij.tif"));
  EXPECT_EQ(d->info().shape, (Shape{2, 1, 3, spec.length, spec.width}));
  const auto expected = expected_array(d->info().shape, spec.dtype(), pattern,
                                       [](std::int64_t t, auto, std::int64_t z) { return static_cast<int>(t * 3 + z); });
  EXPECT_EQ(first_difference(read_all(*d).bytes(), expected, spec.dtype()), "");
}

// ---- OME-TIFF ---------------------------------------------------------------------------------

struct OmeTiffData {
  int first_z = 0, first_c = 0, first_t = 0, ifd = 0, planes = 1;
  std::string uuid, file_name;  // both empty: no UUID element
};

std::string ome_xml(const std::string& own_uuid, const std::string& order, int size_t, int size_c, int size_z,
                    const TiffSpec& spec, const std::vector<OmeTiffData>& tiff_data) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\"";
  if (!own_uuid.empty()) xml += " UUID=\"" + own_uuid + "\"";
  xml += "><Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"" + order + "\" Type=\"" +
         std::string(name(spec.dtype())) + "\" SizeX=\"" + std::to_string(spec.width) + "\" SizeY=\"" +
         std::to_string(spec.length) + "\" SizeZ=\"" + std::to_string(size_z) + "\" SizeC=\"" +
         std::to_string(size_c) + "\" SizeT=\"" + std::to_string(size_t) +
         "\" PhysicalSizeX=\"0.25\" PhysicalSizeZ=\"2\" PhysicalSizeZUnit=\"nm\">";
  for (int c = 0; c < size_c; ++c)
    xml += "<Channel ID=\"Channel:0:" + std::to_string(c) + "\" Name=\"ch" + std::to_string(c) +
           "\" SamplesPerPixel=\"1\"/>";
  for (const OmeTiffData& td : tiff_data) {
    xml += "<TiffData FirstZ=\"" + std::to_string(td.first_z) + "\" FirstC=\"" + std::to_string(td.first_c) +
           "\" FirstT=\"" + std::to_string(td.first_t) + "\" IFD=\"" + std::to_string(td.ifd) +
           "\" PlaneCount=\"" + std::to_string(td.planes) + "\"";
    if (td.uuid.empty()) {
      xml += "/>";
      continue;
    }
    xml += "><UUID FileName=\"" + td.file_name + "\">" + td.uuid + "</UUID></TiffData>";
  }
  return xml + "</Pixels></Image></OME>";
}

std::string binary_only_xml(const std::string& own_uuid, const std::string& companion) {
  return "<?xml version=\"1.0\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\" UUID=\"" +
         own_uuid + "\"><BinaryOnly MetadataFile=\"" + companion + "\" UUID=\"urn:uuid:0\"/></OME>";
}

using OmeTiff = TempDir;

// A renamed single-file OME-TIFF still names its old FileName; its own UUID says it is this file.
TEST_F(OmeTiff, RenamedFileIsMatchedByItsOwnUuid) {
  const std::string uuid = "urn:uuid:11111111-2222-3333-4444-555555555555";
  TiffSpec spec;
  spec.pages = 12;
  // XYCZT: C fastest, then Z, then T; one TiffData maps the whole run.
  spec.description = ome_xml(uuid, "XYCZT", 2, 3, 2, spec, {{0, 0, 0, 0, 12, uuid, "before_renaming.ome.tif"}});
  write_tiff(path("renamed.ome.tif"), spec);
  auto d = open_tiff(path("renamed.ome.tif"));
  EXPECT_EQ(d->info().format, "ome-tiff");
  EXPECT_EQ(d->info().shape, (Shape{2, 3, 2, spec.length, spec.width}));
  EXPECT_EQ(d->info().channel_names, (std::vector<std::string>{"ch0", "ch1", "ch2"}));
  EXPECT_EQ(d->info().physical_sizes.at('X'), (PhysicalSize{0.25, "\u00b5m"}));
  EXPECT_EQ(d->info().physical_sizes.at('Z'), (PhysicalSize{2, "nm"}));
  EXPECT_EQ(d->chunks().files, std::vector<std::string>{path("renamed.ome.tif").string()});
  const auto expected = expected_array(d->info().shape, spec.dtype(), pattern, [](std::int64_t t, std::int64_t c, std::int64_t z) {
    return static_cast<int>((t * 2 + z) * 3 + c);
  });
  EXPECT_EQ(first_difference(read_all(*d).bytes(), expected, spec.dtype()), "");
}

TEST_F(OmeTiff, PlanesWithoutTiffDataReadAsZeros) {
  TiffSpec spec;
  spec.pages = 2;
  spec.description = ome_xml("", "XYZCT", 1, 1, 3, spec, {{0, 0, 0, 0, 1}, {2, 0, 0, 1, 1}});
  write_tiff(path("gaps.ome.tif"), spec);
  auto d = open_tiff(path("gaps.ome.tif"));
  const auto expected = expected_array(d->info().shape, spec.dtype(), pattern,
                                       [](auto, auto, std::int64_t z) { return z == 0 ? 0 : z == 2 ? 1 : -1; });
  EXPECT_EQ(first_difference(read_all(*d).bytes(), expected, spec.dtype()), "");
}

TEST_F(OmeTiff, IfdBeyondTheFileIsRefused) {
  TiffSpec spec;
  spec.pages = 2;
  spec.description = ome_xml("", "XYZCT", 1, 1, 3, spec, {{0, 0, 0, 0, 3}});
  write_tiff(path("short.ome.tif"), spec);
  EXPECT_NE(open_error(path("short.ome.tif")).find("IFD 2, but the file has 2 IFDs"), std::string::npos);
}

// Two files of one Z stack: z = 0..1 in a.ome.tif, z = 2..3 in b.ome.tif.
class MultiFileOmeTiff : public TempDir {
 protected:
  static constexpr const char* kUuidA = "urn:uuid:aaaaaaaa-0000-0000-0000-000000000001";
  static constexpr const char* kUuidB = "urn:uuid:bbbbbbbb-0000-0000-0000-000000000002";

  std::vector<OmeTiffData> tiff_data() const {
    return {{0, 0, 0, 0, 2, kUuidA, "a.ome.tif"}, {2, 0, 0, 0, 2, kUuidB, "b.ome.tif"}};
  }
  // File b's planes hold pages 2 and 3 of the pattern.
  void write_files(const std::string& description_a, const std::string& description_b) {
    TiffSpec a = spec_;
    a.description = description_a;
    write_tiff(path("a.ome.tif"), a);
    TiffSpec b = spec_;
    b.description = description_b;
    b.value = [](int page, std::int64_t y, std::int64_t x, std::int64_t s) { return pattern(page + 2, y, x, s); };
    write_tiff(path("b.ome.tif"), b);
  }
  void expect_whole_stack(const Driver& d) {
    EXPECT_EQ(d.info().shape, (Shape{1, 1, 4, spec_.length, spec_.width}));
    EXPECT_EQ(d.chunks().files.size(), 2u);
    const auto expected = expected_array(d.info().shape, spec_.dtype(), pattern,
                                         [](auto, auto, std::int64_t z) { return static_cast<int>(z); });
    EXPECT_EQ(first_difference(read_all(d).bytes(), expected, spec_.dtype()), "");
  }

  TiffSpec spec_ = [] {
    TiffSpec s;
    s.pages = 2;
    s.compression = COMPRESSION_ADOBE_DEFLATE;
    return s;
  }();
};

TEST_F(MultiFileOmeTiff, OpensFromAnyOfItsFiles) {
  write_files(ome_xml(kUuidA, "XYZCT", 1, 1, 4, spec_, tiff_data()),
              ome_xml(kUuidB, "XYZCT", 1, 1, 4, spec_, tiff_data()));
  expect_whole_stack(*open_tiff(path("a.ome.tif")));
  expect_whole_stack(*open_tiff(path("b.ome.tif")));
}

TEST_F(MultiFileOmeTiff, BinaryOnlyStubsAndTheCompanionOpenTheSameStack) {
  write_files(binary_only_xml(kUuidA, "set.companion.ome"), binary_only_xml(kUuidB, "set.companion.ome"));
  std::ofstream(path("set.companion.ome")) << ome_xml("", "XYZCT", 1, 1, 4, spec_, tiff_data());
  EXPECT_TRUE(tiff_format().recognizes(path("set.companion.ome").string(), {}));
  expect_whole_stack(*open_tiff(path("set.companion.ome")));
  expect_whole_stack(*open_tiff(path("a.ome.tif")));
  expect_whole_stack(*open_tiff(path("b.ome.tif")));
}

TEST_F(MultiFileOmeTiff, MissingFileIsNamedInTheError) {
  write_files(ome_xml(kUuidA, "XYZCT", 1, 1, 4, spec_, tiff_data()),
              ome_xml(kUuidB, "XYZCT", 1, 1, 4, spec_, tiff_data()));
  fs::remove(path("b.ome.tif"));
  try {
    open_tiff(path("a.ome.tif"));
    FAIL() << "opened a set with a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), path("b.ome.tif").string());
  }
}

// Parts are opened only inside the folder of the file holding the XML (docs/security.md):
// a subfolder is inside; "..", absolute names and links leading out are refused, naming the
// name, and nothing outside is opened.
TEST_F(MultiFileOmeTiff, PartsInASubfolderAreFollowed) {
  std::vector<OmeTiffData> data = tiff_data();
  data[1].file_name = "more/b.ome.tif";
  write_files(ome_xml(kUuidA, "XYZCT", 1, 1, 4, spec_, data), ome_xml(kUuidB, "XYZCT", 1, 1, 4, spec_, data));
  fs::create_directory(path("more"));
  fs::rename(path("b.ome.tif"), path("more/b.ome.tif"));
  expect_whole_stack(*open_tiff(path("a.ome.tif")));
}

TEST_F(MultiFileOmeTiff, PartsOutsideTheFolderAreRefused) {
  fs::create_directories(path("in"));
  fs::create_directories(path("other"));
  const std::vector<std::string> names{"../other/b.ome.tif", path("other/b.ome.tif").string(), "link.ome.tif",
                                       "../../../../../../../../etc/passwd"};
  for (const std::string& name : names) {
    std::vector<OmeTiffData> data = tiff_data();
    data[1].file_name = name;
    write_files(ome_xml(kUuidA, "XYZCT", 1, 1, 4, spec_, data), ome_xml(kUuidB, "XYZCT", 1, 1, 4, spec_, data));
    fs::rename(path("a.ome.tif"), path("in/a.ome.tif"));
    fs::rename(path("b.ome.tif"), path("other/b.ome.tif"));
    fs::remove(path("in/link.ome.tif"));
    fs::create_symlink(path("other/b.ome.tif"), path("in/link.ome.tif"));
    const std::string why = open_error(path("in/a.ome.tif"));
    EXPECT_NE(why.find("names \"" + name + "\""), std::string::npos) << why;
    EXPECT_NE(why.find("the input's folder " + path("in").string()), std::string::npos) << why;
  }
}

TEST_F(MultiFileOmeTiff, ACompanionFileOutsideTheFolderIsRefused) {
  fs::create_directories(path("in"));
  write_files(binary_only_xml(kUuidA, "../set.companion.ome"), binary_only_xml(kUuidB, "../set.companion.ome"));
  std::ofstream(path("set.companion.ome")) << ome_xml("", "XYZCT", 1, 1, 4, spec_, tiff_data());
  fs::rename(path("a.ome.tif"), path("in/a.ome.tif"));
  EXPECT_NE(open_error(path("in/a.ome.tif")).find("names \"../set.companion.ome\", outside the input's folder"),
            std::string::npos);
}

// ---- what info() reports of the file's organisation ------------------------------------------

using TiffOrganisation = TempDir;

// Two pages, each with two SubIFD levels (halved twice, NewSubfileType=1), as Bio-Formats
// and tifffile write pyramids.
void write_pyramid(const fs::path& file, const TiffSpec& base) {
  TIFF* tif = TIFFOpen(file.c_str(), "w");
  ASSERT_NE(tif, nullptr);
  for (int page = 0; page < base.pages; ++page) {
    std::vector<toff_t> placeholders(2, 0);  // libtiff writes the next two IFDs as SubIFDs
    TIFFSetField(tif, TIFFTAG_SUBIFD, std::uint16_t{2}, placeholders.data());
    write_page(tif, base, page);
    for (std::uint32_t level = 1; level <= 2; ++level) {
      TiffSpec reduced = base;
      reduced.width = base.width >> level;
      reduced.length = base.length >> level;
      reduced.subfile_type = [](int) { return std::uint32_t{FILETYPE_REDUCEDIMAGE}; };
      write_page(tif, reduced, page);
    }
  }
  TIFFClose(tif);
}

TEST_F(TiffOrganisation, SubIfdPyramidListsEveryLevelWhicheverIsOpen) {
  TiffSpec spec;
  spec.pages = 2;
  spec.tile = 16;
  write_pyramid(path("pyramid.tif"), spec);
  const std::vector<Shape> levels{{1, 1, 2, 23, 37}, {1, 1, 2, 11, 18}, {1, 1, 2, 5, 9}};
  for (int level = 0; level < 3; ++level) {
    auto d = tiff_format().open(path("pyramid.tif").string(), {level});
    EXPECT_EQ(d->info().levels, levels) << level;
    EXPECT_EQ(d->info().level_count(), 3u);
    EXPECT_EQ(d->info().shape, levels[level]);
    EXPECT_EQ(d->info().storage, "tiles");
    EXPECT_EQ(d->info().block_shape, (Shape{1, 1, 1, 16, 16}));
    EXPECT_FALSE(d->info().palette);
    const auto expected = expected_array(levels[level], DType::uint16, pattern,
                                         [](auto, auto, std::int64_t z) { return static_cast<int>(z); });
    EXPECT_EQ(first_difference(read_all(*d).bytes(), expected, DType::uint16), "") << level;
  }
  expect_walker_matches_libtiff(path("pyramid.tif"));
}

TEST_F(TiffOrganisation, SingleLevelStripsSeparateSamplesAndPalette) {
  TiffSpec rgb;
  rgb.samples = 3;
  rgb.planar = PLANARCONFIG_SEPARATE;
  rgb.rows_per_strip = 4;
  write_tiff(path("rgb.tif"), rgb);
  auto d = open_tiff(path("rgb.tif"));
  EXPECT_TRUE(d->info().levels.empty());
  EXPECT_EQ(d->info().level_count(), 1u);
  EXPECT_EQ(d->info().storage, "strips");
  EXPECT_EQ(d->info().block_shape, (Shape{1, 1, 1, 4, 37, 1}));
  EXPECT_FALSE(d->info().palette);

  TiffSpec indexed;
  indexed.bits = 8;
  indexed.palette = true;
  indexed.rows_per_strip = 100;  // one strip, clipped to the image
  write_tiff(path("palette.tif"), indexed);
  d = open_tiff(path("palette.tif"));
  EXPECT_TRUE(d->info().palette);
  EXPECT_EQ(d->info().block_shape, (Shape{1, 1, 1, 23, 37}));
  // What info() reports travels to the other ranks with the driver's state.
  EXPECT_EQ(tiff_format().restore(d->save())->info(), d->info());
}

// ---- refusals --------------------------------------------------------------------------------

using TiffRefusals = TempDir;

TEST_F(TiffRefusals, CodecsAndSampleTypesAReaderMustNotGuessAt) {
  struct Case {
    std::string name;
    std::function<void(TiffSpec&)> change;
    std::string cause;
  };
  const std::vector<Case> cases{
      {"float16", [](TiffSpec& s) { s.sample_format = SAMPLEFORMAT_IEEEFP; }, "16-bit floating-point"},
      {"four_bits", [](TiffSpec& s) { s.bits = 4; }, "BitsPerSample=4 is not supported"},
      {"twelve_bit_signed", [](TiffSpec& s) { s.bits = 12, s.sample_format = SAMPLEFORMAT_INT; },
       "packed 12-bit samples are supported as unsigned integers only"},
  };
  for (const Case& c : cases) {
    TiffSpec spec;
    spec.pages = 1;
    c.change(spec);
    const fs::path file = path(c.name + ".tif");
    TIFF* tif = TIFFOpen(file.c_str(), "w");
    ASSERT_NE(tif, nullptr);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, spec.width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 8u);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, spec.bits);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, spec.sample_format);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, spec.compression);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 8u);
    std::vector<std::byte> zeros(spec.width * 8 * 2);
    TIFFWriteEncodedStrip(tif, 0, zeros.data(), static_cast<tmsize_t>(spec.width * 8 * spec.bits / 8));
    TIFFWriteDirectory(tif);
    TIFFClose(tif);
    EXPECT_NE(open_error(file).find(c.cause), std::string::npos) << c.name << ": " << open_error(file);
  }
}

// Byte surgery on classic little-endian TIFFs written by write_tiff, for files no writer
// would produce on purpose.
class TiffPatcher {
 public:
  explicit TiffPatcher(const fs::path& file) : f_(file, std::ios::in | std::ios::out | std::ios::binary) {
    TIFF* tif = TIFFOpen(file.c_str(), "r");
    EXPECT_NE(tif, nullptr);
    do ifds_.push_back(TIFFCurrentDirOffset(tif));
    while (TIFFReadDirectory(tif));
    TIFFClose(tif);
  }
  const std::vector<std::uint64_t>& ifds() const { return ifds_; }

  // Renumbers tag `from` of IFD `ifd` to `to`: a tag made unknown reads as absent.
  void rename_tag(std::size_t ifd, std::uint16_t from, std::uint16_t to) {
    for (std::uint64_t e = 0; e < entries(ifd); ++e)
      if (read<std::uint16_t>(ifds_[ifd] + 2 + e * 12) == from) return write(ifds_[ifd] + 2 + e * 12, to);
    FAIL() << "no tag " << from;
  }
  void set_next_ifd(std::size_t ifd, std::uint32_t target) {
    write(ifds_[ifd] + 2 + entries(ifd) * 12, target);
  }
  // Sets element `index` of a LONG array tag stored outside its IFD entry.
  void set_long_array_element(std::size_t ifd, std::uint16_t tag, std::size_t index, std::uint32_t value) {
    for (std::uint64_t e = 0; e < entries(ifd); ++e) {
      const std::uint64_t entry = ifds_[ifd] + 2 + e * 12;
      if (read<std::uint16_t>(entry) != tag) continue;
      ASSERT_EQ(read<std::uint16_t>(entry + 2), TIFF_LONG);
      ASSERT_GT(read<std::uint32_t>(entry + 4), 1u);
      write(read<std::uint32_t>(entry + 8) + index * 4, value);
      return;
    }
    FAIL() << "no tag " << tag;
  }

 private:
  std::uint64_t entries(std::size_t ifd) { return read<std::uint16_t>(ifds_[ifd]); }
  template <typename T>
  T read(std::uint64_t offset) {
    T v{};
    f_.seekg(static_cast<std::streamoff>(offset));
    f_.read(reinterpret_cast<char*>(&v), sizeof v);
    return v;
  }
  template <typename T>
  void write(std::uint64_t offset, T v) {
    f_.seekp(static_cast<std::streamoff>(offset));
    f_.write(reinterpret_cast<const char*>(&v), sizeof v);
    f_.flush();
  }
  std::fstream f_;
  std::vector<std::uint64_t> ifds_;
};

TEST_F(TiffRefusals, IfdLoopIsRefused) {
  TiffSpec spec;
  write_tiff(path("loop.tif"), spec);
  {
    TiffPatcher patch(path("loop.tif"));
    patch.set_next_ifd(patch.ifds().size() - 1, static_cast<std::uint32_t>(patch.ifds()[0]));
  }
  EXPECT_NE(open_error(path("loop.tif")).find("loops"), std::string::npos) << open_error(path("loop.tif"));
}

TEST_F(TiffRefusals, StripBeyondTheEndOfTheFileIsRefusedAtOpen) {
  TiffSpec spec;
  spec.pages = 1;
  write_tiff(path("cut.tif"), spec);
  TiffPatcher(path("cut.tif")).set_long_array_element(0, TIFFTAG_STRIPOFFSETS, 4, 1u << 30);
  EXPECT_NE(open_error(path("cut.tif")).find("beyond the end of the file"), std::string::npos)
      << open_error(path("cut.tif"));
}

// Pages libtiff repairs (a missing Photometric or StripByteCounts, a single strip's byte
// count too small for its rows) read as libtiff reads them, and their samples read right.
TEST_F(TiffRefusals, PagesLibtiffRepairsReadAsBefore) {
  TiffSpec spec;
  spec.rows_per_strip = 1000;  // one strip per page: libtiff estimates its byte count
  write_tiff(path("repaired.tif"), spec);
  {
    TiffPatcher patch(path("repaired.tif"));
    patch.rename_tag(0, TIFFTAG_PHOTOMETRIC, 65000);
    patch.rename_tag(1, TIFFTAG_STRIPBYTECOUNTS, 65001);
  }
  expect_walker_matches_libtiff(path("repaired.tif"));
  const Shape shape{1, 1, spec.pages, spec.length, spec.width};
  const auto expected = expected_array(shape, DType::uint16, pattern,
                                       [](auto, auto, std::int64_t z) { return static_cast<int>(z); });
  EXPECT_EQ(first_difference(read_all(*open_tiff(path("repaired.tif"))).bytes(), expected, DType::uint16), "");
}

TEST_F(TiffRefusals, IfdBeyondTheEndOfTheFileIsRefused) {
  TiffSpec spec;
  write_tiff(path("far.tif"), spec);
  TiffPatcher(path("far.tif")).set_next_ifd(0, 1u << 30);
  EXPECT_NE(open_error(path("far.tif")).find("IFD 1 (offset 1073741824"), std::string::npos)
      << open_error(path("far.tif"));
}

// Compares the walker with libtiff on every TIFF under `folder` but those in `errors/`
// (damaged on purpose); returns how many files it compared.
int expect_folder_matches_libtiff(const fs::path& folder) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".tif" && ext != ".tiff" && ext != ".btf")) continue;
    if (entry.path().parent_path().filename() == "errors") continue;
    expect_walker_matches_libtiff(entry.path());
    ++files;
  }
  return files;
}

// Every TIFF of ../shared/real-data (written by other software; README there) that libtiff
// reads: the walker reads it alike. Skipped where that folder is absent.
TEST(TiffIfdWalker, RealDataReadsAsLibtiffReadsIt) {
  const fs::path folder = fs::path(STRATA_TESTS_DIR) / ".." / ".." / "shared" / "real-data";
  if (!fs::is_directory(folder)) GTEST_SKIP() << folder << " is absent";
  EXPECT_GT(expect_folder_matches_libtiff(folder), 0);
}

// The fuzzing seeds, written by tifffile (tests/fuzz/make_seeds.py): a SubIFD pyramid,
// big-endian BigTIFF tiles of separate planes, ImageJ and OME-TIFF among them.
TEST(TiffIfdWalker, TifffileSeedsReadAsLibtiffReadsThem) {
  EXPECT_GE(expect_folder_matches_libtiff(fs::path(STRATA_TESTS_DIR) / "fuzz" / "corpus" / "fuzz_tiff_file"), 10);
}

TEST_F(TiffRefusals, NotATiff) {
  std::ofstream(path("text.tif")) << "hello, not a TIFF at all";
  EXPECT_FALSE(tiff_format().recognizes(path("text.tif").string(),
                                        std::as_bytes(std::span(std::string_view("hello")))));
  EXPECT_NE(open_error(path("text.tif")), "");
}

// ---- recognizing, saving and restoring, threads --------------------------------------------

TEST(TiffFormat, RecognizesTheFourMagics) {
  for (std::string_view magic : {std::string_view("II*\0", 4), std::string_view("MM\0*", 4),
                                 std::string_view("II+\0", 4), std::string_view("MM\0+", 4)})
    EXPECT_TRUE(tiff_format().recognizes("x", std::as_bytes(std::span(magic))));
  EXPECT_FALSE(tiff_format().recognizes("x", std::as_bytes(std::span(std::string_view("II*", 3)))));
  EXPECT_FALSE(tiff_format().recognizes("x.ome", {}));
}

// Opening the reproducer `name` of tests/fuzz/crashes/fuzz_tiff_file/ fails with a message
// holding `message`.
void expect_fuzz_crash_refused_at_open(const char* name, const char* message) {
  const fs::path file = fs::path(STRATA_TESTS_DIR) / "fuzz" / "crashes" / "fuzz_tiff_file" / name;
  try {
    tiff_format().open(file.string(), {});
    ADD_FAILURE() << name << " opened";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

// Found by fuzzing (tests/fuzz/README.md): a tile 3791650832 rows tall on a 32 x 32 image
// made the first read allocate 121 GB; it is refused when the file is opened.
TEST(TiffFuzzRegressions, TileFarLargerThanTheImageIsRefusedAtOpen) {
  expect_fuzz_crash_refused_at_open("oom-tiff_reader-scratch.tif", "is far larger than the 32 x 32 image");
}

// Found by fuzzing (docs/fuzzing.md): 16 x 2064 tiles of 16401 contiguous 16-bit samples on a
// 32 x 32 image passed the per-axis check, and the first read allocated 2.16 GB of scratch.
TEST(TiffFuzzRegressions, TileOfManyTimesTheImageAndOver256MiBIsRefusedAtOpen) {
  expect_fuzz_crash_refused_at_open("oom-tile-samples.tif", "bytes) is far larger than the 32 x 32 image");
}

// Found by fuzzing (docs/fuzzing.md): one strip of 3959422980 rows counted 0 strips down in
// 32-bit arithmetic, and building the chunk table read past the strip list. Opening it now
// either succeeds or refuses the file.
TEST(TiffFuzzRegressions, StripCountOfAHugeStripDoesNotWrap) {
  const fs::path file = fs::path(STRATA_TESTS_DIR) / "fuzz" / "crashes" / "fuzz_tiff_file" / "crash-strip-count-overflow.tif";
  try {
    const auto driver = tiff_format().open(file.string(), {});
    EXPECT_EQ(driver->chunks().chunks.empty(), false);
  } catch (const Error&) {
    // refused: as good
  }
}

// Found by fuzz_tiff_file's walker-against-libtiff check (docs/fuzzing.md): uncompressed tiles
// whose first two byte counts differ (3 and 1) are re-estimated by libtiff (to the tile size);
// the walker read them as stored. Such pages now go to libtiff.
TEST(TiffFuzzRegressions, UncompressedTilesOfDifferingByteCountsReadAsLibtiffReadsThem) {
  expect_walker_matches_libtiff(fs::path(STRATA_TESTS_DIR) / "fuzz" / "crashes" / "fuzz_tiff_file" /
                                "diff-tile-byte-counts-reestimated.tif");
}

// Found by fuzz_tiff_file (docs/fuzzing.md): SamplesPerPixel=0 made the walker read the first
// of no per-sample values (a null read). Such a page goes to libtiff, which refuses it.
TEST(TiffFuzzRegressions, ZeroSamplesPerPixelIsRefusedAtOpen) {
  expect_fuzz_crash_refused_at_open("crash-zero-samples-per-pixel.tif", "Bad value 0 for \"SamplesPerPixel\"");
}

// Found by fuzz_tiff_file's walker-against-libtiff check (docs/fuzzing.md): an IFD with both
// TileOffsets and StripOffsets; the walker took the first, libtiff the other. A page with a
// tag it needs twice (or both arrays) now goes to libtiff.
TEST(TiffFuzzRegressions, StripAndTileOffsetsBothReadAsLibtiffReadsThem) {
  expect_walker_matches_libtiff(fs::path(STRATA_TESTS_DIR) / "fuzz" / "crashes" / "fuzz_tiff_file" /
                                "diff-strip-and-tile-offsets.tif");
}

// Found by fuzz_tiff_file's walker-against-libtiff check (docs/fuzzing.md): FillOrder=16,
// which libtiff drops (reading the default, 1); the walker kept it. Values libtiff rejects
// (FillOrder, SampleFormat out of range, RowsPerStrip 0) now send the page to libtiff.
TEST(TiffFuzzRegressions, FillOrderOutOfRangeReadsAsLibtiffReadsIt) {
  expect_walker_matches_libtiff(fs::path(STRATA_TESTS_DIR) / "fuzz" / "crashes" / "fuzz_tiff_file" /
                                "diff-fill-order-out-of-range.tif");
}

// Found by fuzz_tiff_file's walker-against-libtiff check (docs/fuzzing.md): a SubIFD tag of
// SHORTs, which libtiff drops (it reads SubIFD offsets only as LONG, LONG8 or IFD types); the
// walker read them. diff-subifd-of-shorts.tif is the reproducer with its first IFD's
// SamplesPerPixel made a SHORT, so that libtiff reads the file and the check reaches IFD 1.
TEST(TiffFuzzRegressions, SubIfdTagOfShortsReadsAsLibtiffReadsIt) {
  expect_walker_matches_libtiff(fs::path(STRATA_TESTS_DIR) / "fuzz" / "crashes" / "fuzz_tiff_file" /
                                "diff-subifd-of-shorts.tif");
}

// The same finding's first IFD: a SamplesPerPixel of type IFD, which the walker read as 1 and
// libtiff refuses. Tags of types libtiff does not read for them now go to libtiff.
TEST(TiffFuzzRegressions, SamplesPerPixelOfTypeIfdIsRefusedAtOpen) {
  expect_fuzz_crash_refused_at_open("diff-samples-of-type-ifd.tif", "Incompatible type for \"SamplesPerPixel\"");
}

}  // namespace
}  // namespace strata
