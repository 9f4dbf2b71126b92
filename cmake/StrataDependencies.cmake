# Every dependency comes from a Debian package. Only MPI is part of strata's interface (the
# installed strataConfig.cmake finds it again); the rest are private to libstrata.so.
# CXX: strata and its consumers call MPI's C API from C++, and a C++-only project has no
# C compiler for the C component.
find_package(MPI REQUIRED COMPONENTS CXX)
find_package(TIFF REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(pugixml REQUIRED)
find_package(PkgConfig REQUIRED)
# Debian's parallel HDF5 build; its pkg-config name is stable across 1.10/1.12.
pkg_check_modules(STRATA_HDF5 REQUIRED IMPORTED_TARGET hdf5-openmpi)
# Its .pc names libhdf5 alone; dimension labels (H5DSset_label) need the high-level
# library installed beside it.
find_library(STRATA_HDF5_HL_LIBRARY hdf5_hl PATHS ${STRATA_HDF5_LIBRARY_DIRS} NO_DEFAULT_PATH REQUIRED)
target_link_libraries(PkgConfig::STRATA_HDF5 INTERFACE ${STRATA_HDF5_HL_LIBRARY})
pkg_check_modules(STRATA_BLOSC REQUIRED IMPORTED_TARGET blosc)
pkg_check_modules(STRATA_XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(STRATA_DEFLATE REQUIRED IMPORTED_TARGET libdeflate)
pkg_check_modules(STRATA_ZSTD REQUIRED IMPORTED_TARGET libzstd)
find_package(ZLIB REQUIRED)
if(STRATA_BUILD_APPS)
  find_package(CLI11 2.0 REQUIRED)
endif()
