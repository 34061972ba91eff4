#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

std::string compose(const std::string& problem, const std::string& where, const std::string& expected,
                    const std::string& found) {
  std::string m = where.empty() ? problem : where + ": " + problem;
  if (!expected.empty()) m += "; expected " + expected;
  if (!found.empty()) m += ", got " + found;
  return m;
}

}  // namespace

NnError::NnError(std::string problem, std::string where, std::string expected, std::string found)
    : std::runtime_error(compose(problem, where, expected, found)),
      problem_(std::move(problem)),
      where_(std::move(where)),
      expected_(std::move(expected)),
      found_(std::move(found)) {}

}  // namespace oncotrack::nn
