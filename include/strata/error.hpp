#pragma once
// One error type for the whole library: a cause plus the file it concerns.
// Code below the CLI throws strata::Error; the MPI layer agrees on it across ranks,
// so every rank sees the same message.
#include <stdexcept>
#include <string>

namespace strata {

class Error : public std::runtime_error {
 public:
  // `path` may be empty for errors that concern no file (usage, MPI).
  Error(std::string path, const std::string& cause)
      : std::runtime_error(path.empty() ? cause : path + ": " + cause),
        path_(std::move(path)), cause_(cause) {}

  const std::string& path() const noexcept { return path_; }
  const std::string& cause() const noexcept { return cause_; }

 private:
  std::string path_;
  std::string cause_;
};

}  // namespace strata
