// Progress for long work: a bar with rate and ETA on a terminal, JSON lines for machines, or nothing.
//
//   Progress progress({.label = "train", .total = epochs, .unit = "epoch"});
//   for (...) { ...; progress.SetMetric("loss", loss); progress.Advance(); }
//
// kAuto shows the bar only when the output stream is a terminal. The environment variable AUGUR_PROGRESS
// (bar, jsonl, off) overrides kAuto, so scripts and CI can choose. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace augur {

enum class ProgressMode { kAuto, kBar, kJsonLines, kOff };

// "auto", "bar", "jsonl", "off"; throws ConfigError otherwise.
ProgressMode ParseProgressMode(std::string_view text);

class Progress {
 public:
  struct Options {
    std::string label;              // shown before the bar and as "label" in JSON
    int64_t total = 0;              // units of work; 0 = unknown (no ETA)
    std::string unit = "it";        // unit name for the rate ("it/s", "steps/s")
    ProgressMode mode = ProgressMode::kAuto;
    std::FILE* out = stderr;        // where the bar or JSON lines go
    double min_interval_s = 0.1;    // redraw at most this often (JSON: emit at most this often)
  };

  explicit Progress(Options options);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Advance(int64_t n = 1);
  void Set(int64_t done);
  // A named value shown after the bar (and as a field in JSON), e.g. the current loss.
  void SetMetric(const std::string& key, double value);
  // Draws the final state and ends the line; called by the destructor if not called before.
  void Finish();

  // The mode in effect after resolving kAuto (kBar, kJsonLines or kOff).
  ProgressMode mode() const { return mode_; }
  int64_t done() const;

 private:
  void MaybeDraw(bool force);
  void Draw(bool final);

  Options options_;
  ProgressMode mode_;
  mutable std::mutex mutex_;
  int64_t done_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::vector<std::pair<std::string, double>> metrics_;
};

}  // namespace augur
