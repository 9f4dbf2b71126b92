#include "formats/tiff/libtiff_handle.hpp"

#include <cstdarg>
#include <cstdio>
#include <utility>

#include "io/file.hpp"
#include "strata/error.hpp"

namespace strata::tiff {
namespace {

int keep_first_error(TIFF*, void* user_data, const char* module, const char* fmt, va_list ap) {
  auto& error = *static_cast<std::string*>(user_data);
  if (error.empty()) {
    char text[1024];
    std::vsnprintf(text, sizeof text, fmt, ap);
    error = (module && *module) ? std::string(module) + ": " + text : std::string(text);
  }
  return 1;  // handled: libtiff must not call its global handler
}

int ignore_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

// libtiff's process-wide handlers print to stderr; messages from handles opened with
// TIFFOpenExt never reach them, but code paths without a handle (or other libraries'
// handles) still would.
void silence_global_handlers() {
  static const bool silenced = [] {
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
    return true;
  }();
  (void)silenced;
}

}  // namespace

LibtiffHandle::LibtiffHandle(const std::string& path, const char* mode)
    : messages_(std::make_unique<Messages>()), path_(path) {
  silence_global_handlers();
  if (*mode == 'r') io::require_regular_file(path);  // a FIFO named as an OME-TIFF part would block the open
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, keep_first_error, &messages_->error);
  TIFFOpenOptionsSetWarningHandlerExtR(options, ignore_warning, nullptr);
  tif_ = TIFFOpenExt(path.c_str(), mode, options);
  TIFFOpenOptionsFree(options);
  if (!tif_) fail("cannot open as TIFF");
}

LibtiffHandle::~LibtiffHandle() {
  if (tif_) TIFFClose(tif_);
}

LibtiffHandle::LibtiffHandle(LibtiffHandle&& other) noexcept
    : messages_(std::move(other.messages_)),
      tif_(std::exchange(other.tif_, nullptr)),
      path_(std::move(other.path_)) {}

LibtiffHandle& LibtiffHandle::operator=(LibtiffHandle&& other) noexcept {
  if (this != &other) {
    if (tif_) TIFFClose(tif_);
    messages_ = std::move(other.messages_);
    tif_ = std::exchange(other.tif_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

void LibtiffHandle::fail(const std::string& what) const {
  const std::string& message = messages_->error;
  throw Error(path_, message.empty() ? what : what + ": " + message);
}

}  // namespace strata::tiff
