#include "augur/envs/policies.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numbers>
#include <variant>

#include "augur/core/error.h"

namespace augur::envs {
namespace {

// Writes a uniformly random action of `space`.
void RandomAction(const Space& space, Rng& rng, std::span<float> action) {
  if (const auto* d = std::get_if<Discrete>(&space)) {
    action[0] = static_cast<float>(rng.UniformInt(d->n));
    return;
  }
  const Box& box = std::get<Box>(space);
  for (size_t i = 0; i < action.size(); ++i) action[i] = rng.Uniform(box.low[i], box.high[i]);
}

class RandomPolicy : public Policy {
 public:
  RandomPolicy(std::string name, EnvSpec spec) : Policy(std::move(name), std::move(spec)) {}

 protected:
  void DoAct(std::span<const float>, Rng& rng, std::span<float> action) override {
    RandomAction(spec().action, rng, action);
  }
};

// ---- Scripted controllers (prototyped and checked against Gymnasium's own envs; see policies_test.cc) ----

// Pendulum-v1: theta_ddot = 15 sin(theta) + 3 u (pendulum.py with g = 10, m = l = 1). With
// E = 0.5 theta_dot^2 - 15 (1 - cos theta), E = 0 is upright at rest and dE/dt = 3 u theta_dot, so
// u = -E theta_dot pumps energy towards 0; a PD controller balances once cos(theta) > 0.85.
void PendulumExpert(std::span<const float> obs, std::span<float> action) {
  const double c = obs[0], s = obs[1], w = obs[2];
  const double theta = std::atan2(s, c);
  double u;
  if (c > 0.85) {
    u = -(12.0 * theta + 2.5 * w);
  } else {
    const double energy = 0.5 * w * w - 15.0 * (1.0 - c);
    u = -energy * w;
  }
  action[0] = static_cast<float>(std::clamp(u, -2.0, 2.0));
}

// CartPole-v1: push towards the side the pole falls to, with small gains bringing the cart back.
void CartPoleExpert(std::span<const float> obs, std::span<float> action) {
  const double x = obs[0], x_dot = obs[1], theta = obs[2], theta_dot = obs[3];
  action[0] = 10.0 * theta + 2.0 * theta_dot + 0.1 * x + 0.5 * x_dot > 0 ? 1.f : 0.f;
}

// MountainCar-v0: accelerate along the velocity (pumps energy each swing).
void MountainCarExpert(std::span<const float> obs, std::span<float> action) { action[0] = obs[1] >= 0 ? 2.f : 0.f; }

// MountainCarContinuous-v0: full force along the velocity.
void ContinuousMountainCarExpert(std::span<const float> obs, std::span<float> action) {
  action[0] = obs[1] >= 0 ? 1.f : -1.f;
}

// Acrobot-v1: torque along the elbow's angular velocity (the power the torque puts in is tau * dtheta2).
void AcrobotExpert(std::span<const float> obs, std::span<float> action) { action[0] = obs[5] > 0 ? 2.f : 0.f; }

// DMSD (NeoRL-2): per mass, the force that holds both masses at their targets against the springs
// (k1 = k2 = k3 = 2 N/m: F1 = 4 t1 - 2 t2, F2 = -2 t1 + 4 t2) plus a PD term on the tracking error;
// force / 30 N is the action. Gains chosen for a well-damped discrete loop at dt = 0.2 s with m = 20 kg.
void DmsdExpert(std::span<const float> obs, std::span<float> action) {
  const double x[2] = {obs[0], obs[1]}, v[2] = {obs[2], obs[3]}, t[2] = {obs[4], obs[5]};
  const double hold[2] = {4.0 * t[0] - 2.0 * t[1], -2.0 * t[0] + 4.0 * t[1]};
  for (int i = 0; i < 2; ++i) {
    const double force = hold[i] + 40.0 * (t[i] - x[i]) - 50.0 * v[i];
    action[i] = static_cast<float>(std::clamp(force / 30.0, -1.0, 1.0));
  }
}

using Controller = void (*)(std::span<const float>, std::span<float>);

struct ExpertInfo {
  Controller controller;
  double medium_eps;  // random-action probability of "medium"
};

const std::map<std::string, ExpertInfo, std::less<>>& Experts() {
  static const auto* experts = new std::map<std::string, ExpertInfo, std::less<>>{
      {"Acrobot-v1", {AcrobotExpert, 0.7}},
      {"CartPole-v1", {CartPoleExpert, 0.45}},
      {"DMSD", {DmsdExpert, 0.5}},
      {"MountainCar-v0", {MountainCarExpert, 0.3}},
      {"MountainCarContinuous-v0", {ContinuousMountainCarExpert, 0.8}},
      {"Pendulum-v1", {PendulumExpert, 0.6}},
  };
  return *experts;
}

const ExpertInfo& FindExpert(const EnvSpec& spec) {
  auto it = Experts().find(spec.id);
  if (it == Experts().end()) {
    std::string valid;
    for (const auto& [id, info] : Experts()) valid += (valid.empty() ? "" : ", ") + id;
    throw NotFoundError(StrCat("env '", spec.id, "' has no scripted controller, so only the 'random' policy ",
                               "exists for it; envs with one: ", valid));
  }
  return it->second;
}

// The expert, replaced by a uniformly random action with probability eps, then (Box only) perturbed by
// Gaussian noise of stddev sigma * (high - low) / 2 and clipped.
class ExpertMixture : public Policy {
 public:
  ExpertMixture(std::string name, EnvSpec spec, double eps, double sigma)
      : Policy(std::move(name), std::move(spec)),
        controller_(FindExpert(this->spec()).controller),
        eps_(eps),
        sigma_(sigma) {}

 protected:
  void DoAct(std::span<const float> obs, Rng& rng, std::span<float> action) override {
    // One uniform per step decides between the random action and the controller.
    const double u = rng.UniformDouble();
    if (eps_ > 0 && u < eps_) {
      RandomAction(spec().action, rng, action);
      return;
    }
    controller_(obs, action);
    if (sigma_ > 0) {
      const Box& box = std::get<Box>(spec().action);
      for (size_t i = 0; i < action.size(); ++i) {
        const float half = 0.5f * (box.high[i] - box.low[i]);
        action[i] = std::clamp(action[i] + static_cast<float>(sigma_) * half * rng.Normal(), box.low[i], box.high[i]);
      }
    }
  }

 private:
  Controller controller_;
  double eps_;
  double sigma_;
};

// Each episode one of random, medium, expert, chosen uniformly.
class MixedPolicy : public Policy {
 public:
  MixedPolicy(std::string name, const EnvSpec& spec) : Policy(std::move(name), spec) {
    members_.push_back(std::make_unique<RandomPolicy>("random", spec));
    members_.push_back(std::make_unique<ExpertMixture>("medium", spec, FindExpert(spec).medium_eps, 0.0));
    members_.push_back(std::make_unique<ExpertMixture>("expert", spec, 0.0, 0.0));
  }
  void BeginEpisode(Rng& rng) override { current_ = static_cast<int>(rng.UniformInt(members_.size())); }

 protected:
  void DoAct(std::span<const float> obs, Rng& rng, std::span<float> action) override {
    if (current_ < 0) BeginEpisode(rng);
    auto result = members_[current_]->Act(obs, rng);
    std::copy(result.begin(), result.end(), action.begin());
  }

 private:
  std::vector<std::unique_ptr<Policy>> members_;
  int current_ = -1;
};

// Parses "key=value,key=value" into `params`; values must be numbers.
std::map<std::string, double> ParseParams(std::string_view spec, std::string_view text) {
  std::map<std::string, double> params;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      throw ConfigError(StrCat("policy '", spec, "': parameter '", item, "' needs the form key=value"));
    }
    std::string key(item.substr(0, eq));
    std::string value(item.substr(eq + 1));
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(v)) {
      throw ConfigError(StrCat("policy '", spec, "': value '", value, "' of ", key, " is not a number"));
    }
    params[key] = v;
  }
  return params;
}

double TakeParam(std::map<std::string, double>& params, const std::string& key, double fallback) {
  auto it = params.find(key);
  if (it == params.end()) return fallback;
  const double v = it->second;
  params.erase(it);
  return v;
}

}  // namespace

std::vector<float> Policy::Act(std::span<const float> obs, Rng& rng) {
  if (static_cast<int64_t>(obs.size()) != spec_.obs_dim()) {
    throw ShapeError(StrCat("policy '", name_, "' for ", spec_.id, ": observation has ", obs.size(),
                            " values but the env's observations have ", spec_.obs_dim()));
  }
  std::vector<float> action(spec_.action_dim());
  DoAct(obs, rng, action);
  return action;
}

std::vector<std::string> PolicyNames() { return {"epsilon", "expert", "medium", "mixed", "noisy", "random"}; }

std::vector<std::string> EnvsWithExpert() {
  std::vector<std::string> ids;
  for (const auto& [id, info] : Experts()) ids.push_back(id);
  return ids;
}

std::unique_ptr<Policy> MakePolicy(std::string_view spec, const EnvSpec& env) {
  const size_t colon = spec.find(':');
  const std::string name(spec.substr(0, colon));
  auto params = ParseParams(spec, colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1));
  const std::string full(spec);
  std::unique_ptr<Policy> policy;
  if (name == "random") {
    policy = std::make_unique<RandomPolicy>(full, env);
  } else if (name == "expert") {
    policy = std::make_unique<ExpertMixture>(full, env, 0.0, 0.0);
  } else if (name == "medium") {
    policy = std::make_unique<ExpertMixture>(full, env, FindExpert(env).medium_eps, 0.0);
  } else if (name == "epsilon") {
    const double eps = TakeParam(params, "eps", 0.2);
    if (!(eps >= 0 && eps <= 1)) throw ConfigError(StrCat("policy '", spec, "': eps = ", eps, " must be in [0, 1]"));
    policy = std::make_unique<ExpertMixture>(full, env, eps, 0.0);
  } else if (name == "noisy") {
    const double sigma = TakeParam(params, "sigma", 0.3);
    if (!(sigma >= 0)) throw ConfigError(StrCat("policy '", spec, "': sigma = ", sigma, " must be >= 0"));
    if (IsDiscrete(env.action)) {
      if (sigma > 1) {
        throw ConfigError(StrCat("policy '", spec, "': on the discrete env ", env.id,
                                 " sigma is a random-action probability and must be in [0, 1]"));
      }
      policy = std::make_unique<ExpertMixture>(full, env, sigma, 0.0);
    } else {
      policy = std::make_unique<ExpertMixture>(full, env, 0.0, sigma);
    }
  } else if (name == "mixed") {
    policy = std::make_unique<MixedPolicy>(full, env);
  } else {
    std::string valid;
    for (const auto& n : PolicyNames()) valid += (valid.empty() ? "" : ", ") + n;
    throw NotFoundError(StrCat("unknown policy '", name, "' in '", spec, "'; valid policies are: ", valid));
  }
  if (!params.empty()) {
    throw ConfigError(StrCat("policy '", spec, "': unknown parameter '", params.begin()->first, "' for '", name, "'"));
  }
  return policy;
}

}  // namespace augur::envs
