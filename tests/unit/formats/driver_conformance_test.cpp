// The contract of strata/driver.hpp, checked for every registered format on small files
// written at test time by reference writers (support/reference_files.hpp): what info()
// reports, how chunks() tiles the array, what read_chunk() puts where and what it refuses,
// and what save()/restore() carries. A new format passes this suite by adding its cases to
// reference_cases(); DriverConformanceCases.EveryRegisteredFormatHasCases fails until it does.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <set>
#include <thread>

#include "formats/format.hpp"
#include "strata/error.hpp"
#include "strata/interrupt.hpp"
#include "support/driver_fixtures.hpp"
#include "support/reference_files.hpp"

namespace strata {
namespace {

using testing::first_difference;
using testing::read_all;
using testing::read_box;
using testing::ReferenceCase;
using testing::ReferenceFile;

constexpr auto kSentinel = std::byte{0xA5};

class DriverConformance : public ::testing::TestWithParam<ReferenceCase> {
 protected:
  void SetUp() override {
    file_ = GetParam().make(dir_.path());
    ASSERT_NO_THROW(file_.write());
    ASSERT_NO_THROW(driver_ = format().open(file_.path, {})) << file_.path;
  }
  const Format& format() const { return format_named(GetParam().format); }
  const testing::RefArray& array() const { return file_.array; }
  std::size_t element() const { return array().element_bytes(); }

  // Reads `region` of `chunk` into a fresh buffer of the region's shape.
  std::vector<std::byte> read_contiguous(const Driver& d, const ChunkRef& chunk, const Box& region) const {
    std::vector<std::byte> out(static_cast<std::size_t>(region.count()) * element(), kSentinel);
    d.read_chunk(chunk, region, View::contiguous(out.data(), array().dtype, region.shape()));
    return out;
  }

  // Reads `region` of `chunk` into its place in a whole-array buffer filled with a sentinel,
  // and expects the region to hold the array's elements and every other byte to be untouched.
  void expect_strided_read(const ChunkRef& chunk, const Box& region) const {
    std::vector<std::byte> all(array().bytes.size(), kSentinel);
    const View whole = View::contiguous(all.data(), array().dtype, array().shape);
    driver_->read_chunk(chunk, region, whole.sub(region));
    EXPECT_EQ(first_difference(all, array().only(region, kSentinel), element()), "")
        << "region " << region.to_string() << " of chunk " << chunk.box.to_string() << " into a strided view";
  }

  testing::TempDir dir_;
  ReferenceFile file_;
  std::unique_ptr<Driver> driver_;
};

// A region strictly inside `box` where it can be (one element in from each side).
Box inner_part(const Box& box) {
  Box inner = box;
  for (std::size_t i = 0; i < box.rank(); ++i) {
    const std::int64_t extent = box.stop[i] - box.start[i];
    if (extent >= 2) ++inner.start[i];
    if (extent >= 3) --inner.stop[i];
  }
  return inner;
}

Box last_element(const Box& box) {
  Box last = box;
  for (std::size_t i = 0; i < box.rank(); ++i) last.start[i] = box.stop[i] - 1;
  return last;
}

TEST_P(DriverConformance, RegistryDetectsTheFormat) {
  EXPECT_EQ(detect_format(file_.path).name, GetParam().format);
  std::unique_ptr<Driver> opened;
  ASSERT_NO_THROW(opened = open_file(file_.path));
  EXPECT_EQ(opened->info(), driver_->info());
}

TEST_P(DriverConformance, InfoMatchesTheWrittenArray) {
  const ArrayInfo& info = driver_->info();
  EXPECT_EQ(info.format, file_.info_format);
  EXPECT_EQ(info.dims, file_.dims);
  EXPECT_EQ(info.shape, array().shape);
  EXPECT_EQ(info.dtype, array().dtype) << name(info.dtype);
  EXPECT_EQ(info.decoded_bytes(), array().bytes.size());
}

TEST_P(DriverConformance, ChunkBoxesTileTheArrayInCOrder) {
  const auto& chunks = driver_->chunks().chunks;
  ASSERT_FALSE(chunks.empty());
  const Box whole = Box::whole(array().shape);
  std::int64_t covered = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const Box& box = chunks[i].box;
    ASSERT_EQ(box.rank(), whole.rank()) << box.to_string();
    EXPECT_FALSE(box.empty()) << box.to_string();
    EXPECT_TRUE(whole.contains(box)) << box.to_string();
    covered += box.count();
    for (std::size_t j = i + 1; j < chunks.size(); ++j)
      EXPECT_FALSE(intersect(box, chunks[j].box)) << box.to_string() << " overlaps " << chunks[j].box.to_string();
    if (i > 0) {
      EXPECT_LT(chunks[i - 1].box.start, box.start) << "chunk " << i << " is out of C order";
    }
  }
  EXPECT_EQ(covered, whole.count()) << "the chunks leave a gap";
  for (const ChunkRef& chunk : chunks) {
    EXPECT_LT(chunk.file, driver_->chunks().files.size());
    EXPECT_LT(chunk.encoding, driver_->chunks().codecs.size());
  }
}

TEST_P(DriverConformance, EveryWholeChunkReadsIntoContiguousAndStridedViews) {
  for (const ChunkRef& chunk : driver_->chunks().chunks) {
    SCOPED_TRACE("chunk " + chunk.box.to_string());
    EXPECT_EQ(first_difference(read_contiguous(*driver_, chunk, chunk.box), array().slice(chunk.box), element()), "");
    expect_strided_read(chunk, chunk.box);
  }
}

TEST_P(DriverConformance, PartsOfEveryChunkReadIntoContiguousAndStridedViews) {
  for (const ChunkRef& chunk : driver_->chunks().chunks) {
    for (const Box& region : {inner_part(chunk.box), last_element(chunk.box)}) {
      SCOPED_TRACE("region " + region.to_string() + " of chunk " + chunk.box.to_string());
      EXPECT_EQ(first_difference(read_contiguous(*driver_, chunk, region), array().slice(region), element()), "");
      expect_strided_read(chunk, region);
    }
  }
}

TEST_P(DriverConformance, WholeArrayAndABoxAcrossChunksReadFromThreeThreads) {
  EXPECT_EQ(first_difference(read_all(*driver_).bytes(), array().bytes, element()), "");
  const Box across = inner_part(Box::whole(array().shape));
  EXPECT_EQ(first_difference(read_box(*driver_, across).bytes(), array().slice(across), element()), "")
      << across.to_string();
}

TEST_P(DriverConformance, ConcurrentReadersOfOneDriverAgree) {
  std::vector<std::string> differences(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < differences.size(); ++t)
    threads.emplace_back([&, t] {
      for (int repeat = 0; repeat < 3 && differences[t].empty(); ++repeat) {
        try {
          differences[t] = first_difference(read_all(*driver_).bytes(), array().bytes, element());
        } catch (const std::exception& e) {
          differences[t] = e.what();
        }
      }
    });
  for (auto& t : threads) t.join();
  for (const std::string& d : differences) EXPECT_EQ(d, "");
}

TEST_P(DriverConformance, RegionsOutsideTheChunkAreRefused) {
  const auto& chunks = driver_->chunks().chunks;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const ChunkRef& chunk = chunks[i];
    std::vector<Box> outside;
    Box longer = chunk.box;  // one past the chunk on the last axis
    ++longer.stop.back();
    outside.push_back(longer);
    Box before = chunk.box;  // one before it on the first axis, where the array has room
    if (before.start.front() > 0) {
      --before.start.front();
      outside.push_back(before);
    }
    if (chunks.size() > 1) outside.push_back(chunks[(i + 1) % chunks.size()].box);  // another chunk
    for (const Box& region : outside) {
      std::vector<std::byte> dest(static_cast<std::size_t>(region.count()) * element());
      EXPECT_THROW(driver_->read_chunk(chunk, region, View::contiguous(dest.data(), array().dtype, region.shape())),
                   Error)
          << "region " << region.to_string() << " read from chunk " << chunk.box.to_string();
    }
  }
}

TEST_P(DriverConformance, DestinationsOfTheWrongShapeOrDtypeAreRefused) {
  for (const ChunkRef& chunk : driver_->chunks().chunks) {
    const Box& region = chunk.box;
    Shape narrower = region.shape();
    narrower.back() += narrower.back() > 1 ? -1 : 1;
    const Shape shape = region.shape();
    const Shape fewer_axes(shape.begin() + 1, shape.end());
    const DType other = array().dtype == DType::uint8 ? DType::uint16 : DType::uint8;
    // Room for any of these, so that a driver that does not check corrupts nothing.
    std::vector<std::byte> dest(static_cast<std::size_t>(region.count() + element_count(narrower)) * 8 + 64);
    SCOPED_TRACE("chunk " + chunk.box.to_string());
    EXPECT_THROW(driver_->read_chunk(chunk, region, View::contiguous(dest.data(), array().dtype, narrower)), Error)
        << "shape " << Box::whole(narrower).to_string();
    EXPECT_THROW(driver_->read_chunk(chunk, region, View::contiguous(dest.data(), array().dtype, fewer_axes)), Error)
        << "one axis fewer";
    EXPECT_THROW(driver_->read_chunk(chunk, region, View::contiguous(dest.data(), other, region.shape())), Error)
        << "dtype " << name(other);
  }
}

// A signal handler's request_interrupt stops the next chunk read, whatever the format; the
// read's agreement then carries the error to every rank (tests/mpi, the CLI's lifecycle checks).
TEST_P(DriverConformance, AnInterruptStopsTheNextChunkReadUntilWithdrawn) {
  const ChunkRef& chunk = driver_->chunks().chunks.front();
  request_interrupt(SIGTERM);
  try {
    read_contiguous(*driver_, chunk, chunk.box);
    ADD_FAILURE() << "a chunk read after request_interrupt(SIGTERM) did not throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("interrupted (SIGTERM)"), std::string::npos) << e.what();
  }
  request_interrupt(0);
  EXPECT_EQ(first_difference(read_contiguous(*driver_, chunk, chunk.box), array().slice(chunk.box), element()), "");
}

TEST_P(DriverConformance, SavedStateRestoresTheSameTableAndReads) {
  std::unique_ptr<Driver> restored;
  ASSERT_NO_THROW(restored = format().restore(driver_->save()));
  EXPECT_EQ(restored->info(), driver_->info());
  EXPECT_EQ(restored->chunks(), driver_->chunks());
  EXPECT_EQ(restored->save(), driver_->save());
  EXPECT_EQ(first_difference(read_all(*restored).bytes(), array().bytes, element()), "");
  const ChunkRef& last = restored->chunks().chunks.back();
  EXPECT_EQ(first_difference(read_contiguous(*restored, last, inner_part(last.box)),
                             array().slice(inner_part(last.box)), element()),
            "");
}

TEST_P(DriverConformance, ChunksForABoxAreTheChunksMeetingIt) {
  for (const Box& box : testing::random_boxes(array().shape, 12, 16))
    testing::expect_chunks_for_is_filtered(format(), *driver_, box);
}

TEST_P(DriverConformance, GarbageStateIsRefused) {
  EXPECT_THROW(format().restore("not a saved driver"), Error);
  EXPECT_THROW(format().restore(""), Error);
}

TEST_P(DriverConformance, MissingFileIsRefusedNamingIt) {
  const std::string missing = (dir_.path() / ("missing-" + std::filesystem::path(file_.file).filename().string())).string();
  std::string path = file_.path;
  path.replace(0, file_.file.size(), missing);  // keeps an HDF5 dataset suffix
  try {
    format().open(path, {});
    ADD_FAILURE() << "opened " << path;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  EXPECT_THROW(open_file(path), Error);
}

INSTANTIATE_TEST_SUITE_P(Formats, DriverConformance, ::testing::ValuesIn(testing::reference_cases()),
                         [](const ::testing::TestParamInfo<ReferenceCase>& p) { return p.param.name; });

TEST(DriverConformanceCases, EveryRegisteredFormatHasCases) {
  std::set<std::string> covered;
  for (const auto& c : testing::reference_cases()) covered.insert(c.format);
  for (const Format& format : formats()) EXPECT_TRUE(covered.count(std::string(format.name))) << format.name;
}

}  // namespace
}  // namespace strata
