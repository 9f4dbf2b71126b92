#pragma once
// One error type for the whole library: a cause plus the context it happened in (the file,
// the format, the action and the chunk). Code below the CLI throws strata::Error; the MPI
// layer agrees on it across ranks, so every rank sees the same message:
//   FILE: FORMAT: ACTION CHUNK: CAUSE      e.g.
//   /data/a.zarr: zarr: reading chunk (0,3,1): blosc: corrupt header
#include <exception>
#include <new>
#include <string>
#include <string_view>

namespace strata {

// Where an error happened. Empty fields are unknown (or do not apply).
struct ErrorContext {
  std::string path;    // the file or store the user named (or the one part of it concerned)
  std::string format;  // "zarr", "ome-tiff", "hdf5", ...
  std::string action;  // "reading chunk", "writing", "opening"
  std::string chunk;   // "(0,3,1)" or a box "[0:1, 0:512, 0:512]"
};

class Error : public std::exception {
 public:
  // `path` may be empty for errors that concern no file (usage, MPI) or whose file the
  // caller adds (see annotated()).
  Error(std::string path, std::string cause) : Error(ErrorContext{std::move(path), {}, {}, {}}, std::move(cause)) {}
  Error(ErrorContext context, std::string cause);

  const std::string& path() const noexcept { return context_.path; }
  const std::string& format() const noexcept { return context_.format; }
  const std::string& action() const noexcept { return context_.action; }
  const std::string& chunk() const noexcept { return context_.chunk; }
  const std::string& cause() const noexcept { return cause_; }
  const ErrorContext& context() const noexcept { return context_; }
  // The message without the path: "FORMAT: ACTION CHUNK: CAUSE".
  std::string detail() const;
  const char* what() const noexcept override { return message_.c_str(); }

  // Fills the fields still empty from `outer` (what the code nearer the caller knows);
  // the fields known where the error was born win.
  void add_context(const ErrorContext& outer);

 private:
  void compose();
  ErrorContext context_;
  std::string cause_;
  std::string message_;
};

// How an error is shown: "strata: error: MESSAGE" and a newline, with every control character
// of MESSAGE (a file name may hold a newline) written as an escape, so an error is one line.
std::string error_line(std::string_view message);

// Runs `step`, and gives any failure the context `outer`: strata::Errors gain the fields
// they lack, std::bad_alloc becomes "out of memory", other std::exceptions their what().
// The one place where context is attached on the way out (applied by io::read_chunk for
// chunk reads, by the array layer for opening and writing).
template <typename Step>
decltype(auto) annotated(const ErrorContext& outer, Step&& step) {
  try {
    return step();
  } catch (Error& e) {
    e.add_context(outer);
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(outer, "out of memory");
  } catch (const std::exception& e) {
    throw Error(outer, e.what());
  }
}

}  // namespace strata
