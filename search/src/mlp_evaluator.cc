#include "augur/search/mlp_evaluator.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"

namespace augur::search {
namespace {
// Evaluator scratch slots (kPlannerSlots + 32 and above; RolloutEvaluator uses + 32 .. + 38).
constexpr int kHiddenA = kPlannerSlots + 40;
constexpr int kHiddenB = kPlannerSlots + 41;

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
}  // namespace

MlpWeights MlpWeights::Random(std::vector<int64_t> sizes, uint64_t seed, MlpActivation activation) {
  MlpWeights w;
  w.sizes = std::move(sizes);
  w.activation = activation;
  if (w.sizes.size() < 2) throw ConfigError(StrCat("MlpWeights: ", w.sizes.size(), " sizes; needs >= 2 (in, out)"));
  Rng rng(seed, StreamId({0x6d6c70ULL}));
  for (size_t l = 0; l + 1 < w.sizes.size(); ++l) {
    if (w.sizes[l] < 1 || w.sizes[l + 1] < 1) {
      throw ConfigError(
          StrCat("MlpWeights: layer ", l, " maps ", w.sizes[l], " -> ", w.sizes[l + 1], "; sizes must be >= 1"));
    }
    const float bound = 1.f / std::sqrt(static_cast<float>(w.sizes[l]));
    w.weight.emplace_back(static_cast<size_t>(w.sizes[l + 1] * w.sizes[l]));
    w.bias.emplace_back(static_cast<size_t>(w.sizes[l + 1]));
    rng.FillUniform(w.weight.back(), -bound, bound);
    rng.FillUniform(w.bias.back(), -bound, bound);
  }
  return w;
}

void MlpWeights::Validate() const {
  if (sizes.size() < 2) throw ConfigError(StrCat("MlpWeights: ", sizes.size(), " sizes; needs >= 2 (in, out)"));
  if (weight.size() != sizes.size() - 1 || bias.size() != sizes.size() - 1) {
    throw ShapeError(StrCat("MlpWeights: ", sizes.size(), " sizes need ", sizes.size() - 1, " layers; got ",
                            weight.size(), " weights and ", bias.size(), " biases"));
  }
  for (size_t l = 0; l < weight.size(); ++l) {
    if (sizes[l] < 1 || sizes[l + 1] < 1) {
      throw ConfigError(
          StrCat("MlpWeights: layer ", l, " maps ", sizes[l], " -> ", sizes[l + 1], "; sizes must be >= 1"));
    }
    if (static_cast<int64_t>(weight[l].size()) != sizes[l + 1] * sizes[l] ||
        static_cast<int64_t>(bias[l].size()) != sizes[l + 1]) {
      throw ShapeError(StrCat("MlpWeights: layer ", l, " has ", weight[l].size(), " weights and ", bias[l].size(),
                              " biases; [", sizes[l + 1], ", ", sizes[l], "] needs ", sizes[l + 1] * sizes[l], " and ",
                              sizes[l + 1]));
    }
  }
}

MlpEvaluator::MlpEvaluator(MlpWeights weights) : weights_(std::move(weights)) {
  weights_.Validate();
  if (weights_.sizes.back() < 2) {
    throw ConfigError(StrCat("MlpEvaluator: the last layer has ", weights_.sizes.back(),
                             " outputs; needs 1 + K (the value, then K >= 1 prior logits)"));
  }
  for (int64_t s : weights_.sizes) widest_ = std::max(widest_, s);
}

int64_t MlpEvaluator::Evaluate(std::span<const float> states, int64_t batch, uint64_t, uint64_t,
                               std::span<float> values, std::span<float> priors, Scratch& scratch) {
  if (batch == 0) return 0;
  const int64_t layers = static_cast<int64_t>(weights_.weight.size()), k = num_actions();
  float* a = scratch.Floats(kHiddenA, static_cast<size_t>(batch * widest_)).data();
  float* b = scratch.Floats(kHiddenB, static_cast<size_t>(batch * widest_)).data();
  const float* in = states.data();
  for (int64_t l = 0; l < layers; ++l) {
    const int64_t n_in = weights_.sizes[l], n_out = weights_.sizes[l + 1];
    Eigen::Map<const RowMatrix> x(in, batch, n_in);
    Eigen::Map<const RowMatrix> w(weights_.weight[l].data(), n_out, n_in);
    Eigen::Map<const RowVector> bias(weights_.bias[l].data(), n_out);
    Eigen::Map<RowMatrix> h(a, batch, n_out);
    h.noalias() = x * w.transpose();
    h.rowwise() += bias;
    if (l + 1 < layers) {
      if (weights_.activation == MlpActivation::kTanh) {
        h = h.array().tanh();
      } else {
        h = h.array().max(0.f);
      }
    }
    in = a;
    std::swap(a, b);
  }
  // `in` holds [batch, 1 + K]: the value, then the logits -> softmax.
  for (int64_t r = 0; r < batch; ++r) {
    const float* row = in + r * (k + 1);
    values[r] = row[0];
    float* p = priors.data() + r * k;
    const float top = *std::max_element(row + 1, row + 1 + k);
    float sum = 0.f;
    for (int64_t j = 0; j < k; ++j) {
      p[j] = std::exp(row[1 + j] - top);
      sum += p[j];
    }
    for (int64_t j = 0; j < k; ++j) p[j] /= sum;
  }
  return 0;
}

}  // namespace augur::search
