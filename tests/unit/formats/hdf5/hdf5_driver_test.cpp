// The HDF5 driver: its own filter pipeline; files written here through the HDF5 C API
// (the in-process Blosc filter, chunk counts past the address-listing limit, filters left
// to HDF5, user blocks, corruption); and fixtures h5py writes at test time
// (tests/data/make_hdf5_fixtures.py) into a temporary folder.
#include "formats/hdf5/hdf5_format.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "codecs/fletcher32.hpp"
#include "formats/hdf5/api/file.hpp"
#include "formats/hdf5/api/filter.hpp"
#include "formats/hdf5/api/library.hpp"
#include "formats/hdf5/hdf5_dataset.hpp"
#include "formats/hdf5/hdf5_filters.hpp"
#include "strata/error.hpp"
#include "support/driver_fixtures.hpp"

namespace strata {
namespace {

namespace fs = std::filesystem;
using namespace strata::testing;

std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> b(text.size());
  std::memcpy(b.data(), text.data(), text.size());
  return b;
}

// ------------------------------------------------------------------ the filter pipeline alone
// (the codecs themselves: tests/unit/codecs)

TEST(Hdf5Filters, DecodeUndoesOnlyTheFiltersTheMaskLeftApplied) {
  const hdf5::Pipeline pipeline{{hdf5::kShuffle, {2}}, {hdf5::kFletcher32, {}}};
  std::vector<std::byte> data(40);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 5 + 1);
  auto with_checksum = [](std::vector<std::byte> bytes) {
    const std::uint32_t sum = codecs::fletcher32(bytes);
    for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<std::byte>(sum >> (8 * k)));
    return bytes;
  };
  std::vector<std::byte> shuffled(data.size());
  for (std::size_t i = 0; i < 20; ++i) {
    shuffled[i] = data[2 * i];
    shuffled[20 + i] = data[2 * i + 1];
  }
  std::vector<std::byte> out(data.size());
  hdf5::decode_chunk(pipeline, 0, with_checksum(shuffled), out, 2);
  EXPECT_EQ(out, data);
  hdf5::decode_chunk(pipeline, 0b01, with_checksum(data), out, 2);  // shuffle skipped
  EXPECT_EQ(out, data);
  hdf5::decode_chunk(pipeline, 0b10, shuffled, out, 2);  // checksum skipped
  EXPECT_EQ(out, data);
  EXPECT_EQ(hdf5::codec_name(pipeline, 0), "shuffle+fletcher32");
  EXPECT_EQ(hdf5::codec_name(pipeline, 0b11), "raw");

  auto corrupt = with_checksum(shuffled);
  corrupt[3] ^= std::byte{1};
  EXPECT_NE(message_of([&] { hdf5::decode_chunk(pipeline, 0, corrupt, out, 2); }).find("fletcher32: checksum mismatch"),
            std::string::npos);
  std::vector<std::byte> too_big(data.size() + 2);
  EXPECT_THROW(hdf5::decode_chunk(pipeline, 0, with_checksum(shuffled), too_big, 2), Error);
}

// ------------------------------------------------------------------ files written here

// Element i of the arrays written here (distinct over each test's sizes).
template <typename T>
std::vector<T> pattern(std::size_t count) {
  std::vector<T> v(count);
  for (std::size_t i = 0; i < count; ++i) v[i] = static_cast<T>((i * 37 + 11) % 60000);
  return v;
}

template <typename T>
Buffer buffer_of(const std::vector<T>& v) {
  Buffer b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

bool same_bytes(const Buffer& a, const Buffer& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

class Hdf5Written : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-hdf5-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes one dataset into `file` (created if new); `configure` sets up its creation
  // properties; rows listed in `written_rows` (all when empty) of the first axis are written.
  template <typename T>
  void write(const std::string& file, const std::string& name, const Shape& shape, hid_t file_type, hid_t memory_type,
             const std::vector<T>& data, const std::function<void(hid_t)>& configure = {}, hsize_t user_block = 0) {
    auto lock = hdf5::api::hdf5_lock();
    hdf5::api::Id f;
    if (fs::exists(path(file))) {
      f = hdf5::api::Id(H5Fopen(path(file).c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    } else {
      hdf5::api::Id creation(H5Pcreate(H5P_FILE_CREATE));
      if (user_block) H5Pset_userblock(creation.get(), user_block);
      f = hdf5::api::Id(H5Fcreate(path(file).c_str(), H5F_ACC_EXCL, creation.get(), H5P_DEFAULT));
    }
    ASSERT_TRUE(f) << hdf5::api::error_stack_message();
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    hdf5::api::Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
    hdf5::api::Id dcpl(H5Pcreate(H5P_DATASET_CREATE));
    if (configure) configure(dcpl.get());
    hdf5::api::Id d(H5Dcreate2(f.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
    ASSERT_TRUE(d) << hdf5::api::error_stack_message();
    if (!data.empty()) {
      ASSERT_GE(H5Dwrite(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), 0)
          << hdf5::api::error_stack_message();
    }
  }

  // A file with a 1024-byte user block holding `data` (4x30x31) twice: /contiguous, and
  // /chunked (one deflated chunk per plane, read by address).
  void write_user_block_file(const std::string& file, const std::vector<std::uint16_t>& data) {
    for (const bool chunked : {false, true}) {
      write(
          file, chunked ? "chunked" : "contiguous", {4, 30, 31}, H5T_STD_U16LE, H5T_NATIVE_UINT16, data,
          [&](hid_t dcpl) {
            if (!chunked) return;
            const hsize_t chunk[3] = {1, 30, 31};
            H5Pset_chunk(dcpl, 3, chunk);
            H5Pset_deflate(dcpl, 6);
          },
          1024);
    }
  }

  // The dataset read back by the HDF5 library itself (its filters: the in-process Blosc one).
  template <typename T>
  std::vector<T> read_with_hdf5(const std::string& file, const std::string& name, hid_t memory_type,
                                std::size_t count) {
    auto lock = hdf5::api::hdf5_lock();
    hdf5::api::Id f = hdf5::api::file_open_readonly(path(file));
    hdf5::api::Id d(H5Dopen2(f.get(), name.c_str(), H5P_DEFAULT));
    std::vector<T> out(count);
    EXPECT_GE(H5Dread(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0)
        << hdf5::api::error_stack_message();
    return out;
  }

  std::unique_ptr<Driver> open(const std::string& spec) const { return hdf5_format().open(path(spec), {}); }

  fs::path dir_;
};

std::string access_of(const Driver& driver) {
  return nlohmann::json::from_cbor(driver.save())["dataset"]["access"].get<std::string>();
}

TEST_F(Hdf5Written, BloscFilterWritesThroughHdf5AndReadsBackEitherWay) {
  const Shape shape{3, 45, 50};
  const auto data = pattern<std::uint16_t>(3 * 45 * 50);
  // cd_values [4..6]: level, shuffle, compressor (1 lz4, 5 zstd, 0 blosclz).
  const std::vector<std::array<unsigned, 7>> settings{
      {0, 0, 0, 0, 5, 1, 1}, {0, 0, 0, 0, 3, 2, 5}, {0, 0, 0, 0, 9, 0, 0}};
  for (std::size_t k = 0; k < settings.size(); ++k) {
    const std::string name = "blosc" + std::to_string(k);
    write("blosc.h5", name, shape, H5T_STD_U16LE, H5T_NATIVE_UINT16, data, [&](hid_t dcpl) {
      const hsize_t chunk[3] = {1, 20, 32};
      H5Pset_chunk(dcpl, 3, chunk);
      H5Pset_filter(dcpl, hdf5::api::kBloscFilterId, H5Z_FLAG_MANDATORY, 7, settings[k].data());
    });
    EXPECT_EQ(read_with_hdf5<std::uint16_t>("blosc.h5", name, H5T_NATIVE_UINT16, data.size()), data);
    const auto driver = open("blosc.h5:/" + name);
    EXPECT_EQ(access_of(*driver), "chunks_by_address");
    EXPECT_TRUE(same_bytes(read_all(*driver), buffer_of(data))) << name;
  }
  EXPECT_EQ(open("blosc.h5:/blosc0")->chunks().codecs, std::vector<std::string>{"blosc-lz4+shuffle"});
  EXPECT_EQ(open("blosc.h5:/blosc1")->chunks().codecs, std::vector<std::string>{"blosc-zstd+bitshuffle"});
}

TEST_F(Hdf5Written, Fletcher32MatchesHdf5sChecksums) {
  const auto data = pattern<std::int32_t>(7 * 33);
  write("f.h5", "data", {7, 33}, H5T_STD_I32BE, H5T_NATIVE_INT32, data, [](hid_t dcpl) {
    const hsize_t chunk[2] = {2, 33};
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_fletcher32(dcpl);
  });
  const auto driver = open("f.h5");
  for (const auto& chunk : driver->chunks().chunks) {
    ASSERT_EQ(chunk.segments.size(), 1u);
    std::vector<std::byte> stored(chunk.segments[0].size);
    std::ifstream in(path("f.h5"), std::ios::binary);
    in.seekg(static_cast<std::streamoff>(chunk.segments[0].offset));
    in.read(reinterpret_cast<char*>(stored.data()), static_cast<std::streamsize>(stored.size()));
    const std::uint32_t sum = codecs::fletcher32(std::span(stored).first(stored.size() - 4));
    std::uint32_t tail = 0;
    for (int k = 0; k < 4; ++k) tail |= std::to_integer<std::uint32_t>(stored[stored.size() - 4 + k]) << (8 * k);
    EXPECT_EQ(sum, tail) << chunk.box.to_string();
  }
  EXPECT_TRUE(same_bytes(read_all(*driver), buffer_of(data)));  // big-endian in the file
}

TEST_F(Hdf5Written, ManyChunksAreLookedUpByHdf5AndUnwrittenOnesReadAsFill) {
  // 4550 of 4900 chunks of 1x1 written: more than lists_addresses allows.
  const Shape shape{70, 70};
  ASSERT_FALSE(hdf5::lists_addresses(65 * 70));
  const std::int16_t fill = -3;
  auto data = pattern<std::int16_t>(70 * 70);
  write<std::int16_t>("many.h5", "data", shape, H5T_STD_I16LE, H5T_NATIVE_INT16, {}, [&](hid_t dcpl) {
    const hsize_t chunk[2] = {1, 1};
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_deflate(dcpl, 1);
    H5Pset_fill_value(dcpl, H5T_NATIVE_INT16, &fill);
  });
  {  // rows 0-64 written; 65-69 never
    auto lock = hdf5::api::hdf5_lock();
    hdf5::api::Id f(H5Fopen(path("many.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    hdf5::api::Id d(H5Dopen2(f.get(), "data", H5P_DEFAULT));
    hdf5::api::Id space(H5Dget_space(d.get()));
    const hsize_t start[2] = {0, 0}, count[2] = {65, 70};
    H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
    hdf5::api::Id memory(H5Screate_simple(2, count, nullptr));
    ASSERT_GE(H5Dwrite(d.get(), H5T_NATIVE_INT16, memory.get(), space.get(), H5P_DEFAULT, data.data()), 0);
  }
  std::fill(data.begin() + 65 * 70, data.end(), fill);
  const auto driver = open("many.h5");
  EXPECT_EQ(access_of(*driver), "chunks_by_lookup");
  const auto& chunks = driver->chunks().chunks;
  ASSERT_EQ(chunks.size(), 4900u);
  EXPECT_EQ(chunks[0].segments.size(), 1u);
  EXPECT_GT(chunks[0].stored_bytes(), 0u);
  EXPECT_TRUE(chunks.back().segments.empty());
  EXPECT_TRUE(same_bytes(read_all(*driver), buffer_of(data)));
  const auto restored = hdf5_format().restore(driver->save());  // opens HDF5 itself, lazily
  EXPECT_TRUE(same_bytes(read_all(*restored), buffer_of(data)));
}

TEST_F(Hdf5Written, FiltersStrataLacksAreReadByHdf5FromManyThreads) {
  const Shape shape{6, 40, 30};
  const auto data = pattern<std::int32_t>(6 * 40 * 30);
  write("so.h5", "data", shape, H5T_STD_I32LE, H5T_NATIVE_INT32, data, [](hid_t dcpl) {
    const hsize_t chunk[3] = {1, 16, 16};
    H5Pset_chunk(dcpl, 3, chunk);
    H5Pset_scaleoffset(dcpl, H5Z_SO_INT, H5Z_SO_INT_MINBITS_DEFAULT);
  });
  const auto driver = open("so.h5");
  EXPECT_EQ(access_of(*driver), "library");
  EXPECT_EQ(driver->chunks().codecs, std::vector<std::string>{"scaleoffset"});
  EXPECT_TRUE(same_bytes(read_all(*driver), buffer_of(data)));
  // A part that is no whole chunk, into a strided view.
  const Box part{{2, 5, 3}, {5, 33, 29}};
  const Buffer got = read_box(*driver, part);
  std::vector<std::int32_t> want;
  for (std::int64_t z = 2; z < 5; ++z)
    for (std::int64_t y = 5; y < 33; ++y)
      for (std::int64_t x = 3; x < 29; ++x) want.push_back(data[static_cast<std::size_t>((z * 40 + y) * 30 + x)]);
  EXPECT_TRUE(same_bytes(got, buffer_of(want)));
}

TEST_F(Hdf5Written, ContiguousPlanesAreCutIntoBandsPastSixteenMebibytes) {
  const Shape shape{3000, 3000};  // 18 MB of uint16 in one plane
  const auto data = pattern<std::uint16_t>(3000 * 3000);
  write("big.h5", "data", shape, H5T_STD_U16LE, H5T_NATIVE_UINT16, data);
  const auto driver = open("big.h5");
  const auto& chunks = driver->chunks().chunks;
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].box, (Box{{0, 0}, {2796, 3000}}));
  EXPECT_EQ(chunks[1].segments[0].offset, chunks[0].segments[0].offset + chunks[0].segments[0].size);
  EXPECT_TRUE(same_bytes(read_all(*driver), buffer_of(data)));
}

TEST_F(Hdf5Written, UserBlockShiftsEveryAddress) {
  const auto data = pattern<std::uint16_t>(4 * 30 * 31);
  write_user_block_file("ub.h5", data);
  std::vector<std::byte> head(8);
  {
    std::ifstream in(path("ub.h5"), std::ios::binary);
    in.read(reinterpret_cast<char*>(head.data()), 8);
  }
  EXPECT_TRUE(hdf5_format().recognizes(path("ub.h5"), head));  // signature at 1024, not 0
  EXPECT_TRUE(same_bytes(read_all(*open("ub.h5:/chunked")), buffer_of(data)));
  EXPECT_TRUE(same_bytes(read_all(*open("ub.h5:/contiguous")), buffer_of(data)));
}

// A dataset behind an external link lies in the link's target: its bytes, at the target's
// addresses (and user block), come from there, not from the holder, whose bytes at those
// offsets are its own decoy's (read there before: wrong values without an error). Refused
// unless allowed, naming the target. docs/security.md.
TEST_F(Hdf5Written, ExternalLinksAreReadFromTheirTargetOnlyWhenAllowed) {
  const auto data = pattern<std::uint16_t>(4 * 30 * 31);
  write_user_block_file("target.h5", data);
  write("holder.h5", "decoy", {200, 200}, H5T_STD_U16LE, H5T_NATIVE_UINT16, pattern<std::uint16_t>(200 * 200));
  {
    auto lock = hdf5::api::hdf5_lock();
    const hdf5::api::Id f(H5Fopen(path("holder.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    ASSERT_GE(H5Lcreate_external("target.h5", "/contiguous", f.get(), "contiguous", H5P_DEFAULT, H5P_DEFAULT), 0);
    ASSERT_GE(H5Lcreate_external("target.h5", "/chunked", f.get(), "chunked", H5P_DEFAULT, H5P_DEFAULT), 0);
  }
  for (const std::string name : {"contiguous", "chunked"}) {
    const std::string why = message_of([&] { open("holder.h5:/" + name); });
    EXPECT_NE(why.find("/" + name + " is an external link to /" + name + " in \"target.h5\""), std::string::npos)
        << why;
    EXPECT_NE(why.find("--allow-external"), std::string::npos) << why;
    OpenOptions allow;
    allow.allow_external = true;
    const auto driver = hdf5_format().open(path("holder.h5:/" + name), allow);
    EXPECT_EQ(driver->chunks().files, std::vector<std::string>{path("target.h5")});
    EXPECT_EQ(access_of(*driver), name == "chunked" ? "chunks_by_address" : "contiguous");
    EXPECT_TRUE(same_bytes(read_all(*driver), buffer_of(data))) << name;
    EXPECT_TRUE(same_bytes(read_all(*hdf5_format().restore(driver->save())), buffer_of(data))) << name;
  }
}

TEST_F(Hdf5Written, RecognizesHdf5FilesAndDatasetPaths) {
  write("r.h5", "data", {2, 3}, H5T_STD_U8LE, H5T_NATIVE_UINT8, pattern<std::uint8_t>(6), [](hid_t) {});
  const auto recognizes = hdf5_format().recognizes;
  const std::vector<std::byte> signature{std::byte{0x89}, std::byte{'H'},  std::byte{'D'},  std::byte{'F'},
                                         std::byte{'\r'}, std::byte{'\n'}, std::byte{0x1a}, std::byte{'\n'}};
  EXPECT_TRUE(recognizes(path("r.h5"), signature));
  EXPECT_TRUE(recognizes(path("r.h5") + ":/data", {}));             // no such file: the part before ":/" is
  EXPECT_TRUE(recognizes(path("r.h5") + ":/no/such/dataset", {}));  // recognized, then refused at open
  std::ofstream(path("text.h5")) << "not an HDF5 file, though named like one\n";
  EXPECT_FALSE(recognizes(path("text.h5"), bytes_of("not an HDF5 file")));
  EXPECT_FALSE(recognizes(path("text.h5") + ":/data", {}));
  EXPECT_FALSE(recognizes(path("missing.h5"), {}));
  EXPECT_FALSE(recognizes(path("missing.h5") + ":/data", {}));
}

TEST_F(Hdf5Written, RestoredDriverReadsTheSameWithoutTheLibraryWalk) {
  const auto data = pattern<std::uint16_t>(5 * 20 * 21);
  write("s.h5", "chunked", {5, 20, 21}, H5T_STD_U16BE, H5T_NATIVE_UINT16, data, [](hid_t dcpl) {
    const hsize_t chunk[3] = {2, 8, 8};
    H5Pset_chunk(dcpl, 3, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
  });
  write("s.h5", "contiguous", {5, 20, 21}, H5T_STD_U16LE, H5T_NATIVE_UINT16, data);
  write("s.h5", "compact", {5, 20, 21}, H5T_STD_U16BE, H5T_NATIVE_UINT16, data,
        [](hid_t dcpl) { H5Pset_layout(dcpl, H5D_COMPACT); });
  for (const std::string name : {"chunked", "contiguous", "compact"}) {
    SCOPED_TRACE(name);
    const auto original = open("s.h5:/" + name);
    const auto restored = hdf5_format().restore(original->save());
    EXPECT_EQ(original->info().storage, name);  // HDF5's storage layout, as `info` shows it
    EXPECT_EQ(restored->info(), original->info());
    EXPECT_EQ(restored->chunks(), original->chunks());
    EXPECT_TRUE(same_bytes(read_all(*restored), buffer_of(data)));
    const Box part{{1, 3, 2}, {4, 19, 20}};
    EXPECT_TRUE(same_bytes(read_box(*restored, part), read_box(*original, part)));
  }
  EXPECT_EQ(access_of(*open("s.h5:/compact")), "in_state");
  EXPECT_THROW(hdf5_format().restore("not cbor"), Error);
}

TEST_F(Hdf5Written, CorruptOrTruncatedDataNamesTheFileAndTheChunk) {
  const auto data = pattern<std::uint16_t>(4 * 50 * 50);
  write("c.h5", "data", {4, 50, 50}, H5T_STD_U16LE, H5T_NATIVE_UINT16, data, [](hid_t dcpl) {
    const hsize_t chunk[3] = {1, 50, 50};
    H5Pset_chunk(dcpl, 3, chunk);
    H5Pset_deflate(dcpl, 6);
  });
  auto driver = open("c.h5");
  const ChunkRef chunk = driver->chunks().chunks[2];
  {  // garbage over the middle of chunk 2's deflate stream
    std::fstream f(path("c.h5"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(chunk.segments[0].offset + 10));
    const std::string garbage(40, '\xff');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  const std::string corrupt = message_of([&] { read_all(*driver); });
  EXPECT_NE(corrupt.find(path("c.h5") + ": hdf5: reading chunk (2,0,0): "), std::string::npos)
      << corrupt;

  // A restored driver reads by address: a file cut short ends inside a chunk.
  auto restored = hdf5_format().restore(driver->save());
  fs::resize_file(path("c.h5"), chunk.segments[0].offset + 5);
  const std::string truncated = message_of([&] {
    Buffer b(50 * 50 * 2);
    restored->read_chunk(chunk, chunk.box, View::contiguous(b.data(), DType::uint16, {1, 50, 50}));
  });
  EXPECT_NE(truncated.find("the file ends inside bytes"), std::string::npos) << truncated;
  // Listing the chunks left the file open in HDF5 (both drivers list theirs), which a second
  // open would share unchecked.
  driver.reset();
  restored.reset();
  EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0) << "HDF5 objects left open";
  const std::string reopened = message_of([&] { open("c.h5"); });
  EXPECT_NE(reopened.find(path("c.h5") + ": cannot open as HDF5"), std::string::npos) << reopened;
}

TEST_F(Hdf5Written, RefusesResolutionLevels) {
  write("l.h5", "data", {2, 3}, H5T_STD_U8LE, H5T_NATIVE_UINT8, pattern<std::uint8_t>(6));
  EXPECT_NE(message_of([&] { hdf5_format().open(path("l.h5"), OpenOptions{1}); }).find("one resolution level"),
            std::string::npos);
}

// ------------------------------------------------------------------ h5py's fixtures

using Hdf5Fixtures = DriverFixtures<hdf5_format, "h5py, numcodecs or xxhash">;

TEST_F(Hdf5Fixtures, EveryFixtureReadsBitExact) { expect_every_entry_reads_as_expected(70); }

TEST_F(Hdf5Fixtures, RefusalsNameTheFileAndTheCause) {
  expect_every_refusal(10, [](const std::string& name, const nlohmann::json& entry, const Error& error) {
    EXPECT_EQ(error.path(), path(name.substr(0, name.find(":/"))));  // the file, not the dataset
    EXPECT_NE(error.cause().find(entry["message"].get<std::string>()), std::string::npos) << error.what();
  });
}

TEST_F(Hdf5Fixtures, ChunkTableListsEveryChunkWithItsStoredSize) {
  const auto driver = open("fill.h5:/fill_minus7");  // shape (4,20,20), chunks (2,10,10), gzip
  const ChunkTable& table = driver->chunks();
  ASSERT_EQ(table.chunks.size(), 8u);
  EXPECT_EQ(table.files, std::vector<std::string>{path("fill.h5")});
  EXPECT_EQ(table.codecs, std::vector<std::string>{"deflate"});
  // Written: [0:2, 0:10, 0:10] and [2:4, 10:20, 0:20], i.e. chunks 0, 6 and 7.
  const std::vector<bool> written{true, false, false, false, false, false, true, true};
  for (std::size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ(table.chunks[i].segments.empty(), !written[i]) << i;
    EXPECT_EQ(table.chunks[i].stored_bytes() > 0, written[i]) << i;
  }
  EXPECT_EQ(table.chunks[5].box, (Box{{2, 0, 10}, {4, 10, 20}}));

  const auto edges = open("layouts.h5:/edge_chunks");  // shape (7,33,35), chunks (3,8,16)
  ASSERT_EQ(edges->chunks().chunks.size(), 3u * 5u * 3u);
  EXPECT_EQ(edges->chunks().chunks.back().box, (Box{{6, 32, 32}, {7, 33, 35}}));

  const auto planes = open("layouts.h5:/contiguous_u1");  // (4,30,33): one piece per plane
  ASSERT_EQ(planes->chunks().chunks.size(), 4u);
  EXPECT_EQ(planes->chunks().chunks[1].box, (Box{{1, 0, 0}, {2, 30, 33}}));
  EXPECT_EQ(planes->chunks().chunks[1].stored_bytes(), 30u * 33u);
}

}  // namespace
}  // namespace strata
