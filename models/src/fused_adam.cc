#include "augur/models/fused_adam.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cmath>

#include "augur/core/error.h"

namespace augur::models {

FusedAdam::FusedAdam(std::vector<AdamGroup> groups, AdamConfig config) : config_(config) {
  if (!(config.learning_rate > 0.0) || !std::isfinite(config.learning_rate)) {
    throw ConfigError(StrCat("adam: learning rate must be a positive number, got ", config.learning_rate));
  }
  if (!(config.beta1 >= 0.0 && config.beta1 < 1.0) || !(config.beta2 >= 0.0 && config.beta2 < 1.0)) {
    throw ConfigError(StrCat("adam: betas must lie in [0, 1), got (", config.beta1, ", ", config.beta2, ")"));
  }
  if (!(config.eps > 0.0)) throw ConfigError(StrCat("adam: eps must be positive, got ", config.eps));
  for (AdamGroup& group : groups) {
    if (!(group.weight_decay >= 0.0)) {
      throw ConfigError(StrCat("adam: weight decay must be >= 0, got ", group.weight_decay));
    }
    for (at::Tensor& p : group.params) {
      if (!p.defined() || !p.is_floating_point()) {
        throw ConfigError("adam: every parameter must be a defined floating-point tensor");
      }
      slots_.push_back(Slot{p, at::zeros_like(p, at::MemoryFormat::Contiguous),
                            at::zeros_like(p, at::MemoryFormat::Contiguous), group.weight_decay, 0});
    }
  }
}

void FusedAdam::ZeroGrad() {
  for (Slot& s : slots_) {
    at::Tensor g = s.param.grad();
    if (g.defined()) g.zero_();
  }
}

void FusedAdam::Step() {
  ++step_;
  at::NoGradGuard no_grad;
  const float b1 = static_cast<float>(config_.beta1), b2 = static_cast<float>(config_.beta2);
  for (Slot& s : slots_) {
    at::Tensor g = s.param.grad();
    if (!g.defined()) continue;
    ++s.step;
    const double bc1 = 1.0 - std::pow(config_.beta1, static_cast<double>(s.step));
    const double bc2 = 1.0 - std::pow(config_.beta2, static_cast<double>(s.step));
    const bool fused = s.param.device().is_cpu() && s.param.scalar_type() == at::kFloat && s.param.is_contiguous() &&
                       g.scalar_type() == at::kFloat && g.is_contiguous() && !g.is_sparse();
    if (!fused) {
      // torch::optim::Adam's update in ATen ops.
      if (s.weight_decay != 0.0) g = g.add(s.param, s.weight_decay);
      s.exp_avg.mul_(config_.beta1).add_(g, 1.0 - config_.beta1);
      s.exp_avg_sq.mul_(config_.beta2).addcmul_(g, g, 1.0 - config_.beta2);
      const at::Tensor denom = (s.exp_avg_sq.sqrt() / std::sqrt(bc2)).add_(config_.eps);
      s.param.addcdiv_(s.exp_avg, denom, -config_.learning_rate / bc1);
      continue;
    }
    float* p = s.param.data_ptr<float>();
    const float* grad = g.data_ptr<float>();
    float* m = s.exp_avg.data_ptr<float>();
    float* v = s.exp_avg_sq.data_ptr<float>();
    const float wd = static_cast<float>(s.weight_decay), step_size = static_cast<float>(config_.learning_rate / bc1);
    const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2)), eps = static_cast<float>(config_.eps);
    at::parallel_for(0, s.param.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const float gi = grad[i] + wd * p[i];
        m[i] = b1 * m[i] + (1.f - b1) * gi;
        v[i] = b2 * v[i] + (1.f - b2) * gi * gi;
        p[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + eps);
      }
    });
  }
}

}  // namespace augur::models
