#pragma once
// Test support: runs the oncotrack binary and reads its JSON outputs. Header-only, shared by cli/ and real/.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace oncotrack::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `program <args>` (args already shell-quoted where needed), capturing stdout and stderr through a fresh
// temp folder.
inline CliResult run_command(const std::string& program, const std::string& args) {
  static int counter = 0;
  const auto tmp = std::filesystem::temp_directory_path() /
                   ("oncotrack_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(tmp);
  const std::string cmd =
      program + " " + args + " >" + (tmp / "out").string() + " 2>" + (tmp / "err").string() + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(tmp / "out");
  r.err = slurp(tmp / "err");
  std::filesystem::remove_all(tmp);
  return r;
}

// Runs `oncotrack <args>`.
inline CliResult run_cli(const std::string& args) {
  return run_command(ONCOTRACK_BINARY, args);
}

inline nlohmann::json read_json(const std::filesystem::path& p) {
  return nlohmann::json::parse(slurp(p));
}

// Validates a JSON file against data/report.schema.json with the system python3-jsonschema (test-time only).
// Returns the validator's message, empty when valid.
inline std::string schema_errors(const std::filesystem::path& json_file) {
  const std::string schema = std::string(ONCOTRACK_SOURCE_DIR) + "/data/report.schema.json";
  const std::string cmd =
      "/usr/bin/python3 -c \"import json,sys,jsonschema; "
      "jsonschema.Draft202012Validator(json.load(open(sys.argv[2]))).validate(json.load(open(sys.argv[1])))"
      "\" '" +
      json_file.string() + "' '" + schema + "' 2>&1";
  std::string output;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return "cannot start python3";
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) output += buf;
  const int status = pclose(pipe);
  return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? std::string()
                                                         : (output.empty() ? "invalid" : output);
}

inline std::filesystem::path fresh_dir(const std::string& name) {
  const auto d =
      std::filesystem::temp_directory_path() / ("oncotrack_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace oncotrack::testing
