#pragma once
// What `run`, `register` and `predict` tell the user while they work, on stderr: a live status line on a
// terminal (subjects done and failed, each running subject's stage, ETA), plain periodic lines when stderr is
// redirected, one JSON object per event with --log-format jsonl (subject, stage, elapsed, peak RSS), and
// nothing but failures with --quiet.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "commands.h"
#include "oncotrack/pipeline/run.h"

namespace oncotrack::cli {

class Progress {
 public:
  enum class Mode { kLive, kLines, kJsonl, kQuiet };
  // kJsonl with --log-format jsonl, kQuiet with --quiet, kLive when stderr is a terminal, else kLines.
  static Mode mode_for(const GlobalOptions& g);

  // interval_s: seconds between periodic lines (kLines) or redraws (kLive).
  Progress(Mode mode, std::size_t total, double interval_s);
  ~Progress();  // stops the ticker and clears the status line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void on_event(const pipeline::ProgressEvent& ev);  // thread-safe

 private:
  void ticker();
  std::string summary() const;  // "3/10 done, 1 failed; running: sub-a segment 12 s; ETA 4 min"
  void draw_status() const;     // kLive: rewrites the status line

  Mode mode_;
  std::size_t total_, done_ = 0, failed_ = 0, computed_ = 0;
  double interval_s_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  struct Running {
    std::string stage;
    std::chrono::steady_clock::time_point since;
  };
  std::map<std::string, Running> running_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// Seconds between progress lines: ONCOTRACK_PROGRESS_SECONDS when set (tests), else 30 (1 when live).
double progress_interval_s(Progress::Mode mode);

}  // namespace oncotrack::cli
