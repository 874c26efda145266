#include "augur/core/spaces.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "augur/core/error.h"

namespace augur {

bool Box::Contains(std::span<const float> x) const {
  if (static_cast<int64_t>(x.size()) != dim()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] >= low[i] && x[i] <= high[i])) return false;  // NaN is never contained
  }
  return true;
}

void Box::Clip(std::span<float> x) const {
  AUGUR_CHECK_EQ(static_cast<int64_t>(x.size()), dim());
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::clamp(x[i], low[i], high[i]);
}

Box Box::Uniform(int64_t n, float lo, float hi) {
  return Box{std::vector<float>(n, lo), std::vector<float>(n, hi)};
}

bool IsDiscrete(const Space& space) { return std::holds_alternative<Discrete>(space); }

int64_t FlatDim(const Space& space) {
  if (const auto* box = std::get_if<Box>(&space)) return box->dim();
  return 1;
}

std::string ToString(const Space& space) {
  std::ostringstream out;
  if (const auto* d = std::get_if<Discrete>(&space)) {
    out << "Discrete(" << d->n << ")";
    return out.str();
  }
  const Box& box = std::get<Box>(space);
  out << "Box(" << box.dim();
  const bool uniform =
      box.dim() > 0 && std::all_of(box.low.begin(), box.low.end(), [&](float v) { return v == box.low[0]; }) &&
      std::all_of(box.high.begin(), box.high.end(), [&](float v) { return v == box.high[0]; });
  if (uniform) {
    out << ", [" << box.low[0] << ", " << box.high[0] << "]";
  }
  out << ")";
  return out.str();
}

void Validate(const Space& space, const std::string& what) {
  if (const auto* d = std::get_if<Discrete>(&space)) {
    if (d->n < 1) throw ConfigError(StrCat(what, ": Discrete space needs n >= 1, got n = ", d->n));
    return;
  }
  const Box& box = std::get<Box>(space);
  if (box.low.size() != box.high.size()) {
    throw ConfigError(StrCat(what, ": Box has ", box.low.size(), " lower bounds but ", box.high.size(),
                             " upper bounds; give one of each per dimension"));
  }
  if (box.low.empty()) throw ConfigError(StrCat(what, ": Box has no dimensions"));
  for (size_t i = 0; i < box.low.size(); ++i) {
    if (std::isnan(box.low[i]) || std::isnan(box.high[i]) || box.low[i] > box.high[i]) {
      throw ConfigError(StrCat(what, ": Box dimension ", i, " has low = ", box.low[i], " > high = ", box.high[i],
                               " (or NaN); bounds must satisfy low <= high"));
    }
  }
}

bool operator==(const Box& a, const Box& b) { return a.low == b.low && a.high == b.high; }
bool operator==(const Discrete& a, const Discrete& b) { return a.n == b.n; }

void EnvSpec::Validate() const {
  if (id.empty()) throw ConfigError("EnvSpec: id is empty; give the environment's registry id");
  augur::Validate(observation, "EnvSpec '" + id + "' observation space");
  augur::Validate(action, "EnvSpec '" + id + "' action space");
  if (max_steps < 0) throw ConfigError(StrCat("EnvSpec '", id, "': max_steps = ", max_steps, " must be >= 0"));
  if (dt < 0) throw ConfigError(StrCat("EnvSpec '", id, "': dt = ", dt, " must be >= 0"));
}

}  // namespace augur
