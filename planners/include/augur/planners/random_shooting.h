// Random shooting: sample `pop` sequences uniformly in the action box (where a bound is infinite, uniform in
// centre +- 1), plus the previous best shifted by one step; execute the best sequence found.
#pragma once

#include <memory>
#include <vector>

#include "augur/planners/sampling_planner.h"

namespace augur {

class RandomShooting : public SamplingPlanner {
 public:
  struct Options {
    SamplingOptions common{.horizon = 30, .iters = 1};  // each iteration samples a fresh population
    int64_t pop = 1000;                                 // sequences per iteration, >= 1

    void Validate() const;
  };

  RandomShooting(std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor, Options options);

 protected:
  void Allocate() override;
  void BeginPlan() override;
  bool Iterate(int64_t iteration) override;
  void EndPlan() override;

 private:
  Options o_;
  std::vector<float> samples_;  // [pop + 1, H, A]; the last is the shifted previous best
  std::vector<float> returns_;  // [pop + 1]
  double best_ = 0.0;
};

}  // namespace augur
