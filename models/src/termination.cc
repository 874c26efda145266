#include "augur/models/termination.h"

#include <ATen/ATen.h>

#include <cmath>
#include <functional>

#include "augur/core/error.h"

namespace augur::models {
namespace {

class NeverTerminates final : public TerminationFn {
 public:
  std::string name() const override { return "never"; }
  bool can_terminate() const override { return false; }
  at::Tensor Done(const at::Tensor& next_obs) const override {
    return at::zeros({next_obs.size(0)}, next_obs.options().dtype(at::kBool));
  }
  void DoneCpu(int64_t rows, int64_t, const float*, float* done) const override {
    for (int64_t r = 0; r < rows; ++r) done[r] = 0.f;
  }
};

// A rule written once over a row of floats; the tensor form evaluates it on a CPU copy (termination is a few
// comparisons per row, never the bottleneck next to the network).
class RowRule final : public TerminationFn {
 public:
  using Rule = std::function<bool(const float* obs)>;
  RowRule(std::string name, int64_t min_dim, Rule rule) : name_(std::move(name)), min_dim_(min_dim), rule_(rule) {}
  std::string name() const override { return name_; }
  bool can_terminate() const override { return true; }
  at::Tensor Done(const at::Tensor& next_obs) const override {
    at::Tensor obs = next_obs.detach().to(at::kCPU, at::kFloat).contiguous();
    at::Tensor done = at::empty({obs.size(0)}, at::kFloat);
    DoneCpu(obs.size(0), obs.size(1), obs.data_ptr<float>(), done.data_ptr<float>());
    return done.to(next_obs.device()).to(at::kBool);
  }
  void DoneCpu(int64_t rows, int64_t obs_dim, const float* next_obs, float* done) const override {
    if (obs_dim < min_dim_) {
      throw ShapeError(StrCat("termination '", name_, "' needs observations of at least ", min_dim_,
                              " values but got ", obs_dim));
    }
    for (int64_t r = 0; r < rows; ++r) done[r] = rule_(next_obs + r * obs_dim) ? 1.f : 0.f;
  }

 private:
  std::string name_;
  int64_t min_dim_;
  Rule rule_;
};

std::unique_ptr<TerminationFn> Known(std::string_view env_id) {
  if (env_id == "CartPole-v1" || env_id == "CartPole-v0") {
    // gymnasium: |x| > 2.4 or |theta| > 12 degrees; obs = [x, x_dot, theta, theta_dot].
    return std::make_unique<RowRule>(std::string(env_id), 4, [](const float* o) {
      return std::fabs(o[0]) > 2.4f || std::fabs(o[2]) > static_cast<float>(12 * 2 * M_PI / 360);
    });
  }
  if (env_id == "MountainCarContinuous-v0") {
    return std::make_unique<RowRule>(std::string(env_id), 2, [](const float* o) { return o[0] >= 0.45f && o[1] >= 0.f; });
  }
  if (env_id == "MountainCar-v0") {
    return std::make_unique<RowRule>(std::string(env_id), 2, [](const float* o) { return o[0] >= 0.5f && o[1] >= 0.f; });
  }
  if (env_id == "Acrobot-v1") {
    // obs = [cos t1, sin t1, cos t2, sin t2, ...]; done when -cos(t1) - cos(t1 + t2) > 1.
    return std::make_unique<RowRule>(std::string(env_id), 4, [](const float* o) {
      return -o[0] - (o[0] * o[2] - o[1] * o[3]) > 1.f;
    });
  }
  if (env_id == "Hopper-v4") {
    // Gymnasium hopper_v4.py (terminate_when_unhealthy): healthy when z > 0.7, -0.2 < angle < 0.2 and every
    // entry of state_vector()[2:] in (-100, 100). obs = qpos[1:] (z, angle, 3 joints) then clip(qvel, -10, 10),
    // so z = o[0], angle = o[1], qpos[2:] = o[1..4]; the clipped velocities never leave (-100, 100).
    return std::make_unique<RowRule>(std::string(env_id), 11, [](const float* o) {
      bool healthy = o[0] > 0.7f && o[1] > -0.2f && o[1] < 0.2f;
      for (int i = 1; i < 11; ++i) healthy = healthy && o[i] > -100.f && o[i] < 100.f;
      return !healthy;
    });
  }
  if (env_id == "Walker2d-v4") {
    // Gymnasium walker2d_v4.py: healthy when 0.8 < z < 2.0 and -1 < angle < 1; obs = qpos[1:] then
    // clip(qvel, -10, 10), so z = o[0], angle = o[1].
    return std::make_unique<RowRule>(std::string(env_id), 17, [](const float* o) {
      return !(o[0] > 0.8f && o[0] < 2.f && o[1] > -1.f && o[1] < 1.f);
    });
  }
  // Gymnasium half_cheetah_v4.py: never terminates (only the 1000-step time limit).
  if (env_id == "Pendulum-v1" || env_id == "HalfCheetah-v4") return std::make_unique<NeverTerminates>();
  return nullptr;
}

}  // namespace

std::unique_ptr<TerminationFn> MakeTermination(std::string_view env_id) {
  auto known = Known(env_id);
  return known ? std::move(known) : std::make_unique<NeverTerminates>();
}

bool HasKnownTermination(std::string_view env_id) { return Known(env_id) != nullptr; }

}  // namespace augur::models
