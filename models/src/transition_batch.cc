#include "augur/models/transition_batch.h"

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "augur/core/error.h"

namespace augur::models {
namespace {

std::string Shape(const at::Tensor& t) { return t.defined() ? StrCat(t.sizes()) : std::string("undefined"); }

void CheckShape(const at::Tensor& t, const char* column, std::vector<int64_t> want) {
  std::string want_text = "[";
  for (size_t i = 0; i < want.size(); ++i) want_text += (i ? ", " : "") + std::to_string(want[i]);
  want_text += "]";
  if (!t.defined() || t.sizes() != at::IntArrayRef(want)) {
    throw ShapeError(StrCat("training data: column '", column, "' has shape ", Shape(t), " but must be ", want_text,
                            " (N rows, matching obs)"));
  }
}

// DataError naming the column and the first row holding NaN or Inf.
void CheckFinite(const at::Tensor& t, const char* column) {
  if (!t.is_floating_point()) return;
  at::Tensor finite = at::isfinite(t);
  if (t.dim() > 1) finite = finite.all(1);
  if (finite.all().item<bool>()) return;
  const int64_t row = at::logical_not(finite).nonzero().select(1, 0)[0].item<int64_t>();
  throw DataError(StrCat("training data: column '", column, "' holds NaN or Inf at row ", row,
                         "; clean or drop that row before training"));
}

}  // namespace

void TransitionBatch::Validate(int64_t obs_dim, int64_t action_dim) const {
  if (!obs.defined()) throw ShapeError("training data: column 'obs' is undefined; pass an [N, O] float tensor");
  const int64_t n = obs.size(0);
  if (n == 0) throw ShapeError("training data: no rows; pass at least a few transitions");
  CheckShape(obs, "obs", {n, obs_dim});
  CheckShape(actions, "actions", {n, action_dim});
  CheckShape(next_obs, "next_obs", {n, obs_dim});
  CheckShape(rewards, "rewards", {n});
  if (terminals.defined()) CheckShape(terminals, "terminals", {n});
  CheckFinite(obs, "obs");
  CheckFinite(actions, "actions");
  CheckFinite(next_obs, "next_obs");
  CheckFinite(rewards, "rewards");
  if (terminals.defined()) CheckFinite(terminals, "terminals");
}

TransitionBatch TransitionBatch::FromRows(int64_t obs_dim, int64_t action_dim, std::span<const float> obs,
                                          std::span<const float> actions, std::span<const float> next_obs,
                                          std::span<const float> rewards, std::span<const float> terminals) {
  auto copy = [](std::span<const float> v) { return at::tensor(at::ArrayRef<float>(v.data(), v.size()), at::kFloat); };
  TransitionBatch b;
  b.obs = copy(obs).view({-1, obs_dim});
  b.actions = copy(actions).view({-1, action_dim});
  b.next_obs = copy(next_obs).view({-1, obs_dim});
  b.rewards = copy(rewards);
  if (!terminals.empty()) b.terminals = copy(terminals);
  return b;
}

}  // namespace augur::models
