#include "formats/hdf5/api/dataset.hpp"

#include "strata/error.hpp"

namespace strata::hdf5::api {

Id dataset_open(hid_t file, const std::string& name, const std::string& path) {
  const Id access(check(H5Pcreate(H5P_DATASET_ACCESS), path, "HDF5: cannot create a property list"));
  check(H5Pset_efile_prefix(access.get(), kHolderFolder), path, "HDF5: cannot set the external file prefix");
  return Id(check(H5Dopen2(file, name.c_str(), access.get()), path, ("HDF5: cannot open dataset " + name).c_str()));
}

Id dataset_create(hid_t file, const std::string& name, hid_t type, hid_t space, hid_t creation,
                  const std::string& path) {
  return Id(check(H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, creation, H5P_DEFAULT), path,
                  ("HDF5: cannot create dataset " + name).c_str()));
}

Id dataset_type(hid_t dataset, const std::string& path) {
  return Id(check(H5Dget_type(dataset), path, "HDF5: cannot read a dataset's element type"));
}

Id dataset_space(hid_t dataset, const std::string& path) {
  return Id(check(H5Dget_space(dataset), path, "HDF5: cannot read a dataset's dataspace"));
}

Id dataset_creation_plist(hid_t dataset, const std::string& path) {
  return Id(check(H5Dget_create_plist(dataset), path, "HDF5: cannot read a dataset's creation properties"));
}

std::optional<std::uint64_t> dataset_offset(hid_t dataset) {
  const haddr_t address = H5Dget_offset(dataset);
  if (address != HADDR_UNDEF) return address;
  // Its failure is how HDF5 says nothing is stored, with no stack worth reporting.
  H5Eclear2(H5E_DEFAULT);
  return std::nullopt;
}

std::uint64_t dataset_chunk_count(hid_t dataset, hid_t space, const std::string& path) {
  hsize_t count = 0;
  check(H5Dget_num_chunks(dataset, space, &count), path, "HDF5: cannot count the chunks");
  return count;
}

ChunkInfo dataset_chunk_info(hid_t dataset, hid_t space, std::uint64_t index, std::span<hsize_t> offset,
                             const std::string& path) {
  ChunkInfo info;
  haddr_t address = 0;
  hsize_t size = 0;
  check(H5Dget_chunk_info(dataset, space, index, offset.data(), &info.filter_mask, &address, &size), path,
        "HDF5: cannot list the chunks");
  info.address = address;
  info.size = size;
  return info;
}

std::uint64_t dataset_storage_size(hid_t dataset) { return H5Dget_storage_size(dataset); }

std::uint64_t dataset_chunk_storage_size(hid_t dataset, std::span<const hsize_t> offset, const std::string& path) {
  hsize_t size = 0;
  if (H5Dget_chunk_storage_size(dataset, offset.data(), &size) >= 0) return size;
  // HDF5 1.10 fails with this message for a chunk never written; later versions return 0.
  const std::string why = error_stack_message();
  if (why == "chunk storage is not allocated") return 0;
  constexpr const char* kWhat = "HDF5: cannot look up a chunk";
  throw Error(path, why.empty() ? kWhat : kWhat + std::string(": ") + why);
}

unsigned dataset_read_chunk(hid_t dataset, std::span<const hsize_t> offset, std::span<std::byte> out,
                            const std::string& path) {
  std::uint32_t filter_mask = 0;
  check(H5Dread_chunk(dataset, H5P_DEFAULT, offset.data(), &filter_mask, out.data()), path,
        "HDF5: cannot read a chunk");
  return filter_mask;
}

void dataset_write_chunk(hid_t dataset, std::span<const hsize_t> offset, std::span<const std::byte> data,
                         const std::string& path) {
  check(H5Dwrite_chunk(dataset, H5P_DEFAULT, 0, offset.data(), data.size(), data.data()), path,
        "HDF5: cannot write a chunk");
}

void dataset_read(hid_t dataset, hid_t memory_type, void* out, const std::string& path) {
  dataset_read(dataset, memory_type, H5S_ALL, H5S_ALL, out, path);
}

void dataset_read(hid_t dataset, hid_t memory_type, hid_t memory_space, hid_t file_space, void* out,
                  const std::string& path) {
  check(H5Dread(dataset, memory_type, memory_space, file_space, H5P_DEFAULT, out), path,
        "HDF5: cannot read dataset elements");
}

void dataset_write(hid_t dataset, hid_t memory_type, hid_t memory_space, hid_t file_space, hid_t transfer,
                   const void* data, const std::string& path) {
  check(H5Dwrite(dataset, memory_type, memory_space, file_space, transfer, data), path,
        "HDF5: cannot write dataset elements");
}

}  // namespace strata::hdf5::api
