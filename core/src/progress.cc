#include "augur/core/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "augur/core/error.h"

namespace augur {
namespace {

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

ProgressMode ResolveMode(ProgressMode mode, std::FILE* out) {
  if (mode != ProgressMode::kAuto) return mode;
  if (const char* env = std::getenv("AUGUR_PROGRESS"); env && *env) {
    const ProgressMode forced = ParseProgressMode(env);
    if (forced != ProgressMode::kAuto) return forced;
  }
  return (out && isatty(fileno(out))) ? ProgressMode::kBar : ProgressMode::kOff;
}

}  // namespace

ProgressMode ParseProgressMode(std::string_view text) {
  if (text == "auto") return ProgressMode::kAuto;
  if (text == "bar") return ProgressMode::kBar;
  if (text == "jsonl") return ProgressMode::kJsonLines;
  if (text == "off") return ProgressMode::kOff;
  throw ConfigError(StrCat("unknown progress mode '", text, "'; valid modes: auto, bar, jsonl, off"));
}

Progress::Progress(Options options)
    : options_(std::move(options)), mode_(ResolveMode(options_.mode, options_.out)) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { Finish(); }

void Progress::Advance(int64_t n) {
  std::lock_guard lock(mutex_);
  done_ += n;
  MaybeDraw(false);
}

void Progress::Set(int64_t done) {
  std::lock_guard lock(mutex_);
  done_ = done;
  MaybeDraw(false);
}

void Progress::SetMetric(const std::string& key, double value) {
  std::lock_guard lock(mutex_);
  for (auto& [k, v] : metrics_) {
    if (k == key) {
      v = value;
      return;
    }
  }
  metrics_.emplace_back(key, value);
}

int64_t Progress::done() const {
  std::lock_guard lock(mutex_);
  return done_;
}

void Progress::Finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (mode_ == ProgressMode::kOff) return;
  Draw(true);
  if (mode_ == ProgressMode::kBar) std::fputc('\n', options_.out);
  std::fflush(options_.out);
}

void Progress::MaybeDraw(bool force) {
  if (mode_ == ProgressMode::kOff || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  const bool complete = options_.total > 0 && done_ >= options_.total;
  if (!force && !complete && since < options_.min_interval_s) return;
  last_draw_ = now;
  Draw(false);
}

void Progress::Draw(bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  const bool known = options_.total > 0;
  const double eta = (known && rate > 0) ? (options_.total - done_) / rate : NAN;
  if (mode_ == ProgressMode::kJsonLines) {
    nlohmann::json line{{"label", options_.label}, {"done", done_},       {"elapsed_s", elapsed},
                        {"rate", rate},            {"unit", options_.unit}, {"final", final}};
    if (known) {
      line["total"] = options_.total;
      line["eta_s"] = std::isfinite(eta) ? eta : 0.0;
    }
    for (const auto& [k, v] : metrics_) line["metrics"][k] = v;
    std::fprintf(options_.out, "%s\n", line.dump().c_str());
    std::fflush(options_.out);
    return;
  }
  std::string text = "\r" + options_.label + " ";
  if (known) {
    constexpr int kWidth = 30;
    const double frac = std::min(1.0, static_cast<double>(done_) / options_.total);
    const int filled = static_cast<int>(frac * kWidth);
    text += "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    char buf[96];
    std::snprintf(buf, sizeof buf, "%3.0f%% %lld/%lld ", 100 * frac, static_cast<long long>(done_),
                  static_cast<long long>(options_.total));
    text += buf;
  } else {
    text += std::to_string(done_) + " ";
  }
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.1f %s/s elapsed %s", rate, options_.unit.c_str(), FormatDuration(elapsed).c_str());
  text += buf;
  if (known && !final) text += " eta " + FormatDuration(eta);
  for (const auto& [k, v] : metrics_) {
    std::snprintf(buf, sizeof buf, " %s=%.4g", k.c_str(), v);
    text += buf;
  }
  text += "\x1b[K";  // clear to the end of the line
  std::fputs(text.c_str(), options_.out);
  std::fflush(options_.out);
}

}  // namespace augur
