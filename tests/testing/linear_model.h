// Test helper: a linear system x' = A x + B u (+ member offset, + noise) with a quadratic reward, as a real
// WorldModel with both the tensor path and the fused CPU path. Known-answer systems for rollouts and
// planners, not mocks:
//  - reward = -((x' - g)' diag(q) (x' - g) + u' diag(r) u)
//  - an E-member "ensemble" whose member m adds m * member_offset to every component of x', so the member a
//    row was stepped with can be read off the state; expectation (no member_begin) adds the mean offset
//  - uncertainty = uncertainty_scale * ||u||^2 (a known signal for penalty tests)
//  - done when |x'_0| > done_above
//  - additive Gaussian noise of noise_std when sampling (an Rng on the CPU path, a generator on the tensor path)
#pragma once

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/objective.h"
#include "augur/core/rng.h"
#include "augur/core/world_model.h"

namespace augur::testing {

struct LinearModelOptions {
  int64_t state_dim = 1;    // S
  int64_t action_dim = 1;   // A
  std::vector<float> a;     // [S * S] row-major; empty: identity
  std::vector<float> b;     // [S * A] row-major; empty: identity on the first min(S, A) components
  std::vector<float> goal;  // [S]; empty: zeros
  std::vector<float> q;     // [S] diagonal state cost; empty: ones
  std::vector<float> r;     // [A] diagonal action cost; empty: zeros
  float action_low = -1.f;  // action bounds (every dimension)
  float action_high = 1.f;
  Box action_box;                 // per-dimension bounds; empty: [action_low, action_high] in every dimension
  int64_t members = 1;            // E
  float member_offset = 0.f;      // member m adds m * member_offset to every component of x'
  float noise_std = 0.f;          // additive noise when sampling
  float uncertainty_scale = 0.f;  // uncertainty = scale * ||u||^2
  float done_above = std::numeric_limits<float>::infinity();  // done when |x'_0| > done_above
  bool cpu_path = true;                                       // offer StepCpu
};

class LinearModel : public WorldModel {
 public:
  explicit LinearModel(LinearModelOptions o) : o_(std::move(o)) {
    const int64_t s = o_.state_dim, a = o_.action_dim;
    if (o_.a.empty()) {
      o_.a.assign(s * s, 0.f);
      for (int64_t i = 0; i < s; ++i) o_.a[i * s + i] = 1.f;
    }
    if (o_.b.empty()) {
      o_.b.assign(s * a, 0.f);
      for (int64_t i = 0; i < std::min(s, a); ++i) o_.b[i * a + i] = 1.f;
    }
    if (o_.goal.empty()) o_.goal.assign(s, 0.f);
    if (o_.q.empty()) o_.q.assign(s, 1.f);
    if (o_.r.empty()) o_.r.assign(a, 0.f);
    AUGUR_CHECK_EQ(static_cast<int64_t>(o_.a.size()), s * s);
    AUGUR_CHECK_EQ(static_cast<int64_t>(o_.b.size()), s * a);
    spec_.type = "linear";
    spec_.obs_dim = spec_.state_dim = s;
    spec_.action_dim = a;
    spec_.action_space = o_.action_box.dim() > 0 ? o_.action_box : Box::Uniform(a, o_.action_low, o_.action_high);
    spec_.stochastic = o_.noise_std > 0.f;
    spec_.members = o_.members;
    spec_.predicts_done = std::isfinite(o_.done_above);
  }

  const ModelSpec& spec() const override { return spec_; }
  const LinearModelOptions& options() const { return o_; }
  at::Tensor Encode(const at::Tensor& obs) const override {
    CheckMatrix(obs, -1, o_.state_dim, "linear model: obs");
    return obs;
  }
  bool has_cpu_path() const override { return o_.cpu_path; }

  // Offset of member m; m < 0: the mean over members (expectation).
  float Offset(int64_t m) const {
    return m < 0 ? o_.member_offset * static_cast<float>(o_.members - 1) / 2.f : o_.member_offset * m;
  }

  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override {
    CheckMatrix(state, -1, o_.state_dim, "linear model state");
    CheckMatrix(action, state.size(0), o_.action_dim, "linear model action");
    const int64_t s = o_.state_dim, a = o_.action_dim, rows = state.size(0);
    const auto opts = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor am = at::from_blob(const_cast<float*>(o_.a.data()), {s, s}, opts);
    const at::Tensor bm = at::from_blob(const_cast<float*>(o_.b.data()), {s, a}, opts);
    at::Tensor next = at::matmul(state, am.t()) + at::matmul(action, bm.t());
    at::Tensor offset = at::full({rows, 1}, Offset(-1), opts);
    if (ctx.member_begin.defined()) {
      const at::Tensor mb = ctx.member_begin.to(at::kLong).contiguous();
      AUGUR_CHECK_EQ(mb.numel(), o_.members + 1);
      auto acc = mb.accessor<int64_t, 1>();
      AUGUR_CHECK_EQ(acc[o_.members], rows);
      for (int64_t m = 0; m < o_.members; ++m) offset.slice(0, acc[m], acc[m + 1]).fill_(Offset(m));
    }
    next = next + offset;
    if (ctx.generator && o_.noise_std > 0.f) {
      next = next + at::normal(0.0, o_.noise_std, {rows, s}, *ctx.generator);
    }
    const at::Tensor goal = at::from_blob(const_cast<float*>(o_.goal.data()), {1, s}, opts);
    const at::Tensor q = at::from_blob(const_cast<float*>(o_.q.data()), {1, s}, opts);
    const at::Tensor r = at::from_blob(const_cast<float*>(o_.r.data()), {1, a}, opts);
    const at::Tensor diff = next - goal;
    Transition t;
    t.reward = -((diff * diff * q).sum(1) + (action * action * r).sum(1));
    t.done = next.select(1, 0).abs() > o_.done_above;
    if (o_.uncertainty_scale > 0.f) t.uncertainty = o_.uncertainty_scale * (action * action).sum(1);
    t.next_state = next;
    return t;
  }

  void StepCpu(const CpuStep& step) const override {
    const int64_t s = o_.state_dim, a = o_.action_dim;
    auto row_offset = [&](int64_t row) {
      if (step.member_begin.empty()) return Offset(-1);
      int64_t m = 0;
      while (row >= step.member_begin[m + 1]) ++m;
      return Offset(m);
    };
    for (int64_t i = 0; i < step.rows; ++i) {
      const float* x = step.state + i * s;
      const float* u = step.action + i * a;
      float* y = step.next_state + i * s;
      const float off = row_offset(i);
      double cost = 0.0, usq = 0.0;
      for (int64_t p = 0; p < s; ++p) {
        float v = off;
        for (int64_t k = 0; k < s; ++k) v += o_.a[p * s + k] * x[k];
        for (int64_t k = 0; k < a; ++k) v += o_.b[p * a + k] * u[k];
        if (step.rng && o_.noise_std > 0.f) v += o_.noise_std * step.rng->Normal();
        y[p] = v;
        const double d = v - o_.goal[p];
        cost += o_.q[p] * d * d;
      }
      for (int64_t k = 0; k < a; ++k) {
        cost += o_.r[k] * u[k] * u[k];
        usq += u[k] * u[k];
      }
      step.reward[i] = static_cast<float>(-cost);
      step.done[i] = std::abs(y[0]) > o_.done_above ? 1.f : 0.f;
      if (step.uncertainty) step.uncertainty[i] = static_cast<float>(o_.uncertainty_scale * usq);
    }
  }

 private:
  LinearModelOptions o_;
  ModelSpec spec_;
};

// V(s) = weight * sum(s), with both paths: a known terminal value.
class LinearValue : public ValueFunction {
 public:
  LinearValue(int64_t state_dim, float weight, bool cpu_path) : dim_(state_dim), w_(weight), cpu_(cpu_path) {}
  int64_t state_dim() const override { return dim_; }
  at::Tensor Value(const at::Tensor& state) const override { return w_ * state.sum(1); }
  bool has_cpu_path() const override { return cpu_; }
  void ValueCpu(int64_t rows, const float* state, float* out, Scratch&) const override {
    for (int64_t i = 0; i < rows; ++i) {
      float v = 0.f;
      for (int64_t k = 0; k < dim_; ++k) v += state[i * dim_ + k];
      out[i] = w_ * v;
    }
  }

 private:
  int64_t dim_;
  float w_;
  bool cpu_;
};

}  // namespace augur::testing
