#include "oncotrack/core/error.h"

namespace oncotrack {

Error::Error(std::string problem, std::string file, std::string expected, std::string found, std::string hint)
    : std::runtime_error(problem),
      problem_(std::move(problem)),
      file_(std::move(file)),
      expected_(std::move(expected)),
      found_(std::move(found)),
      hint_(std::move(hint)) {
  rebuild();
}

void Error::add_context(std::string line) {
  context_.push_back(std::move(line));
  rebuild();
}

void Error::rebuild() {
  message_.clear();
  if (!file_.empty()) message_ += file_ + ": ";
  message_ += problem_;
  if (!expected_.empty() || !found_.empty()) {
    message_ += " (expected " + (expected_.empty() ? std::string("-") : expected_) + ", found " +
                (found_.empty() ? std::string("-") : found_) + ")";
  }
  for (const auto& c : context_) message_ += "\n  " + c;
  if (!hint_.empty()) message_ += "\n  hint: " + hint_;
}

void assert_fail(const char* cond, const char* msg, const char* file, int line) {
  throw InternalError(std::string("internal error: ") + msg + " [" + cond + "] at " + file + ":" +
                      std::to_string(line) + " — please report this as a bug");
}

}  // namespace oncotrack
