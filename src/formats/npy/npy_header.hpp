#pragma once
// The header of a .npy file: a Python dict literal such as
//   {'descr': '<u2', 'fortran_order': False, 'shape': (3, 4), }
// read as NumPy reads it (ast.literal_eval, then numpy.lib.format's checks), so that no header
// means one thing to NumPy and another here: Python's quoting, integers (signs, underscores,
// 0x/0o/0b, Python 2's 3L in format 1 and 2), a repeated key's last value; exactly the three
// keys; descr a string (a list is a structured dtype), fortran_order a bool, shape a tuple of
// integers.
#include <string>
#include <string_view>

#include "strata/box.hpp"

namespace strata::npy {

struct HeaderDict {
  std::string descr;  // a NumPy type string, '<u2'
  bool fortran_order = false;
  Shape shape;
};

// Throws strata::Error (no path) saying what is wrong or unsupported.
HeaderDict parse_header_dict(std::string_view text, bool python2_longs);

}  // namespace strata::npy
