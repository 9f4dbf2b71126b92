// The .npy header dict read as NumPy reads it (ast.literal_eval and numpy.lib.format's checks).
#include "formats/npy/npy_header.hpp"

#include <gtest/gtest.h>

#include "strata/error.hpp"

namespace strata::npy {
namespace {

std::string refusal(std::string_view text, bool longs = false) {
  try {
    parse_header_dict(text, longs);
  } catch (const Error& e) {
    return e.what();
  }
  return "(read)";
}

TEST(NpyHeaderDict, ReadsWhatNumpyWrites) {
  const HeaderDict h = parse_header_dict("{'descr': '<u2', 'fortran_order': False, 'shape': (3, 4), }          \n", false);
  EXPECT_EQ(h.descr, "<u2");
  EXPECT_FALSE(h.fortran_order);
  EXPECT_EQ(h.shape, (Shape{3, 4}));
  EXPECT_EQ(parse_header_dict("{'descr': '|u1', 'fortran_order': True, 'shape': (7,), }", false).shape, Shape{7});
  EXPECT_EQ(parse_header_dict("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", false).shape, Shape{});
}

TEST(NpyHeaderDict, ReadsPythonLiteralsAsLiteralEvalDoes) {
  // Other writers' quoting and integers: double quotes, prefixes, signs, underscores, bases.
  const HeaderDict h = parse_header_dict(
      "{\"shape\": (+3, 0x4, 0o5, 0b11, 1_0,), \"fortran_order\": False, u'descr': b'<i4'}", false);
  EXPECT_EQ(h.shape, (Shape{3, 4, 5, 3, 10}));
  EXPECT_EQ(h.descr, "<i4");
  EXPECT_EQ(parse_header_dict("{'descr': '<u2', 'fortran_order': False, 'shape': (3L, 4L), }", true).shape,
            (Shape{3, 4}))
      << "Python 2's longs, which NumPy filters out of format 1 and 2 headers";
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': (3L, 4), }"), "(read)") << "not in format 3";
}

TEST(NpyHeaderDict, ARepeatedKeyMeansItsLastValue) {
  // As a Python dict literal does: reading the first would give other bytes than NumPy.
  const HeaderDict h =
      parse_header_dict("{'descr': '<f8', 'descr': '<u2', 'fortran_order': False, 'shape': (3, 4), 'shape': (4, 3)}", false);
  EXPECT_EQ(h.descr, "<u2");
  EXPECT_EQ(h.shape, (Shape{4, 3}));
}

TEST(NpyHeaderDict, RefusesWhatNumpyRefuses) {
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': (3, 4), 'x': 1}").find("'x'"), std::string::npos);
  EXPECT_NE(refusal("{'descr': '<u2', 'shape': (3, 4)}").find("no 'fortran_order'"), std::string::npos);
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': 0, 'shape': (3, 4)}").find("True or False"), std::string::npos);
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': [3, 4]}").find("not a tuple"), std::string::npos);
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': (3)}").find("not a tuple"), std::string::npos)
      << "(3) is 3 in Python";
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': (-1, 4)}").find("\"-1\", not a size"),
            std::string::npos);
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': (99999999999999999999,)}").find("not a size"),
            std::string::npos);
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': (3.0, 4)}"), "(read)");
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': (03, 4)}"), "(read)");
  EXPECT_NE(refusal("{'descr': '<u2', 'fortran_order': False, 'shape': (3__0, 4)}"), "(read)");
  EXPECT_NE(refusal("{'descr': [('a', '<u2')], 'fortran_order': False, 'shape': (3,)}").find("structured"),
            std::string::npos);
  EXPECT_NE(refusal("['descr', '<u2']").find("not a dict"), std::string::npos);
}

TEST(NpyHeaderDict, MalformedTextIsRefusedNotOverrun) {
  for (const char* text : {"", "{", "{'descr'", "{'descr': '<u2", "{'descr': '<u2',, 'x': 1}", "{'a' 'b'}",
                           "{'descr': '<u2'} trailing", "{'shape': (3, 4) 'descr': 'x'}", "{'shape': -}",
                           "{'shape': __import__('os')}", "{1: 2}"})
    EXPECT_NE(refusal(text), "(read)") << text;
  EXPECT_NE(refusal(std::string(100000, '(')).find("nested"), std::string::npos);
}

}  // namespace
}  // namespace strata::npy
