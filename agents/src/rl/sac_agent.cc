#include "augur/agents/rl/sac_agent.h"

#include <ATen/ATen.h>

#include <Eigen/Core>
#include <algorithm>
#include <limits>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/world_model.h"

namespace augur::agents::rl {

SacAgent::SacAgent(std::shared_ptr<const Sac> sac, std::string name) : sac_(std::move(sac)), name_(std::move(name)) {}

std::unique_ptr<SacAgent> SacAgent::Load(const std::string& path) {
  return std::make_unique<SacAgent>(std::make_shared<const Sac>(Sac::Load(path)), "sac:" + path);
}

std::vector<float> SacAgent::Act(std::span<const float> obs) {
  const int64_t o = sac_->options().obs_dim;
  if (static_cast<int64_t>(obs.size()) != o) {
    throw ShapeError(StrCat("SacAgent: observation has ", obs.size(), " entries, the policy expects ", o));
  }
  at::Tensor x = at::from_blob(const_cast<float*>(obs.data()), {1, o}, at::kFloat).clone();
  at::Tensor a = sac_->Act(x, /*deterministic=*/true).contiguous();
  return std::vector<float>(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
}

struct SacValueFunction::Layer {
  int64_t in = 0, out = 0;
  std::vector<float> w;  // [in, out] row-major
  std::vector<float> b;  // [out]
};

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;
using RowMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;

std::vector<float> Floats(const at::Tensor& t) {
  const at::Tensor c = t.detach().to(at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// y[rows, out] = x[rows, in] w + b (row strides ldx, ldy), then relu when asked.
template <typename L>
void Dense(int64_t rows, const float* x, int64_t ldx, const L& layer, float* y, int64_t ldy, bool relu) {
  ConstRowMap xm(x, rows, layer.in, Eigen::OuterStride<>(ldx));
  ConstRowMap wm(layer.w.data(), layer.in, layer.out, Eigen::OuterStride<>(layer.out));
  RowMap ym(y, rows, layer.out, Eigen::OuterStride<>(ldy));
  ym.noalias() = xm * wm;
  ym.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(layer.b.data(), layer.out);
  if (relu) ym = ym.cwiseMax(0.f);
}

}  // namespace

SacValueFunction::SacValueFunction(std::shared_ptr<const Sac> sac) : sac_(std::move(sac)) {
  const std::vector<at::Tensor> actor = sac_->actor_parameters(), critics = sac_->critic_parameters();
  for (size_t l = 0; l + 1 < actor.size(); l += 2) {
    actor_.push_back({actor[l].size(0), actor[l].size(1), Floats(actor[l]), Floats(actor[l + 1])});
    hidden_max_ = std::max(hidden_max_, actor[l].size(1));
  }
  hidden_max_ = std::max<int64_t>(hidden_max_, 2 * sac_->options().action_dim);  // the actor head's outputs
  const int64_t n = sac_->options().critics;
  critics_.resize(n);
  for (size_t l = 0; l + 1 < critics.size(); l += 2) {
    for (int64_t i = 0; i < n; ++i) {
      critics_[i].push_back({critics[l].size(1), critics[l].size(2), Floats(critics[l][i]), Floats(critics[l + 1][i])});
    }
    hidden_max_ = std::max(hidden_max_, critics[l].size(2));
  }
}

SacValueFunction::~SacValueFunction() = default;

void SacValueFunction::ValueCpu(int64_t rows, const float* state, float* out, Scratch& scratch) const {
  if (rows <= 0) return;
  const int64_t o = sac_->options().obs_dim, a = sac_->options().action_dim, in = o + a;
  const size_t r = static_cast<size_t>(rows), h = static_cast<size_t>(hidden_max_);
  float* x = scratch.Floats(kModelSlots, r * in).data();      // [obs, tanh(mean)]
  float* h0 = scratch.Floats(kModelSlots + 1, r * h).data();  // ping-pong hidden buffers
  float* h1 = scratch.Floats(kModelSlots + 2, r * h).data();
  float* q = scratch.Floats(kModelSlots + 3, r).data();
  // Actor: the last layer writes its 2A outputs; the mean (first A) goes through tanh into x's action columns.
  const float* cur = state;
  int64_t ld = o;
  for (size_t l = 0; l < actor_.size(); ++l) {
    const bool last = l + 1 == actor_.size();
    float* dst = (l % 2 == 0) ? h0 : h1;
    Dense(rows, cur, ld, actor_[l], dst, actor_[l].out, !last);
    cur = dst;
    ld = actor_[l].out;
  }
  for (int64_t i = 0; i < rows; ++i) {
    std::copy(state + i * o, state + (i + 1) * o, x + i * in);
    for (int64_t j = 0; j < a; ++j) x[i * in + o + j] = std::tanh(cur[i * ld + j]);
  }
  std::fill(out, out + rows, std::numeric_limits<float>::infinity());
  for (const std::vector<Layer>& critic : critics_) {
    cur = x;
    ld = in;
    for (size_t l = 0; l < critic.size(); ++l) {
      const bool last = l + 1 == critic.size();
      float* dst = last ? q : (l % 2 == 0) ? h0 : h1;
      Dense(rows, cur, ld, critic[l], dst, critic[l].out, !last);
      cur = dst;
      ld = critic[l].out;
    }
    for (int64_t i = 0; i < rows; ++i) out[i] = std::min(out[i], q[i]);
  }
}

int64_t SacValueFunction::state_dim() const { return sac_->options().obs_dim; }

at::Tensor SacValueFunction::Value(const at::Tensor& state) const {
  CheckMatrix(state, -1, state_dim(), "SacValueFunction state");
  return sac_->Value(state);
}

}  // namespace augur::agents::rl
