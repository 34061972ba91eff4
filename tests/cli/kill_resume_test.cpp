// Resume that cannot be fooled: `oncotrack run` killed with SIGKILL at random moments (several seeds, twice
// per seed), then resumed into the same folder, ends with exactly the files of an uninterrupted run — the
// same names, masks, transforms and pictures byte for byte, and reports equal but for wall times and the
// provenance's run details (command line, start and end, per-stage times). Between kills, every result that
// looks finished (a report or error file) is a whole document.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "support/run_cli.h"

extern char** environ;

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Removes wall times ("wall_s", "seconds") everywhere in j.
void drop_times(json& j) {
  if (j.is_object()) {
    j.erase("wall_s");
    j.erase("seconds");
  }
  if (j.is_structured())
    for (auto& v : j) drop_times(v);
}

// Relative path -> content of every file under dir (in reports, the provenance reduced to what must not
// change and no wall times; in HTML pages, no provenance section).
std::map<std::string, std::string> outputs(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), dir).string();
    std::string content = slurp(e.path());
    if (e.path().extension() == ".json") {
      json j = json::parse(content);
      if (j.contains("provenance")) {
        const json p = j.at("provenance");
        j["provenance"] = {{"fingerprint", p.at("fingerprint")},
                           {"model", p.at("model")},
                           {"config", p.at("config")},
                           {"inputs", p.at("inputs")}};
      }
      drop_times(j);
      content = j.dump();
    } else if (e.path().extension() == ".html") {  // the provenance section shows times and the command line
      const std::size_t from = content.find("<section id=\"provenance\">");
      const std::size_t to = content.find("</section>", from);
      if (from != std::string::npos && to != std::string::npos) content.erase(from, to - from);
    }
    files[rel] = content;
  }
  return files;
}

// Starts `oncotrack args...` with its output discarded; returns its pid.
pid_t spawn_cli(const std::vector<std::string>& args) {
  std::vector<std::string> all{ONCOTRACK_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Every report or error file present parses as a whole JSON document with a status.
void expect_finished_files_whole(const fs::path& dir) {
  if (!fs::exists(dir)) return;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    const bool result =
        name == "error.json" || (name.size() > 12 && name.rfind("_report.json") == name.size() - 12);
    if (!result) continue;
    const json j = json::parse(slurp(e.path()), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << e.path() << " is not a whole JSON document";
    if (!j.is_discarded()) {
      EXPECT_TRUE(j.contains("status")) << e.path();
    }
  }
}

TEST(KillResume, SigkilledRunsResumeToTheFilesOfAnUninterruptedRun) {
  const fs::path dir = fresh_dir("kill_resume");
  ASSERT_EQ(run_cli("synth --out " + (dir / "cohort").string()).exit_code, 0);
  const std::string manifest = (dir / "cohort" / "manifest.csv").string();

  const auto started = std::chrono::steady_clock::now();
  const CliResult reference = run_cli("-j 2 run " + manifest + " --out " + (dir / "reference").string());
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  const auto expected = outputs(dir / "reference");

  for (const unsigned seed : {1u, 2u, 3u}) {
    const fs::path out = dir / ("resumed_" + std::to_string(seed));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> moment(0.05, 0.95);
    int killed = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
      const pid_t pid = spawn_cli({"-j", "2", "run", manifest, "--out", out.string()});
      ASSERT_GT(pid, 0);
      std::this_thread::sleep_for(std::chrono::duration<double>(moment(rng) * wall_s));
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;  // else it had finished
      expect_finished_files_whole(out);
    }
    const CliResult resumed = run_cli("-j 2 run " + manifest + " --out " + out.string());
    ASSERT_EQ(resumed.exit_code, 0) << "seed " << seed << ": " << resumed.err;
    const auto got = outputs(out);
    auto count = [&](const std::string& status) {
      std::size_t n = 0;
      for (auto at = resumed.out.find(status); at != std::string::npos; at = resumed.out.find(status, at + 1))
        ++n;
      return n;
    };
    std::cerr << "seed " << seed << ": killed " << killed << " of 2 runs; the resumed run kept "
              << count("\tup-to-date\t") << " subject(s) and computed " << count("\tok\t") << "\n";
    for (const auto& [rel, content] : expected) {
      const auto it = got.find(rel);
      ASSERT_NE(it, got.end()) << "seed " << seed << ": " << rel << " missing";
      EXPECT_TRUE(it->second == content) << "seed " << seed << ": " << rel << " differs";
    }
    for (const auto& [rel, content] : got)
      EXPECT_EQ(expected.count(rel), 1u) << "seed " << seed << ": extra file " << rel;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oncotrack::testing
