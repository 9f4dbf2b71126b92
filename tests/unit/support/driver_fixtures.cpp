#include "driver_fixtures.hpp"

#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "strata/grid.hpp"
#include "strata/selection.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

#ifndef STRATA_PYTHON
#define STRATA_PYTHON "/usr/bin/python3"  // Debian's, which has zarr-python, h5py and numcodecs
#endif

namespace strata::testing {

namespace fs = std::filesystem;

namespace {

// A chunk with its file named by path and its codec by name: tables numbering their files
// and codecs differently compare equal when they describe the same chunks.
nlohmann::json resolved(const ChunkTable& table, const ChunkRef& c) {
  nlohmann::json segments = nlohmann::json::array();
  for (const ByteRange& r : c.segments) segments.push_back({r.offset, r.size});
  return {{"box", c.box.to_string()},  {"file", table.files.at(c.file)}, {"codec", table.codecs.at(c.encoding)},
          {"segments", segments},      {"key", c.key},                   {"ifd", c.ifd_offset},
          {"filter_mask", c.filter_mask}};
}

std::vector<nlohmann::json> resolved_meeting(const ChunkTable& table, const Box& box) {
  std::vector<nlohmann::json> out;
  for (const ChunkRef& c : table.chunks)
    if (intersect(c.box, box)) out.push_back(resolved(table, c));
  return out;
}

}  // namespace

void expect_chunks_for_is_filtered(const Format& format, const Driver& driver, const Box& box) {
  SCOPED_TRACE("box " + box.to_string());
  const ChunkTable& all = driver.chunks();
  const std::vector<nlohmann::json> want = resolved_meeting(all, box);
  const ChunkTable selected = driver.chunks_for(box);
  std::vector<nlohmann::json> got;
  for (const ChunkRef& c : selected.chunks) got.push_back(resolved(selected, c));
  EXPECT_EQ(got, want);
  EXPECT_EQ(driver.chunk_count(box), want.size());
  EXPECT_EQ(selected.chunk_shape, all.chunk_shape);
  EXPECT_EQ(selected.fill, all.fill);
  EXPECT_EQ(selected.partial_block, all.partial_block);
  std::unique_ptr<Driver> restored;
  ASSERT_NO_THROW(restored = format.restore(driver.save_for(box)));
  EXPECT_EQ(resolved_meeting(restored->chunks(), box), want);
  if (box.empty()) return;
  const Buffer got_bytes = read_box(*restored, box), want_bytes = read_box(driver, box);
  EXPECT_TRUE(std::ranges::equal(got_bytes.bytes(), want_bytes.bytes()));
}

std::vector<Box> random_boxes(const Shape& shape, int count, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<Box> boxes{Box::whole(shape)};
  for (int k = 1; k < count; ++k) {
    Box b{Index(shape.size()), Index(shape.size())};
    for (std::size_t i = 0; i < shape.size(); ++i) {
      std::uniform_int_distribution<std::int64_t> at(0, std::max<std::int64_t>(shape[i] - 1, 0));
      b.start[i] = at(random);
      b.stop[i] = std::min(shape[i], b.start[i] + (k % 3 == 0 ? 1 : at(random) + 1));  // every third: one element
    }
    boxes.push_back(b);
  }
  return boxes;
}
using nlohmann::json;

std::string xxh3_hex(const Buffer& b) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(XXH3_64bits(b.data(), b.size())));
  return text;
}

Buffer read_box(const Driver& driver, const Box& box) {
  const DType dtype = driver.info().dtype;
  Buffer buffer(static_cast<std::size_t>(box.count()) * size_of(dtype));
  const View all = View::contiguous(buffer.data(), dtype, box.shape());
  const auto& chunks = driver.chunks().chunks;
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (std::size_t i = next++; i < chunks.size(); i = next++) {
      const auto region = intersect(chunks[i].box, box);
      if (!region) continue;
      try {
        driver.read_chunk(chunks[i], *region, all.sub(region->relative_to(box.start)));
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return buffer;
}

Buffer read_all(const Driver& driver) { return read_box(driver, Box::whole(driver.info().shape)); }

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_reads_as(const Driver& driver, const json& entry) {
  const ArrayInfo& info = driver.info();
  EXPECT_EQ(info.format, entry["format"]);
  EXPECT_EQ(info.dims, entry["dims"].is_null() ? entry["dims_default_rank_based"] : entry["dims"]);
  EXPECT_EQ(info.shape, entry["shape"].get<Shape>());
  EXPECT_EQ(name(info.dtype), entry["dtype"].get<std::string>());
  EXPECT_EQ(xxh3_hex(read_all(driver)), entry["xxh3"]);

  const Box sel = resolve(parse_selection(entry["select"].get<std::string>()), info.dims, info.shape);
  EXPECT_EQ(sel.shape(), entry["select_shape"].get<Shape>());
  EXPECT_EQ(xxh3_hex(read_box(driver, sel)), entry["select_xxh3"]) << "selection " << entry["select"];

  if (entry.contains("physical_sizes")) {
    EXPECT_EQ(info.physical_sizes.size(), entry["physical_sizes"].size());
    for (const auto& [axis, size] : entry["physical_sizes"].items()) {
      ASSERT_TRUE(info.physical_sizes.count(axis[0])) << "no physical size for " << axis;
      EXPECT_DOUBLE_EQ(info.physical_sizes.at(axis[0]).value, size["value"].get<double>()) << axis;
      EXPECT_EQ(info.physical_sizes.at(axis[0]).unit, size["unit"]) << axis;
    }
  }
  if (entry.contains("channel_names")) {
    EXPECT_EQ(info.channel_names, entry["channel_names"].get<std::vector<std::string>>());
  }
}

FixtureFolder FixtureFolder::write(const std::string& script, const std::string& needs) {
  FixtureFolder folder;
  char tmpl[] = "/tmp/strata-fixtures-XXXXXX";
  if (!mkdtemp(tmpl)) {
    folder.skip = "cannot create a temporary folder";
    return folder;
  }
  folder.dir = fs::path(tmpl) / "fixtures";
  const fs::path data = fs::path(STRATA_TESTS_DIR) / "data";
  const std::string command = std::string(STRATA_PYTHON) + " " + (data / script).string() + " " + folder.dir.string();
  const int status = std::system(command.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
    folder.skip = needs + " is not installed for " STRATA_PYTHON;
  } else if (status != 0) {
    folder.failure = "fixture script failed: " + command;
  } else {
    std::ifstream in(folder.dir / "expected.json");
    folder.expected = json::parse(in);
  }
  return folder;
}

void FixtureFolder::remove() const {
  if (!dir.empty()) fs::remove_all(dir.parent_path());
}

}  // namespace strata::testing
