// Improved CEM (iCEM, Pinneri et al. 2020): CEM with
//  - colored noise (PSD 1 / f^beta along the horizon, beta 2 to 4 for smooth control),
//  - a population that shrinks by `decay` per iteration (pop_i = max(pop / decay^i, 2 elites)),
//  - a fraction `keep` of the elites carried into the next iteration, and from the previous Plan (shifted),
//  - the current mean (in iteration 0 the shifted previous mean) added as a candidate,
//  - executing the best sequence found, not the mean.
// Mean and std are refitted to the elites with momentum alpha (iCEM 0.1).
#pragma once

#include <memory>
#include <vector>

#include "augur/planners/colored_noise.h"
#include "augur/planners/sampling_planner.h"

namespace augur {

class Icem : public SamplingPlanner {
 public:
  struct Options {
    SamplingOptions common{.horizon = 30, .iters = 3};
    int64_t pop = 300;      // sequences in iteration 0 (>= 2)
    int64_t elites = 30;    // elites per iteration, in [1, pop]
    double beta = 2.0;      // noise colour exponent, >= 0 (iCEM: 2 to 4; 0 = white)
    double decay = 1.25;    // population shrink factor per iteration, >= 1 (iCEM 1.25)
    double keep = 0.3;      // fraction of elites kept into the next iteration / Plan, in [0, 1] (iCEM 0.3)
    double alpha = 0.1;     // momentum of mean and std in [0, 1) (iCEM 0.1)
    double init_std = 0.5;  // initial std per Plan as a fraction of the half width of the action box, > 0
    double min_std = 0.0;   // std floor, same unit, >= 0

    void Validate() const;
  };

  Icem(std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor, Options options);

  // Population of iteration i.
  int64_t PopulationAt(int64_t iteration) const;

 protected:
  void Allocate() override;
  void BeginPlan() override;
  bool Iterate(int64_t iteration) override;
  void OnReset() override { kept_ = 0; }

 private:
  Options o_;
  int64_t keep_count_;  // floor(keep * elites)
  ColoredNoise noise_;
  std::vector<float> std_;       // [H * A]
  std::vector<float> samples_;   // [pop + keep_count + 1, H, A]
  std::vector<float> returns_;   // [same]
  std::vector<int64_t> index_;   // [same]
  std::vector<float> kept_seq_;  // [keep_count, H, A] elites carried over
  int64_t kept_ = 0;             // how many of kept_seq_ are valid
  double best_ = 0.0;            // best return this Plan
};

}  // namespace augur
