#include "augur/core/chance_model.h"

#include <cmath>

#include "augur/core/error.h"

namespace augur {

void ChanceModel::OutcomeProbsCpu(int64_t, const float*, const float*, float*, Scratch*) const {
  throw StateError(StrCat("ChanceModel '", spec().type, "': no CPU path for OutcomeProbs; use the tensor path"));
}

void ChanceModel::StepOutcomeCpu(const CpuStep&, const int64_t*) const {
  throw StateError(StrCat("ChanceModel '", spec().type, "': no CPU path for StepOutcome; use the tensor path"));
}

void CheckOutcomeProbs(std::span<const float> probs, int64_t rows, int64_t k, const std::string& what,
                       double tolerance) {
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0.0;
    for (int64_t j = 0; j < k; ++j) {
      const float p = probs[r * k + j];
      if (!(p >= 0.f)) {
        throw ConfigError(StrCat(what, ": probability [", r, ", ", j, "] = ", p, " is negative or NaN"));
      }
      sum += p;
    }
    if (!(std::abs(sum - 1.0) <= tolerance)) {
      throw ConfigError(StrCat(what, ": outcome probabilities of row ", r, " sum to ", sum, ", not 1 (within ",
                               tolerance, ")"));
    }
  }
}

}  // namespace augur
