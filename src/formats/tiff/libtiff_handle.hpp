#pragma once
// libtiff wrapped once: an open TIFF* whose error and warning messages are routed to the
// handle that caused them (never printed), and turned into strata::Error with the path.
#include <tiffio.h>

#include <memory>
#include <string>

namespace strata::tiff {

class LibtiffHandle {
 public:
  // Opens `path` read-only. `mode` is a libtiff mode string ("rc": no strip chopping,
  // "rch": also skip reading the first directory). Throws strata::Error naming the file.
  LibtiffHandle(const std::string& path, const char* mode);
  ~LibtiffHandle();
  LibtiffHandle(LibtiffHandle&& other) noexcept;
  LibtiffHandle& operator=(LibtiffHandle&& other) noexcept;
  LibtiffHandle(const LibtiffHandle&) = delete;
  LibtiffHandle& operator=(const LibtiffHandle&) = delete;

  TIFF* get() const noexcept { return tif_; }
  const std::string& path() const noexcept { return path_; }

  // The first error libtiff reported since the last clear_error(); empty when none.
  const std::string& error() const noexcept { return messages_->error; }
  void clear_error() noexcept { messages_->error.clear(); }
  // Throws strata::Error(path, what + ": " + libtiff's message).
  [[noreturn]] void fail(const std::string& what) const;

 private:
  struct Messages {
    std::string error;
  };
  std::unique_ptr<Messages> messages_;  // stable address: libtiff's handlers write into it
  TIFF* tif_ = nullptr;
  std::string path_;
};

}  // namespace strata::tiff
