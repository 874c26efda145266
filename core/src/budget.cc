#include "augur/core/budget.h"

#include "augur/core/error.h"

namespace augur {

void Budget::Validate() const {
  if (iterations < 0) {
    throw ConfigError(StrCat("Budget: iterations = ", iterations, " must be >= 0 (0 means until the deadline)"));
  }
  if (iterations == 0 && !deadline) {
    throw ConfigError(
        "Budget: neither iterations nor a deadline is set; give Budget::Iterations(n), Budget::Deadline(d) or both");
  }
}

std::optional<Clock::duration> Budget::Remaining(Clock::time_point now) const {
  if (!deadline) return std::nullopt;
  if (now >= *deadline) return Clock::duration::zero();
  return *deadline - now;
}

}  // namespace augur
