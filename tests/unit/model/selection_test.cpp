// Selections ("C=1,Z=2:5") and the dims they are resolved against.
#include "strata/selection.hpp"

#include <gtest/gtest.h>

#include <ostream>

#include "strata/dims.hpp"
#include "strata/error.hpp"

namespace strata {

static void PrintTo(const Box& b, std::ostream* os) { *os << b.to_string(); }

namespace {

const std::string kDims = "TCZYX";
const Shape kShape = {2, 3, 20, 64, 48};

void expect_axis(const AxisSelection& a, char axis, std::optional<std::int64_t> start,
                 std::optional<std::int64_t> stop, bool is_index) {
  EXPECT_EQ(a.axis, axis);
  EXPECT_EQ(a.start, start) << "axis " << axis;
  EXPECT_EQ(a.stop, stop) << "axis " << axis;
  EXPECT_EQ(a.is_index, is_index) << "axis " << axis;
}

const AxisSelection* find_axis(const Selection& s, char axis) {
  for (const auto& a : s.axes)
    if (a.axis == axis) return &a;
  return nullptr;
}

// Two selections pick the same thing when every axis they name agrees.
void expect_same(const Selection& a, const Selection& b) {
  ASSERT_EQ(a.axes.size(), b.axes.size());
  for (const auto& x : a.axes) {
    const AxisSelection* y = find_axis(b, x.axis);
    ASSERT_NE(y, nullptr) << "axis " << x.axis;
    expect_axis(*y, x.axis, x.start, x.stop, x.is_index);
  }
}

Box resolve_text(std::string_view text) { return resolve(parse_selection(text), kDims, kShape); }

TEST(ParseSelection, EmptyMeansEverything) { EXPECT_TRUE(parse_selection("").all()); }

TEST(ParseSelection, IndexAndRange) {
  Selection s = parse_selection("C=1,Z=2:5");
  ASSERT_EQ(s.axes.size(), 2u);
  ASSERT_NE(find_axis(s, 'C'), nullptr);
  ASSERT_NE(find_axis(s, 'Z'), nullptr);
  expect_axis(*find_axis(s, 'C'), 'C', 1, 2, true);
  expect_axis(*find_axis(s, 'Z'), 'Z', 2, 5, false);
  EXPECT_FALSE(s.all());
}

TEST(ParseSelection, OpenEndedRanges) {
  Selection to = parse_selection("Z=:5");
  ASSERT_EQ(to.axes.size(), 1u);
  expect_axis(to.axes[0], 'Z', std::nullopt, 5, false);
  Selection from = parse_selection("Z=3:");
  ASSERT_EQ(from.axes.size(), 1u);
  expect_axis(from.axes[0], 'Z', 3, std::nullopt, false);
}

TEST(ParseSelection, LowerCaseAxesBecomeUpperCase) {
  expect_same(parse_selection("z=:10"), parse_selection("Z=:10"));
  expect_same(parse_selection("c=1,t=0:2"), parse_selection("C=1,T=0:2"));
  EXPECT_EQ(parse_selection("x=4").axes.at(0).axis, 'X');
}

TEST(ParseSelection, FiveAxes) {
  Selection s = parse_selection("T=1,C=0:2,Z=3:,Y=:40,X=7");
  ASSERT_EQ(s.axes.size(), 5u);
  expect_axis(*find_axis(s, 'T'), 'T', 1, 2, true);
  expect_axis(*find_axis(s, 'C'), 'C', 0, 2, false);
  expect_axis(*find_axis(s, 'Z'), 'Z', 3, std::nullopt, false);
  expect_axis(*find_axis(s, 'Y'), 'Y', std::nullopt, 40, false);
  expect_axis(*find_axis(s, 'X'), 'X', 7, 8, true);
}

// The contract does not say whether spaces are allowed; either they are ignored or the
// text is rejected with strata::Error — never silently misread.
TEST(ParseSelection, SpacesAreIgnoredOrRejected) {
  Selection plain = parse_selection("C=1,Z=2:5");
  for (const char* spaced : {"C=1, Z=2:5", " C = 1 , Z = 2 : 5 ", "C=1 ,Z=2:5"}) {
    try {
      expect_same(parse_selection(spaced), plain);
    } catch (const Error&) {
      // rejected: acceptable
    }
  }
}

TEST(ParseSelection, ToStringParsesBack) {
  for (const char* text : {"", "C=1", "C=1,Z=2:5", "Z=:5", "Z=3:", "T=0,X=3:9,Y=:2"}) {
    Selection s = parse_selection(text);
    expect_same(parse_selection(s.to_string()), s);
  }
}

TEST(ParseSelection, SyntaxErrorsThrowNamingTheText) {
  for (const char* bad :
       {"Q", "Z", "Z=a", "Z=", "=3", "Z=1:2:3", "Z=1:b", "Z=1.5", "ZZ=1", "1=2", "Z=1;C=2"}) {
    try {
      parse_selection(bad);
      ADD_FAILURE() << "parse_selection accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos)
          << "message does not quote the selection: " << e.what();
    }
  }
}

TEST(ParseSelection, RepeatedAxisThrows) {
  EXPECT_THROW(parse_selection("Z=1,Z=2"), Error);
  EXPECT_THROW(parse_selection("Z=1,z=2:4"), Error);
  EXPECT_THROW(parse_selection("C=0,Z=1,C=1"), Error);
}

TEST(Resolve, EverythingIsTheWholeArray) { EXPECT_EQ(resolve_text(""), Box::whole(kShape)); }

TEST(Resolve, IndexKeepsItsAxis) {
  Box b = resolve_text("C=1,Z=2:5");
  EXPECT_EQ(b, (Box{{0, 1, 2, 0, 0}, {2, 2, 5, 64, 48}}));
  EXPECT_EQ(b.rank(), kShape.size());
}

TEST(Resolve, OpenEndsReachTheArrayEdges) {
  EXPECT_EQ(resolve_text("Z=:5"), (Box{{0, 0, 0, 0, 0}, {2, 3, 5, 64, 48}}));
  EXPECT_EQ(resolve_text("Z=3:"), (Box{{0, 0, 3, 0, 0}, {2, 3, 20, 64, 48}}));
  EXPECT_EQ(resolve_text("z=19,x=47"), (Box{{0, 0, 19, 0, 47}, {2, 3, 20, 64, 48}}));
}

TEST(Resolve, AxisOrderInTextDoesNotMatter) {
  EXPECT_EQ(resolve_text("Z=2:5,C=1"), resolve_text("C=1,Z=2:5"));
}

TEST(Resolve, OtherDims) {
  // A YX image: the same selection text, resolved against two axes.
  EXPECT_EQ(resolve(parse_selection("Y=1:3"), "YX", {10, 20}), (Box{{1, 0}, {3, 20}}));
  // Samples axis of an RGB image.
  EXPECT_EQ(resolve(parse_selection("S=2"), "YXS", {4, 5, 3}), (Box{{0, 0, 2}, {4, 5, 3}}));
}

TEST(Resolve, EmptyRangesThrow) {
  EXPECT_THROW(resolve_text("Z=2:2"), Error);
  // "Z=5:2" may be refused by the parser already; either way it must not resolve.
  EXPECT_THROW(resolve_text("Z=5:2"), Error);
  EXPECT_THROW(resolve_text("Z=20:"), Error);
  EXPECT_THROW(resolve_text("Z=:0"), Error);
}

TEST(Resolve, AxisNotInDimsThrowsNamingIt) {
  try {
    resolve(parse_selection("T=0"), "CZYX", {3, 20, 64, 48});
    ADD_FAILURE() << "resolved an axis the array does not have";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find('T'), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolve(parse_selection("S=0"), kDims, kShape), Error);
}

TEST(Resolve, IndexOutOfRangeThrows) {
  EXPECT_THROW(resolve_text("Z=20"), Error);
  EXPECT_THROW(resolve_text("C=3"), Error);
  EXPECT_THROW(resolve_text("T=100"), Error);
  EXPECT_NO_THROW(resolve_text("Z=19"));
}

TEST(Dims, NormalizeUpperCases) {
  EXPECT_EQ(normalize_dims("tczyx"), "TCZYX");
  EXPECT_EQ(normalize_dims("YXS"), "YXS");
  EXPECT_EQ(normalize_dims(""), "");
}

TEST(Dims, NormalizeRejectsRepeatsAndNonLetters) {
  EXPECT_THROW(normalize_dims("TZT"), Error);
  EXPECT_THROW(normalize_dims("Zz"), Error);
  EXPECT_THROW(normalize_dims("T1"), Error);
  EXPECT_THROW(normalize_dims("Y X"), Error);
}

TEST(Dims, DefaultDimsAreTrailingCanonicalLetters) {
  EXPECT_EQ(default_dims(0), "");
  EXPECT_EQ(default_dims(2), "YX");
  EXPECT_EQ(default_dims(3), "ZYX");
  EXPECT_EQ(default_dims(5), "TCZYX");
  for (std::size_t rank = 6; rank <= 8; ++rank) {
    std::string d = default_dims(rank);
    EXPECT_EQ(d.size(), rank);
    EXPECT_EQ(d.substr(rank - 5), "TCZYX");
    EXPECT_EQ(normalize_dims(d), d) << "letters must be distinct upper-case: " << d;
  }
}

}  // namespace
}  // namespace strata
