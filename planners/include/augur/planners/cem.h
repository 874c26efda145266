// Cross-entropy method (as PETS uses it, Chua et al. 2018): sample pop sequences from a diagonal Gaussian
// around the mean (clipped to the action bounds), refit mean and std to the elites with momentum alpha,
// execute the mean's first action; the mean is the warm start of the next Plan.
#pragma once

#include <memory>
#include <vector>

#include "augur/planners/sampling_planner.h"

namespace augur {

class Cem : public SamplingPlanner {
 public:
  struct Options {
    SamplingOptions common{.horizon = 30, .iters = 5};  // PETS: horizon 15 to 30, 5 iterations
    int64_t pop = 500;                                  // sequences per iteration (PETS 350 to 500), >= 2
    int64_t elites = 50;                                // sequences refitted to (PETS 10 %), in [1, pop]
    double alpha = 0.1;     // momentum in [0, 1): new = alpha * old + (1 - alpha) * elite statistic (PETS 0.1)
    double init_std = 0.5;  // initial std per Plan, as a fraction of the half width of the action box (PETS:
                            // variance (high - low)^2 / 16, i.e. 0.5), > 0
    double min_std = 0.0;   // std floor, same unit, >= 0

    void Validate() const;
  };

  Cem(std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor, Options options);

 protected:
  void Allocate() override;
  void BeginPlan() override;
  bool Iterate(int64_t iteration) override;

 private:
  Options o_;
  std::vector<float> std_;      // [H * A]
  std::vector<float> samples_;  // [pop, H, A]
  std::vector<float> returns_;  // [pop]
  std::vector<int64_t> index_;  // [pop]
};

}  // namespace augur
