#include "formats/tiff/tiff_structure.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "formats/tiff/libtiff_handle.hpp"
#include "io/file.hpp"
#include "strata/error.hpp"

namespace strata::tiff {
namespace {

// ---- libtiff: the reference, and the reader of pages it repairs ---------------------------

template <typename T>
T field_or(TIFF* tif, ttag_t tag, T fallback) {
  T value{};
  return TIFFGetFieldDefaulted(tif, tag, &value) ? value : fallback;
}

bool codec_has_predictor(std::uint16_t compression) {
  switch (compression) {
    case COMPRESSION_LZW:
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
    case COMPRESSION_LZMA:
    case COMPRESSION_ZSTD: return true;
    default: return false;
  }
}

// The page libtiff reads at the IFD `handle` has current.
TiffPage libtiff_page(const LibtiffHandle& handle) {
  TIFF* tif = handle.get();
  TiffPage p;
  p.ifd_offset = TIFFCurrentDirOffset(tif);
  p.width = field_or<std::uint32_t>(tif, TIFFTAG_IMAGEWIDTH, 0);
  p.length = field_or<std::uint32_t>(tif, TIFFTAG_IMAGELENGTH, 0);
  p.bits = field_or<std::uint16_t>(tif, TIFFTAG_BITSPERSAMPLE, 1);
  p.sample_format = field_or<std::uint16_t>(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
  p.samples = field_or<std::uint16_t>(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  p.planar = field_or<std::uint16_t>(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  p.compression = field_or<std::uint16_t>(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  // Predictor is a codec tag: asking a codec without one for it is undefined in libtiff.
  if (codec_has_predictor(p.compression))
    p.predictor = field_or<std::uint16_t>(tif, TIFFTAG_PREDICTOR, PREDICTOR_NONE);
  p.photometric = field_or<std::uint16_t>(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  p.fill_order = field_or<std::uint16_t>(tif, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
  p.subfile_type = field_or<std::uint32_t>(tif, TIFFTAG_SUBFILETYPE, 0);
  if (p.photometric == PHOTOMETRIC_YCBCR)
    TIFFGetFieldDefaulted(tif, TIFFTAG_YCBCRSUBSAMPLING, &p.ycbcr_subsampling[0],
                          &p.ycbcr_subsampling[1]);
  std::uint16_t subifd_count = 0;
  toff_t* subifd_offsets = nullptr;  // libtiff's memory, valid until it reads another IFD
  if (TIFFGetField(tif, TIFFTAG_SUBIFD, &subifd_count, &subifd_offsets) && subifd_offsets)
    p.subifds.assign(subifd_offsets, subifd_offsets + subifd_count);
  p.tiled = TIFFIsTiled(tif);
  if (p.tiled) {
    p.tile_width = field_or<std::uint32_t>(tif, TIFFTAG_TILEWIDTH, 0);
    p.tile_length = field_or<std::uint32_t>(tif, TIFFTAG_TILELENGTH, 0);
  } else {
    p.rows_per_strip = field_or<std::uint32_t>(tif, TIFFTAG_ROWSPERSTRIP, p.length);
  }
  // libtiff sizes the offset arrays from the image geometry; missing entries read as 0.
  const std::uint32_t count = p.tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
  p.striles.resize(count);
  for (std::uint32_t i = 0; i < count; ++i)
    p.striles[i] = {TIFFGetStrileOffset(tif, i), TIFFGetStrileByteCount(tif, i)};
  return p;
}

// ---- the IFD walker -----------------------------------------------------------------------

enum Type : std::uint16_t {
  kByte = 1, kAscii = 2, kShort = 3, kLong = 4, kRational = 5, kSByte = 6, kUndefined = 7,
  kSShort = 8, kSLong = 9, kSRational = 10, kFloat = 11, kDouble = 12, kIfd = 13,
  kLong8 = 16, kSLong8 = 17, kIfd8 = 18,
};

unsigned type_width(std::uint16_t type) {
  switch (type) {
    case kByte: case kAscii: case kSByte: case kUndefined: return 1;
    case kShort: case kSShort: return 2;
    case kLong: case kSLong: case kFloat: case kIfd: return 4;
    case kRational: case kSRational: case kDouble: case kLong8: case kSLong8: case kIfd8: return 8;
    default: return 0;
  }
}

// The types libtiff reads without complaint for a tag: unsigned integers for a value or an
// offset (libtiff refuses IFD types there), and for SubIFDs only LONG, LONG8 and the IFD types
// (it drops a SubIFD tag of SHORTs). Found by fuzz_tiff_file: docs/fuzzing.md.
enum class Values { kNumbers, kIfdOffsets };

bool accepted_type(std::uint16_t type, Values kind) {
  if (kind == Values::kIfdOffsets) return type == kLong || type == kLong8 || type == kIfd || type == kIfd8;
  return type == kByte || type == kShort || type == kLong || type == kLong8;
}

// One directory entry: its value's bytes in place when they fit the entry, else where they are.
struct Entry {
  std::uint16_t tag = 0;
  std::uint16_t type = 0;
  std::uint64_t count = 0;
  std::array<std::byte, 8> inline_bytes{};  // the value field as stored
  std::uint64_t value_offset = 0;           // the value field read as an offset
  bool present() const noexcept { return tag != 0; }
};

// The tags a page needs (YCbCr subsampling aside: YCbCr pages go to libtiff), by tag number.
struct PageEntries {
  Entry subfile_type, width, length, bits, compression, photometric, fill_order, description,
      strile_offsets, samples, rows_per_strip, strile_counts, x_resolution, y_resolution,
      planar, predictor, tile_width, tile_length, subifds, sample_format;
  bool repeated = false;  // a tag of these twice, or strip and tile arrays both: libtiff decides

  Entry* slot(std::uint16_t tag) {
    switch (tag) {
      case 254: return &subfile_type;
      case 256: return &width;
      case 257: return &length;
      case 258: return &bits;
      case 259: return &compression;
      case 262: return &photometric;
      case 266: return &fill_order;
      case 270: return &description;
      case 273: case 324: return &strile_offsets;  // libtiff takes either for either layout
      case 277: return &samples;
      case 278: return &rows_per_strip;
      case 279: case 325: return &strile_counts;
      case 282: return &x_resolution;
      case 283: return &y_resolution;
      case 284: return &planar;
      case 317: return &predictor;
      case 322: return &tile_width;
      case 323: return &tile_length;
      case 330: return &subifds;
      case 339: return &sample_format;
      default: return nullptr;
    }
  }
};

// Thrown inside the walker for a page whose tags libtiff would repair or interpret (a
// missing Photometric, a bogus byte count, OJPEG, ...): that page is read through libtiff.
struct NeedsLibtiff {};

// Reads a TIFF's IFDs with few preads: a window of the file is kept in memory, so the IFDs of
// a file of many small pages (each IFD beside its page's data) come about ten per read.
class IfdWalker {
 public:
  explicit IfdWalker(const std::string& path) : file_(path) {
    struct stat st {};
    if (::fstat(file_.descriptor(), &st) != 0) throw Error(path, "cannot stat the file");
    size_ = static_cast<std::uint64_t>(st.st_size);
    const auto head = fetch(0, std::min<std::uint64_t>(size_, 16), "the header");
    if (head.size() < 8) throw Error(path, "cannot open as TIFF: the file is too short for a TIFF header");
    if (std::memcmp(head.data(), "II", 2) == 0) swap_ = std::endian::native != std::endian::little;
    else if (std::memcmp(head.data(), "MM", 2) == 0) swap_ = std::endian::native != std::endian::big;
    else throw Error(path, "cannot open as TIFF: no TIFF byte-order mark");
    big_endian_ = head[0] == std::byte{'M'};
    const std::uint64_t version = integer(head.data() + 2, 2);
    if (version == 42) {
      first_ifd_ = integer(head.data() + 4, 4);
    } else if (version == 43 && head.size() >= 16 && integer(head.data() + 4, 2) == 8 &&
               integer(head.data() + 6, 2) == 0) {
      bigtiff_ = true;
      first_ifd_ = integer(head.data() + 8, 8);
    } else {
      throw Error(path, "cannot open as TIFF: version " + std::to_string(version) + " in the header");
    }
  }

  const std::string& path() const noexcept { return file_.path(); }
  std::uint64_t size() const noexcept { return size_; }
  bool big_endian() const noexcept { return big_endian_; }
  std::uint64_t first_ifd() const noexcept { return first_ifd_; }

  // The entries of the IFD at `offset` that a page needs; sets `next` to its next-IFD link.
  PageEntries read_ifd(std::uint64_t offset, std::uint64_t& next, const std::string& what) {
    const unsigned count_size = bigtiff_ ? 8 : 2, entry_size = bigtiff_ ? 20 : 12, link_size = bigtiff_ ? 8 : 4;
    const std::uint64_t entries = integer(fetch(offset, count_size, what).data(), count_size);
    // libtiff's bound too: a real IFD has a few dozen entries, a bogus offset reads noise.
    if (entries == 0 || entries > kMaxEntries)
      throw Error(path(), what + " (offset " + std::to_string(offset) + ") claims " + std::to_string(entries) +
                              " entries (a valid IFD has 1 to " + std::to_string(kMaxEntries) + ")");
    if (entries > (size_ - offset - count_size) / entry_size)
      throw Error(path(), what + " (offset " + std::to_string(offset) + ") claims " + std::to_string(entries) +
                              " entries, more than the file holds");
    const std::uint64_t bytes = entries * entry_size;
    // The link may be missing at the very end of the file: libtiff then ends the chain.
    const bool has_link = bytes + link_size <= size_ - offset - count_size;
    const auto raw = fetch(offset + count_size, bytes + (has_link ? link_size : 0), what);
    PageEntries out;
    for (std::uint64_t i = 0; i < entries; ++i) {
      const std::byte* e = raw.data() + i * entry_size;
      const auto tag = static_cast<std::uint16_t>(integer(e, 2));
      Entry* slot = out.slot(tag);
      if (!slot) continue;
      if (slot->present()) {
        out.repeated = true;
        continue;
      }
      slot->tag = tag;
      slot->type = static_cast<std::uint16_t>(integer(e + 2, 2));
      slot->count = integer(e + 4, bigtiff_ ? 8 : 4);
      const std::byte* value = e + (bigtiff_ ? 12 : 8);
      std::memcpy(slot->inline_bytes.data(), value, bigtiff_ ? 8 : 4);
      slot->value_offset = integer(value, bigtiff_ ? 8 : 4);
    }
    next = has_link ? integer(raw.data() + bytes, link_size) : 0;
    return out;
  }

  // The first `n` values of unsigned integer entry `e` (n <= e.count).
  std::vector<std::uint64_t> integers(const Entry& e, std::uint64_t n, const std::string& what,
                                      Values kind = Values::kNumbers) {
    if (!accepted_type(e.type, kind)) throw NeedsLibtiff{};
    const unsigned width = type_width(e.type);
    const auto bytes = value_bytes(e, n, what);
    std::vector<std::uint64_t> values(n);
    for (std::uint64_t i = 0; i < n; ++i) values[i] = integer(bytes.data() + i * width, width);
    return values;
  }

  // The single value of entry `e`, or `fallback` when it is absent; libtiff's repairs when
  // it has another count or type, or a value wider than `max`.
  std::uint64_t scalar(const Entry& e, std::uint64_t fallback, std::uint64_t max, const std::string& what) {
    if (!e.present()) return fallback;
    if (e.count != 1) throw NeedsLibtiff{};
    const std::uint64_t v = integers(e, 1, what)[0];
    if (v > max) throw NeedsLibtiff{};
    return v;
  }

  // A per-sample value (BitsPerSample, SampleFormat) of `samples` >= 1: every sample must agree.
  std::uint64_t per_sample(const Entry& e, std::uint64_t samples, std::uint64_t fallback, const std::string& what) {
    if (!e.present()) return fallback;
    if (e.count == 0 || e.count > 65535) throw NeedsLibtiff{};
    const auto values = integers(e, std::min(e.count, samples), what);
    if (std::any_of(values.begin(), values.end(), [&](std::uint64_t v) { return v != values[0]; }) ||
        values[0] > 0xFFFF)
      throw NeedsLibtiff{};
    return values[0];
  }

  // The text of an ASCII entry, up to its first NUL.
  std::string text(const Entry& e, const std::string& what) {
    if (type_width(e.type) != 1) return {};
    const auto bytes = value_bytes(e, e.count, what);
    const auto* chars = reinterpret_cast<const char*>(bytes.data());
    return std::string(chars, std::find(chars, chars + bytes.size(), '\0'));
  }

  // The first value of a RATIONAL entry as libtiff gives it (a float; 0 for a zero term).
  double rational(const Entry& e, const std::string& what) {
    if (e.type != kRational || e.count == 0) return 0;
    const auto bytes = value_bytes(e, 1, what);
    const std::uint64_t num = integer(bytes.data(), 4), den = integer(bytes.data() + 4, 4);
    return num == 0 || den == 0 ? 0.0 : static_cast<float>(static_cast<double>(num) / static_cast<double>(den));
  }

 private:
  // The bytes of the first `n` values of `e`: in the entry, or checked against the file.
  std::span<const std::byte> value_bytes(const Entry& e, std::uint64_t n, const std::string& what) {
    const unsigned width = type_width(e.type);
    if (width == 0) throw NeedsLibtiff{};
    if (e.count > size_ / width + 1)  // cannot all lie in the file
      throw Error(path(), what + ": tag " + std::to_string(e.tag) + " claims " + std::to_string(e.count) +
                              " values, more than the file holds");
    if (e.count * width <= (bigtiff_ ? 8u : 4u)) return std::span(e.inline_bytes).first(n * width);
    return fetch(e.value_offset, n * width, what + ": tag " + std::to_string(e.tag));
  }

  std::uint64_t integer(const std::byte* p, unsigned width) const {
    std::uint64_t v = 0;
    switch (width) {
      case 1: return std::to_integer<std::uint64_t>(*p);
      case 2: { std::uint16_t x; std::memcpy(&x, p, 2); v = swap_ ? __builtin_bswap16(x) : x; break; }
      case 4: { std::uint32_t x; std::memcpy(&x, p, 4); v = swap_ ? __builtin_bswap32(x) : x; break; }
      case 8: { std::uint64_t x; std::memcpy(&x, p, 8); v = swap_ ? __builtin_bswap64(x) : x; break; }
    }
    return v;
  }

  // `n` bytes at `offset`, checked against the file size; valid until the next fetch.
  std::span<const std::byte> fetch(std::uint64_t offset, std::uint64_t n, const std::string& what) {
    if (offset > size_ || n > size_ - offset)
      throw Error(path(), what + " (offset " + std::to_string(offset) + ", " + std::to_string(n) +
                              " bytes) lies beyond the end of the file (" + std::to_string(size_) + " bytes)");
    if (offset >= window_start_ && offset + n <= window_start_ + window_.size())
      return std::span(window_).subspan(offset - window_start_, n);
    window_.resize(std::max<std::uint64_t>(n, std::min(kWindow, size_ - offset)));
    window_start_ = offset;
    file_.read_at(window_, offset);
    return std::span(window_).first(n);
  }

  // A page: the IFDs of about ten small pages (tifffile writes each beside its page's
  // data), or one IFD of a big page with its strip or tile arrays, per read.
  static constexpr std::uint64_t kWindow = 4096;
  static constexpr std::uint64_t kMaxEntries = 4096;

  io::File file_;
  std::uint64_t size_ = 0;
  bool swap_ = false;
  bool big_endian_ = false;
  bool bigtiff_ = false;
  std::uint64_t first_ifd_ = 0;
  std::vector<std::byte> window_;
  std::uint64_t window_start_ = 0;
};

std::uint64_t blocks(std::uint64_t size, std::uint64_t block) { return block == 0 ? 0 : (size + block - 1) / block; }

// The page at the IFD `ifd`, from the entries the walker read; NeedsLibtiff for what libtiff
// would repair. Mirrors libtiff_page on the files writers produce (tests compare the two).
TiffPage walker_page(IfdWalker& w, const PageEntries& t, std::uint64_t ifd, const std::string& what) {
  constexpr std::uint64_t k16 = 0xFFFF, k32 = 0xFFFFFFFF;
  TiffPage p;
  p.ifd_offset = ifd;
  if (t.repeated || !t.length.present() || !t.strile_offsets.present() || !t.strile_counts.present() ||
      !t.photometric.present())
    throw NeedsLibtiff{};
  p.width = static_cast<std::uint32_t>(w.scalar(t.width, 0, k32, what));
  p.length = static_cast<std::uint32_t>(w.scalar(t.length, 0, k32, what));
  p.samples = static_cast<std::uint16_t>(w.scalar(t.samples, 1, k16, what));
  if (p.samples == 0) throw NeedsLibtiff{};  // before the per-sample values are read
  p.bits = static_cast<std::uint16_t>(w.per_sample(t.bits, p.samples, 1, what));
  p.sample_format = static_cast<std::uint16_t>(w.per_sample(t.sample_format, p.samples, SAMPLEFORMAT_UINT, what));
  p.planar = static_cast<std::uint16_t>(w.scalar(t.planar, PLANARCONFIG_CONTIG, k16, what));
  p.compression = static_cast<std::uint16_t>(w.scalar(t.compression, COMPRESSION_NONE, k16, what));
  if (codec_has_predictor(p.compression))
    p.predictor = static_cast<std::uint16_t>(w.scalar(t.predictor, PREDICTOR_NONE, k16, what));
  p.photometric = static_cast<std::uint16_t>(w.scalar(t.photometric, 0, k16, what));
  p.fill_order = static_cast<std::uint16_t>(w.scalar(t.fill_order, FILLORDER_MSB2LSB, k16, what));
  p.subfile_type = static_cast<std::uint32_t>(w.scalar(t.subfile_type, 0, k32, what));
  // libtiff interprets these: OJPEG's and YCbCr's tags from the compressed stream; samples,
  // planes and byte counts it checks against each other.
  // Values libtiff's TIFFSetField rejects (it then drops the tag or the page): FillOrder and
  // SampleFormat out of their ranges, RowsPerStrip 0.
  if ((p.fill_order != FILLORDER_MSB2LSB && p.fill_order != FILLORDER_LSB2MSB) || p.sample_format < 1 ||
      p.sample_format > 6)
    throw NeedsLibtiff{};
  if (p.compression == COMPRESSION_OJPEG || p.photometric == PHOTOMETRIC_YCBCR ||
      (p.planar != PLANARCONFIG_CONTIG && p.planar != PLANARCONFIG_SEPARATE) ||
      p.photometric == PHOTOMETRIC_PALETTE)
    throw NeedsLibtiff{};
  if (t.subifds.present()) {
    if (t.subifds.count > k16) throw NeedsLibtiff{};
    p.subifds = w.integers(t.subifds, t.subifds.count, what, Values::kIfdOffsets);
  }
  p.tiled = t.tile_width.present() || t.tile_length.present();
  std::uint64_t count = 0;
  if (p.tiled) {
    p.tile_width = static_cast<std::uint32_t>(w.scalar(t.tile_width, 0, k32, what));
    p.tile_length = static_cast<std::uint32_t>(w.scalar(t.tile_length, 0, k32, what));
    count = blocks(p.width, p.tile_width) * blocks(p.length, p.tile_length);
  } else {
    // Absent: libtiff's default, one strip for the whole image.
    p.rows_per_strip = static_cast<std::uint32_t>(w.scalar(t.rows_per_strip, k32, k32, what));
    if (p.rows_per_strip == 0) throw NeedsLibtiff{};
    const std::uint64_t rows = std::min(p.rows_per_strip, p.length);
    count = rows == 0 ? 1 : blocks(p.length, rows);
  }
  // libtiff counts strips and tiles in 32 bits; more cannot be a file it reads.
  if (count > k32 / p.samples) throw NeedsLibtiff{};
  if (p.planar == PLANARCONFIG_SEPARATE) count *= p.samples;
  // Arrays of another length than the geometry's: libtiff pads or trims them.
  if (count == 0 || t.strile_offsets.count != count || t.strile_counts.count != count) throw NeedsLibtiff{};
  const auto offsets = w.integers(t.strile_offsets, count, what);
  const auto sizes = w.integers(t.strile_counts, count, what);
  // libtiff re-estimates uncompressed byte counts that look wrong (BYTECOUNTLOOKSBAD and its
  // neighbour), tiles as well as strips (found by fuzz_tiff_file: docs/fuzzing.md).
  if (p.compression == COMPRESSION_NONE) {
    const std::uint64_t sample_bits = std::uint64_t{p.bits} * (p.planar == PLANARCONFIG_CONTIG ? p.samples : 1);
    const std::uint64_t row_bytes = (std::uint64_t{p.width} * sample_bits + 7) / 8;
    if (count == 1 && offsets[0] != 0 &&
        (offsets[0] > w.size() || sizes[0] > w.size() - offsets[0] || sizes[0] < row_bytes * p.length))
      throw NeedsLibtiff{};
    if (p.planar == PLANARCONFIG_CONTIG && count > 2 && sizes[0] != sizes[1] && sizes[0] != 0 && sizes[1] != 0)
      throw NeedsLibtiff{};
  }
  if (count == 1 && offsets[0] != 0 && sizes[0] == 0) throw NeedsLibtiff{};
  p.striles.resize(count);
  for (std::uint64_t i = 0; i < count; ++i) p.striles[i] = {offsets[i], sizes[i]};
  return p;
}

// Reads pages by IFD offset: the walker for what writers produce, libtiff (opened on first
// need) for pages it would repair, so both give what libtiff alone gave.
class PageReader {
 public:
  explicit PageReader(const std::string& path) : walker_(path) {}

  IfdWalker& walker() { return walker_; }

  TiffPage page(std::uint64_t offset, const PageEntries& entries, const std::string& what) {
    try {
      return walker_page(walker_, entries, offset, what);
    } catch (const NeedsLibtiff&) {
      if (!libtiff_) libtiff_.emplace(walker_.path(), "rch");
      libtiff_->clear_error();
      if (!TIFFSetSubDirectory(libtiff_->get(), offset)) libtiff_->fail("reading " + what);
      return libtiff_page(*libtiff_);
    }
  }

  TiffPage page(std::uint64_t offset, const std::string& what) {
    std::uint64_t next = 0;
    return page(offset, walker_.read_ifd(offset, next, what), what);
  }

 private:
  IfdWalker walker_;
  std::optional<LibtiffHandle> libtiff_;
};

}  // namespace

TiffStructure read_tiff_structure(const std::string& path) {
  PageReader reader(path);
  IfdWalker& walker = reader.walker();
  TiffStructure s;
  s.path = path;
  s.big_endian = walker.big_endian();
  s.file_size = walker.size();
  std::unordered_set<std::uint64_t> seen;
  for (std::uint64_t ifd = walker.first_ifd(); ifd != 0;) {
    const std::string what = "IFD " + std::to_string(s.pages.size());
    if (!seen.insert(ifd).second)
      throw Error(path, "the IFD chain loops: IFD " + std::to_string(s.pages.size() - 1) +
                            " points back to the IFD at offset " + std::to_string(ifd));
    std::uint64_t next = 0;
    const PageEntries entries = walker.read_ifd(ifd, next, what);
    if (s.pages.empty()) {
      s.description = walker.text(entries.description, what);
      s.x_resolution = walker.rational(entries.x_resolution, what);
      s.y_resolution = walker.rational(entries.y_resolution, what);
    }
    s.pages.push_back(reader.page(ifd, entries, what));
    ifd = next;
  }
  if (s.pages.empty()) throw Error(path, "cannot open as TIFF: the header points to no IFD");
  return s;
}

namespace {

// Page `index`'s resolution level `level` (>= 1, within its SubIFDs).
TiffPage read_subifd(PageReader& reader, const TiffPage& page, std::size_t index, std::size_t level) {
  return reader.page(page.subifds.at(level - 1), "the SubIFD at offset " + std::to_string(page.subifds.at(level - 1)) +
                                                     " of IFD " + std::to_string(index));
}

}  // namespace

void select_subifd_level(TiffStructure& file, const std::vector<std::int32_t>& pages, int level) {
  PageReader reader(file.path);
  for (const std::int32_t index : pages) {
    TiffPage& page = file.pages.at(static_cast<std::size_t>(index));
    if (page.subifds.size() < static_cast<std::size_t>(level))
      throw Error(file.path, "resolution level " + std::to_string(level) + " requested, but IFD " +
                                 std::to_string(index) + " has " + std::to_string(page.subifds.size() + 1) +
                                 " level(s) (itself and its SubIFDs)");
    page = read_subifd(reader, page, static_cast<std::size_t>(index), static_cast<std::size_t>(level));
  }
}

std::vector<TiffPage> read_subifd_pages(const TiffStructure& file, std::size_t index, std::size_t count) {
  PageReader reader(file.path);
  std::vector<TiffPage> levels;
  for (std::size_t level = 1; level <= count; ++level)
    levels.push_back(read_subifd(reader, file.pages.at(index), index, level));
  return levels;
}

TiffPage read_tiff_page_with_libtiff(const std::string& path, std::uint64_t ifd_offset) {
  LibtiffHandle handle(path, "rch");
  if (!TIFFSetSubDirectory(handle.get(), ifd_offset))
    handle.fail("reading the IFD at offset " + std::to_string(ifd_offset));
  return libtiff_page(handle);
}

}  // namespace strata::tiff
