#include "strata/error.hpp"

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

}  // namespace strata
