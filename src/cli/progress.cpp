#include "progress.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "json_log_format.h"

namespace oncotrack::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string duration_text(double s) {
  if (s < 90) return std::to_string(static_cast<int>(std::lround(s))) + " s";
  if (s < 5400) return std::to_string(static_cast<int>(std::lround(s / 60))) + " min";
  return std::to_string(static_cast<int>(s / 3600)) + " h " +
         std::to_string(static_cast<int>(std::lround(std::fmod(s, 3600) / 60))) + " min";
}

// "stage finished" -> "stage_finished", "up to date" -> "subject_up_to_date".
std::string event_name(const std::string& what) {
  std::string name = what.rfind("stage", 0) == 0 ? what : "subject " + what;
  for (char& c : name)
    if (c == ' ') c = '_';
  return name;
}

}  // namespace

Progress::Mode Progress::mode_for(const GlobalOptions& g) {
  if (g.log_format == "jsonl") return Mode::kJsonl;
  if (g.quiet) return Mode::kQuiet;
  return ::isatty(STDERR_FILENO) ? Mode::kLive : Mode::kLines;
}

double progress_interval_s(Progress::Mode mode) {
  if (const char* env = std::getenv("ONCOTRACK_PROGRESS_SECONDS")) {
    const double s = std::atof(env);
    if (s > 0) return s;
  }
  return mode == Progress::Mode::kLive ? 1.0 : 30.0;
}

Progress::Progress(Mode mode, std::size_t total, double interval_s)
    : mode_(mode), total_(total), interval_s_(interval_s) {
  if (mode_ == Mode::kLive || mode_ == Mode::kLines) thread_ = std::thread([this] { ticker(); });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (mode_ == Mode::kLive) std::fprintf(stderr, "\r\033[K");
}

void Progress::on_event(const pipeline::ProgressEvent& ev) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ev.what == "started") {
    running_[ev.subject] = {"", Clock::now()};
  } else if (ev.what == "stage started") {
    running_[ev.subject] = {ev.stage, Clock::now()};
  } else if (ev.what == "finished" || ev.what == "failed" || ev.what == "up to date") {
    running_.erase(ev.subject);
    done_ = ev.done;
    failed_ += ev.what == "failed";
    computed_ += ev.what != "up to date";
  }
  switch (mode_) {
    case Mode::kJsonl: {
      nlohmann::json j{
          {"event", event_name(ev.what)}, {"subject", ev.subject}, {"done", ev.done}, {"total", ev.total}};
      if (!ev.stage.empty()) j["stage"] = ev.stage;
      if (ev.what == "stage finished") {
        j["elapsed_s"] = std::round(ev.seconds * 1000) / 1000;
        j["peak_rss_mb"] = std::round(ev.peak_rss_mb * 10) / 10;
      }
      if (!ev.detail.empty()) j[ev.what == "failed" ? "error" : "output"] = ev.detail;
      log_event(j);
      break;
    }
    case Mode::kLive:
    case Mode::kLines:
    case Mode::kQuiet:
      if (ev.what == "failed")
        spdlog::error("[{}/{}] sub-{} failed: {}", ev.done, ev.total, ev.subject, ev.detail);
      else if (ev.what == "finished")
        spdlog::info("[{}/{}] sub-{} done", ev.done, ev.total, ev.subject);
      else if (ev.what == "up to date")
        spdlog::info("[{}/{}] sub-{} up to date (kept; --force recomputes)", ev.done, ev.total, ev.subject);
      else if (ev.what == "stage finished")
        spdlog::debug("sub-{} {} took {:.1f} s (peak RSS {:.0f} MB)", ev.subject, ev.stage, ev.seconds,
                      ev.peak_rss_mb);
      if (mode_ == Mode::kLive) draw_status();
      break;
  }
}

std::string Progress::summary() const {
  std::string s = std::to_string(done_) + "/" + std::to_string(total_) + " done";
  if (failed_) s += ", " + std::to_string(failed_) + " failed";
  if (!running_.empty()) {
    s += "; running:";
    for (const auto& [subject, r] : running_)
      s += " sub-" + subject + " " + (r.stage.empty() ? "starting" : r.stage) + " " +
           duration_text(seconds_since(r.since)) + ",";
    s.pop_back();
  }
  const std::size_t left = total_ - done_;
  if (left > 0 && computed_ > 0)
    s += "; ETA " +
         duration_text(seconds_since(started_) / static_cast<double>(computed_) * static_cast<double>(left));
  else if (left > 0)
    s += "; ETA after the first subject";
  return s;
}

void Progress::draw_status() const {
  std::string line = summary();
  if (line.size() > 160) line = line.substr(0, 157) + "...";
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void Progress::ticker() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::duration<double>(interval_s_), [this] { return stop_; });
    if (stop_) break;
    if (mode_ == Mode::kLive)
      draw_status();
    else
      spdlog::info("progress: {}", summary());
  }
}

}  // namespace oncotrack::cli
