#include "augur/envs/replay.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "augur/core/error.h"
#include "augur/envs/registry.h"

namespace augur::envs {
namespace {

void CheckColumn(const std::string& env_id, const char* name, size_t size, int64_t rows, int64_t width) {
  if (static_cast<int64_t>(size) != rows * width) {
    throw ShapeError(StrCat("Replay(", env_id, "): column '", name, "' has ", size, " values but ", rows, " rows x ",
                            width, " = ", rows * width, " are needed"));
  }
}

// |a - b|, infinite when exactly one is NaN or both differ in a non-finite way.
double AbsError(double a, double b) {
  if (a == b) return 0.0;
  const double e = std::fabs(a - b);
  return std::isnan(e) ? INFINITY : e;
}

}  // namespace

void ReplayOptions::Validate() const {
  if (!(atol >= 0)) throw ConfigError(StrCat("ReplayOptions: atol = ", atol, " must be >= 0"));
  if (worst_rows < 0) throw ConfigError(StrCat("ReplayOptions: worst_rows = ", worst_rows, " must be >= 0"));
}

std::string ReplayReport::ToString() const {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << "rows=" << rows << " next_obs " << 100 * obs_match << "% reward "
      << 100 * reward_match << "% terminal " << 100 * done_match << "% all " << 100 * all_match << "%"
      << std::scientific << std::setprecision(3) << " (max next_obs error " << max_obs_error << ", max reward error "
      << max_reward_error << ")";
  for (const ReplayMismatch& m : worst) {
    out << "\n  row " << m.row << ": " << m.field << " error " << m.error << (m.matched ? "" : " MISMATCH");
  }
  return out.str();
}

ReplayReport Replay(Env& env, std::span<const float> obs, std::span<const float> actions,
                    std::span<const float> next_obs, std::span<const float> rewards, std::span<const float> terminals,
                    int64_t rows, const ReplayOptions& options) {
  options.Validate();
  const EnvSpec& spec = env.spec();
  if (rows < 0) throw ShapeError(StrCat("Replay(", spec.id, "): rows = ", rows, " must be >= 0"));
  const int64_t o = spec.obs_dim(), a = spec.action_dim();
  CheckColumn(spec.id, "obs", obs.size(), rows, o);
  CheckColumn(spec.id, "actions", actions.size(), rows, a);
  CheckColumn(spec.id, "next_obs", next_obs.size(), rows, o);
  CheckColumn(spec.id, "rewards", rewards.size(), rows, 1);
  CheckColumn(spec.id, "terminals", terminals.size(), rows, 1);
  if (!env.CanSetFromObservation()) {
    throw StateError(StrCat("Replay(", spec.id, "): the env cannot be set from an observation, so recorded ",
                            "transitions cannot be replayed"));
  }

  ReplayReport report;
  report.rows = rows;
  int64_t obs_ok = 0, reward_ok = 0, done_ok = 0, all_ok = 0;
  std::vector<ReplayMismatch> scored;
  scored.reserve(rows);
  std::vector<float> predicted(o);
  for (int64_t r = 0; r < rows; ++r) {
    StepInfo info;
    try {
      env.SetFromObservation(obs.subspan(r * o, o));
      info = env.StepInto(actions.subspan(r * a, a), predicted);
    } catch (const RangeError& e) {
      throw RangeError(StrCat("Replay row ", r, ": ", e.what()));
    }
    ReplayMismatch worst{r, "", 0.0, true};
    double obs_error = 0;
    for (int64_t i = 0; i < o; ++i) {
      const double e = AbsError(predicted[i], next_obs[r * o + i]);
      if (e > obs_error) obs_error = e;
      if (e > worst.error) worst = {r, StrCat("next_obs[", i, "]"), e, true};
    }
    const double reward_error = AbsError(info.reward, rewards[r]);
    if (reward_error > worst.error) worst = {r, "reward", reward_error, true};
    const bool done_same = info.terminated == (terminals[r] != 0.f);
    const bool obs_same = obs_error <= options.atol, reward_same = reward_error <= options.atol;
    obs_ok += obs_same;
    reward_ok += reward_same;
    done_ok += done_same;
    worst.matched = obs_same && reward_same && done_same;
    all_ok += worst.matched;
    report.max_obs_error = std::max(report.max_obs_error, obs_error);
    report.max_reward_error = std::max(report.max_reward_error, reward_error);
    // A mismatched terminal flag is the row's worst field and ranks above every numeric error.
    if (!done_same) {
      worst.field = "terminal";
      worst.error = INFINITY;
    }
    if (worst.error > 0 || !worst.matched) scored.push_back(std::move(worst));
  }
  const auto by_error = [](const ReplayMismatch& x, const ReplayMismatch& y) {
    const bool xm = !x.matched, ym = !y.matched;
    if (xm != ym) return xm;
    if (x.error != y.error) return x.error > y.error;
    return x.row < y.row;
  };
  const size_t keep = std::min<size_t>(scored.size(), options.worst_rows);
  std::partial_sort(scored.begin(), scored.begin() + keep, scored.end(), by_error);
  scored.resize(keep);
  for (ReplayMismatch& m : scored) {
    if (m.field == "terminal") m.error = 1.0;
  }
  report.worst = std::move(scored);
  report.mismatched_rows = rows - all_ok;
  const double n = rows > 0 ? static_cast<double>(rows) : 1.0;
  report.obs_match = rows > 0 ? obs_ok / n : 1.0;
  report.reward_match = rows > 0 ? reward_ok / n : 1.0;
  report.done_match = rows > 0 ? done_ok / n : 1.0;
  report.all_match = rows > 0 ? all_ok / n : 1.0;
  return report;
}

ReplayReport Replay(std::string_view env_id, std::span<const float> obs, std::span<const float> actions,
                    std::span<const float> next_obs, std::span<const float> rewards, std::span<const float> terminals,
                    int64_t rows, const ReplayOptions& options) {
  auto env = Make(env_id);
  return Replay(*env, obs, actions, next_obs, rewards, terminals, rows, options);
}

}  // namespace augur::envs
