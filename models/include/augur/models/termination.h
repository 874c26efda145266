// Termination: whether a predicted transition ends the episode. Known per-environment rules where they exist
// (keyed by env id), otherwise "never" (a learned classifier head is future work).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace augur::models {

class TerminationFn {
 public:
  virtual ~TerminationFn() = default;
  // Short name for logs and the model card: "never", "CartPole-v1".
  virtual std::string name() const = 0;
  // False for functions that always return 0 (lets callers skip the call).
  virtual bool can_terminate() const = 0;
  // next_obs [B, O] -> done [B] bool, on next_obs's device.
  virtual at::Tensor Done(const at::Tensor& next_obs) const = 0;
  // Raw form: next_obs [rows, O] row-major -> done [rows] as 0 or 1.
  virtual void DoneCpu(int64_t rows, int64_t obs_dim, const float* next_obs, float* done) const = 0;
};

// The known rule for `env_id` ("Pendulum-v1", "CartPole-v1", "MountainCarContinuous-v0", "MountainCar-v0"),
// or a never-terminating function for unknown ids (empty included).
std::unique_ptr<TerminationFn> MakeTermination(std::string_view env_id);
// True when MakeTermination knows a rule for `env_id`.
bool HasKnownTermination(std::string_view env_id);

}  // namespace augur::models
