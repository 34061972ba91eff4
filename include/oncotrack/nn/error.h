#pragma once
// Errors of the network engine. nn/ depends on Eigen and nlohmann_json only (ARCHITECTURE.md §2), so it has
// its own exception type; it carries the same parts as oncotrack::Error (what is wrong, where, expected,
// found) and the pipeline converts it at the boundary. Bugs in the engine itself throw std::logic_error.
#include <stdexcept>
#include <string>

namespace oncotrack::nn {

class NnError : public std::runtime_error {
 public:
  NnError(std::string problem, std::string where = {}, std::string expected = {}, std::string found = {});

  const std::string& problem() const { return problem_; }
  const std::string& where() const { return where_; }  // file or tensor the problem is in
  const std::string& expected() const { return expected_; }
  const std::string& found() const { return found_; }

 private:
  std::string problem_, where_, expected_, found_;
};

}  // namespace oncotrack::nn
