#include "formats/tiff/imagej.hpp"

#include <gtest/gtest.h>

#include <string>

#include "strata/error.hpp"

namespace strata::tiff {
namespace {

std::string error_message(std::string_view description) {
  try {
    parse_imagej_description(description);
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(ImageJ, Hyperstack) {
  std::optional<ImageJInfo> info = parse_imagej_description(
      "ImageJ=1.53t\nimages=60\nchannels=3\nslices=5\nframes=4\nhyperstack=true\n"
      "mode=composite\nunit=micron\nspacing=2.5\nfinterval=0.5\nloop=false\nmin=0.0\n"
      "max=255.0\n");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->images, 60);
  EXPECT_EQ(info->channels, 3);
  EXPECT_EQ(info->slices, 5);
  EXPECT_EQ(info->frames, 4);
  EXPECT_TRUE(info->hyperstack);
  EXPECT_EQ(info->unit, "micron");
  EXPECT_EQ(info->spacing, 2.5);
  EXPECT_EQ(info->finterval, 0.5);
}

TEST(ImageJ, PlainStackFromFiji) {
  // As in scikit-image's _blobs_3d_fiji_skeleton.tif (ImageJ 1.50e), NUL-padded.
  using namespace std::string_view_literals;
  std::optional<ImageJInfo> info = parse_imagej_description(
      "ImageJ=1.50e\nimages=30\nslices=30\nloop=false\n\0\0\0"sv);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->images, 30);
  EXPECT_EQ(info->channels, 1);
  EXPECT_EQ(info->slices, 30);
  EXPECT_EQ(info->frames, 1);
  EXPECT_FALSE(info->hyperstack);
  EXPECT_FALSE(info->spacing);
  EXPECT_FALSE(info->finterval);
  EXPECT_EQ(info->unit, "");
}

TEST(ImageJ, MissingImagesIsTheProductOfTheCounts) {
  std::optional<ImageJInfo> info =
      parse_imagej_description("ImageJ=1.52e\nchannels=2\nframes=7\nhyperstack=true\n");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->images, 14);

  std::optional<ImageJInfo> single = parse_imagej_description("ImageJ=1.52e\nmin=0\nmax=4095\n");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->images, 1);
}

TEST(ImageJ, ImagesWithoutCountsIsAllowed) {
  std::optional<ImageJInfo> info = parse_imagej_description("ImageJ=1.11a\nimages=12\n");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->images, 12);
  EXPECT_EQ(info->channels * info->slices * info->frames, 1);
}

TEST(ImageJ, TrailingNulsCarriageReturnsAndUnknownKeys) {
  using namespace std::string_view_literals;
  std::optional<ImageJInfo> info = parse_imagej_description(
      "ImageJ=1.53t\r\nimages=6\r\nchannels=2\0\r\nslices=3\r\nunit=\\u00B5m\r\n"
      "spacing=0.25\0\r\nLabels=a=b\r\nno equals sign here\r\ncolor mode=grayscale\0\0"sv);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->images, 6);
  EXPECT_EQ(info->channels, 2);
  EXPECT_EQ(info->slices, 3);
  EXPECT_EQ(info->unit, "\\u00B5m");  // kept as written
  EXPECT_EQ(info->spacing, 0.25);
}

TEST(ImageJ, UnreadableStepsAreLeftOut) {
  std::optional<ImageJInfo> info =
      parse_imagej_description("ImageJ=1.53t\nspacing=fine\nfinterval=nan\n");
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->spacing);
  EXPECT_FALSE(info->finterval);
}

TEST(ImageJ, ContradictoryCountsAreErrors) {
  std::string message =
      error_message("ImageJ=1.53t\nimages=60\nchannels=3\nslices=5\nframes=3\nhyperstack=true\n");
  EXPECT_EQ(message.rfind("ImageJ description: ", 0), 0u) << message;
  EXPECT_NE(message.find("images=60"), std::string::npos) << message;
  EXPECT_NE(message.find("=45"), std::string::npos) << message;
}

TEST(ImageJ, MalformedCountsAreErrors) {
  for (const char* description :
       {"ImageJ=1.53t\nchannels=0\n", "ImageJ=1.53t\nslices=-2\n", "ImageJ=1.53t\nframes=x\n",
        "ImageJ=1.53t\nimages=\n", "ImageJ=1.53t\nimages=3.5\n",
        "ImageJ=1.53t\nchannels=4294967296\nslices=4294967296\nframes=4294967296\n"}) {
    SCOPED_TRACE(description);
    EXPECT_EQ(error_message(description).rfind("ImageJ description: ", 0), 0u);
  }
}

TEST(ImageJ, OtherDescriptionsAreNotImageJ) {
  EXPECT_FALSE(parse_imagej_description(""));
  EXPECT_FALSE(parse_imagej_description("Created with GIMP"));
  EXPECT_FALSE(parse_imagej_description("<?xml version=\"1.0\"?><OME/>"));
  EXPECT_FALSE(parse_imagej_description("{\"shape\": [3, 4, 5]}"));
  EXPECT_FALSE(parse_imagej_description(" ImageJ=1.53t\nimages=2\n"));
  EXPECT_FALSE(parse_imagej_description("imagej=1.53t\nimages=2\n"));
}

}  // namespace
}  // namespace strata::tiff
