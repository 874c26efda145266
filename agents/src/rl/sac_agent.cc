#include "augur/agents/rl/sac_agent.h"

#include <ATen/ATen.h>

#include "augur/core/error.h"
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

SacValueFunction::SacValueFunction(std::shared_ptr<const Sac> sac) : sac_(std::move(sac)) {}

int64_t SacValueFunction::state_dim() const { return sac_->options().obs_dim; }

at::Tensor SacValueFunction::Value(const at::Tensor& state) const {
  CheckMatrix(state, -1, state_dim(), "SacValueFunction state");
  return sac_->Value(state);
}

}  // namespace augur::agents::rl
