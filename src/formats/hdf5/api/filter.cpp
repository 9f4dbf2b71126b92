#include "formats/hdf5/api/filter.hpp"

#include <blosc.h>
#include <hdf5.h>

#include <span>

#include "codecs/blosc.hpp"
#include "strata/error.hpp"

namespace strata::hdf5::api {
namespace {

constexpr unsigned kFilterRevision = 2;
constexpr int kMaxChunkRank = 32;

void push_error(const char* function, const char* message) {
  H5Epush2(H5E_DEFAULT, __FILE__, function, __LINE__, H5E_ERR_CLS, H5E_PLINE, H5E_CANTFILTER, "%s", message);
}

// Fills in slots 0-3 of cd_values when a dataset is created with the filter.
herr_t set_local(hid_t dcpl, hid_t type, hid_t) {
  unsigned flags = 0;
  size_t count = 8;
  unsigned values[8] = {};
  if (H5Pget_filter_by_id2(dcpl, kBloscFilterId, &flags, &count, values, 0, nullptr, nullptr) < 0) return -1;
  if (count < 4) count = 4;
  values[0] = kFilterRevision;
  values[1] = BLOSC_VERSION_FORMAT;

  const size_t type_size = H5Tget_size(type);
  if (type_size == 0) return -1;
  size_t element_size = type_size;
  if (H5Tget_class(type) == H5T_ARRAY) {  // shuffle by the array's element, as hdf5-blosc does
    const hid_t base = H5Tget_super(type);
    if (base < 0) return -1;
    element_size = H5Tget_size(base);
    H5Tclose(base);  // unchecked: a copy of a type; closing it cannot lose anything
    if (element_size == 0) return -1;
  }
  values[2] = element_size <= BLOSC_MAX_TYPESIZE ? static_cast<unsigned>(element_size) : 1;

  hsize_t chunk[kMaxChunkRank];
  const int rank = H5Pget_chunk(dcpl, kMaxChunkRank, chunk);
  if (rank < 0) return -1;
  size_t chunk_bytes = type_size;
  for (int i = 0; i < rank; ++i) chunk_bytes *= chunk[i];
  values[3] = static_cast<unsigned>(chunk_bytes);
  return H5Pmodify_filter(dcpl, kBloscFilterId, flags, count, values);
}

size_t decompress(size_t nbytes, size_t* buf_size, void** buf) {
  const std::span<const std::byte> in(static_cast<const std::byte*>(*buf), nbytes);
  size_t decoded = 0;
  if (nbytes < BLOSC_MIN_HEADER_LENGTH || blosc_cbuffer_validate(in.data(), nbytes, &decoded) != 0) {
    push_error("blosc_filter", "blosc: corrupt or truncated chunk");
    return 0;
  }
  void* out = H5allocate_memory(decoded, false);
  if (!out) {
    push_error("blosc_filter", "blosc: out of memory");
    return 0;
  }
  try {
    codecs::blosc_decode(in, {static_cast<std::byte*>(out), decoded});
  } catch (const Error& e) {
    H5free_memory(out);
    push_error("blosc_filter", e.what());
    return 0;
  }
  H5free_memory(*buf);
  *buf = out;
  *buf_size = decoded;
  return decoded;
}

size_t compress(size_t count, const unsigned values[], size_t nbytes, size_t* buf_size, void** buf) {
  const int compressor = count > 6 ? static_cast<int>(values[6]) : BLOSC_BLOSCLZ;
  const char* compressor_name = nullptr;
  if (blosc_compcode_to_compname(compressor, &compressor_name) < 0 || !compressor_name) {
    push_error("blosc_filter", "blosc: this libblosc lacks the requested compressor");
    return 0;
  }
  codecs::BloscOptions options;
  options.cname = compressor_name;
  options.clevel = count > 4 ? static_cast<int>(values[4]) : 5;
  options.shuffle = count > 5 ? static_cast<int>(values[5]) : BLOSC_SHUFFLE;
  options.typesize = count > 2 && values[2] > 0 ? values[2] : 1;
  const size_t capacity = codecs::blosc_encode_bound(nbytes);
  void* out = H5allocate_memory(capacity, false);
  if (!out) {
    push_error("blosc_filter", "blosc: out of memory");
    return 0;
  }
  size_t written = 0;
  try {
    written = codecs::blosc_encode({static_cast<const std::byte*>(*buf), nbytes},
                                   {static_cast<std::byte*>(out), capacity}, options);
  } catch (const Error& e) {
    H5free_memory(out);
    push_error("blosc_filter", e.what());
    return 0;
  }
  H5free_memory(*buf);
  *buf = out;
  *buf_size = capacity;
  return written;
}

size_t blosc_filter(unsigned flags, size_t count, const unsigned values[], size_t nbytes, size_t* buf_size,
                    void** buf) {
  return (flags & H5Z_FLAG_REVERSE) ? decompress(nbytes, buf_size, buf)
                                    : compress(count, values, nbytes, buf_size, buf);
}

}  // namespace

void register_blosc_filter() {
  static const H5Z_class2_t filter{
      H5Z_CLASS_T_VERS, static_cast<H5Z_filter_t>(kBloscFilterId), 1, 1, "blosc", nullptr, set_local, blosc_filter};
  if (H5Zregister(&filter) < 0) throw Error("", "HDF5: cannot register the Blosc filter (32001)");
}

bool filter_available(int id) {
  const htri_t available = H5Zfilter_avail(static_cast<H5Z_filter_t>(id));
  // A failure (a plugin that does not load) means unavailable too; its records go.
  if (available < 0) H5Eclear2(H5E_DEFAULT);
  return available > 0;
}

}  // namespace strata::hdf5::api
