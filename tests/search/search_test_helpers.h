// Helpers shared by the search tests: the gridworld's rollout evaluator and an evaluator that logs its calls.
#pragma once

#include <memory>
#include <span>

#include "../testing/search_models.h"
#include "augur/search/evaluator.h"

namespace augur::testing {

inline std::shared_ptr<search::Evaluator> GridRollouts(std::shared_ptr<const WorldModel> model, int64_t rollouts = 4) {
  search::RolloutEvaluator::Options ro;
  ro.depth = 10;
  ro.rollouts = rollouts;
  ro.discount = 0.9;
  return std::make_shared<search::RolloutEvaluator>(model, ro);
}

// Wraps an evaluator and records the batch size of every call.
class CountingEvaluator : public search::Evaluator {
 public:
  explicit CountingEvaluator(std::shared_ptr<search::Evaluator> inner) : inner_(std::move(inner)) {}
  int64_t state_dim() const override { return inner_->state_dim(); }
  int64_t num_actions() const override { return inner_->num_actions(); }
  int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t seed, uint64_t key, std::span<float> values,
                   std::span<float> priors, Scratch& scratch) override {
    log.Record(batch);
    return inner_->Evaluate(states, batch, seed, key, values, priors, scratch);
  }
  CallLog log;

 private:
  std::shared_ptr<search::Evaluator> inner_;
};

}  // namespace augur::testing
