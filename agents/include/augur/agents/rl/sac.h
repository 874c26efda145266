// Soft actor-critic for continuous actions with a Q-ensemble (SAC-N / EDAC, the critic side of RAVL).
//
// Actor: tanh-Gaussian MLP (obs -> hidden x layers -> mean, log std clamped to [-5, 2]); actions are squashed
// into [-1, 1] and mapped affinely onto the env's Box bounds. Critics: `critics` MLPs (obs ++ action ->
// hidden x layers -> 1) stored as ONE batched ensemble layer per depth (weights [N, in, out], baddbmm over
// [N, B, in]); targets are the min over the target critics minus alpha * log pi (SAC-N); the EDAC
// gradient-diversity regularizer eta * mean_b sum_{i != j} <g_i, g_j> / (N - 1), with g_i the unit-normalized
// gradient of critic i with respect to the action, needs double backward (LibTorch 1.13 supports it for
// baddbmm, relu and the normalization: tests/agents/sac_test.cc checks it against finite differences).
// With a single action dimension the term is constant (normalized scalars are +-1) and is skipped.
// Without the EDAC term the update runs a hand-written backward (SacOptions::autograd).
// Automatic entropy tuning: alpha = exp(log_alpha), loss -log_alpha * (log pi + target_entropy).
//
// Hyperparameter defaults from the RAVL reference implementation (anyasims/edge-of-reach, train_ravl_agent.py
// TrainConfig): hidden 256, 10 critics, gamma 0.99, tau 5e-3, eta 1, learning rates 3e-4, batch 256.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace augur::agents::rl {

struct SacOptions {
  int64_t obs_dim = 0;
  int64_t action_dim = 0;
  std::vector<float> action_low, action_high;  // Box bounds ([action_dim] each); empty: [-1, 1]
  int critics = 10;              // Q-ensemble size N (>= 1)
  int hidden = 256;              // width of every hidden layer (actor and critics)
  int layers = 3;                // hidden layers of every critic and of the actor (>= 1)
  double gamma = 0.99;           // discount in (0, 1]
  double tau = 5e-3;             // target soft-update factor in (0, 1]
  double eta = 1.0;              // EDAC diversity weight (>= 0; 0 disables the double backward)
  double actor_lr = 3e-4, critic_lr = 3e-4, alpha_lr = 3e-4;
  bool auto_alpha = true;        // tune alpha to the target entropy
  double alpha = 1.0;            // initial (or fixed) entropy coefficient, > 0
  double target_entropy = 0.0;   // used when target_entropy_set; default -action_dim
  bool target_entropy_set = false;
  uint64_t seed = 0;             // parameter init and every sample of the updates
  bool float64 = false;          // parameters in double precision (gradient checks); float32 otherwise
  // Gradient path of the update. Without the EDAC term (eta = 0, or one action dimension) the update's
  // gradients are written by hand (the backward of the MLPs, the tanh-Gaussian and the min over critics, no
  // autograd graph: tests/agents/sac_test.cc checks them against autograd); the EDAC double backward always
  // runs through autograd. `autograd` forces LibTorch autograd everywhere (the reference; not saved).
  bool autograd = false;
  // Throws ConfigError naming the field and its allowed range.
  void Validate() const;
};

// One minibatch; actions in env units, dones 0/1 float (1: do not bootstrap past it).
struct SacBatch {
  at::Tensor observations;       // [B, O]
  at::Tensor actions;            // [B, A]
  at::Tensor rewards;            // [B]
  at::Tensor next_observations;  // [B, O]
  at::Tensor dones;              // [B]
};

struct SacMetrics {
  double critic_loss = 0, actor_loss = 0, alpha_loss = 0, alpha = 0;
  double diversity_loss = 0;     // EDAC term before eta (0 when eta = 0)
  double q_mean = 0, q_abs_max = 0;  // over critics and the batch, on the batch's (s, a)
  double entropy = 0;            // -mean log pi of the actor's samples
  // Wall time of the update's phases in ms (where the time goes): alpha + actor step, target computation,
  // critic forward + EDAC double backward + critic step, target soft update and metric reads.
  double actor_ms = 0, target_ms = 0, critic_ms = 0, other_ms = 0;
  bool finite() const;
};

class Sac {
 public:
  explicit Sac(const SacOptions& options);
  ~Sac();
  Sac(Sac&&) noexcept;
  Sac& operator=(Sac&&) noexcept;

  const SacOptions& options() const;
  int64_t updates() const;       // gradient steps taken (saved and restored)

  // One gradient step of alpha, the actor, the critics (+ EDAC) and the target soft update.
  SacMetrics Update(const SacBatch& batch);

  // Actions in env units [B, A] for obs [B, O]: the tanh of the mean when `deterministic`, else a sample
  // drawn from `generator`. No gradient.
  at::Tensor Act(const at::Tensor& obs, bool deterministic, const at::Generator& generator = {}) const;
  // Every critic's Q(s, a) for actions in env units: [N, B]. No gradient.
  at::Tensor Q(const at::Tensor& obs, const at::Tensor& actions) const;
  // V(s) = min over critics of Q(s, tanh(mean(s))): [B]. No gradient. The planners' terminal value.
  at::Tensor Value(const at::Tensor& obs) const;
  // Soft Bellman target values min_i Q'_i(s', a') - alpha log pi(a'|s') with a' ~ pi(s') from `generator`:
  // [B] (MOBILE's penalty takes their spread over model members).
  at::Tensor NextValue(const at::Tensor& next_obs, const at::Generator& generator) const;
  // EDAC diversity term for (obs, actions) with gradients kept (for tests): a scalar tensor.
  at::Tensor DiversityLoss(const at::Tensor& obs, const at::Tensor& actions) const;
  // All trainable critic parameters (weights [N, in, out] then biases [N, 1, out] per layer), for tests.
  std::vector<at::Tensor> critic_parameters() const;
  // The actor's parameters (weight [in, out] then bias [out] per layer; the head's 2A outputs are the mean,
  // then the log std), for SacValueFunction's CPU path and tests.
  std::vector<at::Tensor> actor_parameters() const;

  // Writes actor, critics, targets, alpha, optimizer states, the update count and the options to `path`
  // atomically. Throws StateError (and writes nothing) when a parameter is not finite; IoError on failure.
  void Save(const std::string& path) const;
  // Throws IoError / DataError naming the file when it is missing or not a SAC checkpoint.
  static Sac Load(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::agents::rl
