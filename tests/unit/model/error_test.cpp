// strata::Error: context fields, the printed line, and annotation on the way out.
#include "strata/error.hpp"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

namespace strata {
namespace {

TEST(Error, PathAndCauseAlone) {
  const Error e("/data/a.tif", "not a TIFF");
  EXPECT_STREQ(e.what(), "/data/a.tif: not a TIFF");
  EXPECT_EQ(e.path(), "/data/a.tif");
  EXPECT_EQ(e.cause(), "not a TIFF");
  EXPECT_STREQ(Error("", "usage").what(), "usage");
}

TEST(Error, EveryFieldInTheOneLine) {
  const Error e(ErrorContext{"/d/a.zarr", "zarr", "reading chunk", "(0,3,1)"}, "blosc: corrupt header");
  EXPECT_STREQ(e.what(), "/d/a.zarr: zarr: reading chunk (0,3,1): blosc: corrupt header");
  EXPECT_EQ(e.detail(), "zarr: reading chunk (0,3,1): blosc: corrupt header");
}

TEST(Error, AnnotatedFillsOnlyWhatTheErrorLacks) {
  const ErrorContext outer{"/d/a.zarr", "zarr", "reading chunk", "(1,2)"};
  try {
    annotated(outer, [] { throw Error("/d/a.zarr/1.2", "cannot read: EIO"); });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), "/d/a.zarr/1.2");  // the inner, more precise file wins
    EXPECT_EQ(e.format(), "zarr");
    EXPECT_EQ(e.chunk(), "(1,2)");
    EXPECT_STREQ(e.what(), "/d/a.zarr/1.2: zarr: reading chunk (1,2): cannot read: EIO");
  }
}

TEST(Error, AnnotatedTurnsOtherExceptionsIntoErrors) {
  const ErrorContext outer{"/f.h5", "hdf5", "writing", ""};
  EXPECT_THROW(annotated(outer, [] { throw std::bad_alloc(); }), Error);
  try {
    annotated(outer, [] { throw std::runtime_error("boom"); });
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/f.h5: hdf5: writing: boom");
  }
  EXPECT_EQ(annotated(outer, [] { return 42; }), 42);
}

TEST(ErrorLine, IsOneLineWhateverTheFileIsCalled) {
  EXPECT_EQ(error_line("/d/a.tif: not a TIFF"), "strata: error: /d/a.tif: not a TIFF\n");
  EXPECT_EQ(error_line("/d/a\nb\t\r\x1b\x7f.tif: gone"), "strata: error: /d/a\\nb\\t\\r\\x1b\\x7f.tif: gone\n");
  EXPECT_EQ(error_line("/d/\xc3\xa9t\xc3\xa9.tif: x"), "strata: error: /d/\xc3\xa9t\xc3\xa9.tif: x\n") << "UTF-8 is kept";
}

}  // namespace
}  // namespace strata
