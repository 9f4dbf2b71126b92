#include "strata/error.hpp"

#include <cstdio>

namespace strata {

Error::Error(ErrorContext context, std::string cause) : context_(std::move(context)), cause_(std::move(cause)) {
  compose();
}

std::string Error::detail() const {
  std::string text;
  if (!context_.format.empty()) text += context_.format + ": ";
  if (!context_.action.empty() || !context_.chunk.empty()) {
    text += context_.action;
    if (!context_.action.empty() && !context_.chunk.empty()) text += ' ';
    text += context_.chunk + ": ";
  }
  return text + cause_;
}

void Error::add_context(const ErrorContext& outer) {
  for (auto [mine, theirs] : {std::pair{&context_.path, &outer.path}, std::pair{&context_.format, &outer.format},
                              std::pair{&context_.action, &outer.action}, std::pair{&context_.chunk, &outer.chunk}})
    if (mine->empty()) *mine = *theirs;
  compose();
}

void Error::compose() {
  message_ = context_.path.empty() ? detail() : context_.path + ": " + detail();
}

std::string error_line(std::string_view message) {
  std::string line = "strata: error: ";
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') line += "\\n";
    else if (c == '\t') line += "\\t";
    else if (c == '\r') line += "\\r";
    else if (byte < 0x20 || byte == 0x7f) {
      char escape[5];
      std::snprintf(escape, sizeof escape, "\\x%02x", byte);
      line += escape;
    } else line += c;
  }
  return line + '\n';
}

}  // namespace strata
