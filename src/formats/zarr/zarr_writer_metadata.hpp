#pragma once
// The metadata of the OME-Zarr image strata writes: a Zarr v2 group (NGFF 0.4) holding one
// array, "0", stored one plane per chunk in nested ("/") chunk keys. Pure: builds JSON
// documents, touches no file.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/info.hpp"

namespace strata::zarr {

// The name of the array inside the image group (the one multiscale level).
inline constexpr std::string_view kZarrArrayName = "0";

// The --compress values of the Zarr output; the first is the default.
const std::vector<std::string_view>& zarr_codecs();

// The `.zarray` "compressor" for one of zarr_codecs(), as numcodecs states it (null for
// "none"): Blosc at level 5 with byte shuffle, GZip and Zstd at level 1. Blosc's typesize
// is not stated: it is the dtype's size.
nlohmann::json zarr_compressor(std::string_view codec);

// NumPy typestr in this machine's byte order: "<u2", "|u1", "<f4".
std::string zarr_typestr(DType dtype);


struct ZarrDocuments {
  nlohmann::json zgroup;  // the group's .zgroup
  nlohmann::json zattrs;  // the group's .zattrs: "multiscales", and "omero" with channel names
  nlohmann::json zarray;  // the array's .zarray
};

// The documents for `info` written with `codec`, one chunk per plane of `plane_axes`
// trailing axes (see strata/slab.hpp).
ZarrDocuments zarr_documents(const ArrayInfo& info, int plane_axes, std::string_view codec);

}  // namespace strata::zarr
