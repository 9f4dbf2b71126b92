#include "formats/hdf5/api/property_list.hpp"

#include <algorithm>

namespace strata::hdf5::api {

Id plist_create(PropertyList kind, const std::string& path) {
  const hid_t cls = kind == PropertyList::file_access        ? H5P_FILE_ACCESS
                    : kind == PropertyList::dataset_creation ? H5P_DATASET_CREATE
                                                             : H5P_DATASET_XFER;
  return Id(check(H5Pcreate(cls), path, "HDF5: cannot create a property list"));
}

void plist_set_file_locking_off(hid_t access, const std::string& path) {
  check(H5Pset_file_locking(access, false, true), path, "HDF5: cannot turn file locking off");
}

void plist_set_mpio(hid_t access, MPI_Comm comm, MPI_Info info, const std::string& path) {
  check(H5Pset_fapl_mpio(access, comm, info), path, "HDF5: cannot select MPI-IO");
}

hsize_t plist_user_block(hid_t creation, const std::string& path) {
  hsize_t size = 0;
  check(H5Pget_userblock(creation, &size), path, "HDF5: cannot read the user block size");
  return size;
}

H5D_layout_t plist_layout(hid_t creation, const std::string& path) {
  return check(H5Pget_layout(creation), path, "HDF5: cannot read the storage layout");
}

void plist_set_chunk(hid_t creation, std::span<const hsize_t> chunk, const std::string& path) {
  check(H5Pset_chunk(creation, static_cast<int>(chunk.size()), chunk.data()), path, "HDF5: cannot set the chunk shape");
}

std::vector<hsize_t> plist_chunk(hid_t creation, std::size_t rank, const std::string& path) {
  std::vector<hsize_t> chunk(rank);
  check(H5Pget_chunk(creation, static_cast<int>(rank), chunk.data()), path, "HDF5: cannot read the chunk shape");
  return chunk;
}

int plist_external_count(hid_t creation, const std::string& path) {
  return check(H5Pget_external_count(creation), path, "HDF5: cannot read the external storage");
}

std::vector<ExternalSlot> plist_external(hid_t creation, const std::string& path) {
  std::vector<ExternalSlot> slots(static_cast<std::size_t>(plist_external_count(creation, path)));
  for (std::size_t i = 0; i < slots.size(); ++i) {
    // HDF5 1.10 says nothing of a name's length: ask with room for a path, grow if it filled it.
    std::string name(4096, '\0');
    for (;;) {
      off_t offset = 0;
      hsize_t size = 0;
      check(H5Pget_external(creation, static_cast<unsigned>(i), name.size(), name.data(), &offset, &size), path,
            "HDF5: cannot read the external storage");
      if (std::char_traits<char>::length(name.c_str()) + 1 < name.size()) {
        slots[i] = {name.c_str(), static_cast<std::uint64_t>(offset), static_cast<std::uint64_t>(size)};
        break;
      }
      name.assign(name.size() * 2, '\0');
    }
  }
  return slots;
}

std::vector<VirtualSource> plist_virtual_sources(hid_t creation, const std::string& path) {
  std::size_t count = 0;
  check(H5Pget_virtual_count(creation, &count), path, "HDF5: cannot read the virtual dataset's mappings");
  std::vector<VirtualSource> sources(count);
  const auto text = [&](auto get, std::size_t i) {
    const ssize_t size = check(get(creation, i, nullptr, 0), path, "HDF5: cannot read the virtual dataset's mappings");
    std::string s(static_cast<std::size_t>(size) + 1, '\0');
    check(get(creation, i, s.data(), s.size()), path, "HDF5: cannot read the virtual dataset's mappings");
    s.resize(static_cast<std::size_t>(size));
    return s;
  };
  for (std::size_t i = 0; i < count; ++i)
    sources[i] = {text(H5Pget_virtual_filename, i), text(H5Pget_virtual_dsetname, i)};
  return sources;
}

void plist_set_fill_time_never(hid_t creation, const std::string& path) {
  check(H5Pset_fill_time(creation, H5D_FILL_TIME_NEVER), path, "HDF5: cannot set the fill time");
}

bool plist_fill_value_defined(hid_t creation, const std::string& path) {
  H5D_fill_value_t status{};
  check(H5Pfill_value_defined(creation, &status), path, "HDF5: cannot read whether a fill value is set");
  return status != H5D_FILL_VALUE_UNDEFINED;
}

void plist_fill_value(hid_t creation, hid_t type, void* out, const std::string& path) {
  check(H5Pget_fill_value(creation, type, out), path, "HDF5: cannot read the fill value");
}

void plist_set_shuffle(hid_t creation, const std::string& path) {
  check(H5Pset_shuffle(creation), path, "HDF5: cannot add the shuffle filter");
}

void plist_set_deflate(hid_t creation, unsigned level, const std::string& path) {
  check(H5Pset_deflate(creation, level), path, "HDF5: cannot add the deflate filter");
}

void plist_set_filter(hid_t creation, int id, bool optional, std::span<const unsigned> values,
                      const std::string& path) {
  check(H5Pset_filter(creation, static_cast<H5Z_filter_t>(id), optional ? H5Z_FLAG_OPTIONAL : H5Z_FLAG_MANDATORY,
                      values.size(), values.data()),
        path, "HDF5: cannot add a filter");
}

int plist_filter_count(hid_t creation, const std::string& path) {
  return check(H5Pget_nfilters(creation), path, "HDF5: cannot read the filter pipeline");
}

int plist_filter(hid_t creation, unsigned index, std::vector<unsigned>& values, const std::string& path) {
  unsigned flags = 0, config = 0;
  values.assign(32, 0);
  std::size_t count = values.size();
  char name[64];
  const H5Z_filter_t id =
      check(H5Pget_filter2(creation, index, &flags, &count, values.data(), sizeof name, name, &config), path,
            "HDF5: cannot read a filter of the pipeline");
  values.resize(std::min(count, values.size()));
  return static_cast<int>(id);
}

void plist_set_collective(hid_t transfer, bool collective, const std::string& path) {
  check(H5Pset_dxpl_mpio(transfer, collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT), path,
        "HDF5: cannot set the transfer mode");
}

}  // namespace strata::hdf5::api
