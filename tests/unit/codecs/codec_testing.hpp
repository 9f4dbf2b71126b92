#pragma once
// What the codec tests share: sample data and the errors the codecs throw.
#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "strata/error.hpp"

namespace strata::testing {

// `n` bytes that compress well yet are not trivial: a slow ramp with a little noise.
inline std::vector<std::byte> compressible(std::size_t n) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>(i / 64 + (i * 7919 % 13 == 0 ? i % 5 : 0));
  return v;
}

// `n` bytes that barely compress (a 64-bit LCG's high bytes).
inline std::vector<std::byte> incompressible(std::size_t n) {
  std::vector<std::byte> v(n);
  unsigned long long x = 88172645463325252ull;
  for (auto& b : v) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    b = static_cast<std::byte>(x >> 56);
  }
  return v;
}

inline std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> v;
  for (char c : text) v.push_back(static_cast<std::byte>(c));
  return v;
}

inline std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> v;
  for (int x : values) v.push_back(static_cast<std::byte>(x));
  return v;
}

// The cause of the strata::Error `action` throws; codecs leave the path to their callers.
inline std::string cause_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_EQ(e.path(), "");
    return e.cause();
  }
  return "(no error)";
}

}  // namespace strata::testing
