#include "augur/models/fused_adam.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <Eigen/Core>
#include <algorithm>
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

void FusedAdam::BeginStep() {
  ++step_;
  for (Slot& s : slots_) {
    const at::Tensor& g = s.param.grad();
    s.active = g.defined();
    if (!s.active) continue;
    ++s.step;
    s.bias_correction1 = 1.0 - std::pow(config_.beta1, static_cast<double>(s.step));
    s.bias_correction2 = 1.0 - std::pow(config_.beta2, static_cast<double>(s.step));
    s.fused = s.param.device().is_cpu() && s.param.scalar_type() == at::kFloat && s.param.is_contiguous() &&
              g.scalar_type() == at::kFloat && g.is_contiguous() && !g.is_sparse();
  }
}

void FusedAdam::Update(size_t param, int64_t begin, int64_t end) {
  AUGUR_CHECK_LT(param, slots_.size());
  Slot& s = slots_[param];
  if (!s.active || begin >= end) return;
  at::NoGradGuard no_grad;
  if (!s.fused) {
    AUGUR_CHECK(begin == 0 && end == s.param.numel()) << "adam: a parameter that is not contiguous CPU float "
                                                         "updates only as a whole";
    // torch::optim::Adam's update in ATen ops.
    at::Tensor g = s.param.grad();
    if (s.weight_decay != 0.0) g = g.add(s.param, s.weight_decay);
    s.exp_avg.mul_(config_.beta1).add_(g, 1.0 - config_.beta1);
    s.exp_avg_sq.mul_(config_.beta2).addcmul_(g, g, 1.0 - config_.beta2);
    const at::Tensor denom = (s.exp_avg_sq.sqrt() / std::sqrt(s.bias_correction2)).add_(config_.eps);
    s.param.addcdiv_(s.exp_avg, denom, -config_.learning_rate / s.bias_correction1);
    return;
  }
  AUGUR_CHECK(begin >= 0 && end <= s.param.numel());
  float* p = s.param.data_ptr<float>();
  const float* grad = s.param.grad().data_ptr<float>();
  float* m = s.exp_avg.data_ptr<float>();
  float* v = s.exp_avg_sq.data_ptr<float>();
  const float b1 = static_cast<float>(config_.beta1), b2 = static_cast<float>(config_.beta2);
  const float wd = static_cast<float>(s.weight_decay);
  const float step_size = static_cast<float>(config_.learning_rate / s.bias_correction1);
  const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(s.bias_correction2));
  const float eps = static_cast<float>(config_.eps);
  // Blocks that stay in L1 across the three vectorized passes (Eigen's packet sqrt and division).
  constexpr int64_t kBlock = 1024;
  for (int64_t b = begin; b < end; b += kBlock) {
    const int64_t n = std::min(kBlock, end - b);
    Eigen::Map<Eigen::ArrayXf> pb(p + b, n), mb(m + b, n), vb(v + b, n);
    const Eigen::Map<const Eigen::ArrayXf> gb(grad + b, n);
    mb = b1 * mb + (1.f - b1) * (gb + wd * pb);
    vb = b2 * vb + (1.f - b2) * (gb + wd * pb).square();
    pb -= step_size * mb / (vb.sqrt() * inv_sqrt_bc2 + eps);
  }
}

void FusedAdam::Step() {
  BeginStep();
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    if (!s.active) continue;
    if (!s.fused) {
      Update(i, 0, s.param.numel());
      continue;
    }
    at::parallel_for(0, s.param.numel(), 1 << 14, [&](int64_t begin, int64_t end) { Update(i, begin, end); });
  }
}

}  // namespace augur::models
