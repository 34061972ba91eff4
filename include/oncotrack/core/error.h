#pragma once
// The two failure channels (ARCHITECTURE.md §4.3):
//  - oncotrack::Error: bad input or environment. Carries the file, the problem, what was expected and what
//  was
//    found, plus context lines added while unwinding ("while reading the mask of sub-01 ses-2").
//    WriteError, an Error, marks outputs that could not be written.
//  - ONCOTRACK_ASSERT: a bug in oncotrack itself; throws InternalError (exit code 3 in the CLI).
#include <stdexcept>
#include <string>
#include <vector>

namespace oncotrack {

class Error : public std::runtime_error {
 public:
  Error(std::string problem, std::string file = {}, std::string expected = {}, std::string found = {},
        std::string hint = {});

  const std::string& problem() const { return problem_; }
  const std::string& file() const { return file_; }
  const std::string& expected() const { return expected_; }
  const std::string& found() const { return found_; }
  const std::string& hint() const { return hint_; }
  const std::vector<std::string>& context() const { return context_; }

  // Adds an outer context line; what() is rebuilt so it always tells the whole story.
  void add_context(std::string line);
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  void rebuild();
  std::string problem_, file_, expected_, found_, hint_;
  std::vector<std::string> context_;
  std::string message_;
};

// An output could not be written (disk full, permissions, a file where a folder belongs). Never a reason to
// fall back to a lesser result: a rerun with room must compute the whole result.
class WriteError : public Error {
 public:
  using Error::Error;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void assert_fail(const char* cond, const char* msg, const char* file, int line);

}  // namespace oncotrack

#define ONCOTRACK_ASSERT(cond, msg) \
  ((cond) ? static_cast<void>(0) : ::oncotrack::assert_fail(#cond, msg, __FILE__, __LINE__))
