#pragma once
// What the driver tests share: reading an array through a driver the way exec does, and a
// suite over the fixtures a script in tests/data/ writes at test time with the format's
// reference library (h5py, zarr-python), checked against the expected.json it writes
// beside them (its schema: tests/data/fixture_expected.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/format.hpp"
#include "strata/error.hpp"

namespace strata::testing {

// XXH3-64 (seed 0) of `b` in hex, as Python's xxhash.xxh3_64_hexdigest writes it.
std::string xxh3_hex(const Buffer& b);

// Reads `box` of the array the way exec does: each chunk's part into its place in one
// C-order buffer (a strided view unless the chunk spans the trailing axes), from three
// threads at once.
Buffer read_box(const Driver& driver, const Box& box);
Buffer read_all(const Driver& driver);

// Expects driver.chunks_for(box) to be chunks() filtered to the chunks meeting `box` (files
// compared by path: the selected table numbers its own), chunk_count(box) to count them, and
// a driver restored from save_for(box) to hold them and read `box` as `driver` does.
void expect_chunks_for_is_filtered(const Format& format, const Driver& driver, const Box& box);
// `count` boxes inside `shape` (seeded): single elements, thin slices, edges, everything.
std::vector<Box> random_boxes(const Shape& shape, int count, unsigned seed);

// What the strata::Error `action` throws says; "(no error)" when it throws none.
std::string message_of(const std::function<void()>& action);

// Expects `driver` to read as an expected.json `entry` says: format, dims, shape, dtype,
// the whole array's and the selection's XXH3, and the physical sizes and channel names
// where the entry has them.
void expect_reads_as(const Driver& driver, const nlohmann::json& entry);

// The fixtures one run of a script wrote into a temporary folder, and why the suite over
// them is skipped or fails instead.
struct FixtureFolder {
  std::filesystem::path dir;
  nlohmann::json expected;
  std::string skip;     // the script exited 77: `needs` is not installed
  std::string failure;  // the script failed otherwise

  // Runs tests/data/`script` into a new temporary folder with STRATA_PYTHON.
  static FixtureFolder write(const std::string& script, const std::string& needs);
  void remove() const;
};

// A string literal as a template argument (the constructor is implicit, so that one converts).
template <std::size_t N>
struct Literal {
  constexpr Literal(const char (&text)[N]) { std::copy_n(text, N, chars); }
  char chars[N];
};

// A test suite over the fixtures tests/data/make_<name>_fixtures.py writes for the format
// `format` returns, run once per suite; its tests are skipped where the Python modules
// `needs` names are missing. Each format's suite is one alias:
//   using ZarrDriver = DriverFixtures<zarr_format, "zarr-python or numcodecs">;
template <const Format& (*format)(), Literal needs>
class DriverFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = FixtureFolder::write("make_" + std::string(format().name) + "_fixtures.py", needs.chars);
  }
  static void TearDownTestSuite() { folder_.remove(); }
  void SetUp() override {
    if (!folder_.skip.empty()) GTEST_SKIP() << folder_.skip;
    ASSERT_TRUE(folder_.failure.empty()) << folder_.failure;
  }

  static const std::filesystem::path& dir() { return folder_.dir; }
  static const nlohmann::json& expected() { return folder_.expected; }
  static std::string path(const std::string& name) { return (folder_.dir / name).string(); }
  static std::unique_ptr<Driver> open(const std::string& name, int level = 0) {
    return format().open(path(name), OpenOptions{level});
  }

  // Opens every entry of expected.json and expects it to read as the entry says; more
  // than `fewest` entries must be found, so that none went missing.
  static void expect_every_entry_reads_as_expected(int fewest) {
    int checked = 0;
    for (const auto& [name, entry] : expected().items()) {
      if (name == "expected_errors") continue;
      SCOPED_TRACE(name);
      std::unique_ptr<Driver> driver;
      ASSERT_NO_THROW(driver = open(name));
      expect_reads_as(*driver, entry);
      ++checked;
    }
    EXPECT_GT(checked, fewest);
  }

  // Expects every entry of "expected_errors" to be refused when opened (or, "at": "read",
  // when read), and `check` to accept the error; at least `fewest` entries.
  using RefusalCheck = std::function<void(const std::string& name, const nlohmann::json& entry, const Error&)>;
  static void expect_every_refusal(int fewest, const RefusalCheck& check) {
    int checked = 0;
    for (const auto& entry : expected().at("expected_errors")) {
      const std::string name = entry["name"];
      SCOPED_TRACE(name);
      try {
        const auto driver = open(name);
        ASSERT_EQ(entry["at"], "read") << "opened, but should have been refused";
        read_all(*driver);
        ADD_FAILURE() << "read, but should have failed";
      } catch (const Error& error) {
        check(name, entry, error);
      }
      ++checked;
    }
    EXPECT_GE(checked, fewest);
  }

 private:
  static inline FixtureFolder folder_;
};

}  // namespace strata::testing
