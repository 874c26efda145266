// Behaviour policies of graded quality for collecting datasets (random / medium / expert / mixed, as in
// D4RL): a scripted controller per env, and mixtures of it with random actions or noise.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "augur/core/rng.h"
#include "augur/core/spaces.h"

namespace augur::envs {

// Maps an observation to an action ([action_dim] floats; a discrete action is one float holding the index).
// Policies may keep per-episode state: call BeginEpisode at every reset. Not thread-safe; make one per thread.
class Policy {
 public:
  virtual ~Policy() = default;
  // Called at the start of every episode (mixtures choose their member here).
  virtual void BeginEpisode(Rng& rng) {}
  // obs must have spec.obs_dim() values (ShapeError otherwise).
  std::vector<float> Act(std::span<const float> obs, Rng& rng);
  // The spec string this policy was made from, e.g. "epsilon:eps=0.2".
  const std::string& name() const { return name_; }
  const EnvSpec& spec() const { return spec_; }

 protected:
  Policy(std::string name, EnvSpec spec) : name_(std::move(name)), spec_(std::move(spec)) {}
  // Writes the action for a size-checked observation.
  virtual void DoAct(std::span<const float> obs, Rng& rng, std::span<float> action) = 0;

 private:
  std::string name_;
  EnvSpec spec_;
};

// Builds a policy for an env from a spec string "<name>[:key=value,...]":
//   random             uniform over the action space
//   expert             the env's scripted controller: Pendulum energy-pumping swing-up + PD near upright,
//                      CartPole PD on angle and position, MountainCar / MountainCarContinuous bang-bang
//                      pumping along the velocity, Acrobot torque along the elbow velocity, DMSD spring
//                      feed-forward + PD on each mass's target. The MuJoCo locomotion envs have none yet
//                      (only random; an MPC expert on the true simulator comes from the planners)
//   medium             the expert taking a uniformly random action with an env-specific probability
//                      (tuned so that its return lies between random's and expert's)
//   epsilon:eps=E      the expert, taking a uniformly random action with probability E (default 0.2)
//   noisy:sigma=S      Box: expert + Gaussian noise of stddev S * (high - low) / 2, clipped to the bounds
//                      (default 0.3); Discrete: the same as epsilon:eps=S
//   mixed              each episode picks random, medium or expert with equal probability (BeginEpisode)
// Throws NotFoundError for an unknown name (listing the valid ones) or an env without a scripted
// controller, and ConfigError for an unknown key or a value outside [0, 1] (eps) or < 0 (sigma).
std::unique_ptr<Policy> MakePolicy(std::string_view spec, const EnvSpec& env);

// The policy names MakePolicy knows.
std::vector<std::string> PolicyNames();

// The ids of the envs that have a scripted (expert) controller.
std::vector<std::string> EnvsWithExpert();

}  // namespace augur::envs
